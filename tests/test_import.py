"""Listings → content/: one file per paper, merging, byte-identical re-imports, hand edits kept."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from conftest import ROOT, SEEDS, tree
from generator.content.files import iter_content_files, load_papers, read_paper
from generator.errors import ContentError
from generator.ingest import import_listings
from test_parser import listing, paper



@pytest.fixture(scope="module")
def seeded(tmp_path_factory) -> tuple[Path, object]:
    """The five seeds imported once into a fresh folder."""
    root = tmp_path_factory.mktemp("import") / "content"
    return root, import_listings(SEEDS, root, 2025)


def test_seeds_give_294_papers_from_362_entries(seeded):
    root, report = seeded
    assert (report.entries, report.new, report.updated, report.unchanged, report.flagged) == (362, 294, 0, 0, 2)
    assert report.summary() == "362 entries read: 294 new, 0 updated, 0 unchanged, 2 flagged"
    assert len(list(iter_content_files(root))) == 294


def test_seed_import_matches_the_committed_archive(seeded):
    """The golden test: importing the seeds gives content/ as committed, byte for byte."""
    assert tree(seeded[0]) == tree(ROOT / "content")


@pytest.mark.parametrize("jobs", ["1", "3"])
def test_new_files_written_by_forked_processes_are_the_same(seeded, tmp_path, monkeypatch, jobs):
    """New files are formatted and written by a share of forked processes when there are many
    (PAPERS_JOBS forces it here); the archive is the same as the one-process import's, byte for byte."""
    monkeypatch.setenv("PAPERS_JOBS", jobs)
    root = tmp_path / "content"
    report = import_listings(SEEDS, root, 2025)
    assert report.new == 294 and tree(root) == tree(seeded[0])


def test_a_failure_in_a_forked_writer_stops_the_import_with_its_error(tmp_path, monkeypatch):
    monkeypatch.setenv("PAPERS_JOBS", "2")
    root = tmp_path / "content"
    (root / "2025").mkdir(parents=True)
    (root / "2025" / "10").write_text("a file where a folder must go\n")
    with pytest.raises(OSError):
        import_listings(SEEDS, root, 2025)


def test_reimport_is_byte_identical(seeded, tmp_path):
    root = tmp_path / "content"
    import_listings(SEEDS, root, 2025)
    before = tree(root)
    report = import_listings(SEEDS, root, 2025)
    assert (report.new, report.updated, report.unchanged) == (0, 0, 294)
    assert tree(root) == before


def test_same_paper_in_several_files_is_one_file(seeded):
    root, _ = seeded
    papers, _, _ = load_papers(root)
    multi = [p for p in papers if len(p.seen) > 1]
    assert len(multi) == 46 and sum(len(p.seen) for p in papers) == 362  # every entry is in one `seen`
    for p in multi:
        order = [(s["page_date"], s["listing"]) for s in p.seen]
        assert order == sorted(set(order))  # oldest listing first, each once
        counts = [s["upvotes"] for s in p.seen if "upvotes" in s]
        assert p.upvotes == (counts[-1] if counts else None)  # the newest listing's count


def test_hand_edits_survive_reimport(tmp_path):
    root = tmp_path / "content"
    src = listing(tmp_path, paper("Edited Paper", "Original abstract.") + paper("Other Paper"))
    import_listings([src], root, 2025)
    path = next(p for p in iter_content_files(root) if p.name.startswith("edited"))
    text = path.read_text(encoding="utf-8")
    edited = text.replace("schema: 1\n", "schema: 1\narxiv_id: '2503.01234'\nnotes: check the figures\n"
                          "mood: curious\n").replace("Original abstract.", "A *better* abstract.\n\nWith a second "
                                                     "paragraph.")
    path.write_text(edited, encoding="utf-8")
    report = import_listings([src], root, 2025)
    assert path.read_text(encoding="utf-8") == edited and report.unchanged == 2
    newer = listing(tmp_path, paper("Edited Paper", "Original abstract.", date="Mar 11 40"), name="newer.txt",
                    page="Oct 29")
    report = import_listings([newer], root, 2025)
    assert report.updated == 1
    p, _ = read_paper(path)
    assert p.upvotes == 40 and p.body == "A *better* abstract.\n\nWith a second paragraph."
    assert p.extra == {"arxiv_id": "2503.01234", "notes": "check the figures", "mood": "curious"}


def test_hand_formatting_of_an_unchanged_file_is_kept(tmp_path):
    root = tmp_path / "content"
    src = listing(tmp_path, paper("Formatted"))
    import_listings([src], root, 2025)
    [path] = iter_content_files(root)
    text = path.read_text(encoding="utf-8").replace("title: Formatted", "title: \"Formatted\"  # as on the site")
    path.write_text(text, encoding="utf-8")
    assert import_listings([src], root, 2025).unchanged == 1
    assert path.read_text(encoding="utf-8") == text


def test_hand_corrected_title_is_not_imported_twice(tmp_path):
    root = tmp_path / "content"
    src = listing(tmp_path, paper("Attentoin Is All You Need"))
    import_listings([src], root, 2025)
    [path] = iter_content_files(root)
    path.write_text(path.read_text(encoding="utf-8").replace("title: Attentoin", "title: Attention"),
                    encoding="utf-8")
    report = import_listings([src], root, 2025)
    assert (report.new, len(list(iter_content_files(root)))) == (0, 1)
    assert read_paper(path)[0].title == "Attention Is All You Need"


