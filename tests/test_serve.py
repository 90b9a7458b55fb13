"""`papers serve [--watch]`: the real CLI as a subprocess on 127.0.0.1, its log, and what it serves; plus the
parts it is made of (Builder, Sources.classify, LiveState) on their own.

Every archive here is a small temporary one written from dicts; nothing touches the repo's content/ or site/.
"""
from __future__ import annotations

import http.client
import json
import os
import re
import signal
import socket
import subprocess
import threading
import time
from pathlib import Path
from typing import Callable

import pytest

from conftest import ROOT, papers_bin, write_tree
from generator.build.cache import cache_dir
from generator.build.changes import KINDS, Changes
from generator.build.pipeline import BuildResult, Pipeline
from generator.build.writers import InPlace
from generator.errors import ContentError
from generator.serve.livereload import LiveState, inject
from generator.serve.watch import Sources, is_editor_temp

NETLIFY = (ROOT / "netlify.toml").read_text(encoding="utf-8")


def paper(slug: str, title: str, date: str = "2025-03-04", upvotes: int = 5, org: str | None = None,
          body: str = "An abstract about things.") -> str:
    """The text of one content file."""
    lines = ["---", "schema: 1", f"title: {title}", f"slug: {slug}", f"date: {date}", f"upvotes: {upvotes}"]
    if org:
        lines.append(f"organization: {org}")
    return "\n".join(lines + ["---", "", body, ""])


def content_path(slug: str, date: str = "2025-03-04") -> str:
    y, m, d = date.split("-")
    return f"content/{y}/{m}/{d}/{slug}.md"


ARCHIVE = {
    content_path("alpha-paper"): paper("alpha-paper", "Alpha Paper", upvotes=30, org="Acme Lab"),
    content_path("beta-paper"): paper("beta-paper", "Beta Paper", upvotes=20),
    content_path("gamma-paper", "2025-03-05"): paper("gamma-paper", "Gamma Paper", "2025-03-05", 10, "Acme Lab"),
    content_path("delta-paper", "2025-03-06"): paper("delta-paper", "Delta Paper", "2025-03-06", 7),
    content_path("epsilon-paper", "2025-02-27"): paper("epsilon-paper", "Epsilon Paper", "2025-02-27", 3),
    "netlify.toml": NETLIFY,
}


def make_project(root: Path, extra: dict[str, str] | None = None) -> Path:
    """A small archive (5 papers over 4 days) with the repo's netlify.toml beside content/."""
    return write_tree(root, {**ARCHIVE, **(extra or {})})


