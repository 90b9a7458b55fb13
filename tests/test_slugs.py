"""Identities and slugs."""
from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from generator.content.slugs import SLUG_MAX, disambiguate, identity, slugify

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def test_identity_ignores_case_punctuation_whitespace_and_compatibility_forms():
    base = identity("Scaling Laws: A Survey")
    assert base == "scaling laws a survey"
    for variant in ("scaling laws — a survey", "  SCALING   LAWS: A SURVEY!", "Scaling\u00a0Laws:\tA Survey",
                    "Ｓｃａｌｉｎｇ Ｌａｗｓ: A Survey", "Scaling Laws:\u200b A Survey"):
        assert identity(variant) == base, variant


def test_identity_keeps_what_tells_papers_apart():
    assert identity("GPT-4 Technical Report") != identity("GPT-3 Technical Report")
    assert identity("C++ Tricks") != identity("C Tricks")  # `+` is a symbol, not punctuation
    assert identity("大規模言語モデル") != identity("小規模言語モデル")


def test_identity_of_punctuation_only_titles_is_not_empty():
    assert identity("???") and identity("???") != identity("!!!")


def test_slug_is_readable_ascii():
    assert slugify("YuE: Scaling Open Foundation Models for Long-Form Music Generation") == \
        "yue-scaling-open-foundation-models-for-long-form-music-generation"
    assert slugify("Ünïcödé Straße Æther Łódź") == "unicode-strasse-aether-lodz"


def test_slug_is_bounded_and_cut_at_a_word():
    slug = slugify("Word " * 100)
    assert len(slug) <= SLUG_MAX and slug.endswith("word") and SLUG_RE.match(slug)
    assert len(slugify("x" * 500)) == SLUG_MAX


def test_all_cjk_title_gets_a_slug():
    slug = slugify("大規模言語モデルの評価")
    assert SLUG_RE.match(slug) and slug.startswith("paper-")
    assert slugify("大規模言語モデルの評価") == slug != slugify("小規模言語モデルの評価")


def test_disambiguate_is_stable_unique_and_bounded():
    a, b = identity("C++ Tricks"), identity("C Tricks")
    assert slugify("C++ Tricks") == slugify("C Tricks") == "c-tricks"
    assert disambiguate("c-tricks", a) == disambiguate("c-tricks", a) != disambiguate("c-tricks", b)
    long = slugify("Word " * 100)
    assert len(disambiguate(long, a)) <= SLUG_MAX
    taken = {disambiguate("c-tricks", a)}
    assert disambiguate("c-tricks", a, taken) not in taken


@settings(max_examples=300, deadline=None)
@given(st.text(min_size=1))
def test_any_title_gets_a_valid_bounded_slug(title):
    slug = slugify(title)
    assert SLUG_RE.match(slug) and len(slug) <= SLUG_MAX
    assert slugify(title) == slug
    assert SLUG_RE.match(disambiguate(slug, identity(title))) and len(disambiguate(slug, identity(title))) <= SLUG_MAX


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_identity_is_idempotent_and_normalised(title):
    key = identity(title)
    assert identity(key) == key or not key.strip()
    assert key == key.strip() and "  " not in key
