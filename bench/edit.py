"""The one-paper edit: change one content file, time until its page on disk shows the change.

Two paths, one interface (`EditPath.rebuild(...)` returns when the page shows the edit, or False):
  WatchPath — `papers serve --watch` running as users run it; the edit is seen by its watcher and the time
              includes the watcher's debounce: what a writer waits for after saving. Its log's
              `rebuilt in N ms` lines give the rebuild alone.
  FullPath  — `papers build` after the edit (the "full path"), for when serve --watch does not rebuild.
`open_edit_path("auto", ...)` tries the watch path with one probe edit and falls back to the full path.
"""
from __future__ import annotations

import re
import signal
import subprocess
import threading
import time
from pathlib import Path

from .measure import papers_cmd, run

REBUILT_RE = re.compile(r"^rebuilt in (\d+) ms")

__all__ = ["EditPath", "WatchPath", "FullPath", "open_edit_path", "edit_paper", "time_edits"]


def edit_paper(path: Path, marker: str) -> None:
    """Append a sentence holding `marker` to the paper's abstract (written in place, as editors save)."""
    text = path.read_text(encoding="utf-8")
    path.write_text(text.rstrip("\n") + f" Edited {marker}.\n", encoding="utf-8")


def page_shows(page: Path, marker: str) -> bool:
    try:
        return marker.encode() in page.read_bytes()
    except OSError:
        return False


class EditPath:
    """How a one-paper edit gets onto disk."""

    name = "?"

    def wait_for(self, page: Path, marker: str, timeout: float) -> bool:
        """Poll `page` until it contains `marker`; False on timeout."""
        deadline = time.perf_counter() + timeout
        while time.perf_counter() < deadline:
            if page_shows(page, marker):
                return True
            time.sleep(0.002)
        return False

    def rebuild(self, changed: Path, page: Path, marker: str, timeout: float) -> bool:
        raise NotImplementedError

    def rebuild_ms(self, count: int) -> list[float]:
        """The rebuilder's own times for the last `count` rebuilds, when it reports them."""
        return []

    def close(self) -> None:
        pass


class FullPath(EditPath):
    """`papers build` after the edit: no watcher, the whole pipeline (reusing unchanged pages)."""

    name = "full path (papers build)"

    def __init__(self, build_args: list[str]):
        self.build_args = build_args

    def rebuild(self, changed: Path, page: Path, marker: str, timeout: float) -> bool:
        run(papers_cmd() + ["build", "-q"] + self.build_args, timeout=timeout)
        return page_shows(page, marker)


class WatchPath(EditPath):
    """`papers serve --watch` in the background; its watcher picks the edit up."""

    name = "incremental (serve --watch)"

    def __init__(self, build_args: list[str], ready_timeout: float):
        self.log: list[str] = []
        self.proc = subprocess.Popen(papers_cmd() + ["serve", "--watch", "--port", "0"] + build_args,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        self.ready = threading.Event()
        threading.Thread(target=self._read, daemon=True).start()
        if not self.ready.wait(ready_timeout):
            self.close()
            raise RuntimeError("papers serve --watch did not start serving:\n" + "".join(self.log[-10:]))

    def _read(self) -> None:
        assert self.proc.stderr is not None
        for line in self.proc.stderr:
            self.log.append(line)
            if line.startswith("serving "):
                self.ready.set()
        self.ready.set()  # exited: let the waiter see it

    def rebuild(self, changed: Path, page: Path, marker: str, timeout: float) -> bool:
        if self.proc.poll() is not None:
            return False
        return self.wait_for(page, marker, timeout)

    def rebuild_ms(self, count: int) -> list[float]:
        """serve's `rebuilt in N ms` figures for the last `count` rebuilds (waiting a moment for the log)."""
        deadline = time.perf_counter() + 5
        while True:
            found = [float(m.group(1)) for line in list(self.log) if (m := REBUILT_RE.match(line))]
            if len(found) >= count or time.perf_counter() > deadline:
                return found[-count:] if count else []
            time.sleep(0.01)

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)  # serve stops cleanly on SIGTERM; SIGINT may be ignored
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def time_edits(path: EditPath, edits: list[tuple[Path, Path]], timeout: float) -> list[float] | None:
    """Edit each (content file, page) in turn; seconds from the save to the page showing it, None if one never did."""
    times = []
    for i, (src, page) in enumerate(edits):
        marker = f"benchedit{i}x{time.monotonic_ns()}"
        t0 = time.perf_counter()
        edit_paper(src, marker)
        if not path.rebuild(src, page, marker, timeout):
            return None
        times.append(time.perf_counter() - t0)
    return times


def open_edit_path(mode: str, build_args: list[str], probe: tuple[Path, Path], cold_seconds: float
                   ) -> tuple[EditPath, str | None]:
    """The edit path for `mode` (auto, watch or full); with auto, a probe edit decides.

    Returns the path and, when auto fell back to the full path, why."""
    if mode == "full":
        return FullPath(build_args), None
    timeout = 10 + 3 * cold_seconds
    try:
        watch = WatchPath(build_args, ready_timeout=timeout)
    except RuntimeError as exc:
        if mode == "watch":
            raise
        return FullPath(build_args), str(exc).replace("\n", " ").strip()
    # The first edit after start-up shows whether the watcher rebuilds at all.
    if time_edits(watch, [probe], timeout) is None:
        watch.close()
        why = "papers serve --watch did not rebuild after an edit: " + " ".join(l.strip() for l in watch.log[-5:])
        if mode == "watch":
            raise RuntimeError(why)
        return FullPath(build_args), why
    return watch, None
