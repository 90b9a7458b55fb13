"""Listing text → entries: one test per variant of the Daily Papers text format."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from conftest import SEEDS
from generator.errors import InputError
from generator.ingest.parser import clean_line, parse_listing
from generator.content.slugs import identity

HEADER = ("new\n\nGet trending papers in your email inbox!\n\nSubscribe\n\nDaily Papers\n\n"
          "byAK and the research community\n\n")


def listing(tmp_path: Path, body: str, page: str = "Oct 28", name: str = "list.txt", header: bool = True,
            encoding: str = "utf-8") -> Path:
    """A listing file: the standard header, a page date, then `body`."""
    text = (HEADER + page + "\n\n" if header else "") + body
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def paper(title: str = "A Paper: On Things", abstract: str = "We study things.", meta: str = "  • 3 authors",
          date: str = "Mar 11 3") -> str:
    return f"{title}\n\n{abstract}\n\n{meta}\n·\n{date}\n\n"


def test_page_header_gives_page_date_and_is_not_a_paper(tmp_path):
    lst = parse_listing(listing(tmp_path, paper()), year=2025)
    assert lst.page_date == dt.date(2025, 10, 28)
    assert [e.title for e in lst.entries] == ["A Paper: On Things"]
    assert lst.problems == []


def test_title_line_then_abstract_line(tmp_path):
    e = parse_listing(listing(tmp_path, paper("T1", "The abstract.") + paper("T2", "Second.")), 2025).entries
    assert [(x.title, x.abstract) for x in e] == [("T1", "The abstract."), ("T2", "Second.")]
    assert e[0].line == 13 and e[1].line == 21  # 1-based line of each title


def test_metadata_n_authors(tmp_path):
    e = parse_listing(listing(tmp_path, paper(meta="  • 57 authors")), 2025).entries[0]
    assert (e.authors_count, e.organization, e.flags) == (57, None, [])


def test_metadata_one_author(tmp_path):
    e = parse_listing(listing(tmp_path, paper(meta="  • 1 author")), 2025).entries[0]
    assert e.authors_count == 1


@pytest.mark.parametrize("line, org", [
    ("HuggingFaceFW FineData", "HuggingFaceFW FineData"),  # seed 001
    ("SomeLab12 Research", "SomeLab12 Research"),  # the bench corpus
    ("  • Qwen", "Qwen"),  # an organisation written like the authors line
])
def test_metadata_organisation_instead_of_authors(tmp_path, line, org):
    e = parse_listing(listing(tmp_path, paper(meta=line) + paper("Next", "Abstract two.")), 2025).entries
    assert (e[0].organization, e[0].authors_count, e[0].abstract) == (org, None, "We study things.")
    assert e[0].date == dt.date(2025, 3, 11) and e[1].title == "Next"


@pytest.mark.parametrize("text, date, votes", [
    ("Mar 11", dt.date(2025, 3, 11), 0),
    ("Mar 11 3", dt.date(2025, 3, 11), 3),
    ("Oct 9, 2024", dt.date(2024, 10, 9), 0),
    ("Oct 9, 2024 2", dt.date(2024, 10, 9), 2),
    ("Feb 26, 2024 1,234", dt.date(2024, 2, 26), 1234),
    ("Sep 3 1.2k", dt.date(2025, 9, 3), 1200),
])
def test_dot_then_date_line(tmp_path, text, date, votes):
    e = parse_listing(listing(tmp_path, paper(date=text)), 2025).entries[0]
    assert (e.date, e.upvotes) == (date, votes)


def test_paper_without_metadata_is_kept_undated_and_flagged(tmp_path):
    body = "Lonely Paper\n\nNo metadata follows.\n\n" + paper("Next One", "Has metadata.")
    lst = parse_listing(listing(tmp_path, body), 2025)
    first, second = lst.entries
    assert (first.title, first.abstract, first.date, first.flags) == ("Lonely Paper", "No metadata follows.", None,
                                                                      ["no-metadata"])
    assert second.title == "Next One" and second.authors_count == 3 and not second.flags
    assert [(p.line, "no metadata" in p.message) for p in lst.problems] == [(13, True)]


def test_paper_without_metadata_at_end_of_file(tmp_path):
    lst = parse_listing(listing(tmp_path, paper() + "Last\n\nAbstract at the end.\n"), 2025)
    assert lst.entries[-1].title == "Last" and lst.entries[-1].flags == ["no-metadata"]


def test_metadata_block_without_date_is_flagged(tmp_path):
    lst = parse_listing(listing(tmp_path, "T\n\nA.\n\n  • 4 authors\n·\n\nNext\n\nB.\n\n  • 1 author\n·\nMar 1\n"),
                        2025)
    t, nxt = lst.entries
    assert t.authors_count == 4 and t.date is None and t.flags == ["bad-metadata"]
    assert nxt.title == "Next" and nxt.date == dt.date(2025, 3, 1)
    assert any("no date line" in p.message for p in lst.problems)


def test_paper_without_abstract(tmp_path):
    lst = parse_listing(listing(tmp_path, "Only A Title\n\n  • 2 authors\n·\nMar 2\n\n" + paper("Next")), 2025)
    e = lst.entries[0]
    assert (e.title, e.abstract, e.authors_count, e.flags) == ("Only A Title", "", 2, ["no-abstract"])
    assert lst.entries[1].title == "Next"


def test_year_flag_sets_the_year_of_dates_without_one(tmp_path):
    lst = parse_listing(listing(tmp_path, paper(date="Mar 11")), 2023)
    assert lst.entries[0].date == dt.date(2023, 3, 11) and lst.page_date == dt.date(2023, 10, 28)
    assert not lst.inferred_year


def test_year_inferred_from_page_date_with_a_year(tmp_path):
    lst = parse_listing(listing(tmp_path, paper(date="Mar 11"), page="Oct 28, 2024"))
    assert lst.inferred_year and lst.year == 2024 and lst.entries[0].date == dt.date(2024, 3, 11)


def test_year_inferred_from_iso_date_in_file_name(tmp_path):
    lst = parse_listing(listing(tmp_path, paper(date="Mar 11"), name="daily-2024-10-28.txt"))
    assert lst.inferred_year and lst.entries[0].date == dt.date(2024, 3, 11)


def test_file_name_date_that_disagrees_with_page_date_is_not_trusted(tmp_path):
    with pytest.raises(InputError, match="--year"):
        parse_listing(listing(tmp_path, paper(date="Mar 11"), name="daily-2024-05-01.txt"))


def test_missing_year_stops_with_a_clear_error(tmp_path):
    path = listing(tmp_path, paper(date="Mar 11"))
    with pytest.raises(InputError) as info:
        parse_listing(path)
    msg = str(info.value)
    assert msg.startswith(f"{path}:11: ") and "pass --year YYYY" in msg and "'Oct 28'" in msg


def test_no_year_needed_when_every_date_has_one(tmp_path):
    lst = parse_listing(listing(tmp_path, paper(date="Oct 9, 2024 2"), header=False))
    assert lst.year is None and not lst.inferred_year and lst.entries[0].date == dt.date(2024, 10, 9)


def test_feb_29_without_year_in_non_leap_year_is_reported_and_kept(tmp_path):
    path = listing(tmp_path, paper("Leap Paper", date="Feb 29 5") + paper("Other"))
    lst = parse_listing(path, 2025)
    leap = lst.entries[0]
    assert (leap.title, leap.date, leap.upvotes, leap.flags) == ("Leap Paper", None, 5, ["bad-date"])
    [problem] = lst.problems
    assert (problem.path, problem.line) == (str(path), 19) and "'Feb 29 5' does not exist in 2025" in problem.message
    assert parse_listing(path, 2024).entries[0].date == dt.date(2024, 2, 29)


def test_date_after_page_date_is_reported(tmp_path):
    lst = parse_listing(listing(tmp_path, paper(date="Dec 1"), page="Oct 28"), 2025)
    assert lst.entries[0].date == dt.date(2025, 12, 1)
    assert any("after the page date" in p.message and "--year" in p.message for p in lst.problems)


def test_crlf_bom_stray_whitespace_and_blank_lines(tmp_path):
    body = "  Spaced   Title \t\n\n\n\n  An   abstract.  \n\n\n   •   12 authors  \n  ·  \n  Mar 11 3  \n\n\n"
    clean = parse_listing(listing(tmp_path, paper("Spaced Title", "An abstract.", "  • 12 authors")), 2025)
    messy = listing(tmp_path, body, name="messy.txt")
    messy.write_bytes(b"\xef\xbb\xbf" + messy.read_bytes().replace(b"\n", b"\r\n"))
    lst = parse_listing(messy, 2025)
    keep = ("title", "abstract", "authors_count", "date", "upvotes", "flags")
    assert [[getattr(e, k) for k in keep] for e in lst.entries] == \
        [[getattr(e, k) for k in keep] for e in clean.entries]
    assert lst.page_date == dt.date(2025, 10, 28)


def test_lone_cr_line_endings(tmp_path):
    path = listing(tmp_path, paper())
    path.write_bytes(path.read_bytes().replace(b"\n", b"\r"))
    assert parse_listing(path, 2025).entries[0].authors_count == 3


def test_any_unicode_is_kept(tmp_path):
    title = "大規模言語モデル: Ünïcödé — “quotes” & <script>alert(1)</script> 🚀"
    abstract = "Résumé: ∑ x² — naïve café; zero\u200bwidth; עברית; العربية."
    e = parse_listing(listing(tmp_path, paper(title, abstract)), 2025).entries[0]
    assert (e.title, e.abstract) == (title, abstract)


def test_control_characters_and_exotic_spaces_are_cleaned():
    assert clean_line("\ufeff\x00Title\x07 with\u00a0nbsp\u2003and\x0bvt\x85 ") == "Title with nbsp and vt"


def test_same_paper_in_several_files_has_one_identity(tmp_path):
    a = parse_listing(listing(tmp_path, paper("Scaling Laws: A Survey"), name="a.txt"), 2025)
    b = parse_listing(listing(tmp_path, paper("scaling laws — a survey ", date="Mar 11 9"), name="b.txt"), 2025)
    assert identity(a.entries[0].title) == identity(b.entries[0].title)


def test_not_a_listing_is_refused(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("Some notes\n\nabout nothing\n\nat all\n", encoding="utf-8")
    with pytest.raises(InputError, match="does not look like a Daily Papers listing"):
        parse_listing(path, 2025)


def test_unreadable_inputs_are_clear_errors(tmp_path):
    with pytest.raises(InputError, match="no such file"):
        parse_listing(tmp_path / "missing.txt", 2025)
    with pytest.raises(InputError, match="is a folder"):
        parse_listing(tmp_path, 2025)
    bad = tmp_path / "latin1.txt"
    bad.write_bytes(HEADER.encode() + "Oct 28\n\nCaf\xe9\n".encode("latin-1"))
    with pytest.raises(InputError, match="not UTF-8"):
        parse_listing(bad, 2025)


def test_empty_listing_reports_no_papers(tmp_path):
    lst = parse_listing(listing(tmp_path, ""), 2025)
    assert lst.entries == [] and "no papers" in lst.problems[0].message


def test_seeds_give_362_entries_of_294_papers():
    listings = [parse_listing(p, 2025) for p in SEEDS]
    entries = [e for lst in listings for e in lst.entries]
    assert [len(lst.entries) for lst in listings] == [84, 97, 88, 51, 42]
    assert len(entries) == 362 and len({identity(e.title) for e in entries}) == 294
    assert sum("no-metadata" in e.flags for e in entries) == 3
    assert [e.organization for e in entries if e.organization] == ["HuggingFaceFW FineData"]
    assert all(e.abstract for e in entries) and all(lst.page_date for lst in listings)
