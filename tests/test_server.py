"""server.py over real HTTP on 127.0.0.1: index.html, MIME types, 404.html, HEAD, redirects, netlify.toml
headers, and nothing outside the output folder (`..`, encoded, absolute, symlinks), asked with raw requests
so no client normalises the path first."""
from __future__ import annotations

import http.client
import os
import socket
import threading
from pathlib import Path
from typing import Iterator

import pytest

from conftest import write_tree
from generator.errors import ConfigError
from generator.serve.server import find_netlify, headers_for, load_netlify_headers, make_server, resolve

NETLIFY = """
[[headers]]
  for = "/*"
  [headers.values]
    Content-Security-Policy = "default-src 'self'; script-src 'self'"
    Cache-Control = "public, max-age=300"

[[headers]]
  for = "/static/*"
  [headers.values]
    Cache-Control = "public, max-age=31536000, immutable"
"""


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    """An output folder, a secret beside it, and symlinks that try to reach the secret (read-only)."""
    tmp_path = tmp_path_factory.mktemp("served")
    root = tmp_path / "site"
    write_tree(root, {
        "index.html": "<!doctype html><title>home</title><p>home page</p>",
        "404.html": "<!doctype html><title>missing</title><p>custom not found</p>",
        "date/2025-01-02/index.html": "<p>day page</p>",
        "static/css/site.abc.css": "body{}",
        "static/js/site.abc.js": "1;",
        "feed.xml": "<feed/>",
        "feed.json": "{}",
        "search/manifest.json": "{}",
        "favicon.svg": "<svg/>",
        "robots.txt": "User-agent: *",
    })
    write_tree(tmp_path, {"secret/passwd.txt": "TOP-SECRET", "netlify.toml": NETLIFY})
    os.symlink(tmp_path / "secret", root / "escape")
    os.symlink(tmp_path / "secret" / "passwd.txt", root / "leak.txt")
    os.symlink(root / "feed.xml", root / "inside.xml")  # a link that stays inside is fine
    return root


@pytest.fixture(scope="module")
def url(site: Path) -> Iterator[tuple[str, int]]:
    server = make_server(site, "127.0.0.1", 0, netlify=site.parent / "netlify.toml")
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield server.server_address[:2]
    server.shutdown()
    server.server_close()


def request(addr: tuple[str, int], target: str, method: str = "GET") -> tuple[int, dict[str, str], bytes]:
    """Send `target` exactly as given (no client-side normalisation) and read the response."""
    conn = http.client.HTTPConnection(*addr, timeout=5)
    conn.putrequest(method, target, skip_host=True, skip_accept_encoding=True)
    conn.putheader("Host", "127.0.0.1")
    conn.endheaders()
    resp = conn.getresponse()
    body = resp.read()
    conn.close()
    return resp.status, {k.lower(): v for k, v in resp.getheaders()}, body


