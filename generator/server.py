"""A static file server for site/: safe path resolution, index.html, 404.html, HEAD, and the response
headers from netlify.toml, so a CSP problem shows on the developer's machine before deploy.

Only files inside the output folder are served: `..`, encoded `%2e%2e`, absolute paths and symlinks that
lead outside all get 404.
"""
from __future__ import annotations

import fnmatch
import mimetypes
import posixpath
import tomllib
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

__all__ = ["load_netlify_headers", "headers_for", "resolve", "StaticHandler", "make_server"]

TYPES = {".html": "text/html; charset=utf-8", ".css": "text/css; charset=utf-8",
         ".js": "text/javascript; charset=utf-8", ".json": "application/json", ".xml": "application/xml",
         ".txt": "text/plain; charset=utf-8", ".svg": "image/svg+xml", ".gz": "application/gzip"}


def load_netlify_headers(path: Path | None) -> list[tuple[str, dict[str, str]]]:
    """The `[[headers]]` rules of netlify.toml as (pattern, values), in file order."""
    if path is None or not path.is_file():
        return []
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    return [(str(rule.get("for", "/*")), {str(k): str(v) for k, v in (rule.get("values") or {}).items()})
            for rule in data.get("headers", [])]


def headers_for(rules: list[tuple[str, dict[str, str]]], url_path: str) -> dict[str, str]:
    """Headers for `url_path`; like Netlify, later matching rules override earlier ones key by key."""
    out: dict[str, str] = {}
    for pattern, values in rules:
        if fnmatch.fnmatchcase(url_path, pattern) or (pattern.endswith("/*") and url_path == pattern[:-2]):
            out.update(values)
    return out


def resolve(root: Path, url_path: str) -> Path | None:
    """The file under `root` for a URL path, or None if it does not exist or would leave `root`."""
    path = unquote(urlsplit(url_path).path)
    if "\0" in path or "\\" in path:
        return None
    norm = posixpath.normpath("/" + path.lstrip("/"))
    if any(part == ".." for part in path.split("/")):
        return None
    root = root.resolve()
    candidate = (root / norm.lstrip("/")).resolve()
    if candidate.is_dir():
        candidate = (candidate / "index.html").resolve()
    try:
        candidate.relative_to(root)
    except ValueError:
        return None
    return candidate if candidate.is_file() else None


class StaticHandler(BaseHTTPRequestHandler):
    """Serves `server.root`; subclasses may rewrite HTML bodies through `transform_html`."""

    server_version = "papers"
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args) -> None:  # noqa: A002 - the stdlib's name
        pass

    def transform_html(self, body: bytes) -> bytes:
        return body

    def do_HEAD(self) -> None:
        self._serve(head=True)

    def do_GET(self) -> None:
        self._serve(head=False)

    def _serve(self, head: bool) -> None:
        root: Path = self.server.root  # type: ignore[attr-defined]
        url_path = urlsplit(self.path).path
        if not url_path.startswith("/"):
            self._send(HTTPStatus.BAD_REQUEST, b"bad request\n", "text/plain; charset=utf-8", url_path, head)
            return
        raw = unquote(url_path)
        if raw != "/" and not raw.endswith("/") and (root / raw.lstrip("/")).is_dir() and resolve(root, raw):
            self.send_response(HTTPStatus.MOVED_PERMANENTLY)
            self.send_header("Location", url_path + "/")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        path = resolve(root, url_path)
        status = HTTPStatus.OK
        if path is None:
            status = HTTPStatus.NOT_FOUND
            path = resolve(root, "/404.html")
            if path is None:
                self._send(status, b"404 not found\n", "text/plain; charset=utf-8", url_path, head)
                return
        body = path.read_bytes()
        ctype = TYPES.get(path.suffix) or mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        if path.suffix == ".html":
            body = self.transform_html(body)
        self._send(status, body, ctype, url_path, head)

    def _send(self, status: int, body: bytes, ctype: str, url_path: str, head: bool) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for key, value in headers_for(self.server.header_rules, url_path).items():  # type: ignore[attr-defined]
            self.send_header(key, value)
        self.end_headers()
        if not head:
            self.wfile.write(body)


class SiteServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], handler: type[StaticHandler], root: Path,
                 header_rules: list[tuple[str, dict[str, str]]]):
        super().__init__(address, handler)
        self.root = root
        self.header_rules = header_rules


def make_server(root: Path, host: str = "127.0.0.1", port: int = 8000, netlify: Path | None = None,
                handler: type[StaticHandler] = StaticHandler) -> SiteServer:
    """A threaded server for `root`; port 0 picks a free port (see server.server_address)."""
    return SiteServer((host, port), handler, root, load_netlify_headers(netlify))
