"""A static file server for site/: safe path resolution, index.html, 404.html, HEAD, and the response
headers from netlify.toml, so a CSP problem shows on the developer's machine before deploy.

Only files inside the output folder are served: `..`, encoded `%2e%2e`, absolute paths and symlinks that
lead outside all get 404. A path over MAX_PATH characters gets 414, one with a segment over MAX_SEGMENT
(no file name is that long) 404, and a connection that sends nothing for IDLE_TIMEOUT seconds is closed.
An IPv6 address (`::1`) is served over IPv6. Each file is looked up and read while holding `server.lock`, so a builder that
updates the folder under the same lock is never seen half-way.
"""
from __future__ import annotations

import errno
import fnmatch
import ipaddress
import mimetypes
import os
import posixpath
import socket
import sys
import threading
import tomllib
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

from ..errors import ConfigError, PapersError, UsageError

__all__ = ["load_netlify_headers", "find_netlify", "headers_for", "resolve", "StaticHandler", "SiteServer",
           "HeaderRules", "make_server"]

TYPES = {".html": "text/html; charset=utf-8", ".css": "text/css; charset=utf-8",
         ".js": "text/javascript; charset=utf-8", ".json": "application/json", ".xml": "application/xml",
         ".txt": "text/plain; charset=utf-8", ".svg": "image/svg+xml", ".gz": "application/gzip"}
NETLIFY = "netlify.toml"
MAX_PATH = 2048  # characters of a URL path (decoded); longer gets 414
MAX_SEGMENT = 255  # characters of one segment: longer names no file (NAME_MAX), so 404 without a look
IDLE_TIMEOUT = 30.0  # seconds a connection may stay silent (keep-alive, a half-sent request) before it is closed

HeaderRules = list[tuple[str, dict[str, str]]]


def find_netlify(content: Path) -> Path | None:
    """netlify.toml beside content/, else in the current folder, else None."""
    for candidate in (content.parent / NETLIFY, Path.cwd() / NETLIFY):
        if candidate.is_file():
            return candidate
    return None


def load_netlify_headers(path: Path | None) -> HeaderRules:
    """The `[[headers]]` rules of netlify.toml as (pattern, values), in file order."""
    if path is None or not path.is_file():
        return []
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"not valid TOML ({exc}); fix it or move it away to serve without its headers",
                          path) from None
    return [(str(rule.get("for", "/*")), {str(k): str(v) for k, v in (rule.get("values") or {}).items()})
            for rule in data.get("headers", [])]


def headers_for(rules: HeaderRules, url_path: str) -> dict[str, str]:
    """Headers for `url_path`; like Netlify, later matching rules override earlier ones key by key."""
    out: dict[str, str] = {}
    for pattern, values in rules:
        if fnmatch.fnmatchcase(url_path, pattern) or (pattern.endswith("/*") and url_path == pattern[:-2]):
            out.update(values)
    return out


def resolve(root: Path, url_path: str) -> Path | None:
    """The file under `root` for a URL path, or None if it does not exist or would leave `root`."""
    path = unquote(urlsplit(url_path).path)
    if "\0" in path or "\\" in path or any(part == ".." or len(part) > MAX_SEGMENT for part in path.split("/")):
        return None
    norm = posixpath.normpath("/" + path.lstrip("/"))
    root = root.resolve()
    try:
        candidate = (root / norm.lstrip("/")).resolve()
        if candidate.is_dir():
            candidate = (candidate / "index.html").resolve()
        candidate.relative_to(root)
        return candidate if candidate.is_file() else None
    except (ValueError, OSError):  # outside root; or a name the file system refuses (too long, symlink loop)
        return None


def _needs_slash(root: Path, url_path: str) -> bool:
    """True for `/date/x` (already resolved inside `root`) when it names a folder: redirect to `/date/x/`."""
    raw = unquote(url_path)
    try:
        return not raw.endswith("/") and (root / raw.lstrip("/")).is_dir()
    except OSError:
        return False


