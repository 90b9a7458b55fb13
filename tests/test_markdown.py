"""markdown.py's shortcuts give what markdown-it gives: the plain-prose and linked-prose fast paths and the
linkify pretest filter."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from linkify_it import LinkifyIt

from conftest import ROOT, SHARED
from generator.content.files import load_papers
from generator.model.markdown import _md, _render, linked_paragraph, may_link, plain_paragraph, render_full

# Letters that re.IGNORECASE folds onto ASCII ones, Cyrillic TLD letters, Unicode spaces, and the characters
# the fast path must refuse, mixed with ordinary prose.
TRICKY = "ſKıİрфÅ\u00a0\u2028\u3000\t\n\0\ufeff"
PROSE = "abcdefghijklmnopqrstuvwxyz ABCXYZ 0123456789 .,;:()'\"?%$+=-/ éü–×≈"
MARKUP = "\\`*_[]!<>&~#@|{}"
words = st.text(alphabet=PROSE, min_size=1, max_size=12)
pieces = st.one_of(words, st.sampled_from(["http:", "https://x.io/a", "www.", "www.ex.org", "e.g.", "i.e.", "3.5",
                                           "1.2.3.4", "localhost", "LOCALHOST", "mailto:", "ftp:", "a@b.co", "x.com",
                                           "x.com/p", "x.ſe", "x.ſe/p", "HTTPſ:", ". ", "1. ", "- ", "+ ", "# ",
                                           "    ", "  ", "&amp;", "<b>", "*a*", "`c`", "café.com/x", "x.рф/y",
                                           "&#38;", "&#x26;", "&copy;", "&copy", "R&D", "& ", "<http:", "<a",
                                           "<x:y>", " > ", "> ", "<", ">", "\\!", "\\u", "\\\\", "\\", "~~~",
                                           "~", "!", "![", "1) ", "2025. "]),
                   st.text(alphabet=TRICKY + MARKUP, min_size=1, max_size=2))
texts = st.lists(pieces, max_size=20).map("".join)


LINKIFY = LinkifyIt()  # as markdown-it makes it, without markdown.py's may_link filters


def _linkify_may_match(text: str) -> bool:
    return LINKIFY.pretest(text) or LINKIFY.test(text)


def test_the_pretest_is_the_one_may_link_was_written_for():
    """may_link mirrors linkify-it's pretest; a linkify-it upgrade that changes it must fail here."""
    r = _md().linkify.re
    assert {k: v for k, v in r.items() if isinstance(v, str)} == {k: v for k, v in LINKIFY.re.items()
                                                                  if isinstance(v, str)}
    assert r["pretest"] == "(" + r["schema_test"] + ")|(" + r["host_fuzzy_test"] + ")|@"
    assert r["schema_test"].endswith(")(http:|https:|ftp:|//|mailto:)")
    assert r["host_fuzzy_test"].startswith("localhost|www\\.|\\.\\d{1,3}\\.|(?:\\.(?:")


@settings(max_examples=3000, deadline=None)
@given(texts)
@example("see github.com/x/y")
@example("localhoſt")
@example("HTTPſ://x")
@example("model.The")
def test_may_link_is_false_only_when_the_pretest_is(text: str):
    if not may_link(text):
        assert not _linkify_may_match(text)


@settings(max_examples=3000, deadline=None)
@given(texts)
@example('A "quoted" plain abstract, e.g. with 3.5 points; 100% (really)?')
@example("2025) starts like a list")
@example("Trailing space ")
def test_the_plain_fast_path_is_what_markdown_it_renders(text: str):
    plain = plain_paragraph(text)
    if plain is not None:
        assert (plain, ()) == render_full(text)


LETTERS = "abcxyzABCXYZ019 .,;:()'\"?%$+=-/"
NEAR_MISSES = st.sampled_from(["&", "<", ">", "\\", "~", "!", "&#", "&#1;", "&x;", "&amp;", "&lt", "& x;", "<a:",
                               "<ab:c>", "<a", "< b:", "\\*", "\\a", "\\\\", "\\ ", "~~~", "!!", ">>", "a&b;"])
near_plain = st.lists(st.one_of(st.text(alphabet=LETTERS, min_size=1, max_size=8), NEAR_MISSES),
                      min_size=1, max_size=15).map("".join)


