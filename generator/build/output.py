"""Writing site/ atomically and deterministically.

A build writes into a fresh sibling folder (`site.tmp-<pid>`) and swaps it in with two renames; a failed
build removes its folder and leaves the previous site/ as it was. Pages whose signature is unchanged are
hard-linked from the previous site instead of being rendered again. Folders left by a build that was killed
(`site.tmp-<pid>`, `site.old-<pid>` of a process that no longer runs) are removed by the next build, and if
it was killed between the two renames, the next build finds the previous site in `site.old-<pid>`. Every
file is written by rename only: a page into the staging folder (which is renamed as a whole), a cache file
through a temporary file of its own (write_cache), so a kill or a full disk never leaves a truncated one.
"""
from __future__ import annotations

import os
import pickle
import shutil
from pathlib import Path
from typing import Any

from ..util.procs import running

__all__ = ["Staging", "write_file", "make_folder", "MANIFEST", "read_cache", "write_cache", "read_manifest",
           "write_manifest"]

MANIFEST = "page-signatures.pickle"  # kept outside site/: in the cache folder beside it


_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)


def write_file(path: Path | str, data: bytes) -> None:
    """Write `data` to a new file at `path`, creating its folder (plain os calls: half the time of
    Path.write_bytes). A file already there is replaced, never written into: it may be a hard link to
    the previous build's copy (Staging.reuse), which must stay as it was."""
    try:
        fd = os.open(path, _FLAGS, 0o666)
    except FileNotFoundError:
        make_folder(os.path.dirname(path))
        fd = os.open(path, _FLAGS, 0o666)
    except FileExistsError:
        os.unlink(path)
        fd = os.open(path, _FLAGS, 0o666)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
    finally:
        os.close(fd)


def make_folder(folder: str) -> None:
    """mkdir -p, with one system call when the parent exists."""
    try:
        os.mkdir(folder)
    except FileExistsError:
        pass
    except FileNotFoundError:
        os.makedirs(folder, exist_ok=True)


def clean_leftovers(out: Path) -> None:
    """Remove `out.tmp-<pid>` / `out.old-<pid>` folders of dead builds; restore `out` from an `.old` one if missing.
    In the cache folder beside `out`, remove dead processes' temporary files and serve's `staging-<pid>`."""
    cache = out.with_name(f".{out.name}-cache")
    if cache.is_dir():
        for path in sorted(cache.iterdir()):
            name, _, pid = path.name.rpartition("-")
            if (name == "staging" or name.endswith(".tmp")) and pid.isdigit() and not running(int(pid)):
                if path.is_dir() and not path.is_symlink():
                    shutil.rmtree(path, ignore_errors=True)
                else:
                    path.unlink(missing_ok=True)
    for path in sorted(out.parent.glob(f"{out.name}.*-*")):
        kind, _, pid = path.name[len(out.name) + 1:].partition("-")
        if kind not in ("tmp", "old") or not pid.isdigit() or (int(pid) != os.getpid() and running(int(pid))):
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
        self._root = f"{self.dir}{os.sep}"
        self._folders: set[str] = {str(self.dir)}  # made in this process (a forked worker has its own)

    def _path(self, rel: str) -> str:
        """The staged path of `rel`, its folder made first (a new folder costs one mkdir, no failed open)."""
        path = self._root + rel
        folder = os.path.dirname(path)
        if folder not in self._folders:
            make_folder(folder)
            self._folders.add(folder)
        return path

    def write(self, rel: str, data: bytes) -> None:
        write_file(self._path(rel), data)

    def reuse(self, rel: str) -> bool:
        """Hard-link the previous build's file for `rel`; False when there is none."""
        src = self.out / rel
        dst = self._path(rel)
        try:
            os.link(src, dst)
        except FileNotFoundError:
            return False
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


def read_cache(path: Path) -> Any:
    """What write_cache saved at `path`, or None when it is missing, truncated or from another version."""
    try:
        with open(path, "rb") as f:
            return pickle.load(f)
    except Exception:  # noqa: BLE001 - a cache: unreadable means absent
        return None


def write_cache(path: Path, data: Any) -> None:
    """Save `data` at `path` atomically (a temporary file, then a rename), making its folder."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")  # per process; a dead one's is removed by clean_leftovers
    try:
        with open(tmp, "wb") as f:
            pickle.dump(data, f, pickle.HIGHEST_PROTOCOL)
        tmp.replace(path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def read_manifest(cache: Path) -> dict[str, str]:
    """The last build's page signatures (path → signature); empty when missing or unreadable."""
    data = read_cache(cache / MANIFEST)
    return data if isinstance(data, dict) else {}


def write_manifest(cache: Path, manifest: dict[str, str]) -> None:
    """Save the page signatures (a pickle: a tenth of JSON's time at 100k pages)."""
    write_cache(cache / MANIFEST, manifest)
