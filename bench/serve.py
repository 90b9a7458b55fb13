"""`papers serve --watch` measured over real HTTP on 127.0.0.1, as a writer uses it.

    start_serve(build_args)   starts serve on a free port; `.startup` is the seconds from starting the
                              process to the first successful HTTP response (of `/`)
    time_edits(serve, edits)  saves one content file at a time, as a writer with the paper's page open in a
                              browser: the page is fetched and its live-reload event stream opened before
                              the save; after it, each `reload` event fetches the page again, until the
                              page served shows the change: the seconds from the save to that page
                              (the watcher's debounce and serve's rebuild included). Polling the page
                              instead (every 2 ms, as an earlier version did) loads the server it measures.

serve's own log gives what it did: `built in N ms (first build): X of Y pages rendered` at start-up and
`rebuilt in N ms` after each edit.
"""
from __future__ import annotations

import http.client
import re
import signal
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from .measure import papers_cmd

__all__ = ["Serve", "start_serve", "edit_paper", "time_edits", "free_port"]

REBUILT_RE = re.compile(r"^rebuilt in (\d+) ms")
FIRST_RE = re.compile(r"^built in (\d+) ms \(first build\): (\d+) of (\d+) pages rendered")


def free_port() -> int:
    """A port nothing listens on at the moment (bound and released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fetch(url: str, timeout: float) -> bytes | None:
    """The body of a 200 response, or None (refused, not yet answering, an error status)."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as resp:
            return resp.read() if resp.status == 200 else None
    except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
        return None


class Serve:
    """One `papers serve --watch` process, stopped by close()."""

    def __init__(self, build_args: list[str], timeout: float):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}/"
        self.log: list[str] = []
        t0 = time.perf_counter()
        self.proc = subprocess.Popen(papers_cmd() + ["serve", "--watch", "--port", str(self.port)] + build_args,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        threading.Thread(target=self._read, daemon=True).start()
        deadline = t0 + timeout
        while fetch(self.base, timeout=max(0.1, deadline - time.perf_counter())) is None:
            if self.proc.poll() is not None or time.perf_counter() > deadline:
                self.close()
                raise RuntimeError("papers serve --watch did not answer over HTTP: " + self.tail())
            time.sleep(0.005)
        self.startup = time.perf_counter() - t0

    def _read(self) -> None:
        assert self.proc.stderr is not None
        for line in self.proc.stderr:
            self.log.append(line)

    def tail(self, n: int = 5) -> str:
        return " ".join(line.strip() for line in self.log[-n:]) or "(no output)"

    def first_build(self, wait: float = 5) -> tuple[int, int] | None:
        """(pages rendered, pages) of serve's first build, from its log line."""
        deadline = time.perf_counter() + wait
        while time.perf_counter() < deadline:
            for line in list(self.log):
                if m := FIRST_RE.match(line):
                    return int(m.group(2)), int(m.group(3))
            time.sleep(0.01)
        return None

    def rebuild_ms(self, count: int, wait: float = 5) -> list[float]:
        """serve's `rebuilt in N ms` for the last `count` rebuilds (waiting a moment for the log)."""
        deadline = time.perf_counter() + wait
        while True:
            found = [float(m.group(1)) for line in list(self.log) if (m := REBUILT_RE.match(line))]
            if len(found) >= count or time.perf_counter() > deadline:
                return found[-count:] if count else []
            time.sleep(0.01)

    def open_page(self, path: str, timeout: float) -> "PageWatch":
        """The page at `path` as a browser holds it: fetched, with its live-reload event stream open."""
        return PageWatch(self.base, path, timeout)

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)  # serve stops cleanly on SIGTERM
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


_GENERATION = re.compile(rb'data-generation="(\d+)"')


class PageWatch:
    """One open page: its live-reload event stream (/__papers__/events), as serve's script opens it."""

    def __init__(self, base: str, path: str, timeout: float):
        self.base, self.path, self.timeout = base, path, timeout
        self.stream: http.client.HTTPResponse | None = None
        self.conn: http.client.HTTPConnection | None = None
        self._open(fetch(base + path, timeout) or b"")

    def _open(self, body: bytes) -> None:
        """Listen for the page of `body`'s generation (no stream when serve does not answer: it stopped)."""
        self.close()
        m = _GENERATION.search(body)
        host, port = urllib.parse.urlsplit(self.base)[1].rsplit(":", 1)
        self.conn = http.client.HTTPConnection(host, int(port), timeout=self.timeout)
        try:
            self.conn.request("GET", f"/__papers__/events?generation={int(m.group(1)) if m else 0}")
            self.stream = self.conn.getresponse()
        except (OSError, http.client.HTTPException):
            self.stream = None

    def wait_for(self, marker: str, deadline: float) -> bool:
        """Wait for `reload` events, fetching the page at each, until it holds `marker`; False on timeout."""
        needle = marker.encode()
        while time.perf_counter() < deadline and self.stream is not None:
            try:
                line = self.stream.readline()
            except (OSError, http.client.HTTPException):
                line = b""
            if line.strip() != b"event: reload" and line:
                continue  # comments, data lines, `search` events
            body = fetch(self.base + self.path, max(0.1, deadline - time.perf_counter()))
            if body is not None and needle in body:
                return True
            self._open(body or b"")  # a reload for an older change, or the stream ended: listen again
        return False  # out of time, or serve stopped answering

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
        self.conn = self.stream = None


def start_serve(build_args: list[str], timeout: float) -> Serve:
    """Start serve --watch and wait for its first HTTP answer."""
    return Serve(build_args, timeout)


def edit_paper(path: Path, marker: str) -> None:
    """Append a sentence holding `marker` to the paper's abstract (written in place, as editors save)."""
    text = path.read_text(encoding="utf-8")
    path.write_text(text.rstrip("\n") + f" Edited {marker}.\n", encoding="utf-8")


def time_edits(serve: Serve, edits: list[tuple[Path, str]], timeout: float) -> list[float] | None:
    """Edit each (content file, page path) in turn with the page open (PageWatch); seconds from the save to
    the new page served over HTTP, or None when one edit never showed."""
    times = []
    for i, (src, page) in enumerate(edits):
        marker = f"benchedit{i}x{time.monotonic_ns()}"
        watch = serve.open_page(page, timeout)
        try:
            t0 = time.perf_counter()
            edit_paper(src, marker)
            if not watch.wait_for(marker, t0 + timeout):
                return None
            times.append(time.perf_counter() - t0)
        finally:
            watch.close()
    return times
