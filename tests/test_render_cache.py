"""Listing rows are rendered once per build, unless the row template reads more than the row's own data."""
from __future__ import annotations

from pathlib import Path

import pytest

from conftest import run_papers, tree, write_tree
from generator.config import load_config
from generator.render.renderer import Renderer, RowCache
from generator.render.theme import Theme

PAPER = "---\ntitle: {t}\nslug: {t}\ndate: 2025-01-0{d}\norganization: Acme Lab\nupvotes: 1\n---\n\nText.\n"


def project(root: Path, extra: dict[str, str] | None = None) -> Path:
    write_tree(root, {f"content/2025/01/0{d}/{t}.md": PAPER.format(t=t, d=d) for t, d in (("aa", 1), ("bb", 2))})
    write_tree(root, extra or {})
    return root / "content"


def test_the_default_row_is_cached_and_an_override_reading_the_page_is_not(tmp_path: Path):
    content = project(tmp_path)
    config = load_config(None, content, None)
    assert Renderer(config, Theme(config), {}).env.globals["paper_row"]._is_pure()
    write_tree(tmp_path, {"overrides/templates/partials/byline.html": "{{ p.organization }} on a {{ kind }} page"})
    row = Renderer(config, Theme(config), {}).env.globals["paper_row"]
    assert isinstance(row, RowCache) and not row._is_pure()  # byline is included by the row: it counts too


def test_an_override_that_reads_the_page_kind_sees_each_page(tmp_path: Path):
    content = project(tmp_path, {"overrides/templates/partials/paper_row.html":
                                 "<li>{{ p.title }} listed on a {{ kind }} page</li>\n"})
    out = tmp_path / "site"
    run_papers("build", "--content", str(content), "--out", str(out), "-q", check=True)
    assert "aa listed on a day page" in (out / "date/2025-01-01/index.html").read_text()
    assert "aa listed on a week page" in (out / "week/2025-W01/index.html").read_text()
    assert "aa listed on a org page" in (out / "org/acme-lab/index.html").read_text()


