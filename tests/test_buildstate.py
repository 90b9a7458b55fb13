"""A build of unchanged inputs does nothing; any change of content, theme, config or output builds again."""
from __future__ import annotations

import os
import re
from pathlib import Path

from conftest import run_papers, write_tree
from generator.build.cache import Cache
from generator.build.state import BuildState, OutputStamps, load_state, scan_content

PAPER = "---\ntitle: {title}\nslug: {slug}\ndate: 2025-01-02\nupvotes: 3\n---\n\nAbstract of {title}.\n"


def project(root: Path) -> tuple[Path, Path]:
    write_tree(root, {f"content/2025/01/02/{s}.md": PAPER.format(title=s.title(), slug=s) for s in ("ab", "cd")})
    return root / "content", root / "site"


def build(content: Path, out: Path, *extra: str, check: bool = True):
    return run_papers("build", "--content", str(content), "--out", str(out), *extra, check=check)


def built_pages(stderr: str) -> tuple[int, int]:
    m = re.search(r"built \d+ pages \((\d+) rendered, (\d+) reused\)", stderr)
    assert m, stderr
    return int(m.group(1)), int(m.group(2))


def test_a_build_with_nothing_changed_does_nothing(tmp_path: Path):
    content, out = project(tmp_path)
    build(content, out)
    inode = (out / "index.html").stat().st_ino
    again = build(content, out)
    assert "nothing changed" in again.stderr and built_pages(again.stderr)[0] == 0
    assert (out / "index.html").stat().st_ino == inode  # not even a new staging folder and swap
    assert sorted(p.name for p in tmp_path.iterdir()) == [".site-cache", "content", "site"]


def test_a_touched_or_edited_content_file_builds_again(tmp_path: Path):
    content, out = project(tmp_path)
    build(content, out)
    path = content / "2025/01/02/ab.md"
    os.utime(path)  # same bytes, new stamp: a build, which reuses every page
    rendered, reused = built_pages(build(content, out).stderr)
    assert rendered == 0 and reused > 0
    path.write_text(path.read_text().replace("Ab", "Ab Edited"))
    assert built_pages(build(content, out).stderr)[0] > 0
    assert "Ab Edited" in (out / "papers/ab/index.html").read_text()


def test_a_changed_or_missing_output_file_builds_again(tmp_path: Path):
    content, out = project(tmp_path)
    build(content, out)
    good = (out / "papers/ab/index.html").read_text()
    (out / "papers/ab/index.html").write_text("tampered")
    build(content, out)
    assert (out / "papers/ab/index.html").read_text() == good
    (out / "papers/cd/index.html").unlink()
    build(content, out)
    assert (out / "papers/cd/index.html").is_file()


def test_theme_config_and_base_url_changes_build_again(tmp_path: Path):
    content, out = project(tmp_path)
    build(content, out)
    assert "https://example.org/" in (build(content, out, "--base-url", "https://example.org/") and
                                      (out / "feed.xml").read_text())
    write_tree(tmp_path, {"papers.yml": "title: Renamed Archive\n"})
    build(content, out, "--base-url", "https://example.org/")
    assert "Renamed Archive" in (out / "index.html").read_text()
    write_tree(tmp_path, {"overrides/templates/robots.txt": "User-agent: *\nDisallow: /\n"})
    build(content, out, "--base-url", "https://example.org/")
    assert (out / "robots.txt").read_text() == "User-agent: *\nDisallow: /\n"


def test_warnings_are_repeated_and_strict_still_fails_when_nothing_changed(tmp_path: Path):
    content, out = project(tmp_path)
    path = content / "2025/01/02/ab.md"
    path.write_text(path.read_text().replace("upvotes:", "colour: red\nupvotes:"))
    first = build(content, out)
    again = build(content, out)
    assert "nothing changed" in again.stderr and "unknown field `colour`" in again.stderr
    strict = build(content, out, "--strict", check=False)
    assert strict.returncode == 1 and "--strict" in strict.stderr
    assert first.returncode == 0


def test_the_search_index_is_reused_when_its_documents_did_not_change(tmp_path: Path):
    content, out = project(tmp_path)
    build(content, out)
    manifest = out / "search/manifest.json"
    inode = manifest.stat().st_ino
    write_tree(tmp_path, {"overrides/templates/robots.txt": "User-agent: *\n"})  # pages change, papers do not
    build(content, out)
    assert manifest.stat().st_ino == inode  # hard-linked from the previous build
    path = content / "2025/01/02/cd.md"
    path.write_text(path.read_text().replace("Abstract of", "Zebra abstract of"))
    build(content, out)
    assert "zebra" in " ".join(p.read_text() for p in (out / "search/shards").glob("*/*.json"))
    assert load_state(Cache(out)).search["files"]


