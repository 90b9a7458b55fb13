"""Progress for long commands, on a terminal only: one line rewritten in place, erased when the step ends.

    progress.configure(quiet)        the CLI calls it once: progress shows when stderr is a terminal (not
                                     TERM=dumb) and -q was not given; otherwise every call below does nothing
    with progress.task(label, total) one step: `label 12,000/100,000 (12%) 3 s`, or `label… 3 s` without a
                                     total; the line is drawn at once and erased at the end
    progress.advance(n=1)            n more items done in the current step (redrawn at most 10 times a second)
    progress.tick()                  redraw the elapsed time only (a step whose count is not known here)
    LogHandler                       a logging handler that erases the line before a log record and redraws
                                     it after, so log lines and the progress line never mix

Only the process that called configure() draws: workers forked during a step (parallel.fork_map) inherit the
state but stay silent, so the terminal gets one line, not one per process.
"""
from __future__ import annotations

import logging
import os
import shutil
import sys
import threading
import time
from contextlib import contextmanager
from typing import IO, Iterator

__all__ = ["configure", "task", "advance", "tick", "enabled", "LogHandler", "Task"]

INTERVAL = 0.1  # seconds between redraws

_lock = threading.RLock()
_owner: int | None = None  # the pid that draws; None: progress is off
_stream: IO[str] = sys.stderr
_current: Task | None = None
_drawn = False  # a progress line is on the screen


def configure(quiet: bool, stream: IO[str] | None = None) -> bool:
    """Turn progress on for this process when `stream` (stderr) is a terminal and not `quiet`; returns whether."""
    global _owner, _stream
    _stream = stream if stream is not None else sys.stderr
    try:
        tty = _stream.isatty()
    except (AttributeError, ValueError):
        tty = False
    on = tty and not quiet and os.environ.get("TERM", "") != "dumb"
    _owner = os.getpid() if on else None
    return on


def enabled() -> bool:
    """Whether this process draws progress."""
    return _owner is not None and _owner == os.getpid()


class Task:
    """One step of a command: a label, items done of an optional total, and when it started."""

    def __init__(self, label: str, total: int | None = None):
        self.label = label
        self.total = total
        self.done = 0
        self.started = time.monotonic()
        self._last = 0.0

    def text(self) -> str:
        elapsed = time.monotonic() - self.started
        clock = f" {elapsed:.0f} s" if elapsed >= 1 else ""  # a step nothing ticks shows no clock stuck at 0
        if self.total:
            pct = min(100, self.done * 100 // self.total)
            return f"{self.label} {self.done:,}/{self.total:,} ({pct}%){clock}"
        return f"{self.label}…{clock}"

    def advance(self, n: int = 1) -> None:
        self.done += n
        self.tick()

    def tick(self) -> None:
        now = time.monotonic()
        if now - self._last >= INTERVAL:
            self._last = now
            _draw(self)


def _width() -> int:
    return max(20, shutil.get_terminal_size((80, 24)).columns - 1)


def _draw(t: Task) -> None:
    global _drawn
    if not enabled():
        return
    with _lock:
        try:
            _stream.write("\r" + t.text()[:_width()] + "\x1b[K")
            _stream.flush()
            _drawn = True
        except (OSError, ValueError):
            pass


def _erase() -> None:
    global _drawn
    if not _drawn or not enabled():
        return
    with _lock:
        try:
            _stream.write("\r\x1b[K")
            _stream.flush()
        except (OSError, ValueError):
            pass
        _drawn = False


@contextmanager
def task(label: str, total: int | None = None) -> Iterator[Task]:
    """A step shown as one progress line while it runs (nothing at all when progress is off)."""
    global _current
    t = Task(label, total)
    if not enabled():
        yield t
        return
    previous, _current = _current, t
    _draw(t)
    t._last = time.monotonic()
    try:
        yield t
    finally:
        _current = previous
        _erase()
        if previous is not None:
            _draw(previous)


def advance(n: int = 1) -> None:
    """`n` more items done in the current step."""
    if _current is not None and enabled():
        _current.advance(n)


def tick() -> None:
    """Redraw the current step's elapsed time (at most 10 times a second)."""
    if _current is not None and enabled():
        _current.tick()


class LogHandler(logging.StreamHandler):
    """A StreamHandler that keeps log lines and the progress line apart."""

    def emit(self, record: logging.LogRecord) -> None:
        with _lock:
            _erase()
            super().emit(record)
            if _current is not None:
                _draw(_current)