def many(root: Path) -> Path:
    """40 papers over nine weeks and three months (a week across two months among them), two organisations."""
    import datetime as dt
    files = {}
    for i in range(40):
        day = dt.date(2025, 1, 20) + dt.timedelta(days=i * 37 // 20)
        files[f"content/{day:%Y/%m/%d}/p{i}.md"] = (f"---\ntitle: Paper {i}\nslug: p{i}\ndate: {day}\norganization: "
                                                     f"Lab {i % 2}\nupvotes: {i % 7}\n---\n\nText {i}.\n")
    write_tree(root, files)
    return root / "content"


def test_rows_that_left_the_cache_are_rendered_again_the_same(tmp_path: Path, monkeypatch):
    from generator.build.pipeline import build
    content = many(tmp_path)
    build(content, tmp_path / "kept")
    monkeypatch.setattr(RowCache, "FRESH", 1)  # every row leaves before it is asked for again
    build(content, tmp_path / "evicted")
    kept, evicted = tree(tmp_path / "kept"), tree(tmp_path / "evicted")
    assert kept == evicted and any(k.startswith("week/") for k in kept)


def row_cache(tmp_path: Path):
    """The cards of many()'s papers, a new RowCache, and a template that asks it for a row."""
    from generator.content.files import load_papers
    from generator.model.site import Memo, build_model
    content = many(tmp_path)
    config = load_config(None, content, None)
    memo = Memo(keep=False)
    cards = [memo.card(p) for p in build_model(load_papers(content)[0], memo).papers]
    rows = Renderer(config, Theme(config), {}).env.globals["paper_row"]
    return cards, rows, rows.env.from_string("{{ paper_row(p) }}")


def test_a_row_asked_for_again_is_kept_and_one_asked_for_once_leaves(tmp_path: Path, monkeypatch):
    cards, rows, template = row_cache(tmp_path)
    monkeypatch.setattr(rows, "FRESH", 3)
    first = template.render(p=cards[0], show_date=True)
    assert template.render(p=cards[0], show_date=True) == first  # asked again while fresh: kept
    for c in cards[1:6]:  # asked for once each
        template.render(p=c, show_date=False)
    assert (id(cards[0]), True) in rows.rows and len(rows.rows) == 1
    assert list(rows.fresh) == [(id(c), False) for c in cards[3:6]]  # the last three made, oldest first


def test_the_rows_kept_are_the_last_asked_for_again_and_no_more(tmp_path: Path, monkeypatch):
    cards, rows, template = row_cache(tmp_path)
    monkeypatch.setattr(rows, "KEPT", 2)
    for c in cards[:3]:  # each asked for twice: kept
        assert template.render(p=c, show_date=True) == template.render(p=c, show_date=True)
    assert list(rows.rows) == [(id(c), True) for c in cards[1:3]]  # the first left: KEPT is 2
    template.render(p=cards[1], show_date=True)  # asked for again: now the last
    template.render(p=cards[3], show_date=True)
    template.render(p=cards[3], show_date=True)
    assert list(rows.rows) == [(id(cards[1]), True), (id(cards[3]), True)]
    again = template.render(p=cards[0], show_date=True)  # left the cache: rendered again, the same
    assert again == row_cache(tmp_path / "new")[2].render(p=cards[0], show_date=True)


def test_held_rows_are_kept_after_they_leave_until_released(tmp_path: Path, monkeypatch):
    cards, rows, template = row_cache(tmp_path)
    monkeypatch.setattr(rows, "KEPT", 1)
    rows.hold(cards[:1])  # a later page (a topic page, say) will show the first card's row
    for c in cards[:3]:  # each asked for twice: kept, then pushed out by the next
        template.render(p=c, show_date=True), template.render(p=c, show_date=True)
    assert list(rows.held) == [(id(cards[0]), True)]  # the held card's row stayed; the second's left
    made = []
    monkeypatch.setattr(rows.env, "get_template", lambda *a, **k: made.append(a) or pytest.fail("rendered again"))
    assert template.render(p=cards[0], show_date=True) == row_cache(tmp_path / "new")[2].render(
        p=cards[0], show_date=True) and not made
    rows.release()
    assert not rows.held and not rows.wanted


def test_a_build_holds_the_rows_its_organisation_pages_show(tmp_path: Path, monkeypatch):
    from generator.build.pipeline import build
    content = many(tmp_path)
    build(content, tmp_path / "kept")
    held = []
    release = RowCache.release
    monkeypatch.setenv("PAPERS_JOBS", "1")  # one process: what it held is seen here
    monkeypatch.setattr(RowCache, "KEPT", 1)
    monkeypatch.setattr(RowCache, "release", lambda self: held.append(len(self.held)) or release(self))
    build(content, tmp_path / "held")
    assert max(held) > 0 and tree(tmp_path / "kept") == tree(tmp_path / "held")


def test_each_day_week_and_month_page_comes_right_after_the_days_it_shows(tmp_path: Path):
    from generator.content.files import load_papers
    from generator.model.site import build_model, pages
    from generator.render.batch import by_period
    content = many(tmp_path)
    all_pages = pages(build_model(load_papers(content)[0]), load_config(None, content, None))
    ordered = by_period(all_pages)
    assert sorted(map(id, ordered)) == sorted(map(id, all_pages))
    periods = {"day", "week", "month"}
    assert [p for p in ordered if p.kind not in periods] == [p for p in all_pages if p.kind not in periods]
    assert [i for i, p in enumerate(ordered) if p.kind in periods] == [
        i for i, p in enumerate(all_pages) if p.kind in periods]  # the same places, in another order
    at = {p.path: i for i, p in enumerate(ordered)}
    spans = 0
    for p in ordered:
        if p.kind in ("week", "month"):
            days = [at[f"date/{d['date']}/index.html"] for d in p.context["days"]]
            assert max(days) < at[p.path]
            later = [q for q in ordered[max(days) + 1:at[p.path]] if q.kind == "day"]
            assert not later  # no other day's page between its last day and it
            spans += len({d["date"][:7] for d in p.context["days"]}) > 1
    assert spans  # a week across two months is among them


def test_the_render_split_prices_pages_without_making_their_contexts_and_balances_the_listings():
    from generator.model.memo import Page
    from generator.render.batch import _split

    def never() -> dict:
        raise AssertionError("a context was made to price a page")
    papers = [Page(f"papers/{i}/index.html", "paper.html", None, "paper", make=never) for i in range(200)]
    bibs = [Page(f"papers/{i}/{i}.bib", "paper.bib", None, "bib", make=never) for i in range(200)]
    row = {"title": "t"}
    days = [Page(f"date/{i}/index.html", "day.html", {"papers": [row] * 30}, "day") for i in range(40)]
    todo = [p for pair in zip(papers, bibs) for p in pair] + days
    first, second = _split(todo, 2)
    assert first + second == todo
    # a paper page costs ~7 .bib files and a day of 30 new rows ~3.2 paper pages (measured): the listings
    # take a third of the work, so the share holding them has fewer paper pages
    assert sum(p.kind == "paper" for p in second) < 100 - 30
    assert all(p.kind != "day" for p in first)


def test_a_kept_row_is_held_as_utf8_and_given_back_as_the_same_markup(tmp_path: Path):
    """Rows are kept as UTF-8 bytes (a teaser's `…` would make the str two bytes a character: ~31 MB of rows
    at 100k papers as str) and come back as the Markup a fresh render makes."""
    from markupsafe import Markup
    cards, rows, template = row_cache(tmp_path)
    first = template.render(p=cards[0], show_date=True)
    kept = rows.fresh[(id(cards[0]), True)][1]
    assert isinstance(kept, bytes) and kept.decode() in first
    again = rows.env.from_string("{{ paper_row(p).__class__.__name__ }}|{{ paper_row(p) }}").render(
        p=cards[0], show_date=True)
    assert again == f"{Markup.__name__}|{first}"