class StaticHandler(BaseHTTPRequestHandler):
    """Serves `server.root`; subclasses may rewrite HTML bodies through `transform_html`."""

    server: SiteServer
    server_version = "papers"
    protocol_version = "HTTP/1.1"
    timeout = IDLE_TIMEOUT  # StreamRequestHandler sets it on the socket: an idle connection is closed

    def log_message(self, format: str, *args) -> None:  # noqa: A002 - the stdlib's name
        pass

    def transform_html(self, body: bytes) -> bytes:
        """Called with each HTML body while the server lock is held."""
        return body

    def extra_headers(self, url_path: str) -> dict[str, str]:
        """Headers added after netlify.toml's (and winning over them)."""
        return {}

    def do_HEAD(self) -> None:
        self._serve(head=True)

    def do_GET(self) -> None:
        self._serve(head=False)

    def _serve(self, head: bool) -> None:
        url_path = urlsplit(self.path).path
        if not url_path.startswith("/"):
            self.send_body(HTTPStatus.BAD_REQUEST, b"bad request\n", "text/plain; charset=utf-8", url_path, head)
            return
        if len(unquote(url_path)) > MAX_PATH:
            self.close_connection = True
            self.send_body(HTTPStatus.REQUEST_URI_TOO_LONG, b"414 URI too long\n", "text/plain; charset=utf-8",
                           "/", head)
            return
        with self.server.lock:
            status, ctype, body = self._lookup(url_path)
        if status == HTTPStatus.MOVED_PERMANENTLY:
            self.send_response(status)
            self.send_header("Location", url_path + "/")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self.send_body(status, body, ctype, url_path, head)

    def _lookup(self, url_path: str) -> tuple[HTTPStatus, str, bytes]:
        root = self.server.root
        path = resolve(root, url_path)
        if path is not None and _needs_slash(root, url_path):
            return HTTPStatus.MOVED_PERMANENTLY, "", b""
        status = HTTPStatus.OK
        if path is None:
            status = HTTPStatus.NOT_FOUND
            path = resolve(root, "/404.html")
            if path is None:
                return status, "text/plain; charset=utf-8", b"404 not found\n"
        try:
            body = path.read_bytes()
        except OSError:  # removed between lookup and read by someone not holding the lock
            return HTTPStatus.NOT_FOUND, "text/plain; charset=utf-8", b"404 not found\n"
        ctype = TYPES.get(path.suffix) or mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        if path.suffix == ".html":
            body = self.transform_html(body)
        return status, ctype, body

    def send_body(self, status: int, body: bytes, ctype: str, url_path: str, head: bool) -> None:
        """Send a whole response with the netlify.toml headers for `url_path`."""
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        headers = headers_for(self.server.header_rules, url_path)
        headers.update(self.extra_headers(url_path))
        for key, value in headers.items():
            self.send_header(key, value)
        self.end_headers()
        if not head:
            self.wfile.write(body)


class SiteServer(ThreadingHTTPServer):
    """A threaded HTTP server for one output folder."""

    daemon_threads = True
    allow_reuse_address = os.name != "nt"

    def __init__(self, address: tuple[str, int], handler: type[StaticHandler], root: Path,
                 header_rules: HeaderRules, lock: threading.Lock | None = None):
        self.address_family = address_family(address[0])
        super().__init__(address, handler)
        self.root = root
        self.header_rules = header_rules
        self.lock = lock or threading.Lock()

    def handle_error(self, request, client_address) -> None:  # noqa: ANN001 - the stdlib's signature
        """A client that goes away mid-response, or a keep-alive socket closed as the server stops
        (EBADF), is not worth a traceback: socket errors are dropped, anything else is reported."""
        if not isinstance(sys.exc_info()[1], OSError):
            super().handle_error(request, client_address)


def address_family(host: str) -> socket.AddressFamily:
    """AF_INET6 for an IPv6 address (`::1`), else AF_INET (an IPv4 address or a host name)."""
    try:
        return socket.AF_INET6 if ipaddress.ip_address(host.strip("[]")).version == 6 else socket.AF_INET
    except ValueError:
        return socket.AF_INET


def listen_error(exc: OSError, host: str, port: int) -> PapersError:
    """A one-line error for a server that cannot listen on host:port, saying what to change: a host that is
    not this machine's is a usage error (exit 2), a busy or forbidden port an error of the moment (exit 1)."""
    where = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    if isinstance(exc, socket.gaierror) or exc.errno in (errno.EADDRNOTAVAIL, errno.EAFNOSUPPORT):
        return UsageError(f"cannot listen on {where}: {host!r} is not an address of this machine "
                          f"({exc.strerror or exc}); pass --host 127.0.0.1 (or ::1 for IPv6 loopback)")
    if exc.errno == errno.EACCES:
        return PapersError(f"cannot listen on {where}: ports below 1024 need root; choose --port 8000 or another")
    return PapersError(f"cannot listen on {where} ({exc.strerror or exc}); choose another --port")


def make_server(root: Path, host: str = "127.0.0.1", port: int = 8000, netlify: Path | None = None,
                handler: type[StaticHandler] = StaticHandler, lock: threading.Lock | None = None) -> SiteServer:
    """A threaded server for `root`; port 0 picks a free port (see server.server_address)."""
    return SiteServer((host, port), handler, root, load_netlify_headers(netlify), lock)
