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
    expect(page).to_have_url(re.compile(r"q=GLM-130B$"))
    first.click()
    page.wait_for_url(re.compile(r"/papers/glm-130b[^/]*/$"))
    expect(page.locator("h1")).to_contain_text("GLM-130B")
    assert page.errors == []


def test_a_shared_url_lists_results_with_highlighted_terms(page, seed_server):
    search(page, seed_server, "continual pre-training")
    expect(page.locator(RESULTS)).to_have_count(10)
    expect(page.locator("#search-status")).to_have_text(re.compile(r"^\d+ papers match “continual pre-training”"))
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
        expect(page.locator("#search-status")).to_have_text(re.compile(r"^\d+ papers? match"))
        counts[q] = int(status(page).split()[0])
        assert page.locator("#search-results > li:first-child mark").count() >= 1  # rows show the lead only
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
    expect(page.locator("#search-status")).to_contain_text("diffu*")  # (one typo was tried: nothing either)
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
    total = len(list((seed_site / "search" / "shards").glob("*/*.json")))
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


# ---- issue 14: the query layer and the header box (tests/test_search_layer.py covers the layer in node) ----

OPTIONS = "#search-options [role=option]"


def test_typing_a_matching_word_key_by_key_never_says_no_match(page, seed_server):
    """Each prefix of "diffusion" shows results; the status never says "No papers match" on the way."""
    search(page, seed_server)
    page.evaluate("""() => { window.__said = []; const s = document.getElementById('search-status');
        new MutationObserver(() => window.__said.push(s.textContent)).observe(s, {childList: true, subtree: true,
        characterData: true}); }""")
    box = page.locator("#search-box")
    for i, ch in enumerate("diffusion"):
        box.press_sequentially(ch)
        page.wait_for_timeout(200)
        if i >= 1:
            expect(page.locator(RESULTS).first).to_be_visible()
    expect(page.locator(TITLES).first).to_contain_text(re.compile("diffusion", re.I))
    said = page.evaluate("window.__said")
    assert said and not [s for s in said if "No papers match" in s], said
    assert page.errors == []


def test_a_partial_word_is_a_prefix(page, seed_server):
    search(page, seed_server, "diffu")
    expect(page.locator(TITLES).first).to_contain_text(re.compile("diffusion", re.I))
    assert all(re.search("diffus", t, re.I) for t in page.locator(TITLES).all_inner_texts()[:5])
    assert page.errors == []


def test_a_typo_gets_the_labelled_one_typo_fallback(page, seed_server):
    search(page, seed_server, "difusion")
    expect(page.locator("#search-status")).to_contain_text("showing results for “diffusion”")
    expect(page.locator("#search-status")).to_contain_text("No papers match “difusion”")
    expect(page.locator(TITLES).first).to_contain_text(re.compile("diffusion", re.I))
    assert page.errors == []


def test_papers_with_both_words_come_first(page, seed_server):
    search(page, seed_server, "continual pre-training")
    expect(page.locator("#search-status")).to_contain_text("with every word")
    titles = page.locator(TITLES).all_inner_texts()
    snippets = page.locator("#search-results .snippet").all_inner_texts()
    for title, snip in list(zip(titles, snippets))[:5]:
        text = (title + " " + snip).lower()
        assert "continu" in text and "pre" in text and "train" in text, title
    assert "continual pre-training" in titles[0].lower()
    assert page.errors == []


def test_a_quoted_phrase_puts_papers_with_the_phrase_first(page, seed_server):
    """A phrase is its words in that order: neither its words OR-ed nor AND-ed. In the seed archive two papers
    have "representation model" in their title, and others have both words apart and rank above them for the
    plain words; the phrase must put the two first, and the same words in the other order must not."""
    phrase = re.compile(r"\brepresentations?\W+models?\b", re.I)

    def rows(q: str) -> list[str]:
        search(page, seed_server, q)
        expect(page.locator(RESULTS).first).to_be_visible()
        return [t.lower() for t in page.locator(RESULTS).all_inner_texts()]

    words = rows("representation model")  # the words, all-words first (AND-ed, then OR-ed)
    assert "representation" in words[0] and not phrase.search(words[0]), words[0]  # both words, apart
    plain_top, plain_count = page.locator(TITLES).first.inner_text(), int(status(page).split()[0])
    quoted = rows('"representation model"')
    assert len(quoted) == len(words) == 10  # a phrase ranks; it does not drop the papers with the words apart
    assert phrase.search(quoted[0]) and phrase.search(quoted[1]), quoted[:2]
    titles = page.locator(TITLES).all_inner_texts()
    assert "biobert" in titles[0].lower() and plain_top in titles[2:], titles  # the plain words' best comes after
    assert int(status(page).split()[0]) == plain_count  # the same papers as the words: a phrase orders, never filters
    reversed_ = rows('"model representation"')  # the same words in the other order: no paper has that phrase
    assert not phrase.search(reversed_[0]), reversed_[0]
    assert page.locator(TITLES).first.inner_text() != titles[0]
    assert page.errors == []


