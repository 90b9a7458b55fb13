"""Output-folder safety (build/outdir.py): `papers build` and `papers serve` refuse an --out that a build
would destroy something in, with one line and exit 2, and touch nothing; a missing or empty content folder
is refused too. All through the real CLI on small archives written from dicts."""
from __future__ import annotations

import hashlib
import os
import pickle
from pathlib import Path

import pytest

from conftest import run_papers, write_tree
from generator.build.cache import MARK
from generator.build.outdir import output_files, project_root
from generator.build.cache import cache_dir
from generator.build.pipeline import build
from test_serve import make_project


def snapshot(root: Path) -> dict[str, str]:
    """Every file and folder under `root` → sha256 of its bytes ('dir' for folders)."""
    return {p.relative_to(root).as_posix(): "dir" if p.is_dir() else hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*"))}


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = make_project(tmp_path / "proj")
    (root / "papers.yml").write_text("title: Test Archive\n", encoding="utf-8")
    return root


def refused(project: Path, *args: str, what: str, command: str = "build") -> None:
    """The command exits 2 with one line that names the problem, and nothing in the project changed."""
    before = snapshot(project.parent)
    extra = ["--port", "0"] if command == "serve" else []
    proc = run_papers(command, "--content", "content", *extra, *args, cwd=project)
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and what in lines[0] and lines[0].startswith("error: "), proc.stderr
    assert "Traceback" not in proc.stderr
    assert snapshot(project.parent) == before


def test_out_at_the_content_folder_is_refused(project):
    refused(project, "--out", "content", what="output folder is the content folder")


def test_out_at_the_project_root_is_refused(project):
    refused(project, "--out", ".", what="output folder is the project root")


def test_out_above_the_project_is_refused(project):
    refused(project, "--out", "..", what="contains the content folder")


def test_out_inside_the_content_folder_is_refused(project):
    refused(project, "--out", "content/2025", what="lies inside the content folder")


def test_out_at_or_inside_a_theme_or_overrides_folder_is_refused(project):
    (project / "overrides" / "templates").mkdir(parents=True)
    refused(project, "--out", "overrides", what="the overrides folder")
    (project / "themes" / "mine" / "templates").mkdir(parents=True)
    (project / "papers.yml").write_text("theme: mine\n", encoding="utf-8")
    refused(project, "--out", "themes/mine/static", what="lies inside the theme folder")


def test_out_at_a_file_is_refused(project):
    (project / "notes.txt").write_text("my notes\n", encoding="utf-8")
    refused(project, "--out", "notes.txt", what="exists and is not a folder")


def test_out_at_a_foreign_non_empty_folder_is_refused(project):
    (project / "photos").mkdir()
    (project / "photos" / "cat.jpg").write_bytes(b"\xff\xd8 not really a cat")
    refused(project, "--out", "photos", what="not empty and was not made by papers")


def test_serve_refuses_the_same_folders(project):
    refused(project, "--out", "content", what="output folder is the content folder", command="serve")
    (project / "photos").mkdir()
    (project / "photos" / "cat.jpg").write_bytes(b"cat")
    refused(project, "--out", "photos", what="not made by papers", command="serve")


def test_missing_content_folder_is_refused_and_the_site_kept(project):
    run_papers("build", "--content", "content", "--out", "site", "-q", cwd=project, check=True)
    refused(project, "--content", "contnet", "--out", "site", what="content folder does not exist")


def test_empty_content_folder_builds_only_with_allow_empty(project):
    (project / "empty").mkdir()
    refused(project, "--content", "empty", "--out", "site", what="--allow-empty")
    proc = run_papers("build", "--content", "empty", "--out", "site", "--allow-empty", "-q", cwd=project)
    assert proc.returncode == 0, proc.stderr
    assert (project / "site" / "index.html").is_file()


def test_a_folder_papers_made_is_marked_and_rebuilt(project):
    run_papers("build", "--content", "content", "--out", "site", "-q", cwd=project, check=True)
    assert (cache_dir(project / "site") / MARK).is_file()
    (project / "site" / "stray.txt").write_text("x", encoding="utf-8")  # a marked folder stays ours
    proc = run_papers("build", "--content", "content", "--out", "site", "-q", cwd=project)
    assert proc.returncode == 0, proc.stderr


def test_a_site_built_before_marks_existed_is_accepted(project):
    """The upgrade: a site/ and cache of an older papers (no mark) builds, and is marked then."""
    build(project / "content", project / "site")  # the API call makes no mark, as older versions did not
    mark = cache_dir(project / "site") / MARK
    assert not mark.exists()
    proc = run_papers("build", "--content", "content", "--out", "site", "-q", cwd=project)
    assert proc.returncode == 0, proc.stderr
    assert mark.is_file()


def test_an_unmarked_site_without_cache_is_accepted_by_its_shape(project):
    build(project / "content", project / "site")
    for path in sorted(cache_dir(project / "site").iterdir()):
        path.unlink()
    proc = run_papers("build", "--content", "content", "--out", "site", "-q", cwd=project)
    assert proc.returncode == 0, proc.stderr


def test_an_unmarked_folder_with_other_files_than_the_state_says_is_refused(project):
    build(project / "content", project / "site")
    state = cache_dir(project / "site") / "build-state.pickle"
    assert pickle.loads(state.read_bytes()).output
    (project / "site" / "404.html").unlink()  # no longer the shape of a papers site
    (project / "site" / "mine.txt").write_text("not the build's", encoding="utf-8")
    refused(project, "--out", "site", what="not made by papers")


def test_project_root_is_the_nearest_folder_with_a_sign(tmp_path):
    (tmp_path / "repo" / ".git").mkdir(parents=True)
    (tmp_path / "repo" / "data" / "content").mkdir(parents=True)
    assert project_root(tmp_path / "repo" / "data" / "content") == (tmp_path / "repo").resolve()
    (tmp_path / "repo" / "data" / "papers.yml").write_text("title: x\n", encoding="utf-8")
    assert project_root(tmp_path / "repo" / "data" / "content") == (tmp_path / "repo" / "data").resolve()


def test_output_files_lists_what_rglob_lists(tmp_path):
    """serve's first run drops whatever the output holds that no page makes: output_files() must find the same
    entries as `rglob("*")` with `is_file() or is_symlink()`, hidden ones and links included, links not followed."""
    out = tmp_path / "site"
    write_tree(out, {"index.html": "x", ".hidden": "x", "papers/a/index.html": "x", "papers/a/a.bib": "x",
                     "deep/er/still/x.txt": "x", "elsewhere/inside.txt": "x"})
    (out / "empty").mkdir()
    (out / "link-to-file").symlink_to(out / "index.html")
    (out / "link-to-folder").symlink_to(out / "elsewhere")  # listed as itself, not as the files under it
    (out / "dangling").symlink_to(tmp_path / "gone")
    os.mkfifo(out / "fifo")  # neither a file nor a link: rglob's test leaves it out
    expected = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file() or p.is_symlink()}
    assert output_files(out) == expected
    assert {"link-to-folder", "dangling", ".hidden", "deep/er/still/x.txt"} <= expected
    assert "fifo" not in expected and "link-to-folder/inside.txt" not in expected


def test_a_staging_writer_remembers_a_bounded_number_of_folders(tmp_path: Path, monkeypatch):
    """It remembers the last FOLDERS folders it made (all of them, one per paper, took 15 MB at 100k papers);
    a folder asked for again once forgotten is made again, which finds it there: the file is written."""
    from generator.build import writers
    monkeypatch.setattr(writers, "FOLDERS", 4)
    out = writers.Staging(tmp_path / "site")
    for i in range(10):
        out.write(f"papers/p{i}/index.html", b"page %d" % i)
    assert len(out._folders) == 4
    out.write("papers/p0/p0.bib", b"bib")  # p0's folder was forgotten
    out.commit()
    assert (tmp_path / "site/papers/p0/p0.bib").read_bytes() == b"bib"
    assert sorted(p.name for p in (tmp_path / "site/papers").iterdir()) == sorted(f"p{i}" for i in range(10))
