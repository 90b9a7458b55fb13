"""Shared fixtures: the repo, the seeds, small archives built from dicts, built sites, HTTP servers, Chromium."""
from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path
from typing import Iterator

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
SEEDS = sorted((SHARED / "seeds").glob("*.txt"))
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync", "--disable-quic"]


def papers_bin() -> list[str]:
    """The installed console script, as users run it."""
    exe = Path(sys.executable).with_name("papers")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "generator"]


def run_papers(*args: str, cwd: Path | None = None, check: bool = False) -> subprocess.CompletedProcess:
    proc = subprocess.run(papers_bin() + list(args), cwd=cwd, capture_output=True, text=True, timeout=600)
    if check and proc.returncode != 0:
        raise AssertionError(f"papers {' '.join(args)} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    return proc


def tree(root: Path) -> dict[str, str]:
    """Every file under `root` (hidden ones too) → sha256 of its bytes."""
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def write_tree(root: Path, files: dict[str, str]) -> Path:
    """Create files from a {relative path: text} dict."""
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


@pytest.fixture(scope="session")
def seed_content(tmp_path_factory) -> Path:
    """The committed seed archive (content/), copied so tests cannot change it."""
    dst = tmp_path_factory.mktemp("seed") / "content"
    shutil.copytree(ROOT / "content", dst)
    return dst


@pytest.fixture(scope="session")
def seed_site(seed_content: Path) -> Path:
    """The seed archive built once per session."""
    out = seed_content.parent / "site"
    run_papers("build", "--content", str(seed_content), "--out", str(out), "-q",
               "--base-url", "http://127.0.0.1/", check=True)
    return out


@pytest.fixture(scope="session")
def fetch_site(fetched_content: Path) -> Path:
    """The site `papers build --strict` makes of the real `papers fetch` output (`fetched_content`, below)."""
    out = fetched_content.parent / "site"
    run_papers("build", "--strict", "--content", str(fetched_content), "--out", str(out), "-q",
               "--base-url", "http://127.0.0.1/", check=True)
    return out


@pytest.fixture(scope="session")
def fetch_server(fetch_site: Path) -> Iterator["Served"]:
    """The fetched site over HTTP on 127.0.0.1 with netlify.toml's headers."""
    served = serve_dir(fetch_site)
    yield served
    served.server.shutdown()
    served.server.server_close()


class Served:
    def __init__(self, server, thread):
        self.server = server
        self.thread = thread
        host, port = server.server_address[:2]
        self.url = f"http://{host}:{port}/"


def serve_dir(root: Path) -> Served:
    from generator.serve.server import make_server

    server = make_server(root, "127.0.0.1", 0, netlify=ROOT / "netlify.toml")
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return Served(server, thread)


@pytest.fixture(scope="session")
def seed_server(seed_site: Path) -> Iterator[Served]:
    """The built seed site over HTTP on 127.0.0.1 with netlify.toml's headers."""
    served = serve_dir(seed_site)
    yield served
    served.server.shutdown()
    served.server.server_close()


def browser_available() -> bool:
    if not Path(CHROMIUM).exists():
        return False
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return False
    return True


@pytest.fixture(scope="session")
def browser():
    """Headless Debian Chromium through Playwright; fails (not skips) when REQUIRE_BROWSER=1."""
    if not browser_available():
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail(f"REQUIRE_BROWSER=1 but Chromium ({CHROMIUM}) or Playwright is missing")
        pytest.skip("Chromium or Playwright missing")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


@pytest.fixture
def page(browser):
    """A fresh page that records console errors and failed requests in page.errors."""
    context = browser.new_context()
    pg = context.new_page()
    pg.errors = []  # type: ignore[attr-defined]
    pg.on("console", lambda m: pg.errors.append(m.text) if m.type == "error" else None)  # type: ignore[attr-defined]
    pg.on("pageerror", lambda e: pg.errors.append(str(e)))  # type: ignore[attr-defined]
    yield pg
    context.close()


def run_fetch(api_url: str, content: Path, *args: str, env: dict[str, str] | None = None,
              timeout: float = 120) -> subprocess.CompletedProcess:
    """`papers fetch` against a replay server, with tiny retry waits (`--backoff 0.01`) unless args say otherwise."""
    opts = ["--content", str(content), "--endpoint", api_url]
    if "--backoff" not in args:
        opts += ["--backoff", "0.01"]
    full_env = {k: v for k, v in os.environ.items() if k not in ("HF_TOKEN", "HF_ENDPOINT")}
    full_env.update(env or {})
    return subprocess.run(papers_bin() + ["fetch", *opts, *args], capture_output=True, text=True,
                          timeout=timeout, env=full_env)


FETCH_DAYS = ("--since", "2026-08-03", "--until", "2026-08-21", "--today", "2026-08-21")  # all 15 fixture days


@pytest.fixture(scope="session")
def fetched_content(tmp_path_factory) -> Path:
    """A content folder made by the real `papers fetch` against the replay server (tests/replay_api.py) over
    all 15 fixture days of ../shared/fixtures/hf-api/: 331 papers, 2 of them on two days."""
    from replay_api import ReplayAPI

    content = tmp_path_factory.mktemp("fetched") / "content"
    api = ReplayAPI()
    try:
        proc = run_fetch(api.url, content, *FETCH_DAYS)
    finally:
        api.close()
    assert proc.returncode == 0, proc.stderr
    return content