@settings(max_examples=3000, deadline=None)
@given(near_plain)
def test_the_fast_path_escapes_what_markdown_it_escapes_and_leaves_the_rest(text: str):
    """Ampersands, angle brackets, backslashes, tildes: text, except where they make syntax."""
    plain = plain_paragraph(text)
    if plain is not None:
        assert (plain, ()) == render_full(text)


UNDERSCORED = st.sampled_from(["_", "__", "a_b", "x_1", "snake_case", "_a", "a_", "\\_", "\\\\_", "\\*", "\\%",
                                "\\\\", "\\", "\\a", "*", "\\*_", "_\\*", "(_", "_)", "é_a", "a_é", "1_2", "&#1;", "\\&",
                                "\\<", "<a:", "`", "\\`", "[", "\\[", "]", "~", "!"])
underscored = st.lists(st.one_of(st.text(alphabet="abxyz019 .,;:()'?%-", min_size=1, max_size=6), UNDERSCORED),
                       min_size=1, max_size=14).map("".join)


@settings(max_examples=4000, deadline=None)
@given(underscored)
@example("x\\*_a_\\*y")  # `_` after an escaped `*` can open emphasis: not plain
@example("a \\% of snake_case and x_1 \\_n\\_")
def test_inner_underscores_and_backslash_escapes_are_text_as_markdown_it_renders_them(text: str):
    plain = plain_paragraph(text)
    if plain is not None:
        assert (plain, ()) == render_full(text)
    assert _render(text) == render_full(text)


def test_the_fast_path_takes_inner_underscores_and_escapes():
    assert plain_paragraph("We use snake_case names, cut 40\\% of it and x_1__y.") == (
        "<p>We use snake_case names, cut 40% of it and x_1__y.</p>\n")
    assert plain_paragraph("an _emphasis_") is None and plain_paragraph("x\\*_a_\\*y") is None
    assert plain_paragraph("Fast training.We show Phi.This works") == "<p>Fast training.We show Phi.This works</p>\n"
    # linkify-it links a bare name, and render_full drops the link again: plain, without asking linkify-it
    assert plain_paragraph("See en.wikipedia.org for more") == "<p>See en.wikipedia.org for more</p>\n"
    assert plain_paragraph("See en.wikipedia.org/wiki/X for more") is None  # a path: a link


@pytest.mark.parametrize("text, fast", [
    ("a * b and c", True), ("a * b and c ** d", False), ("a *b* c", False), ("an `open tick and ``two", True), ("a `code` span", False),
    ("``a` and `b``", False), ("We show [1], [Results] and ]x[", True), ("see [a](b)", False), ("* an item", False),
    ("a lone _underscore and x_y", True), ("_a first one", False), ("_a_ b", False), ("a _b_ c", False), ("mixed * and _ and ` and [", True),
    ("***", False), ("```fence", False), ("[x]: /url", False), ("R&D * 2", True), ("a &amp; *", False),
    ("x_* and *_y", False), ("performance.In this * work", True), ("model.By `x", True), ("x.in?a%20b c", False),
    ("see www.x.io now", False), ("X.IN:80 and Y.COM#f", True), ("mail a@b.co", False),
    ("up 5% on model.In and 7 %", True), ("x.in?a%2Fb c", True), ("x.in?a%2fb c", False), ("x.in?a%20b c", False)])
def test_syntax_that_makes_nothing_and_bare_names_take_the_fast_path(text: str, fast: bool):
    """`*`, `_`, backticks and brackets that can open nothing, and names linkify-it links but render_full turns
    back into text, are plain; what markdown-it makes something of is not."""
    plain = plain_paragraph(text)
    assert (plain is not None) is fast
    if fast:
        assert (plain, ()) == render_full(text)


BARE = st.sampled_from(["model.In", "x.com", "X.COM", "a.b.c.io", "x.com:80", "x.in?q", "x.in#f", "x.in.", "e.g.",
                        "3.5", "train.py", "en.wikipedia.org", "localhost", "localhost:8080", "x.in?a%20b",
                        "xn--e1a.com", "www.x.io", "x.com/p", "a@b.co", "mailto:x", "and/or", "x.рф",
                        "\u00e9.com", "1.2.3.4", "x.in:", ".in", "x..in", "-x.in", "_x.in", "x_y.in", "https://a.io/b",
                        "5%", "%2F", "%e9", "x.in?a%2", "x.in#%41"])
