"""feed.xml is valid Atom (parsed by feedparser) and feed.json is valid JSON Feed 1.1: newest 50, dates from papers.

feedparser 6.0 reads Atom but not JSON Feed, so feed.json is checked against the JSON Feed 1.1 spec's rules here.
"""
from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import feedparser
import pytest

from generator.content.files import load_papers
from generator.model.latex import clean_latex

BASE = "http://127.0.0.1/"


@pytest.fixture(scope="module")
def newest(seed_content: Path) -> list:
    papers, _, _ = load_papers(seed_content)
    dated = [p for p in papers if p.date]
    return sorted(dated, key=lambda p: (-p.date.toordinal(), -(p.upvotes or 0), p.title.casefold(), p.slug))[:50]


def test_atom_feed_is_valid_and_holds_the_newest_50(seed_site: Path, newest: list):
    feed = feedparser.parse((seed_site / "feed.xml").read_bytes())
    assert feed.version == "atom10" and not feed.bozo, feed.get("bozo_exception")
    assert feed.feed.title == "Paper Archive"
    assert feed.feed.updated == f"{newest[0].date.isoformat()}T00:00:00Z"  # from the papers, not the clock
    assert [l.href for l in feed.feed.links if l.rel == "self"] == [BASE + "feed.xml"]
    assert len(feed.entries) == 50
    assert [e.link for e in feed.entries] == [f"{BASE}papers/{p.slug}/" for p in newest]
    assert [e.title for e in feed.entries] == [clean_latex(p.title) for p in newest]  # LaTeX leftovers cleaned
    assert len({e.id for e in feed.entries}) == 50
    for entry, p in zip(feed.entries, newest):
        assert entry.published_parsed[:3] == (p.date.year, p.date.month, p.date.day)
        assert entry.author  # Atom requires an author
        if p.body:
            assert entry.summary == clean_latex(" ".join(p.body.split()))


def _rfc3339(value: str) -> dt.datetime:
    return dt.datetime.fromisoformat(value.replace("Z", "+00:00"))


def validate_json_feed(data: dict) -> None:
    """The JSON Feed 1.1 rules a reader relies on (https://jsonfeed.org/version/1.1)."""
    assert data["version"] == "https://jsonfeed.org/version/1.1"
    assert isinstance(data["title"], str) and data["title"]
    for key in ("home_page_url", "feed_url"):
        assert data[key].startswith(("http://", "https://"))
    assert isinstance(data["items"], list)
    ids = set()
    for item in data["items"]:
        assert isinstance(item["id"], str) and item["id"] not in ids
        ids.add(item["id"])
        assert isinstance(item.get("content_text", item.get("content_html")), str), item["id"]
        assert item["url"].startswith(("http://", "https://"))
        assert _rfc3339(item["date_published"]).tzinfo is not None
        for author in item.get("authors", []):
            assert isinstance(author["name"], str)


def test_json_feed_is_valid_and_matches_the_atom_feed(seed_site: Path, newest: list):
    data = json.loads((seed_site / "feed.json").read_text(encoding="utf-8"))
    validate_json_feed(data)
    assert data["feed_url"] == BASE + "feed.json"
    assert [i["url"] for i in data["items"]] == [f"{BASE}papers/{p.slug}/" for p in newest]
    assert [i["title"] for i in data["items"]] == [clean_latex(p.title) for p in newest]
    assert [i["date_published"][:10] for i in data["items"]] == [p.date.isoformat() for p in newest]


def test_json_feed_validator_rejects_a_broken_feed():
    good = {"version": "https://jsonfeed.org/version/1.1", "title": "T", "home_page_url": "https://x/",
            "feed_url": "https://x/feed.json",
            "items": [{"id": "1", "url": "https://x/1", "content_text": "", "date_published": "2025-01-01T00:00:00Z"}]}
    validate_json_feed(good)
    for broken in ({**good, "version": "1.0"}, {**good, "items": [{**good["items"][0], "date_published": "2025"}]},
                   {**good, "items": [{"id": "1", "url": "https://x/1", "date_published": "2025-01-01T00:00:00Z"}]}):
        with pytest.raises((AssertionError, KeyError, ValueError)):
            validate_json_feed(broken)


def test_pages_advertise_both_feeds(seed_site: Path):
    home = (seed_site / "index.html").read_text()
    assert '<link rel="alternate" type="application/atom+xml"' in home and 'href="/feed.xml"' in home
    assert '<link rel="alternate" type="application/feed+json"' in home and 'href="/feed.json"' in home
