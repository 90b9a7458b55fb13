"""The search page in headless Chromium, served with netlify.toml's headers (its strict CSP included).

Every test uses conftest's `page`, which records console errors (CSP violations are console errors) and
page errors; each test ends by asserting there were none.
"""
from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import quote

import pytest
from playwright.sync_api import expect

from conftest import ROOT, run_papers, serve_dir, write_tree

pytestmark = pytest.mark.browser

RESULTS = "#search-results > li"
TITLES = "#search-results > li a.paper-title"
CANT_READ = "can’t be read"


def search(page, server, q: str | None = None):
    page.goto(server.url + "search/" + (f"?q={quote(q)}" if q is not None else ""))
    expect(page.locator("#search-status")).not_to_be_empty()


def status(page) -> str:
    return page.locator("#search-status").inner_text()


def test_typing_glm_130b_puts_it_first_and_clicking_opens_it(page, seed_server):
    search(page, seed_server)
    page.locator("#search-box").press_sequentially("GLM-130B", delay=20)
    first = page.locator(TITLES).first
    expect(first).to_contain_text("GLM-130B")
    assert "q=GLM-130B" in page.url
    first.click()
    page.wait_for_url(re.compile(r"/papers/glm-130b[^/]*/$"))
    expect(page.locator("h1")).to_contain_text("GLM-130B")
    assert page.errors == []


def test_a_shared_url_lists_results_with_highlighted_terms(page, seed_server):
    search(page, seed_server, "continual pre-training")
    expect(page.locator(RESULTS)).to_have_count(10)
    assert re.match(r"\d+ papers match “continual pre-training”", status(page))
    marks = [m.lower() for m in page.locator("#search-results mark").all_inner_texts()]
    assert {"continual", "pre", "training"} <= set(marks)
    assert all(re.match(r"^(continu|pre|train)", m) for m in marks), marks
    row = page.locator(RESULTS).first
    expect(row.locator("time")).to_have_attribute("datetime", re.compile(r"^\d{4}-\d\d-\d\d$"))
    expect(row.locator(".meta")).to_contain_text(re.compile(r"authors?|[A-Z]"))
    expect(row.locator(".snippet")).not_to_be_empty()
    assert page.title().startswith("“continual pre-training”")
    assert page.errors == []


def test_more_results_on_request(page, seed_server):
    search(page, seed_server, "model")
    expect(page.locator(RESULTS)).to_have_count(10)
    page.locator("#search-more").click()
    expect(page.locator(RESULTS)).to_have_count(20)
    assert page.errors == []


def test_lunr_query_syntax(page, seed_server):
    search(page, seed_server, "title:diffusion")
    expect(page.locator(RESULTS).first).to_be_visible()
    for title in page.locator(TITLES).all_inner_texts():
        assert "diffusion" in title.lower()
    counts = {}
    for q in ("diffusion", "+diffusion +video", "diffusion -image"):
        search(page, seed_server, q)
        expect(page.locator(RESULTS).first).to_be_visible()
        counts[q] = int(status(page).split()[0])
        assert page.locator(RESULTS).count() == page.locator("#search-results > li:has(mark)").count()
    assert 0 < counts["+diffusion +video"] < counts["diffusion"]
    assert 0 < counts["diffusion -image"] < counts["diffusion"]
    search(page, seed_server, "pre*")
    expect(page.locator(RESULTS)).to_have_count(10)
    search(page, seed_server, "difusion~1")
    expect(page.locator(TITLES).first).to_contain_text(re.compile("diffusion", re.I))
    assert page.errors == []


def test_no_match_says_so_helpfully(page, seed_server):
    search(page, seed_server, "zzyzxquux")
    expect(page.locator("#search-status")).to_contain_text("No papers match “zzyzxquux”")
    expect(page.locator("#search-status")).to_contain_text("~1")
    expect(page.locator(RESULTS)).to_have_count(0)
    assert page.errors == []


@pytest.mark.parametrize("q", ["title:", "+", "-", "nofield:word", "word~", "word^"])
def test_malformed_queries_get_a_friendly_message_not_a_console_error(page, seed_server, q: str):
    search(page, seed_server, q)
    expect(page.locator("#search-status")).to_contain_text(CANT_READ)
    expect(page.locator(RESULTS)).to_have_count(0)
    assert page.errors == []


def test_typing_a_malformed_query_after_results_clears_them(page, seed_server):
    search(page, seed_server, "diffusion")
    expect(page.locator(RESULTS).first).to_be_visible()
    page.locator("#search-box").fill("title:")
    expect(page.locator("#search-status")).to_contain_text(CANT_READ)
    expect(page.locator(RESULTS)).to_have_count(0)
    assert page.errors == []


