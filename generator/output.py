"""Writing site/ atomically and deterministically.

A build writes into a fresh sibling folder (`site.tmp-<pid>`) and swaps it in with two renames; a failed
build removes its folder and leaves the previous site/ as it was. Pages whose signature is unchanged are
hard-linked from the previous site instead of being rendered again. Folders left by a build that was killed
(`site.tmp-<pid>`, `site.old-<pid>` of a process that no longer runs) are removed by the next build, and if
it was killed between the two renames, the next build finds the previous site in `site.old-<pid>`.
"""
from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

__all__ = ["Staging", "write_file", "MANIFEST"]

MANIFEST = ".papers-manifest.json"  # kept outside site/: in the cache folder beside it


def write_file(path: Path, data: bytes) -> None:
    """Write `data` to `path`, creating its folder."""
    try:
        path.write_bytes(data)
    except FileNotFoundError:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True
    return True


def clean_leftovers(out: Path) -> None:
    """Remove `out.tmp-<pid>` / `out.old-<pid>` folders of dead builds; restore `out` from an `.old` one if missing."""
    for path in sorted(out.parent.glob(f"{out.name}.*-*")):
        kind, _, pid = path.name[len(out.name) + 1:].partition("-")
        if kind not in ("tmp", "old") or not pid.isdigit() or (int(pid) != os.getpid() and _running(int(pid))):
            continue
        if kind == "old" and not out.exists():
            os.replace(path, out)  # killed between the two renames of commit(): put the old site back
        else:
            shutil.rmtree(path, ignore_errors=True)


class Staging:
    """A temporary output folder beside `out` that becomes `out` on commit()."""

    def __init__(self, out: Path):
        self.out = out.resolve()
        self.out.parent.mkdir(parents=True, exist_ok=True)
        clean_leftovers(self.out)
        self.dir = self.out.with_name(f"{self.out.name}.tmp-{os.getpid()}")
        self.dir.mkdir()

    def write(self, rel: str, data: bytes) -> None:
        write_file(self.dir / rel, data)

    def reuse(self, rel: str) -> bool:
        """Hard-link the previous build's file for `rel`; False when there is none."""
        src = self.out / rel
        dst = self.dir / rel
        try:
            os.link(src, dst)
        except FileNotFoundError:
            if not src.is_file():
                return False
            dst.parent.mkdir(parents=True, exist_ok=True)
            os.link(src, dst)
        except OSError:
            if not src.is_file():
                return False
            shutil.copy2(src, dst)
        return True

    def commit(self) -> None:
        """Swap the staged folder in; the old one is removed after the swap."""
        old = self.out.with_name(f"{self.out.name}.old-{os.getpid()}")
        if self.out.exists():
            os.replace(self.out, old)
        os.replace(self.dir, self.out)
        if old.exists():
            shutil.rmtree(old, ignore_errors=True)

    def abort(self) -> None:
        shutil.rmtree(self.dir, ignore_errors=True)


def read_manifest(cache: Path) -> dict[str, str]:
    try:
        data = json.loads((cache / MANIFEST).read_text(encoding="utf-8"))
        return data if isinstance(data, dict) else {}
    except (OSError, ValueError):
        return {}


def write_manifest(cache: Path, manifest: dict[str, str]) -> None:
    cache.mkdir(parents=True, exist_ok=True)
    tmp = cache / (MANIFEST + ".tmp")
    tmp.write_text(json.dumps(manifest, sort_keys=True), encoding="utf-8")
    tmp.replace(cache / MANIFEST)