def only_years(page, years: tuple[str, ...]) -> None:
    """Wait until the result rows are all from `years` (at most 10 s), then assert it."""
    script = "years => { const ts = [...document.querySelectorAll('#search-results time')]; " \
             "return ts.length > 0 && ts.every(t => years.includes(t.getAttribute('datetime').slice(0, 4))); }"
    try:
        page.wait_for_function(script, arg=list(years), timeout=10_000)
    except Exception:  # noqa: BLE001 - the assertion below says what was on the page
        pass
    dates = page.locator("#search-results time").evaluate_all("ts => ts.map(t => t.getAttribute('datetime'))")
    assert dates and all(d[:4] in years for d in dates), dates


def test_the_year_filter(page, seed_server):
    search(page, seed_server, "model")
    expect(page.locator(RESULTS).first).to_be_visible()
    expect(page.locator("#search-year option[value='2024']")).to_have_count(1)
    page.locator("#search-year").select_option("2024")
    expect(page).to_have_url(re.compile(r"year=2024"))
    expect(page.locator("#search-status")).to_have_text(re.compile(r"^\d+ papers? match"))
    # the previous rows stay until the filtered ones are ready: wait for those, then check them all
    only_years(page, ("2024",))
    search(page, seed_server, "model year:2023..2024")
    expect(page.locator("#search-status")).to_have_text(re.compile(r"^\d+ papers? match"))
    only_years(page, ("2023", "2024"))
    assert page.errors == []


def test_sort_by_upvotes_and_rows_show_upvotes_and_date(page, seed_server):
    search(page, seed_server, "model")
    expect(page.locator(RESULTS).first.locator(".upvotes")).to_be_visible()
    page.locator("#search-sort").select_option("upvotes")
    expect(page).to_have_url(re.compile(r"sort=upvotes"))
    # the relevance rows stay on screen until the sorted ones are ready: wait for those (no fixed pause)
    page.wait_for_function("""() => {
        const u = [...document.querySelectorAll('#search-results .upvotes')]
            .map(e => parseInt(e.innerText.trim().split(/\\s+/).pop(), 10));
        return u.length === 10 && u.every((x, i) => i === 0 || u[i - 1] >= x) && u[0] > u[9];
    }""")
    expect(page.locator("#search-status")).to_have_text(re.compile(r"^\d+ papers? match"))
    ups = [int(t.split()[-1]) for t in page.locator("#search-results .upvotes").all_inner_texts()]
    assert len(ups) == 10 and ups == sorted(ups, reverse=True) and ups[0] > ups[-1], ups
    expect(page.locator(RESULTS).first.locator("time")).to_have_attribute("datetime", re.compile(r"^\d{4}-"))
    page.reload()
    expect(page.locator("#search-sort")).to_have_value("upvotes")
    assert page.errors == []


def test_keyboard_flow_from_the_header_box_of_a_page_without_papers(page, seed_server):
    """/archive/ lists no papers: `/`, type, live results in a listbox, arrows to "all results", Enter,
    the results page with the focus in the box, ↓ through results to "show more", open one, Back."""
    page.goto(seed_server.url + "archive/")
    page.keyboard.press("/")
    box = page.locator("#search-box")
    expect(box).to_be_focused()
    page.keyboard.type("diffusion", delay=30)
    expect(page.locator(OPTIONS).first).to_contain_text(re.compile("diffusion", re.I))
    # a slow machine may have searched a prefix while the word was typed: wait for the word's own matches
    expect(page.locator("#search-option-all")).to_contain_text("“diffusion”")
    expect(box).to_have_attribute("role", "combobox")
    expect(box).to_have_attribute("aria-expanded", "true")
    options = page.locator(OPTIONS)
    n = options.count()
    assert n >= 3
    page.keyboard.press("ArrowDown")
    expect(options.nth(0)).to_have_attribute("aria-selected", "true")
    expect(box).to_have_attribute("aria-activedescendant", "search-option-0")
    page.keyboard.press("Escape")
    expect(box).to_have_attribute("aria-expanded", "false")
    page.keyboard.press("ArrowDown")  # opens it again
    for _ in range(n):
        page.keyboard.press("ArrowDown")
    expect(options.last).to_have_attribute("aria-selected", "true")
    expect(options.last).to_contain_text("results for “diffusion”")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/search/\?q=diffusion$"))
    expect(page.locator(RESULTS).first).to_be_visible()
    expect(page.locator("#search-box")).to_be_focused()
    for _ in range(10):
        page.keyboard.press("ArrowDown")
    expect(page.locator(TITLES).nth(9)).to_be_focused()
    page.keyboard.press("ArrowDown")
    expect(page.locator("#search-more")).to_be_focused()
    page.keyboard.press("ArrowUp")
    page.keyboard.press("ArrowUp")
    second_last = page.locator(TITLES).nth(8)
    expect(second_last).to_be_focused()
    href = second_last.get_attribute("href")
    page.keyboard.press("Enter")
    page.wait_for_url(seed_server.url.rstrip("/") + href)
    page.go_back()
    expect(page.locator(TITLES).nth(8)).to_be_focused()
    assert page.errors == []


