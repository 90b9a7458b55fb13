"""util/text.py: one_line is `" ".join(text.split())` for every kind of whitespace."""
from __future__ import annotations

import sys

from generator.util.text import one_line

SPACES = [chr(c) for c in range(sys.maxunicode + 1) if chr(c).isspace()]  # every char str.split() splits at


def test_one_line_is_the_join_of_the_split_for_every_whitespace_character():
    assert len(SPACES) > 20
    samples = ["", " ", "a", "a b", "a  b", " a", "a ", "plain prose, as most abstracts are.", "é ü 日本 😀"]
    for space in SPACES:
        samples += [f"a{space}b", f"{space}a", f"a{space}", f"a {space}b", f"a{space}{space}b"]
    samples += ["a\u200bb", "a\u00adb", "a\x00b", "a\u2060b"]  # no whitespace to str.split: kept as they are
    for text in samples:
        assert one_line(text) == " ".join(text.split()), repr(text)


def test_a_text_already_on_one_line_is_given_back_itself():
    text = "A plain abstract of " + "many words " * 200 + "end."
    assert one_line(text) is text
    assert one_line(text + " ") == text


def test_citation_dates_are_strftimes_before_and_after_the_year_1000():
    import datetime as dt

    from generator.content.files import Paper
    from generator.model.paper import citation_tags

    for day in [dt.date(2025, 3, 1), dt.date(999, 12, 31), dt.date(1, 1, 1), dt.date(1000, 1, 2)]:
        p = Paper(title="T", slug="t", date=day, body="", path=None)
        tags = dict(citation_tags(p, None, []))
        assert tags["citation_date"] == tags["citation_publication_date"] == day.strftime("%Y/%m/%d")