def raw_request(addr: tuple[str, int], line: bytes) -> bytes:
    """A request line sent over a bare socket: the server sees the bytes we wrote."""
    with socket.create_connection(addr, timeout=5) as sock:
        sock.sendall(line + b"\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


def test_directories_serve_index_html(url):
    status, headers, body = request(url, "/")
    assert status == 200 and b"home page" in body
    assert headers["content-type"] == "text/html; charset=utf-8"
    status, _, body = request(url, "/date/2025-01-02/")
    assert status == 200 and body == b"<p>day page</p>"


def test_folder_without_slash_redirects(url):
    status, headers, _ = request(url, "/date/2025-01-02")
    assert status == 301 and headers["location"] == "/date/2025-01-02/"


@pytest.mark.parametrize("path, ctype", [
    ("/static/css/site.abc.css", "text/css; charset=utf-8"),
    ("/static/js/site.abc.js", "text/javascript; charset=utf-8"),
    ("/feed.xml", "application/xml"), ("/feed.json", "application/json"), ("/favicon.svg", "image/svg+xml"),
    ("/robots.txt", "text/plain; charset=utf-8"), ("/search/manifest.json", "application/json")])
def test_mime_types(url, path, ctype):
    status, headers, _ = request(url, path)
    assert (status, headers["content-type"]) == (200, ctype)


def test_unknown_path_gets_404_page_with_status_404(url):
    status, headers, body = request(url, "/no/such/page/")
    assert status == 404 and b"custom not found" in body
    assert headers["content-type"].startswith("text/html")


def test_head_sends_headers_without_body(url):
    status, headers, body = request(url, "/", method="HEAD")
    get_status, _, get_body = request(url, "/")
    assert status == get_status == 200 and body == b""
    assert int(headers["content-length"]) == len(get_body)
    status, _, body = request(url, "/missing", method="HEAD")
    assert status == 404 and body == b""


def test_netlify_headers_are_sent_and_later_rules_win(url):
    _, headers, _ = request(url, "/")
    assert headers["content-security-policy"] == "default-src 'self'; script-src 'self'"
    assert headers["cache-control"] == "public, max-age=300"
    _, headers, _ = request(url, "/static/css/site.abc.css")
    assert headers["cache-control"] == "public, max-age=31536000, immutable"
    assert "content-security-policy" in headers
    _, headers, _ = request(url, "/nope")  # the 404 answer carries them too
    assert "content-security-policy" in headers


TRAVERSALS = ["/../secret/passwd.txt", "/%2e%2e/secret/passwd.txt", "/%2E%2E/secret/passwd.txt",
              "/..%2fsecret%2fpasswd.txt", "/date/../../secret/passwd.txt", "/static/%2e%2e/%2e%2e/secret/passwd.txt",
              "/.%2e/secret/passwd.txt", "/%2e%2e%5csecret%5cpasswd.txt", "/escape/passwd.txt", "/leak.txt",
              "/escape/", "//secret/passwd.txt", "/%00/../secret/passwd.txt"]


@pytest.mark.parametrize("target", TRAVERSALS)
def test_nothing_outside_the_output_is_served(url, target):
    status, _, body = request(url, target)
    assert status in (400, 404) and b"TOP-SECRET" not in body


@pytest.mark.parametrize("line", [
    b"GET ../secret/passwd.txt HTTP/1.1", b"GET http://127.0.0.1/../secret/passwd.txt HTTP/1.1",
    b"GET /..\\secret\\passwd.txt HTTP/1.1", b"GET %2e%2e/secret/passwd.txt HTTP/1.1"])
def test_raw_request_lines_cannot_escape(url, line):
    answer = raw_request(url, line)
    assert answer.split(b" ", 2)[1] in (b"400", b"404") and b"TOP-SECRET" not in answer
    status, _, _ = request(url, "/")  # and the server is still up
    assert status == 200


def test_absolute_filesystem_path_is_a_url_path_not_a_file(url, site):
    status, _, body = request(url, str(site.parent / "secret" / "passwd.txt"))
    assert status == 404 and b"TOP-SECRET" not in body


def test_symlink_that_stays_inside_is_served(url):
    status, _, body = request(url, "/inside.xml")
    assert status == 200 and body == b"<feed/>"


def test_resolve_refuses_escapes(site):
    assert resolve(site, "/") == (site / "index.html").resolve()
    for target in ("/../secret/passwd.txt", "/%2e%2e/secret/passwd.txt", "/escape/passwd.txt", "/a\0b"):
        assert resolve(site, target) is None


def test_headers_for_matches_like_netlify():
    rules = [("/*", {"A": "1", "B": "1"}), ("/static/*", {"B": "2"})]
    assert headers_for(rules, "/x/") == {"A": "1", "B": "1"}
    assert headers_for(rules, "/static/x.css") == {"A": "1", "B": "2"}
    assert headers_for(rules, "/static") == {"A": "1", "B": "2"}


def test_find_netlify_beside_content_then_cwd(tmp_path, monkeypatch):
    project, elsewhere = tmp_path / "project", tmp_path / "cwd"
    write_tree(elsewhere, {"netlify.toml": NETLIFY})
    (project / "content").mkdir(parents=True)
    monkeypatch.chdir(elsewhere)
    assert find_netlify(project / "content") == elsewhere / "netlify.toml"
    write_tree(project, {"netlify.toml": NETLIFY})
    assert find_netlify(project / "content") == project / "netlify.toml"
    monkeypatch.chdir(tmp_path)
    (project / "netlify.toml").unlink()
    assert find_netlify(project / "content") is None


def test_bad_netlify_toml_is_a_clear_error(tmp_path):
    path = write_tree(tmp_path, {"netlify.toml": "[[headers]\nfor = "}) / "netlify.toml"
    with pytest.raises(ConfigError, match="not valid TOML") as exc:
        load_netlify_headers(path)
    assert exc.value.path == path


def test_requests_wait_while_the_lock_is_held(site):
    """A builder updates the folder holding the lock: a request in between waits, then sees the new file."""
    lock = threading.Lock()
    server = make_server(site, "127.0.0.1", 0, lock=lock)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    got: list = []
    try:
        with lock:
            (site / "robots.txt").write_text("half", encoding="utf-8")
            reader = threading.Thread(target=lambda: got.append(request(server.server_address[:2], "/robots.txt")))
            reader.start()
            reader.join(timeout=0.3)
            assert got == []  # still waiting
            (site / "robots.txt").write_text("User-agent: * (new)", encoding="utf-8")
        reader.join(timeout=5)
        assert got and got[0][2] == b"User-agent: * (new)"
    finally:
        (site / "robots.txt").write_text("User-agent: *", encoding="utf-8")
        server.shutdown()
        server.server_close()


def test_over_long_segment_gets_404_not_a_dropped_connection(url):
    status, _, body = request(url, "/" + "a" * 300 + "/index.html")
    assert status == 404 and b"custom not found" in body  # the old server closed the socket with no response


def test_over_long_path_gets_414(url):
    status, _, _ = request(url, "/" + "abc/" * 600)
    assert status == 414


def test_idle_connection_is_closed(site, monkeypatch):
    from generator.serve import server as server_mod

    monkeypatch.setattr(server_mod.StaticHandler, "timeout", 0.5)
    server = make_server(site, "127.0.0.1", 0)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        with socket.create_connection(server.server_address[:2], timeout=10) as sock:
            sock.sendall(b"GET / HTTP/1.1\r\n")  # half a request, then silence
            t0 = __import__("time").perf_counter()
            assert sock.recv(1024) == b""  # closed by the server, not by our 10 s timeout
            assert __import__("time").perf_counter() - t0 < 5
    finally:
        server.shutdown()
        server.server_close()


def test_ipv6_loopback_is_served(site):
    try:
        server = make_server(site, "::1", 0)
    except OSError as exc:  # pragma: no cover - a machine without IPv6
        pytest.skip(f"no IPv6 loopback here: {exc}")
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        conn = http.client.HTTPConnection("::1", server.server_address[1], timeout=5)
        conn.request("GET", "/")
        resp = conn.getresponse()
        assert resp.status == 200 and b"home page" in resp.read()
        conn.close()
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize("args, what", [
    (["--port", "99999"], "is not a port number from 0 to 65535"),
    (["--port", "http"], "is not a port number"),
    (["--host", "nowhere.invalid", "--port", "0"], "is not an address of this machine"),
])
def test_bad_port_or_host_is_a_one_line_error(tmp_path, args, what):
    from conftest import run_papers
    from test_serve import make_project

    make_project(tmp_path)
    proc = run_papers("serve", "--content", "content", "--out", "site", *args, cwd=tmp_path)
    assert proc.returncode == 2 and what in proc.stderr and "Traceback" not in proc.stderr
    assert not (tmp_path / "site").exists()  # refused before anything was built
