"""The site model: grouping, ordering, neighbours, the pages it makes; and a page for every seed paper and date."""
from __future__ import annotations

import datetime as dt
from pathlib import Path
from urllib.parse import quote

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from generator.config import SiteConfig
from generator.content.files import Paper, load_papers
from generator.model.site import build_model, iso_week, month_calendar, pages, source_date
from generator.model.urls import quote_all


def P(slug: str, date: str | None, upvotes: int = 0, org: str | None = None, body: str = "Text.") -> Paper:
    return Paper(title=slug.replace("-", " ").title(), slug=slug, body=body,
                 date=dt.date.fromisoformat(date) if date else None, upvotes=upvotes, organization=org)


PAPERS = [
    P("low", "2021-01-01", 1), P("high", "2021-01-01", 9, org="Acme Lab"), P("mid", "2021-01-01", 5),
    P("next-year", "2022-03-04", 2, org="Acme Lab"), P("gap", "2019-12-31", 0), P("nodate", None, 3),
]


@pytest.fixture
def site_pages():
    return {p.path: p for p in pages(build_model(PAPERS), SiteConfig(home_papers=2, home_days=5, feed_size=3))}


def test_iso_weeks_use_the_iso_year():
    assert iso_week(dt.date(2021, 1, 1)) == "2020-W53"
    assert iso_week(dt.date(2024, 12, 30)) == "2025-W01"
    assert iso_week(dt.date(2019, 12, 31)) == "2020-W01"


def test_groups():
    model = build_model(PAPERS)
    assert list(model.days) == ["2019-12-31", "2021-01-01", "2022-03-04"]
    assert list(model.weeks) == ["2020-W01", "2020-W53", "2022-W09"]
    assert sorted(model.months) == ["2019-12", "2021-01", "2022-03"]
    assert [p.slug for p in model.undated] == ["nodate"]
    assert list(model.orgs) == ["acme-lab"] and len(model.orgs["acme-lab"][1]) == 2
    assert [p.slug for p in model.papers] == ["gap", "high", "mid", "low", "next-year", "nodate"]


def test_day_page_sorts_by_upvotes_and_links_to_neighbouring_days_with_papers(site_pages):
    day = site_pages["date/2021-01-01/index.html"].context
    assert [c["slug"] for c in day["papers"]] == ["high", "mid", "low"]
    assert (day["prev"], day["next"]) == ("2019-12-31", "2022-03-04")  # skips the empty dates between
    assert (day["week"], day["month"]) == ("2020-W53", "2021-01")
    first = site_pages["date/2019-12-31/index.html"].context
    assert first["prev"] is None and first["next"] == "2021-01-01"


def test_home_shows_whole_latest_days_until_enough_papers(site_pages):
    home = site_pages["index.html"].context
    assert [d["date"] for d in home["days"]] == ["2022-03-04", "2021-01-01"]  # 1 paper, then a whole day of 3
    assert home["more"] is True
    assert [m["month"] for m in home["recent_months"]] == ["2022-03", "2021-01", "2019-12"]


def test_home_never_exceeds_home_days():
    many = [P(f"p{i}", f"2024-01-{i + 1:02d}") for i in range(10)]
    home = pages(build_model(many), SiteConfig(home_papers=100, home_days=4))[0]
    assert len(home.context["days"]) == 4


def test_paper_neighbours_follow_site_order(site_pages):
    high = site_pages["papers/high/index.html"].context
    assert (high["prev"]["slug"], high["next"]["slug"]) == ("gap", "mid")
    assert site_pages["papers/gap/index.html"].context["prev"] is None
    assert site_pages["papers/nodate/index.html"].context["next"] is None


def test_month_page_has_a_calendar_of_its_days(site_pages):
    month = site_pages["month/2021-01/index.html"].context
    assert [d["date"] for d in month["days"]] == ["2021-01-01"]
    cal = month["calendar"]
    assert cal[0][:4] == [None, None, None, None]  # 2021-01-01 is a Friday
    assert cal[0][4] == {"day": 1, "date": "2021-01-01", "count": 3}
    assert all(len(week) == 7 for week in cal)
    assert sum(1 for week in cal for c in week if c) == 31


