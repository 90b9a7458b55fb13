"""Content files on disk: written by rename only, read without blocking on what is not a regular file.

    write_text(path, text)     a temporary file in the same folder (`.<name>.tmp-<pid>`, hidden, so no reader
                               takes it for a content file), then os.replace: a kill or a full disk leaves the
                               old file or the new one, never a truncated one
    remove_stale_temps(paths)  the temporary files of writers that no longer run, deleted by the next import
    read_content_bytes(path)   the bytes; NotRegularFile for a FIFO, device or socket (opened non-blocking,
                               never read), which every reader skips with a warning

No fsync: this guards against killed processes and full disks, not against power loss.
"""
from __future__ import annotations

import os
import re
import stat
from pathlib import Path
from typing import Iterable

from ..errors import Problem
from ..util.procs import running

__all__ = ["write_text", "temp_name", "remove_stale_temps", "read_content_bytes", "NotRegularFile", "TEMP_RE"]

_NEW_FILE = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)
TEMP_RE = re.compile(r"\..+\.tmp-(\d+)$")  # temp_name()'s names


def temp_name(path: str) -> str:
    """The temporary file `path` is written to before it is renamed into place: hidden (so no reader takes
    it for a content file) and named by this process, so the next run can tell a dead writer's leftover."""
    folder, name = os.path.split(path)
    return os.path.join(folder, f".{name}.tmp-{os.getpid()}")


def _write_new(tmp: str, data: bytes) -> None:
    fd = os.open(tmp, _NEW_FILE, 0o666)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
    except BaseException:
        os.close(fd)
        os.unlink(tmp)
        raise
    os.close(fd)


def write_text(path: Path | str, text: str, new: bool = False) -> bool:
    """Write `text` to `path` if it differs, atomically (temporary file, then rename); True when it changed.

    A kill or a full disk leaves the old file or the new one, never a truncated one; a failed write removes
    its temporary file, and one left by a killed process is removed by the next import (remove_stale_temps).
    `new=True` is import's fast path for a file known not to exist in a folder that does: no read first."""
    data = text.encode("utf-8")
    path = os.fspath(path)
    if not new:
        try:
            with open(path, "rb") as f:
                if f.read() == data:
                    return False
        except FileNotFoundError:
            os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    tmp = temp_name(path)
    _write_new(tmp, data)
    try:
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise
    return True


def remove_stale_temps(temps: Iterable[str]) -> int:
    """Delete the temporary files (found by iter_content_files) of writers that no longer run; how many."""
    removed = 0
    for path in temps:
        m = TEMP_RE.search(os.path.basename(path))
        if m is not None and int(m.group(1)) != os.getpid() and not running(int(m.group(1))):
            try:
                os.unlink(path)
                removed += 1
            except FileNotFoundError:
                pass
    return removed


class NotRegularFile(OSError):
    """A `*.md` entry that is not a regular file (a FIFO, a device, a socket): skipped, never opened to read."""

    def __init__(self, path: Path | str):
        super().__init__(f"not a regular file: {path}")
        self.filename = str(path)
        self.problem = Problem(str(path), 0, "not a regular file (a FIFO, device or socket); skipped: remove it "
                               "or replace it with a content file")


_READ = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)


def read_content_bytes(path: Path | str) -> bytes:
    """The bytes of a content file; NotRegularFile (without blocking: a FIFO is opened non-blocking and
    never read) when it is not a regular file."""
    fd = os.open(path, _READ)
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise NotRegularFile(path)
        chunks = []
        while True:
            chunk = os.read(fd, max(st.st_size + 1, 65536))
            if not chunk:
                break
            chunks.append(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)