def wait_for(check: Callable[[], object], timeout: float = 10.0, what: str = "condition") -> object:
    """Poll `check` until it returns something truthy; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(0.02)


class DevProcess:
    """`papers serve` started as users start it, on 127.0.0.1 with --port 0; its log and its URL."""

    def __init__(self, root: Path, *args: str, watch: bool = True):
        self.root = root
        self.log_path = root / "serve.log"
        env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONUNBUFFERED": "1"}
        cmd = papers_bin() + ["serve", "--port", "0", "--content", "content", "--out", "site", *args]
        if watch:
            cmd.append("--watch")
        with open(self.log_path, "wb") as log:
            self.proc = subprocess.Popen(cmd, cwd=root, stdout=log, stderr=subprocess.STDOUT, env=env)
        match = wait_for(lambda: re.search(r"serving .* at (http://127\.0\.0\.1:(\d+)/)", self.log())
                         or self.proc.poll() is not None, 30, "the server to start")
        if not isinstance(match, re.Match):
            raise AssertionError(f"papers serve exited ({self.proc.returncode}):\n{self.log()}")
        self.url, self.port = match.group(1), int(match.group(2))

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def lines(self, prefix: str = "rebuil") -> list[str]:
        """Log lines starting with `prefix`: by default one per rebuild, good or failed."""
        return [line for line in self.log().splitlines() if line.startswith(prefix)]

    def wait_line(self, start: int, prefix: str, timeout: float = 10.0) -> str:
        """The first rebuild line after the first `start` ones that starts with `prefix`."""
        found = wait_for(lambda: [x for x in self.lines()[start:] if x.startswith(prefix)], timeout,
                         f"a log line starting {prefix!r}:\n{self.log()}")
        return found[0]  # type: ignore[index]

    def settle(self, quiet: float = 0.4, timeout: float = 10.0) -> int:
        """Wait until no rebuild line has come for `quiet` seconds; returns how many there are."""
        deadline = time.monotonic() + timeout
        count, since = len(self.lines()), time.monotonic()
        while time.monotonic() - since < quiet and time.monotonic() < deadline:
            time.sleep(0.05)
            if len(self.lines()) != count:
                count, since = len(self.lines()), time.monotonic()
        return count

    def get(self, path: str, method: str = "GET") -> tuple[int, dict[str, str], str]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        conn.putrequest(method, path, skip_host=True)
        conn.putheader("Host", f"127.0.0.1:{self.port}")
        conn.endheaders()
        resp = conn.getresponse()
        body = resp.read().decode("utf-8", errors="replace")
        conn.close()
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, body

    def stop(self, sig: int = signal.SIGINT) -> str:
        """Stop it as Ctrl-C does; it must exit 0 without a traceback. Returns the log."""
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                raise AssertionError(f"papers serve did not stop on {sig!r}:\n{self.log()}") from None
        log = self.log()
        assert self.proc.returncode == 0, log
        assert "Traceback" not in log, log
        return log


@pytest.fixture
def dev(tmp_path: Path):
    """Start `papers serve --watch` on a fresh small archive; stopped (and checked) after the test."""
    started: list[DevProcess] = []

    def start(*args: str, extra: dict[str, str] | None = None, watch: bool = True) -> DevProcess:
        make_project(tmp_path, extra)
        proc = DevProcess(tmp_path, *args, watch=watch)
        started.append(proc)
        return proc

    yield start
    for proc in started:
        if proc.proc.poll() is None:
            proc.stop()


def edit(path: Path, old: str, new: str) -> None:
    path.write_text(path.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")


def h1(html: str) -> str:
    match = re.search(r"<h1[^>]*>(.*?)</h1>", html, re.S)
    return match.group(1) if match else ""


# ----------------------------------------------------------------------------------------------- the CLI


def test_serve_without_watch_builds_serves_and_stops_cleanly(dev):
    server = dev(watch=False)
    status, headers, body = server.get("/papers/alpha-paper/")
    assert status == 200 and "Alpha Paper" in body
    assert "__papers__" not in body  # no live reload without --watch
    assert "content-security-policy" in headers
    assert f'href="{server.url}papers/alpha-paper/"' in body  # canonical URL uses the port picked by --port 0
    assert "stopped" in server.stop()


def test_watch_serves_pages_with_csp_and_the_live_reload_script(dev):
    server = dev()
    status, headers, body = server.get("/papers/alpha-paper/")
    assert status == 200
    csp = headers["content-security-policy"]
    assert csp == re.search(r'Content-Security-Policy = "([^"]+)"', NETLIFY).group(1)
    assert "script-src 'self'" in csp and "connect-src 'self'" in csp
    assert re.search(r'<script src="/__papers__/livereload.js" data-generation="\d+" defer></script>\s*</head>', body)
    status, headers, script = server.get("/__papers__/livereload.js")
    assert status == 200 and headers["content-type"].startswith("text/javascript") and "EventSource" in script
    status, headers, _ = server.get("/__papers__/livereload.css")
    assert status == 200 and headers["content-type"].startswith("text/css")
    site = server.root / "site"
    assert not list(site.rglob("*livereload*")), "the script must never be written to site/"
    assert "__papers__" not in (site / "papers/alpha-paper/index.html").read_text(encoding="utf-8")


def test_sigterm_stops_cleanly_too(dev):
    server = dev()
    server.stop(signal.SIGTERM)


def test_busy_port_is_a_one_line_error(tmp_path):
    make_project(tmp_path)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        port = sock.getsockname()[1]
        proc = subprocess.run(papers_bin() + ["serve", "--port", str(port), "--content", "content", "--out", "site"],
                              cwd=tmp_path, capture_output=True, text=True, timeout=60,
                              env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert proc.returncode == 1
    assert f"cannot listen on 127.0.0.1:{port}" in proc.stderr and "--port" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_binding_beyond_loopback_warns(tmp_path):
    make_project(tmp_path)
    # 192.0.2.1 (TEST-NET-1) is never a local address: we see the warning, then a clean bind error.
    proc = subprocess.run(papers_bin() + ["serve", "--host", "192.0.2.1", "--port", "0", "--content", "content"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=60,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert "warning: serving on 192.0.2.1 makes the site reachable from other machines" in proc.stderr
    assert proc.returncode == 2 and "Traceback" not in proc.stderr


def test_edit_rebuilds_the_paper_and_every_listing_of_it(dev):
    server = dev()
    edit(server.root / content_path("alpha-paper"), "title: Alpha Paper", "title: Alpha Paper Revised")
    line = server.wait_line(0, "rebuilt")
    assert re.match(r"rebuilt in \d+ ms \(content content/2025/03/04/alpha-paper\.md\): \d+ of \d+ pages rendered",
                    line), line
    for url in ("/papers/alpha-paper/", "/date/2025-03-04/", "/week/2025-W10/", "/month/2025-03/", "/",
                "/org/acme-lab/", "/feed.xml", "/papers/beta-paper/"):  # beta links to alpha as its neighbour
        status, _, body = server.get(url)
        assert status == 200 and "Alpha Paper Revised" in body, url


def test_add_and_delete_a_paper(dev):
    server = dev()
    site = server.root / "site"
    new = server.root / content_path("zeta-paper", "2025-03-07")
    new.parent.mkdir(parents=True)
    new.write_text(paper("zeta-paper", "Zeta Quokkasearch Paper", "2025-03-07", 4), encoding="utf-8")
    wait_for(lambda: server.get("/papers/zeta-paper/")[0] == 200, what="the new paper's page")
    assert "Zeta Quokkasearch Paper" in server.get("/date/2025-03-07/")[2]
    assert "zeta-paper" in server.get("/sitemap.xml")[2]
    if (site / "search/manifest.json").is_file():
        wait_for(lambda: any("Quokkasearch" in p.read_text(encoding="utf-8")
                             for p in site.joinpath("search").rglob("*.json")), what="the search index to have it")
    new.unlink()
    wait_for(lambda: server.get("/papers/zeta-paper/")[0] == 404, what="the deleted paper's page to 404")
    assert server.get("/date/2025-03-07/")[0] == 404
    for url in ("/", "/sitemap.xml", "/feed.xml", "/week/2025-W10/", "/month/2025-03/"):
        assert "zeta-paper" not in server.get(url)[2], url
    assert not (site / "papers/zeta-paper").exists() and not (site / "date/2025-03-07").exists()
    # The search index follows the pages in a commit of its own.
    wait_for(lambda: not any("Quokkasearch" in p.read_text(encoding="utf-8")
                             for p in site.joinpath("search").rglob("*.json")), what="the search index to drop it")


def test_rename_moves_the_page(dev):
    server = dev()
    old = server.root / content_path("beta-paper")
    text = old.read_text(encoding="utf-8").replace("slug: beta-paper", "slug: beta-renamed")
    old.write_text(text, encoding="utf-8")
    old.rename(old.with_name("beta-renamed.md"))
    wait_for(lambda: server.get("/papers/beta-renamed/")[0] == 200, what="the renamed page")
    wait_for(lambda: server.get("/papers/beta-paper/")[0] == 404, what="the old page to go")
    assert "papers/beta-paper/" not in server.get("/date/2025-03-04/")[2]


def test_editor_style_save_runs_exactly_one_rebuild(dev):
    server = dev()
    target = server.root / content_path("gamma-paper", "2025-03-05")
    before = server.settle()
    swap = target.with_name(target.name + ".swp")
    swap.write_text(target.read_text(encoding="utf-8").replace("Gamma Paper", "Gamma Saved"), encoding="utf-8")
    for junk in ("4913", ".gamma-paper.md.swx", "gamma-paper.md~", ".#gamma-paper.md"):
        target.with_name(junk).write_text("junk", encoding="utf-8")
        target.with_name(junk).unlink()
    os.replace(swap, target)
    wait_for(lambda: "Gamma Saved" in server.get("/papers/gamma-paper/")[2], what="the saved title")
    time.sleep(0.5)  # anything still to come would have come by now (debounce is 50 ms)
    lines = [x for x in server.lines()[before:] if "(content" in x]  # not someone editing the repo's theme
    assert len(lines) == 1, lines
    assert "content/2025/03/05/gamma-paper.md" in lines[0]


def test_temp_files_alone_never_rebuild(dev):
    server = dev()
    before = server.settle()
    folder = server.root / "content/2025/03/04"
    for name in ("notes.md.swp", "4913", "alpha-paper.md~", ".#alpha-paper.md", "README.txt"):
        (folder / name).write_text("x", encoding="utf-8")
    time.sleep(0.6)
    assert [x for x in server.lines()[before:] if "(content" in x] == []


def test_bad_front_matter_fails_the_rebuild_and_keeps_the_last_good_build(dev):
    server = dev()
    path = server.root / content_path("delta-paper", "2025-03-06")
    good = path.read_text(encoding="utf-8")
    before = server.settle()
    path.write_text(good.replace("upvotes: 7", "upvotes: [unclosed"), encoding="utf-8")
    line = server.wait_line(before, "rebuild failed")
    assert line.startswith("rebuild failed in") and "content/2025/03/06/delta-paper.md:" in line, line
    assert "still serving the last good build" in line
    status, _, body = server.get("/papers/delta-paper/")
    assert status == 200 and "Delta Paper" in body  # the last good build
    events = read_events(server.port, 0, count=1)
    assert events[0][0] == "failed"
    error = json.loads(events[0][1])
    assert error["file"].endswith("content/2025/03/06/delta-paper.md") and isinstance(error["line"], int)
    assert "not valid YAML" in error["message"]
    path.write_text(good.replace("Delta Paper", "Delta Fixed"), encoding="utf-8")
    wait_for(lambda: "Delta Fixed" in server.get("/papers/delta-paper/")[2], what="the fixed page")
    wait_for(lambda: (server.lines() or [""])[-1].startswith("rebuilt in"), what="a good rebuild in the log")


def test_broken_template_fails_and_fixing_it_recovers(dev):
    server = dev()
    template = (ROOT / "themes/default/templates/paper.html").read_text(encoding="utf-8")
    override = server.root / "overrides/templates/paper.html"
    override.parent.mkdir(parents=True)
    override.write_text(template.replace('<h1 id="paper-title">', '<h1 id="paper-title">OVR '), encoding="utf-8")
    wait_for(lambda: "OVR Alpha Paper" in server.get("/papers/alpha-paper/")[2], what="the override to apply")
    before = server.settle()
    override.write_text(template.replace("{% endblock %}", "{% endblock %}{% if %}", 1), encoding="utf-8")
    line = server.wait_line(before, "rebuild failed")
    assert "overrides/templates/paper.html" in line, line
    assert "OVR Alpha Paper" in server.get("/papers/alpha-paper/")[2]  # still the last good build
    override.write_text(template.replace('<h1 id="paper-title">', '<h1 id="paper-title">FIX '), encoding="utf-8")
    wait_for(lambda: "FIX Alpha Paper" in server.get("/papers/alpha-paper/")[2], what="the fixed template")


def test_config_change_rebuilds_everything(dev):
    server = dev()
    (server.root / "papers.yml").write_text("title: Renamed Archive\n", encoding="utf-8")
    wait_for(lambda: "Renamed Archive" in server.get("/date/2025-03-05/")[2], what="the new site title")
    line = server.wait_line(0, "rebuilt")
    assert "(config papers.yml)" in line, line


def test_netlify_toml_edit_changes_the_headers(dev):
    server = dev()
    assert 'X-Content-Type-Options = "nosniff"' in NETLIFY
    (server.root / "netlify.toml").write_text(NETLIFY.replace(
        'X-Content-Type-Options = "nosniff"', 'X-Content-Type-Options = "nosniff"\n    X-Dev-Check = "on"'))
    wait_for(lambda: server.get("/")[1].get("x-dev-check") == "on", what="the new header")


def test_path_traversal_is_refused_and_the_server_keeps_running(dev):
    server = dev()
    (server.root / "secret.txt").write_text("TOP-SECRET", encoding="utf-8")
    for target in ("/../secret.txt", "/%2e%2e/secret.txt", "/%2E%2e/serve.log", "/..%2fsecret.txt",
                   "/papers/%2e%2e/%2e%2e/secret.txt", "/__papers__/../../secret.txt",
                   str(server.root / "secret.txt")):
        status, _, body = server.get(target)
        assert status == 404 and "TOP-SECRET" not in body, target
    with socket.create_connection(("127.0.0.1", server.port), timeout=5) as sock:
        sock.sendall(b"GET ../secret.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        answer = sock.recv(65536)
    assert answer.startswith(b"HTTP/1.1 400") and b"TOP-SECRET" not in answer
    assert server.get("/")[0] == 200 and server.proc.poll() is None


def test_one_hundred_rapid_good_and_bad_edits(dev):
    server = dev()
    path = server.root / content_path("alpha-paper")
    good = path.read_text(encoding="utf-8")
    for i in range(100):
        if i % 2:
            path.write_text(good.replace("Alpha Paper", f"Alpha Take {i}"), encoding="utf-8")
        else:
            path.write_text(good.replace("title: Alpha Paper", "title: [broken"), encoding="utf-8")
        time.sleep(0.002 if i % 5 else 0.12)  # bursts; the gaps let rebuilds run after bad and good edits
    wait_for(lambda: "Alpha Take 99" in server.get("/papers/alpha-paper/")[2], 15, "the final state")
    wait_for(lambda: (server.lines() or [""])[-1].startswith("rebuilt in"), 10, "a good last rebuild")
    assert server.proc.poll() is None
    assert "Alpha Take 99" in server.get("/date/2025-03-04/")[2]
    lines = server.lines()
    print(f"\n100 edits -> {len(lines)} rebuilds, {sum(x.startswith('rebuild failed') for x in lines)} failed")
    assert any(x.startswith("rebuild failed") for x in lines) and len(lines) < 100


# ----------------------------------------------------------------------------------------------- event stream


def read_events(port: int, generation: int, count: int, timeout: float = 10) -> list[tuple[str, str]]:
    """The first `count` events of /__papers__/events as (event, data)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    conn.request("GET", f"/__papers__/events?generation={generation}")
    resp = conn.getresponse()
    assert resp.status == 200 and resp.getheader("Content-Type") == "text/event-stream"
    events: list[tuple[str, str]] = []
    name, data = "message", ""
    while len(events) < count:
        line = resp.fp.readline().decode().rstrip("\n")
        if line.startswith("event: "):
            name = line[7:]
        elif line.startswith("data: "):
            data = line[6:]
        elif line == "" and data:
            events.append((name, data))
            name, data = "message", ""
    conn.close()
    return events


