"""Live reload for `papers serve --watch`: build state for open pages, Server-Sent Events, the injected script.

Every HTML page the dev server sends gets one tag before `</head>`:

    <script src="/__papers__/livereload.js" data-generation="7" defer></script>

The script is a file served by the dev server (never written to site/), so it runs under the strict CSP of
netlify.toml (`script-src 'self'`, `connect-src 'self'`, `style-src 'self'`). It opens an EventSource on
`/__papers__/events?generation=7` and the server answers with:

    event: reload     after a successful rebuild (or at once when the page is older than the site)
    event: search     when only the search index changed: the search page reloads, other pages need not
    event: failed     after a failed rebuild: {"file", "line", "message"}; the page shows an overlay built
                      with DOM calls and styled by /__papers__/livereload.css, and the server keeps serving
                      the last good build. The next successful rebuild reloads the page, so it goes away.
"""
from __future__ import annotations

import json
import re
import threading
from dataclasses import dataclass
from http import HTTPStatus
from pathlib import Path
from typing import Callable
from urllib.parse import parse_qs, urlsplit

from ..errors import PapersError
from .client import SCRIPT, STYLE
from .server import HeaderRules, SiteServer, StaticHandler

__all__ = ["LiveState", "DevServer", "DevHandler", "PREFIX", "script_tag", "inject"]

PREFIX = "/__papers__/"
KEEPALIVE = 15.0  # seconds between comments on an idle event stream (finds closed connections)
_HEAD_END = re.compile(rb"</head\s*>", re.IGNORECASE)


@dataclass(frozen=True)
class Snapshot:
    version: int  # bumped by every build, good or bad
    generation: int  # the site's generation after the last good commit
    pages_generation: int  # ... after the last commit of pages (later commits only updated the search index)
    error: dict[str, object] | None  # the last build's error, None when it succeeded


class LiveState:
    """The outcome of the latest build, shared between the builder thread and the event streams."""

    def __init__(self, generation: int = 0):
        self._cond = threading.Condition()
        self._snap = Snapshot(0, generation, generation, None)
        self.closed = False

    def succeeded(self, generation: int, pages: bool = True) -> None:
        """A commit of pages (or, `pages` False, of the search index alone) made the site `generation`."""
        with self._cond:
            old = self._snap
            self._snap = Snapshot(old.version + 1, generation, generation if pages else old.pages_generation, None)
            self._cond.notify_all()

    def failed(self, error: PapersError) -> None:
        """A build failed: open pages show `error`; the site stays at its last good generation."""
        payload = {"file": str(error.path) if error.path else None, "line": error.line, "message": error.message}
        with self._cond:
            old = self._snap
            self._snap = Snapshot(old.version + 1, old.generation, old.pages_generation, payload)
            self._cond.notify_all()

    def close(self) -> None:
        """End every event stream (the server is stopping)."""
        with self._cond:
            self.closed = True
            self._cond.notify_all()

    def snapshot(self) -> Snapshot:
        with self._cond:
            return self._snap

    def wait(self, version: int, timeout: float) -> Snapshot:
        """The state once its version differs from `version`, or after `timeout` seconds."""
        with self._cond:
            self._cond.wait_for(lambda: self._snap.version != version or self.closed, timeout=timeout)
            return self._snap


def script_tag(generation: int) -> bytes:
    """The tag injected into every page served in watch mode."""
    return f'<script src="{PREFIX}livereload.js" data-generation="{generation}" defer></script>'.encode()


def inject(body: bytes, generation: int) -> bytes:
    """`body` with the live-reload script before `</head>` (or at the end when there is no head)."""
    tag = script_tag(generation)
    match = _HEAD_END.search(body)
    return body[: match.start()] + tag + body[match.start():] if match else body + tag


ASSETS = {"livereload.js": (SCRIPT, "text/javascript; charset=utf-8"),
          "livereload.css": (STYLE, "text/css; charset=utf-8")}


class DevServer(SiteServer):
    """The site server plus the live state, and `generation()`: the site's generation, read under the lock."""

    def __init__(self, address: tuple[str, int], root: Path, header_rules: HeaderRules, lock: threading.Lock,
                 live: LiveState, generation: Callable[[], int]):
        super().__init__(address, DevHandler, root, header_rules, lock)
        self.live = live
        self.generation = generation


class DevHandler(StaticHandler):
    """StaticHandler plus /__papers__/ (script, stylesheet, events) and the script tag in every page."""

    def do_GET(self) -> None:
        if self.path.startswith(PREFIX):
            self._papers(head=False)
        else:
            super().do_GET()

    def do_HEAD(self) -> None:
        if self.path.startswith(PREFIX):
            self._papers(head=True)
        else:
            super().do_HEAD()

    server: DevServer

    def transform_html(self, body: bytes) -> bytes:
        return inject(body, self.server.generation())

    def extra_headers(self, url_path: str) -> dict[str, str]:
        # Pages change under the same URL while you edit: always ask again (netlify.toml's caching is for
        # deploys). Fingerprinted static files never change under their name, so they keep theirs.
        return {} if url_path.startswith("/static/") else {"Cache-Control": "no-cache"}

    def _papers(self, head: bool) -> None:
        parts = urlsplit(self.path)
        name = parts.path[len(PREFIX):]
        if name == "events" and not head:
            query = parse_qs(parts.query)
            try:
                generation = int(query.get("generation", ["-1"])[0])
            except ValueError:
                generation = -1
            self._events(generation)
        elif name in ASSETS:
            text, ctype = ASSETS[name]
            self.send_body(HTTPStatus.OK, text.encode("utf-8"), ctype, parts.path, head)
        else:
            self.send_body(HTTPStatus.NOT_FOUND, b"404 not found\n", "text/plain; charset=utf-8", parts.path, head)

    def _events(self, generation: int) -> None:
        """An event stream for a page of `generation`: `reload` once its pages are out of date, `search` when
        only the search index is newer, `failed` while the build is broken (and `reload` once it is mended)."""
        live = self.server.live
        self.close_connection = True
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-store")
        self.send_header("Connection", "close")
        self.end_headers()
        self._write(b"retry: 500\n\n")
        snap = live.snapshot()
        shown_error = False
        while not live.closed:
            if snap.error is not None:
                self._write(b"event: failed\ndata: " + json.dumps(snap.error).encode() + b"\n\n")
                shown_error = True
            elif shown_error or not snap.pages_generation <= generation <= snap.generation:
                self._write(b"event: reload\ndata: {}\n\n")
                return
            elif generation < snap.generation:
                self._write(b"event: search\ndata: {}\n\n")
                generation = snap.generation
            version = snap.version
            snap = live.wait(version, KEEPALIVE)
            if snap.version == version and not live.closed:
                self._write(b": keepalive\n\n")

    def _write(self, data: bytes) -> None:
        self.wfile.write(data)
        self.wfile.flush()
