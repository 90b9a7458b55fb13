"""`papers build`: deterministic bytes, atomic swap, failures that leave the old site alone, stage logs, wheels."""
from __future__ import annotations

import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

from conftest import ROOT, run_papers, tree, write_tree

PAPER = "---\ntitle: {title}\nslug: {slug}\ndate: {date}\nupvotes: {up}\nauthors_count: 2\n---\n\n{body}\n"


def paper(slug: str, date: str, up: int = 1, body: str = "An abstract.") -> str:
    return PAPER.format(title=slug.replace("-", " ").title(), slug=slug, date=date, up=up, body=body)


def archive(root: Path) -> Path:
    write_tree(root, {
        "content/2025/01/02/alpha.md": paper("alpha", "2025-01-02", 5),
        "content/2025/01/02/beta.md": paper("beta", "2025-01-02", 9),
        "content/2025/02/10/gamma.md": paper("gamma", "2025-02-10", 1, "See https://github.com/x/gamma."),
    })
    return root / "content"



def build(content: Path, out: Path, *extra: str, check: bool = True) -> subprocess.CompletedProcess:
    return run_papers("build", "--content", str(content), "--out", str(out), *extra, check=check)


def test_builds_are_byte_identical(tmp_path: Path, seed_content: Path, seed_site: Path):
    again = tmp_path / "a" / "site"
    build(seed_content, again, "-q", "--base-url", "http://127.0.0.1/")
    assert tree(again) == tree(seed_site)
    # a rebuild into the same folder (reusing unchanged pages) gives the same bytes too
    build(seed_content, again, "-q", "--base-url", "http://127.0.0.1/")
    assert tree(again) == tree(seed_site)