def test_event_stream_says_reload_when_the_page_is_older_than_the_site(dev):
    server = dev()
    generation = int(re.search(r'data-generation="(\d+)"', server.get("/")[2]).group(1))
    assert read_events(server.port, generation - 1, 1)[0][0] == "reload"
    got: list = []
    reader = threading.Thread(target=lambda: got.extend(read_events(server.port, generation, 1)), daemon=True)
    reader.start()
    time.sleep(0.2)
    edit(server.root / content_path("beta-paper"), "Beta Paper", "Beta Reloaded")
    reader.join(timeout=10)
    assert got and got[0][0] == "reload"


# ----------------------------------------------------------------------------------------------- the parts


def run_in_place(pipeline: Pipeline, kinds=KINDS, paths=(), rescan=False, search=True) -> BuildResult:
    """One run as serve makes it: in place, for changes of `kinds` to `paths`."""
    return pipeline.run(Changes(set(kinds), set(paths), rescan), writer=InPlace, search=search)


def build_counts(builder: Pipeline, *args, **kwargs) -> tuple[int, int]:
    result = run_in_place(builder, *args, **kwargs)
    return result.rendered, result.removed


def test_builder_renders_only_what_a_change_touches(tmp_path):
    root = make_project(tmp_path)
    builder = Pipeline(root / "content", root / "site", keep=True)
    first = run_in_place(builder)
    assert first.rendered == first.pages and builder.generation == 1
    assert build_counts(builder, ["content"]) == (0, 0)  # nothing changed: nothing rendered
    assert builder.generation == 1
    path = root / content_path("epsilon-paper", "2025-02-27")
    edit(path, "Epsilon Paper", "Epsilon Prime")
    result = run_in_place(builder, ["content"], [path])
    assert 0 < result.rendered < first.pages / 2 and builder.generation == 2
    for page in ("papers/epsilon-paper/index.html", "month/2025-02/index.html", "date/2025-02-27/index.html",
                 "papers/alpha-paper/index.html", "feed.xml"):  # alpha is the next paper after epsilon
        assert "Epsilon Prime" in (root / "site" / page).read_text(encoding="utf-8"), page
    assert "Epsilon Prime" not in (root / "site/papers/delta-paper/index.html").read_text(encoding="utf-8")