SYNTAXISH = st.sampled_from(["*", "**", "_", "__", "`", "``", "```", "[", "]", "](", "[x]", "[x](y)", "](x)", "`a`",
                             "*a*", "_a_", "&amp;", "&#1;", "<a:b>", "(", ")", " ", "  ", "\\*", "\\`", "\\["])
mixed = st.lists(st.one_of(st.text(alphabet="abxyzAB019 .,;:()'?-", min_size=1, max_size=6), BARE, SYNTAXISH),
                 min_size=1, max_size=14).map("".join)


@settings(max_examples=5000, deadline=None)
@given(mixed)
@example("a * b [1] `c and model.In d")
@example("See en.wikipedia.org and https://a.io/b then model.In")
def test_bare_names_and_inert_syntax_render_as_markdown_it_renders_them(text: str):
    plain = plain_paragraph(text)
    if plain is not None:
        assert (plain, ()) == render_full(text)
    linked = linked_paragraph(text)
    if linked is not None:
        assert linked == render_full(text)
    assert _render(text) == render_full(text)


# URLs as abstracts hold them, and what sits next to them: trailing punctuation, a second URL, schemes
# linkify-it does not know, `javascript:`, `*`, e-mail and bare domain names the core rule would link.
URL_PIECES = st.sampled_from(["https://github.com/a/b", "http://x.io", "https://x.io/p?q=1&r=2#f", "HTTPS://X.IO/A",
                              "https://x.io/a.", "https://x.io/(a)", "(https://x.io/a)", "https://x.io/a,",
                              "https://x.io/a;b", "ftp://x.io/f", "foo://x.io", "git+https://x.io/r", "://x",
                              "https://", "https:// x", "javascript://x.io", "https://x.io/a*", "https://xn--e1a.рф/п",
                              "https://x.io/%E2%82%AC", "https://x.io/\"", "https://x.io/'", "https://a.b/c/https://d.e",
                              "https://x.io/a\u00e9", "mailto:a@b.co", "a@b.co", "www.x.io", "x.com/p", "e.g.", "3.5",
                              "1.2.3.4", "x.io", "https://localhost:8080/x", "https://1.2.3.4/x", ". ", ", ", " ", "  ",
                              ">", "&", "<", "~", "!", "#", "- ", "1. "])
linked_texts = st.lists(st.one_of(st.text(alphabet=LETTERS, min_size=1, max_size=8), URL_PIECES),
                        min_size=1, max_size=14).map("".join)


@settings(max_examples=4000, deadline=None)
@given(linked_texts)
@example("Code: https://github.com/a/b.")
@example("See https://a.io/x and http://b.io/y, also https://a.io/x")
@example("https://x.io/a https://x.io/b")
@example("see foo://x.io or https://y.io")
@example("mail a@b.co or see https://y.io")
def test_the_linked_fast_path_is_what_markdown_it_renders(text: str):
    linked = linked_paragraph(text)
    if linked is not None:
        assert linked == render_full(text)
    plain = plain_paragraph(text)  # and the plain one, where linkify-it finds no link in what may hold one
    if plain is not None:
        assert (plain, ()) == render_full(text)


def _corpus_bodies(tmp_path: Path) -> list[str]:
    bodies = [p.body for p in load_papers(ROOT / "content")[0]]
    make = SHARED / "bench" / "make_corpus.py"
    if make.is_file():
        listing = tmp_path / "c.txt"
        listing.write_bytes(subprocess.run([sys.executable, str(make), "1500"], capture_output=True,
                                           check=True).stdout)
        subprocess.run([sys.executable, "-m", "generator", "import", "-q", "--year", "2025", "--content",
                        str(tmp_path / "content"), str(listing)], cwd=ROOT, check=True)
        bodies += [p.body for p in load_papers(tmp_path / "content")[0]]
    return bodies


def test_fast_and_full_agree_on_the_seed_and_bench_abstracts(tmp_path: Path):
    bodies = _corpus_bodies(tmp_path)
    fast = sum(plain_paragraph(b) is not None for b in bodies)
    assert fast > len(bodies) / 3  # the fast path is taken, or it is pointless
    assert sum(linked_paragraph(b) is not None for b in bodies) > len(bodies) / 20  # and so is the linked one
    for body in bodies:
        assert _render(body) == render_full(body), body
        if not may_link(body):
            assert not _linkify_may_match(body)


@pytest.mark.parametrize("text", ["", " ", "plain", "plain text.", "  indented", "x  y"])
def test_edge_cases(text: str):
    assert _render(text) == render_full(text)