def test_output_does_not_depend_on_time_or_cwd(tmp_path: Path):
    content = archive(tmp_path)
    one, two = tmp_path / "one", tmp_path / "two"
    build(content, one, "-q")
    env = {**os.environ, "SOURCE_DATE_EPOCH": "1234567890", "TZ": "Pacific/Kiritimati"}
    proc = subprocess.run([sys.executable, "-m", "generator", "build", "--content", str(content), "--out", str(two),
                           "-q"], cwd=ROOT, env=env, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert tree(one) == tree(two)


def test_default_output_is_site_beside_the_working_directory(tmp_path: Path):
    archive(tmp_path)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.run([sys.executable, "-m", "generator", "build", "-q"], cwd=tmp_path, env=env,
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "site" / "papers" / "alpha" / "index.html").is_file()
    assert sorted(p.name for p in tmp_path.iterdir()) == [".site-cache", "content", "site"]  # no leftovers


def test_removed_papers_disappear(tmp_path: Path):
    content = archive(tmp_path)
    out = tmp_path / "site"
    build(content, out, "-q")
    assert (out / "papers/gamma/index.html").is_file() and (out / "date/2025-02-10/index.html").is_file()
    (content / "2025/02/10/gamma.md").unlink()
    build(content, out, "-q")
    assert not (out / "papers/gamma").exists()
    assert not (out / "date/2025-02-10").exists() and not (out / "month/2025-02").exists()
    for rel in ("feed.xml", "feed.json", "sitemap.xml", "index.html", "papers/beta/index.html"):
        assert "gamma" not in (out / rel).read_text(), rel


def test_a_changed_paper_updates_every_page_that_lists_it(tmp_path: Path):
    content = archive(tmp_path)
    out = tmp_path / "site"
    build(content, out, "-q")
    (content / "2025/01/02/alpha.md").write_text(paper("alpha", "2025-01-02", 5).replace("Alpha", "Alpha Renamed"))
    build(content, out, "-q")
    for rel in ("papers/alpha/index.html", "papers/beta/index.html", "date/2025-01-02/index.html",
                "month/2025-01/index.html", "index.html", "feed.xml", "feed.json"):
        assert "Alpha Renamed" in (out / rel).read_text(), rel


def _assert_failed_cleanly(proc: subprocess.CompletedProcess, before: dict[str, str], out: Path,
                           where: str) -> str:
    assert proc.returncode == 1
    errors = [line for line in proc.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and "Traceback" not in proc.stderr, proc.stderr
    assert re.search(where, errors[0]), errors[0]
    assert tree(out) == before  # the previous site is untouched
    assert sorted(p.name for p in out.parent.iterdir() if p.name.startswith(out.name)) == [out.name]  # no tmp dirs
    return errors[0]


def test_a_broken_template_leaves_the_previous_site_intact(tmp_path: Path):
    content = archive(tmp_path)
    out = tmp_path / "site"
    build(content, out, "-q")
    before = tree(out)
    write_tree(tmp_path, {"overrides/templates/day.html":
                          "{% extends 'base.html' %}\n{% block content %}\n<h1>{{ date }</h1>\n{% endblock %}\n"})
    proc = build(content, out, check=False)
    line = _assert_failed_cleanly(proc, before, out, r"overrides/templates/day\.html:3: ")
    assert "template syntax error" in line


def test_a_template_runtime_error_names_template_and_line(tmp_path: Path):
    content = archive(tmp_path)
    out = tmp_path / "site"
    build(content, out, "-q")
    before = tree(out)
    write_tree(tmp_path, {"overrides/templates/partials/byline.html": "ok\n{{ p.no_such_field.deeper }}\n"})
    proc = build(content, out, check=False)
    _assert_failed_cleanly(proc, before, out, r"overrides/templates/partials/byline\.html:2: rendering .* failed")


def test_a_broken_content_file_leaves_the_previous_site_intact(tmp_path: Path):
    content = archive(tmp_path)
    out = tmp_path / "site"
    build(content, out, "-q")
    before = tree(out)
    (content / "2025/02/10/gamma.md").write_text("---\ntitle: Gamma\nslug: gamma\ndate: [2025\n---\n\nText\n")
    proc = build(content, out, check=False)
    _assert_failed_cleanly(proc, before, out, r"2025/02/10/gamma\.md:\d+: front matter is not valid YAML")


def test_one_log_line_per_stage_with_its_time(tmp_path: Path):
    content = archive(tmp_path)
    proc = build(content, tmp_path / "site")
    stages = [m.group(1) for m in re.finditer(r"^(\w+)\s+\d+ ms$", proc.stderr, re.MULTILINE)]
    assert stages[:2] == ["content", "model"] and "render" in stages and len(stages) == len(set(stages))
    assert re.search(r"^built \d+ pages .* from 3 papers in \d+ ms", proc.stderr, re.MULTILINE)
    assert run_papers("build", "--content", str(content), "--out", str(tmp_path / "q"), "-q").stderr == ""
    verbose = build(content, tmp_path / "v", "-v").stderr
    assert "render papers/alpha/index.html" in verbose


def test_strict_turns_warnings_into_a_failure(tmp_path: Path):
    content = archive(tmp_path)
    unknown_field = paper("alpha", "2025-01-02").replace("upvotes:", "colour: red\nupvotes:")
    (content / "2025/01/02/alpha.md").write_text(unknown_field)
    assert build(content, tmp_path / "ok", "-q").returncode == 0
    proc = build(content, tmp_path / "strict", "--strict", check=False)
    assert proc.returncode == 1 and "--strict" in proc.stderr and not (tmp_path / "strict").exists()


def test_installed_from_a_wheel_it_builds_a_content_folder_anywhere(tmp_path: Path):
    """The wheel carries the default theme: build it, install it elsewhere, build a site from another folder."""
    dist = tmp_path / "dist"
    proc = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(dist), str(ROOT)],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    wheel = next(dist.glob("paper_archive-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    for rel in ("templates/base.html", "templates/paper.html", "static/css/site.css", "static/js/site.js"):
        assert f"generator/themes/default/{rel}" in names, rel
    target = tmp_path / "installed"
    proc = subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(target),
                           str(wheel)], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    elsewhere = tmp_path / "elsewhere"
    content = archive(elsewhere)
    env = {**os.environ, "PYTHONPATH": str(target)}
    proc = subprocess.run([sys.executable, "-m", "generator", "build", "--content", str(content), "--out", "public",
                           "-q"], cwd=elsewhere, env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    out = elsewhere / "public"
    assert (out / "papers/gamma/index.html").is_file()
    assert list((out / "static/css").glob("site.*.css"))
    # the code that ran was the installed copy, not this checkout
    probe = subprocess.run([sys.executable, "-c", "import generator; print(generator.__file__)"], cwd=elsewhere,
                           env=env, capture_output=True, text=True)
    assert probe.stdout.strip().startswith(str(target))


def test_leftovers_of_a_killed_build_are_cleaned_up(tmp_path: Path):
    content = archive(tmp_path)
    out = tmp_path / "site"
    build(content, out, "-q")
    dead = 2 ** 22 + 12345  # above the default pid_max: no such process
    (tmp_path / f"site.tmp-{dead}" / "papers").mkdir(parents=True)
    build(content, out, "-q")
    assert not (tmp_path / f"site.tmp-{dead}").exists()
    # killed between the two renames of the swap: site/ is missing, the previous one is in site.old-<pid>
    out.rename(tmp_path / f"site.old-{dead}")
    (content / "2025/02/10/gamma.md").unlink()
    build(content, out, "-q")
    assert (out / "papers/alpha/index.html").is_file() and not (out / "papers/gamma").exists()
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("site")) == ["site"]