def test_builder_reuses_a_previous_papers_build_and_removes_stale_files(tmp_path):
    root = make_project(tmp_path)
    first = Pipeline(root / "content", root / "site", keep=True)
    run_in_place(first)
    first.save()  # as serve does after its first run and when it stops
    (root / "site/stale.html").write_text("old", encoding="utf-8")
    builder = Pipeline(root / "content", root / "site", keep=True)  # a new process: manifest from disk
    result = run_in_place(builder)
    assert result.rendered == 0 and result.removed == 1 and not (root / "site/stale.html").exists()


def test_builder_failure_changes_nothing_and_the_next_good_build_recovers(tmp_path):
    root = make_project(tmp_path)
    builder = Pipeline(root / "content", root / "site", keep=True)
    run_in_place(builder)
    snapshot = {p: p.read_bytes() for p in (root / "site").rglob("*") if p.is_file()}
    path = root / content_path("beta-paper")
    good = path.read_text(encoding="utf-8")
    path.write_text(good.replace("slug: beta-paper", "slug: Not A Slug"), encoding="utf-8")
    with pytest.raises(Exception) as exc:
        run_in_place(builder, ["content"], [path])
    assert str(path) in str(exc.value) and "slug" in str(exc.value)
    assert {p: p.read_bytes() for p in (root / "site").rglob("*") if p.is_file()} == snapshot
    assert builder.generation == 1
    (root / "papers.yml").write_text("title: Still Broken Content\n", encoding="utf-8")
    with pytest.raises(Exception):  # a later change of another kind still sees the broken file
        run_in_place(builder, ["config"], [root / "papers.yml"])
    path.write_text(good.replace("Beta Paper", "Beta Back"), encoding="utf-8")
    run_in_place(builder, ["content"], [path])
    assert "Beta Back" in (root / "site/papers/beta-paper/index.html").read_text(encoding="utf-8")
    assert "Still Broken Content" in (root / "site/index.html").read_text(encoding="utf-8")