def test_a_file_changed_just_before_the_scan_is_compared_by_its_bytes(tmp_path: Path):
    content, _ = project(tmp_path)
    stamps, digests = scan_content(content)
    assert set(stamps) == {"2025/01/02/ab.md", "2025/01/02/cd.md"} and set(digests) == set(stamps)  # just written
    state = BuildState("inputs", stamps, digests, OutputStamps(tmp_path / "site", ()))
    assert state.unchanged("inputs", content, stamps, tmp_path / "site")
    path = content / "2025/01/02/ab.md"
    path.write_text(path.read_text().replace("Ab", "Xy"))  # same size; a coarse clock could keep the stamp
    assert not state.unchanged("inputs", content, stamps, tmp_path / "site")
    assert not state.unchanged("other", content, stamps, tmp_path / "site")


def test_markdown_results_are_reused_only_from_the_same_code(tmp_path: Path):
    from generator.build.cache import ABSTRACTS

    cache = Cache(tmp_path / "site")
    cache.save_abstracts({"k": ("<p>x</p>\n", ())})
    assert cache.abstracts() == {"k": ("<p>x</p>\n", ())}
    cache.write(ABSTRACTS, {"code": "an older generator", "results": {"k": ("<p>x</p>\n", ())}})
    assert cache.abstracts() == {}
    (cache.dir / ABSTRACTS).write_bytes(b"not a pickle")
    assert cache.abstracts() == {}


def test_writing_a_staged_file_never_writes_into_the_previous_sites_copy(tmp_path: Path):
    from generator.build.writers import write_file

    old, staged = tmp_path / "site/a.html", tmp_path / "site.tmp/a.html"
    write_file(old, b"previous build")
    staged.parent.mkdir()
    os.link(old, staged)  # as Staging.reuse does
    write_file(staged, b"this build")
    assert old.read_bytes() == b"previous build" and staged.read_bytes() == b"this build"


def test_the_output_stamps_tell_which_files_are_intact(tmp_path: Path):
    import pickle
    out = tmp_path / "site"
    for rel in ("a.html", "b/c.html", "d.xml"):
        (out / rel).parent.mkdir(parents=True, exist_ok=True)
        (out / rel).write_text(rel)
    saved = pickle.loads(pickle.dumps(OutputStamps(out, ["a.html", "b/c.html", "d.xml", "gone.html"])))
    assert len(saved) == 4 and saved.intact(out) == {"a.html", "b/c.html", "d.xml"}  # not there when saved: not intact
    assert saved.unchanged(out)
    (out / "gone.html").write_text("made by hand since")
    assert not saved.unchanged(out) and "gone.html" not in saved.intact(out)
    (out / "gone.html").unlink()
    (out / "b/c.html").write_text("edited by hand, longer")
    os.unlink(out / "d.xml")
    assert saved.intact(out) == {"a.html"} and not saved.unchanged(out)


def test_a_state_from_before_the_output_stamps_builds_in_full(tmp_path: Path):
    content, out = project(tmp_path)
    build(content, out)
    cache = Cache(out)
    old = load_state(cache)
    old.output = {"index.html": (1, 2, 3, 4)}  # as versions before OutputStamps saved it
    cache.write("build-state.pickle", old)
    assert load_state(cache) is None
    assert built_pages(build(content, out, "-v").stderr)[1] == 0  # nothing reused, and no traceback


def _recorded(out: Path) -> dict[str, tuple]:
    record = load_state(Cache(out)).output
    return {rel: tuple(record.stamps[4 * i:4 * i + 4]) for i, rel in enumerate(record.rels)}


def _on_disk(out: Path) -> dict[str, tuple]:
    return {p.relative_to(out).as_posix(): (s.st_mtime_ns, s.st_ctime_ns, s.st_size, s.st_ino)
            for p in out.rglob("*") if p.is_file() and (s := p.stat())}


def test_the_stamps_the_writers_took_are_the_outputs_own(tmp_path: Path, monkeypatch):
    """The record of the output comes from the stamps each process took as it wrote (or hard-linked) a file,
    not from a stat of each file after the build: it must still be what a stat finds, file for file, with
    the pages and the search index written in forked processes or in this one, cold and after a rebuild."""
    papers = {f"content/2025/01/02/p{i}.md": PAPER.format(title=f"Paper {i}", slug=f"p{i}") for i in range(30)}
    for jobs in ("2", "1"):
        root = tmp_path / jobs
        write_tree(root, papers)
        content, out = root / "content", root / "site"
        monkeypatch.setenv("PAPERS_JOBS", jobs)
        build(content, out)
        assert _recorded(out) == _on_disk(out)
        os.utime(content / "2025/01/02/p3.md")  # a rebuild that hard-links every page from the last one
        assert built_pages(build(content, out).stderr)[0] == 0
        assert _recorded(out) == _on_disk(out)
        assert "nothing changed" in build(content, out).stderr