def test_month_calendar_february_leap_year():
    cal = month_calendar("2024-02", {})
    assert [c["day"] for week in cal for c in week if c][-1] == 29


def test_archive_lists_years_with_twelve_month_cells(site_pages):
    archive = site_pages["archive/index.html"].context
    assert [y["year"] for y in archive["years"]] == ["2022", "2021", "2019"]
    y2021 = archive["years"][1]
    assert len(y2021["months"]) == 12 and y2021["count"] == 3
    jan = y2021["months"][0]
    assert (jan["count"], jan["link"], jan["days"]) == (3, "month/2021-01/", 1)
    assert y2021["months"][1]["link"] is None
    assert (archive["undated"], archive["total"], archive["peak"]) == (1, 6, 3)


def test_feeds_hold_the_newest_dated_papers(site_pages):
    feed = site_pages["feed.xml"].context
    assert [e["slug"] for e in feed["entries"]] == ["next-year", "high", "mid"]
    assert feed["updated"] == "2022-03-04"


def test_empty_feed_uses_source_date_epoch(monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    assert source_date() == "2023-11-14"
    feed = {p.path: p for p in pages(build_model([]), SiteConfig())}["feed.xml"].context
    assert feed == {"entries": [], "updated": "2023-11-14"}
    monkeypatch.delenv("SOURCE_DATE_EPOCH")
    assert source_date() == "1970-01-01"


def test_every_kind_of_page_exists(site_pages):
    kinds = {p.kind for p in site_pages.values()}
    assert kinds >= {"home", "paper", "day", "week", "month", "archive", "org", "orgs", "undated", "404", "feed",
                     "sitemap", "robots"}
    assert "org/acme-lab/index.html" in site_pages and "week/2020-W53/index.html" in site_pages
    sitemap = [u["loc"] for u in site_pages["sitemap.xml"].context["urls"]]
    assert "papers/nodate/" in sitemap and "search/" not in sitemap and "404.html" not in sitemap


def test_signature_changes_with_the_context():
    a = pages(build_model(PAPERS), SiteConfig())
    changed = [P(p.slug, p.date.isoformat() if p.date else None, p.upvotes or 0, p.organization) for p in PAPERS]
    changed[0].upvotes = 99  # "low" now tops its day
    b = {p.path: p for p in pages(build_model(changed), SiteConfig())}
    for page in a:
        same = page.signature("t") == b[page.path].signature("t")
        if page.path in ("date/2021-01-01/index.html", "papers/low/index.html"):
            assert not same, page.path


def test_the_seed_site_has_a_page_for_every_paper_and_every_date(seed_content: Path, seed_site: Path):
    papers, _, errors = load_papers(seed_content)
    assert not errors and len(papers) > 200
    for p in papers:
        assert (seed_site / "papers" / p.slug / "index.html").is_file(), p.slug
    dates = {p.date.isoformat() for p in papers if p.date}
    built = {d.name for d in (seed_site / "date").iterdir()}
    assert built == dates
    months = {d[:7] for d in dates}
    assert {d.name for d in (seed_site / "month").iterdir()} == months
    assert {d.name for d in (seed_site / "week").iterdir()} == {iso_week(dt.date.fromisoformat(d)) for d in dates}
    assert len(list((seed_site / "papers").iterdir())) == len(papers)


@settings(max_examples=2000, deadline=None)
@given(st.text())
@example("Attention Is All You Need: 100% & (more) ~_.-/?#[]@!$'*+,;= é – 你好 🤖")
def test_quote_all_is_urllib_quote_with_nothing_safe(title: str):
    """The search links' quoting (a table, for speed) is urllib's quote(title, safe=""), errors included."""
    try:
        expected = quote(title, safe="")
    except UnicodeEncodeError:
        with pytest.raises(UnicodeEncodeError):
            quote_all(title)
        return
    assert quote_all(title) == expected