def test_builder_template_and_static_changes(tmp_path):
    root = make_project(tmp_path)
    builder = Pipeline(root / "content", root / "site", keep=True)
    pages = run_in_place(builder).pages
    template = (ROOT / "themes/default/templates/robots.txt").read_text(encoding="utf-8")
    override = write_tree(root, {"overrides/templates/robots.txt": template + "# local\n"})
    result = run_in_place(builder, ["config"], [override / "overrides"])  # the overrides folder appeared
    assert (result.rendered, result.written) == (pages, 1)  # every page rendered again, one file differs
    assert (root / "site/robots.txt").read_text(encoding="utf-8").endswith("# local\n")
    old_css = {p.name for p in (root / "site/static/css").iterdir()}
    write_tree(root, {"overrides/static/css/site.css": "body { color: red }\n"})
    result = run_in_place(builder, ["static"], [root / "overrides/static/css/site.css"])
    new_css = {p.name for p in (root / "site/static/css").iterdir()}
    assert len(new_css) == 1 and new_css != old_css and result.removed == 1  # the old fingerprint is gone
    assert next(iter(new_css)) in (root / "site/papers/alpha-paper/index.html").read_text(encoding="utf-8")
    assert result.rendered == pages and not result.search


def test_builder_keeps_no_staging_folder_behind(tmp_path):
    root = make_project(tmp_path)
    builder = Pipeline(root / "content", root / "site", keep=True)
    run_in_place(builder)
    assert [p.name for p in cache_dir(root / "site").iterdir() if p.is_dir()] == []