def test_a_choice_made_while_the_next_matches_load_stays_chosen_and_typing_clears_it(page, seed_server):
    """↓ pressed after the last keystroke but before that query's matches arrive: the matches then replace
    the list, and the chosen paper stays chosen (the page's clock is held, so the order is certain)."""
    page.clock.install()
    page.goto(seed_server.url + "archive/")
    page.keyboard.press("/")
    box = page.locator("#search-box")
    page.keyboard.type("diffus")
    page.clock.run_for(100)  # the box searches after a 60 ms pause
    expect(page.locator("#search-option-all")).to_contain_text("“diffus”")
    first = page.locator(OPTIONS).first.get_attribute("data-href")
    page.keyboard.type("ion")  # its search waits for the clock
    page.keyboard.press("ArrowDown")
    expect(box).to_have_attribute("aria-activedescendant", "search-option-0")
    page.clock.run_for(100)
    expect(page.locator("#search-option-all")).to_contain_text("“diffusion”")
    chosen = page.locator(OPTIONS + "[aria-selected=true]")
    expect(chosen).to_have_attribute("data-href", first)
    expect(box).to_have_attribute("aria-activedescendant", chosen.get_attribute("id"))
    page.keyboard.type(" model")
    expect(chosen).to_have_count(0)
    assert box.get_attribute("aria-activedescendant") is None
    assert page.errors == []


def test_a_choice_made_before_the_index_fails_leaves_no_dangling_active_option(page, seed_server):
    """↓ on the matches on screen, then the typed query's index files cannot be fetched: the box says so
    and points at no option (aria-activedescendant naming a removed option is an accessibility bug)."""
    page.clock.install()
    page.goto(seed_server.url + "archive/")
    page.keyboard.press("/")
    box = page.locator("#search-box")
    page.keyboard.type("diffus")
    page.clock.run_for(100)
    expect(page.locator("#search-option-all")).to_contain_text("“diffus”")
    page.route(re.compile(r"/search/shards/"), lambda route: route.abort())  # what the next word needs
    page.keyboard.type(" zebra")
    page.keyboard.press("ArrowDown")
    expect(box).to_have_attribute("aria-activedescendant", "search-option-0")
    page.clock.run_for(100)
    expect(page.locator(".search-popup-note")).to_contain_text("index could not be loaded")
    expect(page.locator(OPTIONS)).to_have_count(0)
    assert box.get_attribute("aria-activedescendant") is None


def test_a_result_focused_while_the_next_results_load_keeps_the_focus(page, seed_server):
    """On /search/, ↓ into the results before the typed query's results arrive: when they replace the
    list, the focus stays on the same paper, not lost to the page."""
    page.clock.install()
    page.goto(seed_server.url + "search/?q=diffus")
    expect(page.locator(RESULTS).first).to_be_visible()
    page.keyboard.type("ion")
    page.keyboard.press("ArrowDown")
    link = page.locator(TITLES).first
    expect(link).to_be_focused()
    href = link.get_attribute("href")
    page.clock.run_for(200)
    expect(page).to_have_url(re.compile(r"q=diffusion$"))
    expect(page.locator("#search-status")).to_contain_text("“diffusion”")
    expect(page.locator(f'{TITLES}[href="{href}"]')).to_be_focused()
    assert page.errors == []


def test_enter_in_the_header_box_opens_the_active_paper(page, seed_server):
    page.goto(seed_server.url + "org/")
    page.locator("#search-box").click()
    page.keyboard.type("GLM-130B", delay=20)
    expect(page.locator(OPTIONS).first).to_contain_text("GLM-130B")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/papers/glm-130b[^/]*/$"))
    assert page.errors == []


def test_bench_compare_measures_our_first_results_in_chromium(browser, seed_site: Path):
    """bench/search_compare.py (the Pagefind half needs `pagefind[bin]`; `make bench` is where it runs)."""
    from bench.search_compare import measure, report

    rows = measure(seed_site, ["diffusion"], engines=("ours",), browser=browser)
    assert rows[0].results == 10 and 10_000 < rows[0].gz < 60_000 and rows[0].ms > 0 and rows[0].files > 8
    assert "| diffusion |" in report(rows)
