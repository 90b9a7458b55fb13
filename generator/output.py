"""Writing site/ atomically and deterministically.

A build writes into a fresh sibling folder (`site.tmp-<pid>`) and swaps it in with two renames; a failed
build removes its folder and leaves the previous site/ as it was. Pages whose signature is unchanged are
hard-linked from the previous site instead of being rendered again.
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


class Staging:
    """A temporary output folder beside `out` that becomes `out` on commit()."""

    def __init__(self, out: Path):
        self.out = out.resolve()
        self.dir = self.out.with_name(f"{self.out.name}.tmp-{os.getpid()}")
        if self.dir.exists():
            shutil.rmtree(self.dir)
        self.dir.mkdir(parents=True)

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