def test_content_error_type_is_reported_with_line(tmp_path):
    root = make_project(tmp_path)
    builder = Pipeline(root / "content", root / "site", keep=True)
    run_in_place(builder)
    path = root / content_path("alpha-paper")
    edit(path, "upvotes: 30", "upvotes: lots")
    with pytest.raises(Exception) as exc:
        run_in_place(builder, ["content"], [path])
    assert exc.value.line == 6 and exc.value.path == root / content_path("alpha-paper")  # type: ignore[attr-defined]


@pytest.mark.parametrize("name, temp", [
    ("x.md", False), ("x.md.swp", True), (".x.md.swp", True), ("x.md~", True), (".#x.md", True), ("4913", True),
    ("x.md.swx", True), ("x.md___jb_tmp___", True), ("#x.md#", True), ("paper.html", False)])
def test_editor_temp_names(name, temp):
    assert is_editor_temp(name) is temp


def test_sources_classify_each_change(tmp_path):
    root = make_project(tmp_path)
    builder = Pipeline(root / "content", root / "site", keep=True)
    run_in_place(builder)
    src = Sources.of(builder, root / "netlify.toml")
    theme = builder.theme.layers[-1]
    assert src.classify(root / "content/2025/03/04/x.md") == "content"
    assert src.classify(root / "content/2025/03/04", is_dir=True) == "content"
    assert src.classify(root / "content/2025/03/04/x.md.swp") is None
    assert src.classify(root / "content/notes.txt") is None
    assert src.classify(root / "content/.drafts/x.md") is None
    assert src.classify(theme / "templates/paper.html") == "template"
    assert src.classify(theme / "static/css/site.css") == "static"
    assert src.classify(root / "papers.yml") == "config"
    assert src.classify(root / "netlify.toml") == "config"
    assert src.classify(root / "overrides", is_dir=True) == "config"
    assert src.classify(root / "site/index.html") is None
    assert src.classify(cache_dir(root / "site") / "staging-1/index.html") is None
    assert src.classify(root / "serve.log") is None


def test_changes_describe_what_changed(tmp_path):
    changes = Changes()
    changes.add("content", tmp_path / "content/a.md", False)
    assert changes.describe(tmp_path) == "content content/a.md"
    changes.add("template", tmp_path / "t/paper.html", False)
    assert changes.describe(tmp_path) == "content, template (2 paths)"
    assert not changes.rescan


def test_live_state_and_injection():
    live = LiveState(3)
    assert live.snapshot().generation == 3
    live.failed(ContentError("bad", "content/a.md", 4))
    snap = live.wait(0, 1)
    assert snap.error == {"file": "content/a.md", "line": 4, "message": "bad"}
    live.succeeded(4)
    assert live.snapshot().error is None and live.snapshot().generation == 4
    page = inject(b"<html><head><title>x</title></HEAD><body></body></html>", 4)
    assert page.index(b'data-generation="4"') < page.index(b"</HEAD>")
    assert inject(b"<p>no head</p>", 1).endswith(b"</script>")
