"""`pip install .` into a clean venv gives a working `papers`, with every runtime file in the wheel.

Slow-ish (builds a wheel with pip's build isolation and installs its dependencies from the index, about
30 s), so it is marked `slow`; it stays in the default suite (`-m "not slow"` skips it).
"""
from __future__ import annotations

import shutil
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

from conftest import ROOT, SEEDS

pytestmark = pytest.mark.slow

SOURCES = ["pyproject.toml", "README.md", "LICENSE", "generator", "themes"]


def run(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess:
    proc = subprocess.run([str(a) for a in args], cwd=cwd, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, f"{' '.join(map(str, args))} failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    return proc


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """A wheel built from a copy of the source tree (so the build leaves nothing in the repo)."""
    src = tmp_path_factory.mktemp("src")
    for name in SOURCES:
        path = ROOT / name
        if path.is_dir():
            shutil.copytree(path, src / name, symlinks=True, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        elif path.exists():
            shutil.copy2(path, src / name)
    dist = tmp_path_factory.mktemp("dist")
    run(sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", dist, src, cwd=src)
    [built] = dist.glob("paper_archive-*.whl")
    return built


def test_wheel_holds_every_module_and_theme_file(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    modules = {p.relative_to(ROOT).as_posix() for p in (ROOT / "generator").rglob("*.py")
               if "themes" not in p.relative_to(ROOT).parts and "__pycache__" not in p.parts}
    theme = {"generator/themes/" + p.relative_to(ROOT / "themes").as_posix()
             for p in (ROOT / "themes").rglob("*") if p.is_file() and "__pycache__" not in p.parts}
    assert modules and theme
    assert sorted(modules - names) == []
    assert sorted(theme - names) == []
    assert any(n.endswith("lunr-2.3.9.min.js") for n in names)
    assert not [n for n in names if n.startswith(("tests/", "content/", "site/"))]


def test_installed_wheel_imports_and_builds_outside_the_repo(wheel, tmp_path):
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True, clear=True).create(env_dir)
    py = env_dir / "bin" / "python"
    run(py, "-m", "pip", "install", "-q", "--disable-pip-version-check", wheel, cwd=tmp_path)
    papers = env_dir / "bin" / "papers"
    work = tmp_path / "work"
    work.mkdir()
    # the tool must not be found through the repo: the working directory is elsewhere and the module is the wheel's
    where = run(py, "-c", "import generator, sys; print(generator.__file__)", cwd=work).stdout.strip()
    assert where.startswith(str(env_dir)) and not where.startswith(str(ROOT))
    run(papers, "import", "--year", "2025", *SEEDS, cwd=work)
    run(papers, "check", "--strict", cwd=work)
    run(papers, "build", "-q", "--base-url", "http://127.0.0.1/", cwd=work)
    site = work / "site"
    assert len(list((work / "content").rglob("*.md"))) == 294
    assert (site / "index.html").is_file() and (site / "404.html").is_file()
    assert "<html" in (site / "index.html").read_text(encoding="utf-8")
    assert len([p for p in (site / "papers").iterdir() if p.is_dir()]) == 294
    static = {p.suffix for p in site.rglob("*") if p.is_file()}
    assert {".css", ".js"} <= static  # the theme's assets made it through the wheel
