"""netlify.toml: it parses, builds with `papers build` into the folder it publishes, and its headers are right;
and every built page of the seed site loads in Chromium under that CSP with no console error."""
from __future__ import annotations

import fnmatch
import re
import threading
import tomllib
from pathlib import Path
from urllib.request import urlopen

import pytest

from conftest import ROOT
from generator.cli import build_parser
from generator.serve.server import StaticHandler, headers_for, load_netlify_headers, make_server

NETLIFY = ROOT / "netlify.toml"


@pytest.fixture(scope="module")
def conf() -> dict:
    return tomllib.loads(NETLIFY.read_text(encoding="utf-8"))


def csp(conf: dict) -> dict[str, str]:
    value = headers_for(load_netlify_headers(NETLIFY), "/")["Content-Security-Policy"]
    return {d.split()[0]: d.strip() for d in value.split(";") if d.strip()}


def test_build_command_installs_the_tool_and_publishes_its_output(conf: dict):
    build = conf["build"]
    command = build["command"]
    assert re.search(r"pip install\b.* \.(\s|$)", command), command
    assert "papers build" in command and "--base-url" in command
    out = re.search(r"--out (\S+)", command)
    default_out = build_parser().parse_args(["build"]).out
    assert build["publish"] == (out.group(1) if out else str(default_out)) == str(default_out) == "site"


def test_python_is_pinned_to_a_supported_version(conf: dict):
    version = conf["build"]["environment"]["PYTHON_VERSION"]
    assert re.fullmatch(r"3\.\d+", version)
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    minimum = re.search(r">=\s*3\.(\d+)", pyproject["project"]["requires-python"]).group(1)
    assert int(version.split(".")[1]) >= int(minimum)


def test_csp_allows_no_inline_script(conf: dict):
    policy = csp(conf)
    script = policy.get("script-src", policy["default-src"])
    assert "'self'" in script
    for bad in ("'unsafe-inline'", "'unsafe-eval'", "*", "http:", "https:", "data:"):
        assert bad not in script.split(), bad
    assert policy["object-src"] == "object-src 'none'" and "frame-ancestors" in policy
    assert "'unsafe-inline'" not in policy.get("style-src", "")


def test_security_headers_on_every_path():
    rules = load_netlify_headers(NETLIFY)
    for path in ("/", "/papers/x/", "/static/css/site.0123456789.css", "/feed.xml", "/search/shards/a.json"):
        h = headers_for(rules, path)
        assert h["X-Content-Type-Options"] == "nosniff", path
        assert h["Referrer-Policy"] and h["Permissions-Policy"], path
        assert "Content-Security-Policy" in h, path


def test_fingerprinted_assets_are_immutable_and_html_is_short_lived(seed_site: Path):
    rules = load_netlify_headers(NETLIFY)
    static = [f"/{p.relative_to(seed_site).as_posix()}" for p in (seed_site / "static").rglob("*") if p.is_file()]
    hashed = [s for s in static if re.search(r"\.[0-9a-f]{10}(\.\w+)?$", s)]
    assert len(hashed) == len(static) >= 4  # everything under /static/ is named by its content
    for path in hashed:
        cache = headers_for(rules, path)["Cache-Control"]
        assert "immutable" in cache and int(re.search(r"max-age=(\d+)", cache).group(1)) >= 31536000, path
    for path in ("/", "/papers/a/", "/date/2025-01-02/", "/archive/", "/feed.xml", "/404.html", "/search/"):
        cache = headers_for(rules, path).get("Cache-Control", "public, max-age=0, must-revalidate")  # Netlify default
        assert "immutable" not in cache and int(re.search(r"max-age=(\d+)", cache).group(1)) <= 600, path


def test_no_header_is_set_by_two_rules_for_one_path():
    """Netlify combines a header that several matching rules set, so no key may be set twice for any path."""
    rules = load_netlify_headers(NETLIFY)
    for path in ("/", "/papers/x/", "/static/css/site.0123456789.css", "/search/shards/a.json", "/search/"):
        seen: dict[str, str] = {}
        for pattern, values in rules:
            if fnmatch.fnmatchcase(path, pattern):
                for key in values:
                    assert key not in seen, f"{key} set by both {seen[key]} and {pattern} for {path}"
                    seen[key] = pattern


def test_the_seed_server_sends_the_headers(seed_server):
    with urlopen(seed_server.url) as resp:
        assert "script-src 'self'" in resp.headers["Content-Security-Policy"]


class NoDelayHandler(StaticHandler):
    """The real handler with TCP_NODELAY: without it each keep-alive response waits ~40 ms for a delayed ACK."""

    disable_nagle_algorithm = True


@pytest.fixture(scope="module")
def csp_server(seed_site: Path):
    server = make_server(seed_site, "127.0.0.1", 0, netlify=NETLIFY, handler=NoDelayHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def fetch_csp_server(fetch_site: Path):
    server = make_server(fetch_site, "127.0.0.1", 0, netlify=NETLIFY, handler=NoDelayHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


def test_every_fetched_page_loads_under_the_csp_without_console_errors(browser, fetch_csp_server: str,
                                                                       fetch_site: Path):
    """The pages the fetch fields add (paper pages with arXiv, topics, authors) under the CSP, every one of them;
    the BibTeX copy button (site.js) is there, so the script ran."""
    test_every_page_loads_under_the_csp_without_console_errors(browser, fetch_csp_server, fetch_site, least=400)


def test_every_page_loads_under_the_csp_without_console_errors(browser, csp_server: str, seed_site: Path,
                                                               least: int = 750):
    pages = sorted(p.relative_to(seed_site).as_posix() for p in seed_site.rglob("*.html"))
    assert len(pages) > least
    context = browser.new_context()  # CSP enforced
    page = context.new_page()
    errors: list[str] = []
    current = {"url": ""}
    page.on("console", lambda m: errors.append(f"{current['url']}: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(f"{current['url']}: {e}"))
    # a request cut short by the next navigation (ERR_ABORTED) is not a failure of the page
    page.on("requestfailed", lambda r: errors.append(f"{current['url']}: {r.url} {r.failure}")
            if "ERR_ABORTED" not in (r.failure or "") else None)
    try:
        for rel in pages:
            current["url"] = rel
            response = page.goto(csp_server + rel.removesuffix("index.html"), wait_until="load")
            assert response is not None and response.status == 200, rel
            assert "script-src 'self'" in response.headers["content-security-policy"]
            if rel.startswith("papers/"):
                assert page.locator(".copy-button").count() == 1, rel  # site.js ran under the CSP
        current["url"] = "no/such/page/"
        response = page.goto(csp_server + "no/such/page/", wait_until="load")  # 404.html, as Netlify serves it
        assert response.status == 404 and page.inner_text("h1") == "Page not found"
        errors[:] = [e for e in errors if not (e.startswith("no/such/page/:") and "404" in e)]
    finally:
        context.close()
    assert not errors, "\n".join(errors[:20])


def test_the_csp_check_catches_an_inline_script(browser, tmp_path: Path):
    """The check above can fail: an inline script on a page served with the CSP logs a console error."""
    (tmp_path / "index.html").write_text("<!doctype html><title>t</title><script>document.title = 'ran'</script>")
    server = make_server(tmp_path, "127.0.0.1", 0, netlify=NETLIFY, handler=NoDelayHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    context = browser.new_context()
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    try:
        page.goto(f"http://127.0.0.1:{server.server_address[1]}/", wait_until="load")
        assert page.title() == "t"
        assert any("Content Security Policy" in e for e in errors), errors
    finally:
        context.close()
        server.shutdown()
        server.server_close()
