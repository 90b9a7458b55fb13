"""Content files ↔ Paper objects: round trips, the schema, and frontmatter's fast paths against PyYAML."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from conftest import ROOT, write_tree
from generator.content.files import (Paper, content_path, dump_paper, iter_content_files, load_papers, parse_paper_text,
                               read_paper)
from generator.errors import ContentError
from generator.content.frontmatter import DUMP_OPTIONS, Dumper, Loader, _fast_load, _fast_yaml

# Any text a UTF-8 file can hold (no lone surrogates), weighted towards what breaks YAML and HTML.
HOSTILE = ["---", "- x: y", "# not a comment", "'", '"', "''", ": ", " #", "<script>alert(1)</script>", "&amp;",
           "yes", "null", "~", "2024-01-01", "1e5", "0x1f", "*ref", "&anchor", "!tag", "%YAML", "@", "`", "|", ">",
           "{a: b}", "[1, 2]", "\\", "\t", " ", "\u00a0", "\u2028", "\x85", "\ufeff", "\u200b", "é", "大", "🚀",
           "\r", "\n", "...", "? ", "=", "<<"]
text = st.text(alphabet=st.characters(blacklist_categories=("Cs",)))
hostile = st.lists(st.one_of(st.sampled_from(HOSTILE), text), min_size=1, max_size=6).map("".join)
title = st.one_of(hostile, text.filter(lambda s: s.strip()))
ascii_words = st.text(alphabet=st.sampled_from("abcXYZ019 -:#'\"!?&*,.[]{}|>%@`~=<"), min_size=1, max_size=20)
day = st.dates(min_value=dt.date(1991, 8, 14), max_value=dt.date(2099, 12, 31))


def papers(titles: st.SearchStrategy[str] = title, names: st.SearchStrategy[str] = text) -> st.SearchStrategy[Paper]:
    """Papers whose title and organisation come from `titles`, listing names from `names`."""
    seen = st.fixed_dictionaries({"listing": names.filter(bool), "page_date": day, "line": st.integers(1, 10**6),
                                  "upvotes": st.integers(0, 10**6)})
    return st.builds(
        Paper, title=titles.filter(lambda s: s.strip()), slug=st.from_regex(r"[a-z0-9]{1,8}(-[a-z0-9]{1,8}){0,3}",
                                                                          fullmatch=True),
        body=text, date=st.none() | day, authors_count=st.none() | st.integers(0, 5000),
        organization=st.none() | titles, upvotes=st.none() | st.integers(0, 10**6),
        flags=st.lists(st.sampled_from(["no-metadata", "no-abstract", "bad-date", "bad-metadata"]), unique=True),
        seen=st.lists(seen, max_size=3),
    )


ascii_papers = papers(ascii_words, ascii_words)


def roundtrip(paper: Paper, tmp: Path) -> Paper:
    path = tmp / "p.md"
    path.write_bytes(dump_paper(paper).encode("utf-8"))
    return read_paper(path)[0]


FIELDS = ("title", "slug", "date", "authors_count", "organization", "upvotes", "seen")


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(paper=st.one_of(papers(), ascii_papers))
@example(paper=Paper(title="---\n- x: y\n# z: 'q' \"r\" <script>", slug="a"))
@example(paper=Paper(title="title: x\n---\nbody", slug="a", body="---\nnot: front matter\n---"))
def test_hostile_titles_round_trip(tmp_path, paper):
    back = roundtrip(paper, tmp_path)
    assert [getattr(back, f) for f in FIELDS] == [getattr(paper, f) for f in FIELDS]
    assert back.flags == sorted(paper.flags)
    assert back.body == paper.body.replace("\r\n", "\n").replace("\r", "\n").strip("\n")
    assert dump_paper(back) == dump_paper(paper)


@settings(max_examples=500, deadline=None)
@given(paper=st.one_of(papers(), ascii_papers))
def test_fast_front_matter_writer_agrees_with_yaml_dump(paper):
    front = paper.front_matter()
    fast = _fast_yaml(front)
    assert fast is None or fast == yaml.dump(front, Dumper=Dumper, **DUMP_OPTIONS)


def test_fast_writer_handles_the_seed_archive():
    """Every seed paper but one non-ASCII title takes the fast path, with yaml.dump's bytes."""
    papers_, _, errors = load_papers(ROOT / "content")
    assert not errors and len(papers_) == 294
    fast = [p for p in papers_ if _fast_yaml(p.front_matter()) is not None]
    assert len(fast) >= 290
    for p in fast:
        assert _fast_yaml(p.front_matter()) == yaml.dump(p.front_matter(), Dumper=Dumper, **DUMP_OPTIONS)


line_value = st.one_of(ascii_words, st.sampled_from(["'a''b'", "'a'b'", "''", "'", "2025-02-30", "2025-2-3", "-0",
                                                     "007", "1_000", "1.5", "true", "a # c", "null", "[a]"]))
front_line = st.one_of(
    st.tuples(st.sampled_from(["title", "slug", "x-y", "_k", "yes", "a b"]), line_value).map(": ".join),
    st.sampled_from(["seen:", "- listing: a.txt", "  line: 3", "  upvotes: 0", "- flag", "-", "- ", "   x: 1",
                     "# comment", "", "title:", "  - nested", "- a: 1", "  b: 2", "  b: 2", "key:  two spaces"]),
)


@settings(max_examples=1000, deadline=None)
@given(st.lists(front_line, max_size=10))
def test_fast_front_matter_reader_agrees_with_yaml_load(lines):
    head = "".join(line + "\n" for line in lines)
    fast = _fast_load(head)
    if fast is None:
        return
    expected = yaml.load(head, Loader=Loader)
    assert fast == expected
    assert repr(fast) == repr(expected)  # same types too (int, date, str)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])
