"""Accessibility: axe-core in headless Chromium finds no violation at all, in light and dark mode, at 1280 and 390 px.

axe is injected as a script, which the site's own CSP would refuse, so the browser context bypasses the CSP;
test_netlify.py checks separately that every page loads cleanly under the CSP.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from conftest import ROOT

AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]


def pages_to_check(site: Path) -> dict[str, str]:
    papers = sorted(p.name for p in (site / "papers").iterdir())
    dates = sorted(p.name for p in (site / "date").iterdir())
    months = sorted(p.name for p in (site / "month").iterdir())
    return {"home": "", "day": f"date/{dates[-1]}/", "paper": f"papers/{papers[len(papers) // 2]}/",
            "archive": "archive/", "month": f"month/{months[-1]}/"}


@pytest.fixture(scope="module")
def axe_page(browser, seed_server):
    if not AXE.is_file():
        pytest.fail(f"{AXE} is missing: run `npm install` (package.json lists axe-core)")
    context = browser.new_context(bypass_csp=True, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    yield page
    context.close()


def fetched_pages_to_check(site: Path) -> dict[str, str]:
    """The page kinds the fetch fields add (the site of the real `papers fetch` output), and every other listing kind."""
    topics = sorted(p.name for p in (site / "topic").iterdir() if p.is_dir())
    authors = sorted(p.name for p in (site / "author").iterdir() if p.is_dir())
    weeks = sorted(p.name for p in (site / "week").iterdir())
    longest = max((site / "papers").glob("*/index.html"), key=lambda f: f.read_text(encoding="utf-8").count(
        "citation_author"))
    return {"paper with arXiv": f"papers/{longest.parent.name}/", "topic": f"topic/{topics[0]}/",
            "topics": "topic/", "author": f"author/{authors[0]}/", "authors": "author/", "week": f"week/{weeks[0]}/",
            "fetched home": "", "orgs": "org/"}


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("width", [1280, 390])
def test_no_axe_violations_on_any_page_kind(axe_page, seed_server, seed_site: Path, fetch_server, fetch_site: Path,
                                           scheme: str, width: int):
    axe_page.emulate_media(color_scheme=scheme)
    axe_page.set_viewport_size({"width": width, "height": 900})
    found = []
    targets = [(name, seed_server.url + rel) for name, rel in pages_to_check(seed_site).items()]
    targets += [(name, fetch_server.url + rel) for name, rel in fetched_pages_to_check(fetch_site).items()]
    targets += [("undated", seed_server.url + "undated/"), ("404", seed_server.url + "404.html")]
    for name, address in targets:
        axe_page.goto(address, wait_until="load")
        assert axe_page.evaluate("matchMedia('(prefers-color-scheme: dark)').matches") == (scheme == "dark")
        axe_page.add_script_tag(path=str(AXE))
        result = axe_page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", TAGS)
        for v in result["violations"]:  # 0 violations, whatever their impact
            targets = [n["target"] for n in v["nodes"][:3]]
            found.append(f"{name} ({scheme}, {width}px): {v['id']} [{v['impact']}] {v['help']} at {targets}")
        assert result["passes"], name  # axe really ran
    assert not found, "\n".join(found)


def test_dark_mode_changes_the_colours(axe_page, seed_server):
    colours = {}
    for scheme in ("light", "dark"):
        axe_page.emulate_media(color_scheme=scheme)
        axe_page.goto(seed_server.url, wait_until="load")
        colours[scheme] = axe_page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert colours["light"] == "rgb(255, 255, 255)" and colours["dark"] != colours["light"]


def test_browsing_works_without_javascript(browser, seed_server, seed_site: Path):
    """Home → archive → month → day → paper → next paper, by links alone, with JavaScript off."""
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(seed_server.url, wait_until="load")
        page.click("nav.site-nav >> text=Archive")
        page.click("table.archive-cal a >> nth=0")
        assert "/month/" in page.url
        page.click("table.month-cal td.has a >> nth=0")
        assert "/date/" in page.url
        page.click(".paper-list .paper-title >> nth=0")
        assert "/papers/" in page.url
        title = page.inner_text("h1")
        page.click("a[rel=next], a[rel=prev] >> nth=0")
        assert "/papers/" in page.url and page.inner_text("h1") != title
    finally:
        context.close()


def test_responsive_layout_has_no_sideways_scroll_and_a_tidy_pager(browser, seed_server, seed_site: Path,
                                                                   fetch_server, fetch_site: Path):
    """At 390 px nothing overflows sideways; on a paper page the previous/next boxes sit side by side on a
    desktop and stack on a phone, never overlapping."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    try:
        targets = pages_to_check(seed_site)
        longest = max((p for p in (seed_site / "papers").iterdir()), key=lambda p: len(p.name)).name
        targets["long paper"] = f"papers/{longest}/"
        for width in (1280, 390):
            page.set_viewport_size({"width": width, "height": 900})
            fetched = {name: fetch_server.url + rel for name, rel in fetched_pages_to_check(fetch_site).items()}
            for name, address in [*((n, seed_server.url + r) for n, r in targets.items()), *fetched.items()]:
                page.goto(address, wait_until="load")
                overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
                assert overflow <= 0, f"{name} at {width}px overflows by {overflow}px"
            page.goto(seed_server.url + targets["paper"], wait_until="load")
            prev = page.locator(".pager-prev").bounding_box()
            nxt = page.locator(".pager-next").bounding_box()
            if width == 1280:
                assert abs(prev["y"] - nxt["y"]) < 1 and prev["x"] + prev["width"] <= nxt["x"]
            else:
                assert prev["y"] + prev["height"] <= nxt["y"] and abs(prev["width"] - nxt["width"]) < 1
    finally:
        context.close()