def test_alias_matches_another_title(tmp_path):
    root = tmp_path / "content"
    import_listings([listing(tmp_path, paper("Old Name"))], root, 2025)
    [path] = iter_content_files(root)
    path.write_text(path.read_text(encoding="utf-8").replace("schema: 1\n", "schema: 1\naliases:\n- Renamed Paper\n"),
                    encoding="utf-8")
    report = import_listings([listing(tmp_path, paper("Renamed  paper!"), name="b.txt")], root, 2025)
    assert report.new == 0 and len(list(iter_content_files(root))) == 1


def test_feb_29_in_non_leap_year_is_reported_and_the_paper_kept(tmp_path):
    root = tmp_path / "content"
    src = listing(tmp_path, paper("Leap Day Paper", date="Feb 29 7"))
    report = import_listings([src], root, 2025)
    [problem] = report.problems
    assert (problem.path, problem.line) == (str(src), 19) and "does not exist in 2025" in problem.message
    [path] = iter_content_files(root)
    p, _ = read_paper(path)
    assert path.relative_to(root).as_posix() == "undated/l/leap-day-paper.md"
    assert (p.title, p.date, p.flags, p.upvotes) == ("Leap Day Paper", None, ["bad-date"], 7)
    assert report.flagged == 1


def test_titles_that_slugify_alike_both_keep_their_own_page(tmp_path):
    root = tmp_path / "content"
    src = listing(tmp_path, paper("C++ Tricks") + paper("C Tricks") + paper("C -- Tricks!"))
    report = import_listings([src], root, 2025)
    assert report.new == 2  # `C Tricks` and `C -- Tricks!` are one paper
    slugs = sorted(read_paper(p)[0].slug for p in iter_content_files(root))
    assert slugs[0] == "c-tricks" and slugs[1].startswith("c-tricks-") and len(set(slugs)) == 2
    before = tree(root)
    import_listings([src], root, 2025)
    assert tree(root) == before  # slugs never change on re-import


def test_all_cjk_titles_get_distinct_slugs(tmp_path):
    root = tmp_path / "content"
    import_listings([listing(tmp_path, paper("大規模言語モデル") + paper("小規模言語モデル"))], root, 2025)
    slugs = [read_paper(p)[0].slug for p in iter_content_files(root)]
    assert len(set(slugs)) == 2 and all(s.startswith("paper-") for s in slugs)


def test_undated_paper_moves_when_a_listing_dates_it(tmp_path):
    root = tmp_path / "content"
    import_listings([listing(tmp_path, "Floating\n\nNo metadata here.\n\n" + paper("Anchor"))], root, 2025)
    assert (root / "undated/f/floating.md").exists()
    report = import_listings([listing(tmp_path, paper("Floating", "No metadata here."), name="b.txt")], root, 2025)
    assert report.updated == 1
    assert not (root / "undated").exists()  # the emptied folders go too
    p, _ = read_paper(root / "2025/03/11/floating.md")
    assert p.flags == [] and p.authors_count == 3 and [s["listing"] for s in p.seen] == ["b.txt", "list.txt"]


def test_disagreeing_listings_are_reported_and_the_archive_kept(tmp_path):
    root = tmp_path / "content"
    import_listings([listing(tmp_path, paper("Same", "First abstract.", meta="  • 3 authors"))], root, 2025)
    other = listing(tmp_path, paper("Same", "Second abstract.", meta="  • 4 authors"), name="b.txt")
    report = import_listings([other], root, 2025)
    messages = [p.message for p in report.problems]
    assert any("abstract of 'Same' differs" in m for m in messages)
    assert any("authors_count of 'Same' is 4 here but 3" in m for m in messages)
    p, _ = read_paper(next(iter_content_files(root)))
    assert (p.body, p.authors_count) == ("First abstract.", 3)


def test_unreadable_archive_stops_import_before_writing(tmp_path):
    root = tmp_path / "content"
    (root / "x").mkdir(parents=True)
    (root / "x" / "bad.md").write_text("---\ntitle: [unclosed\n---\n", encoding="utf-8")
    with pytest.raises(ContentError, match="fix it first"):
        import_listings([listing(tmp_path, paper())], root, 2025)
    assert len(list(root.rglob("*.md"))) == 1


def test_all_files_are_parsed_before_anything_is_written(tmp_path):
    root = tmp_path / "content"
    good = listing(tmp_path, paper(), name="good.txt")
    needs_year = listing(tmp_path, paper(), name="bad.txt")
    with pytest.raises(Exception, match="--year"):
        import_listings([good, needs_year], root)
    assert not root.exists()


def test_seen_records_each_listing_and_page_date(tmp_path):
    root = tmp_path / "content"
    a = listing(tmp_path, paper("P", date="Mar 11 2"), name="a.txt", page="Oct 28")
    b = listing(tmp_path, paper("P", date="Mar 11 9"), name="b.txt", page="Nov 2")
    import_listings([b, a], root, 2025)
    p, _ = read_paper(next(iter_content_files(root)))
    assert p.seen == [{"listing": "a.txt", "page_date": dt.date(2025, 10, 28), "line": 13, "upvotes": 2},
                      {"listing": "b.txt", "page_date": dt.date(2025, 11, 2), "line": 13, "upvotes": 9}]
    assert p.upvotes == 9
