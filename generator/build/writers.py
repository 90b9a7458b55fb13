"""Where a build writes: the Writer seam, and its two kinds.

    Staging   `papers build`: a new folder beside the output, swapped in whole (atomic, stale pages gone)
    InPlace   `papers serve --watch`: files staged in the cache folder, moved into the output one by one
              while the dev server waits on a lock, so a request sees the previous build or the next

A `papers build` writes into a fresh sibling folder (`site.tmp-<pid>`) and swaps it in with two renames; a failed
build removes its folder and leaves the previous site/ as it was. Pages whose signature is unchanged are
hard-linked from the previous site instead of being rendered again. A Staging writer keeps each file's stamp
as it writes it (fstat of the open file, in whichever process wrote it), for the build state's record of
the output (build/state.py: OutputStamps), which then needs no stat of its own per file; a hard-linked
file's is taken once the previous site is gone, as removing that link changes the file's ctime.
Folders left by a build that was killed (`site.tmp-<pid>`, `site.old-<pid>` of a process that no longer
runs) are removed by the next build, and if it was killed between the two renames, the next build finds
the previous site in `site.old-<pid>`. Every file is written by rename only: a page into the staging
folder (which is renamed as a whole), a cache file through a temporary file of its own (write_cache), so a
kill or a full disk never leaves a truncated one.
"""
from __future__ import annotations

import os
import shutil
from array import array
from collections import OrderedDict
from pathlib import Path
from typing import Iterable, Protocol

from .cache import Cache
from .state import NO_STAMP
from ..content.sources import stamp_of
from ..util.procs import running

__all__ = ["Writer", "Staging", "InPlace", "write_file", "make_folder", "clean_leftovers"]


# The folders a Staging writer remembers making (in each process): a paper's two files are written one after
# the other, and a folder asked for again once forgotten costs one mkdir that finds it there. All of them
# (a folder per paper) took 15 MB at 100k papers, in the processes that render.
FOLDERS = 4096
_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)


def write_file(path: Path | str, data: bytes) -> os.stat_result:
    """Write `data` to a new file at `path`, creating its folder (plain os calls: half the time of
    Path.write_bytes); returns the file's stat as written. A file already there is replaced, never written
    into: it may be a hard link to the previous build's copy (Staging.reuse), which must stay as it was."""
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
        return os.fstat(fd)
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
    cache = Cache(out).dir
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


class Writer(Protocol):
    """Where the pipeline puts the files of one build. Forked render workers write through it too: what
    they wrote comes back to the parent as `files` entries (render/batch.py)."""

    files: list[str]  # site-relative paths written (staged) by this process, in order
    stamps: array[int]  # four per path in `files` (content/sources.py: stamp_of), or none (InPlace keeps none)

    def write(self, rel: str, data: bytes) -> None:
        """Stage `data` as the file `rel` of the output."""

    def reuse(self, rel: str) -> bool:
        """Keep the current output's file `rel` as this build's; False when there is none to keep."""

    def add(self, files: list[str], stamps: array[int]) -> None:
        """Count as staged here what a forked worker staged through its copy of this writer."""

    def commit(self, remove: Iterable[str] = ()) -> None:
        """Make the staged files the output (and delete `remove`, files no page makes any more)."""

    def abort(self) -> None:
        """Drop everything staged; the output stays as it was."""


class Staging:
    """A temporary output folder beside `out` that becomes `out` on commit(): files not written or reused
    are simply not there, so `remove` is not needed."""

    def __init__(self, out: Path):
        self.out = out.resolve()
        self.out.parent.mkdir(parents=True, exist_ok=True)
        clean_leftovers(self.out)
        self.dir = self.out.with_name(f"{self.out.name}.tmp-{os.getpid()}")
        self.dir.mkdir()
        self._root = f"{self.dir}{os.sep}"
        self._folders: OrderedDict[str, None] = OrderedDict({str(self.dir): None})  # made here, the last FOLDERS
        self.files: list[str] = []
        self.stamps: array[int] = array("q")

    def _path(self, rel: str) -> str:
        """The staged path of `rel`, its folder made first (a new folder costs one mkdir, no failed open)."""
        path = self._root + rel
        folder = os.path.dirname(path)
        if folder not in self._folders:
            make_folder(folder)
            self._folders[folder] = None
            if len(self._folders) > FOLDERS:
                self._folders.popitem(last=False)
        return path

    def write(self, rel: str, data: bytes) -> None:
        self.stamps.extend(stamp_of(write_file(self._path(rel), data)))
        self.files.append(rel)

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
        self.stamps.extend(NO_STAMP)  # for now: its ctime changes when commit() removes the previous site
        self.files.append(rel)
        return True

    def add(self, files: list[str], stamps: array[int]) -> None:
        self.files.extend(files)
        self.stamps.extend(stamps)

    def commit(self, remove: Iterable[str] = ()) -> None:
        """Swap the staged folder in; the old one is removed after the swap. An interrupt (Ctrl-C, SIGTERM)
        during the swap finishes it, and one during the removal finishes that, before it goes on up: the
        command leaves the new site and no `.old-<pid>` folder behind (tests/test_kill.py)."""
        old = self.out.with_name(f"{self.out.name}.old-{os.getpid()}")
        try:
            if self.out.exists():
                os.replace(self.out, old)
            os.replace(self.dir, self.out)
        except BaseException:
            if self.dir.is_dir() and not self.out.exists():  # between the two renames
                os.replace(self.dir, self.out)
            raise
        finally:
            if self.out.is_dir() and not self.dir.exists():  # swapped: the old site is no longer needed
                try:
                    shutil.rmtree(old, ignore_errors=True)
                except BaseException:
                    shutil.rmtree(old, ignore_errors=True)
                    raise

    def abort(self) -> None:
        shutil.rmtree(self.dir, ignore_errors=True)


class InPlace:
    """Files for `out`, staged in the cache folder, then moved into `out` one by one (os.replace). Files
    whose bytes did not change are not staged; reuse() keeps the file `out` has."""

    def __init__(self, out: Path):
        self.out = out.resolve()
        self.dir = Cache(out).staging_dir()
        shutil.rmtree(self.dir, ignore_errors=True)
        self.files: list[str] = []
        self.stamps: array[int] = array("q")  # none: commit() moves the files, which changes their ctime

    def write(self, rel: str, data: bytes) -> None:
        try:
            if (self.out / rel).read_bytes() == data:
                return
        except OSError:
            pass
        write_file(self.dir / rel, data)
        self.files.append(rel)

    def reuse(self, rel: str) -> bool:
        return (self.out / rel).is_file()

    def add(self, files: list[str], stamps: array[int]) -> None:
        self.files.extend(files)

    def commit(self, remove: Iterable[str] = ()) -> None:
        """Move every staged file into place and delete `remove` (and folders left empty)."""
        if self.files and not self.out.exists():  # the first build: one rename instead of one per file
            self.out.parent.mkdir(parents=True, exist_ok=True)
            os.replace(self.dir, self.out)
            return
        for rel in self.files:
            dst = self.out / rel
            try:
                os.replace(self.dir / rel, dst)
            except FileNotFoundError:
                dst.parent.mkdir(parents=True, exist_ok=True)
                os.replace(self.dir / rel, dst)
        for rel in remove:
            (self.out / rel).unlink(missing_ok=True)
            parent = (self.out / rel).parent
            while parent != self.out and parent.is_dir() and not any(parent.iterdir()):
                parent.rmdir()
                parent = parent.parent
        self.abort()

    def abort(self) -> None:
        shutil.rmtree(self.dir, ignore_errors=True)