def test_back_button_returns_to_the_previous_query(page, seed_server):
    search(page, seed_server, "diffusion")
    first_diffusion = page.locator(TITLES).first.inner_text()
    page.locator("#search-box").fill("GLM-130B")
    expect(page.locator(TITLES).first).to_contain_text("GLM-130B")
    assert page.url.endswith("?q=GLM-130B")
    page.go_back()
    expect(page.locator("#search-box")).to_have_value("diffusion")
    expect(page.locator(TITLES).first).to_have_text(first_diffusion)
    page.go_forward()
    expect(page.locator("#search-box")).to_have_value("GLM-130B")
    expect(page.locator(TITLES).first).to_contain_text("GLM-130B")
    assert page.errors == []


def test_keyboard_arrows_move_through_results_and_enter_opens_one(page, seed_server):
    search(page, seed_server, "diffusion")
    titles = page.locator(TITLES)
    expect(titles.first).to_be_visible()
    page.locator("#search-box").focus()
    page.keyboard.press("ArrowDown")
    expect(titles.nth(0)).to_be_focused()
    page.keyboard.press("ArrowDown")
    expect(titles.nth(1)).to_be_focused()
    page.keyboard.press("ArrowUp")
    page.keyboard.press("ArrowUp")
    expect(page.locator("#search-box")).to_be_focused()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    href = titles.nth(1).get_attribute("href")
    page.keyboard.press("Enter")
    page.wait_for_url(seed_server.url.rstrip("/") + href)
    assert page.errors == []


def test_slash_focuses_the_box_on_any_page_and_enter_searches(page, seed_server):
    requested: list[str] = []
    page.on("request", lambda r: requested.append(r.url))
    page.goto(seed_server.url)
    assert not any("lunr" in u or "/search/" in u for u in requested)  # nothing loads until wanted
    page.keyboard.press("/")
    expect(page.locator("#search-box")).to_be_focused()
    page.keyboard.type("diffusion")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/search/\?q=diffusion$"))
    expect(page.locator(RESULTS).first).to_be_visible()
    assert any("lunr-2.3.9" in u for u in requested)
    assert page.errors == []


def test_a_query_fetches_only_some_index_files(page, seed_server, seed_site: Path):
    shards: list[str] = []
    page.on("request", lambda r: shards.append(r.url) if "/search/shards/" in r.url else None)
    search(page, seed_server, "GLM-130B")
    expect(page.locator(RESULTS)).to_have_count(1)
    total = len(list((seed_site / "search" / "shards").iterdir()))
    assert 1 <= len(shards) <= total // 3
    assert page.errors == []


def test_untrusted_titles_are_shown_as_text(browser, tmp_path: Path):
    title = '<img src=x onerror="document.body.dataset.pwned=1"> Quokka <script>document.body.dataset.pwned=2</script>'
    write_tree(tmp_path, {
        "content/2025/01/02/evil.md": "---\ntitle: '" + title.replace("'", "''") + "'\nslug: evil\n"
                                      "date: 2025-01-02\nauthors_count: 3\n---\n\nA <b>quokka</b> abstract "
                                      "with <img src=y onerror=alert(1)> inside.\n",
        "content/2025/01/03/plain.md": "---\ntitle: Plain paper\nslug: plain\ndate: 2025-01-03\n---\n\nNothing.\n",
    })
    run_papers("build", "--content", str(tmp_path / "content"), "--out", str(tmp_path / "site"), "-q", check=True)
    served = serve_dir(tmp_path / "site")
    context = browser.new_context()
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        page.goto(served.url + "search/?q=quokka")
        expect(page.locator(TITLES)).to_have_count(1)
        expect(page.locator(TITLES)).to_have_text(title)
        expect(page.locator("#search-results .snippet")).to_contain_text("<img src=y onerror=alert(1)>")
        assert page.locator("#search-results img, #search-results script, #search-results b").count() == 0
        assert page.evaluate("document.body.dataset.pwned") is None
        assert errors == []
    finally:
        context.close()
        served.server.shutdown()
        served.server.server_close()


def test_without_javascript_the_page_says_so(browser, seed_server):
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(seed_server.url + "search/?q=diffusion")
        assert "Search runs in your browser and needs JavaScript" in page.locator("#search-page").inner_text()
        expect(page.locator("#search-page a[href='/archive/']")).to_be_visible()
    finally:
        context.close()


def test_search_page_with_results_has_no_serious_accessibility_violations(browser, seed_server):
    axe = ROOT / "node_modules" / "axe-core" / "axe.min.js"
    if not axe.is_file():
        pytest.fail(f"{axe} is missing: run `npm install`")
    context = browser.new_context(bypass_csp=True)  # axe is injected as a script
    try:
        page = context.new_page()
        page.goto(seed_server.url + "search/?q=diffusion")
        expect(page.locator(RESULTS).first).to_be_visible()
        page.add_script_tag(path=str(axe))
        result = page.evaluate("() => axe.run(document, {runOnly: {type: 'tag', values: "
                               "['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']}})")
        bad = [f"{v['id']}: {v['help']}" for v in result["violations"] if v["impact"] in ("serious", "critical")]
        assert not bad, bad
    finally:
        context.close()