@given(paper=ascii_papers)
def test_fast_reader_reads_what_the_writer_writes(paper):
    front = paper.front_matter()
    fm = _fast_yaml(front)
    assume(fm is not None)
    assert _fast_load(fm) == yaml.load(fm, Loader=Loader) == front


def parse(text: str, name: str = "x.md") -> Paper:
    return parse_paper_text(text, Path(name))[0]


def error(text: str) -> ContentError:
    with pytest.raises(ContentError) as info:
        parse_paper_text(text, Path("x.md"))
    return info.value


def test_minimal_file_and_body():
    p = parse("---\ntitle: T\nslug: t\n---\n\nThe *abstract*.\n")
    assert (p.title, p.slug, p.body, p.date, p.body_line) == ("T", "t", "The *abstract*.", None, 5)


def test_future_fields_are_accepted_and_kept():
    text = ("---\nschema: 1\ntitle: T\nslug: t\narxiv_id: '2410.01234'\nauthors:\n- Ada Lovelace\n- name: Alan Turing\n"
            "github: https://github.com/x/y\nproject_page: https://x.org\nkeywords:\n- llm\n- rl\n---\n")
    paper, problems = parse_paper_text(text, Path("x.md"))
    assert problems == []
    assert paper.extra["arxiv_id"] == "2410.01234" and paper.extra["keywords"] == ["llm", "rl"]
    assert dump_paper(paper) == text


def test_unknown_field_is_a_warning_and_kept():
    paper, problems = parse_paper_text("---\ntitle: T\nslug: t\nmood: happy\n---\n", Path("x.md"))
    assert paper.extra == {"mood": "happy"} and "mood: happy" in dump_paper(paper)
    assert [(p.line, "unknown field `mood`" in p.message) for p in problems] == [(4, True)]


def test_empty_curator_field_survives_a_rewrite():
    paper = parse("---\ntitle: T\nslug: t\nnotes:\n---\n")
    assert "notes" in paper.extra and "notes: null" in dump_paper(paper)


@pytest.mark.parametrize("text, line, words", [
    ("title: T\n", 1, "no front matter"),
    ("---\ntitle: T\nslug: t\n", 1, "not closed"),
    ("---\ntitle: a: b\nslug: t\n---\n", 2, "not valid YAML"),
    ("---\nslug: t\n---\n", 2, "missing required field `title`"),
    ("---\ntitle: T\n---\n", 2, "missing required field `slug`"),
    ("---\ntitle: T\nslug: Not A Slug\n---\n", 3, "lower-case ASCII"),
    ("---\ntitle: T\nslug: t\ndate: 2025-02-30\n---\n", 4, "impossible date"),
    ("---\ntitle: T\nslug: t\ndate: March\n---\n", 4, "must be date"),
    ("---\ntitle: T\nslug: t\ndate: 2025-01-02 10:00:00\n---\n", 4, "not a time"),
    ("---\ntitle: T\nslug: t\nupvotes: -1\n---\n", 4, "cannot be negative"),
    ("---\ntitle: T\nslug: t\nupvotes: true\n---\n", 4, "must be int"),
    ("---\ntitle: T\nslug: t\nseen:\n- 1\n---\n", 4, "`seen` item"),
    ("---\ntitle: T\nslug: t\nflags:\n- 1\n---\n", 4, "must be text"),
    ("---\ntitle: T\nslug: t\ntitle: U\n---\n", 4, "given twice"),
    ("---\nschema: 9\ntitle: T\nslug: t\n---\n", 2, "upgrade papers"),
    ("---\n- a\n---\n", 2, "mapping"),
])
def test_schema_errors_name_the_line_and_the_fix(text, line, words):
    err = error(text)
    assert err.line == line and words in err.message and str(err).startswith(f"x.md:{line}: ")


def test_crlf_and_bom_content_files_are_read():
    p = parse("\ufeff---\r\ntitle: T\r\nslug: t\r\n---\r\n\r\nBody.\r\n")
    assert (p.title, p.body) == ("T", "Body.")


def test_layout_is_by_day_and_undated_by_first_letter(tmp_path):
    assert content_path(tmp_path, Paper("T", "slug", date=dt.date(2025, 3, 4))) == tmp_path / "2025/03/04/slug.md"
    assert content_path(tmp_path, Paper("T", "slug")) == tmp_path / "undated/s/slug.md"


def test_iter_content_files_is_sorted_and_skips_hidden(tmp_path):
    write_tree(tmp_path, {"b/x.md": "", "a/y.md": "", "a/.tmp.md": "", ".git/z.md": "", "a/n.txt": "", "a/b/c.md": ""})
    assert [p.relative_to(tmp_path).as_posix() for p in iter_content_files(tmp_path)] == \
        ["a/b/c.md", "a/y.md", "b/x.md"]


def test_load_papers_collects_errors_instead_of_stopping(tmp_path):
    write_tree(tmp_path, {"a.md": "---\ntitle: A\nslug: a\n---\n", "b.md": "no front matter"})
    papers_, problems, errors = load_papers(tmp_path)
    assert [p.slug for p in papers_] == ["a"] and [e.path for e in errors] == [tmp_path / "b.md"]


def test_shared_values_are_written_without_yaml_anchors():
    day = dt.date(2025, 3, 11)
    paper = Paper("Ünïcode goes through yaml.dump", "u", date=day,
                  seen=[{"listing": "a.txt", "page_date": day}, {"listing": "b.txt", "page_date": day}])
    text = dump_paper(paper)
    assert "&id" not in text and "*id" not in text and text.count("2025-03-11") == 3
