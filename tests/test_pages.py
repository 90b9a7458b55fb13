"""The reader's pages (issue 13): the paper page's links, authors, topics, AI summary and citations; topic and
author pages; ranked week and month listings; the Day/Week/Month switch; reader-friendly copy; LaTeX leftovers.

Built from tests/golden/site-src (hand-made papers with every fetch field, hostile values included) and from the
site of the real `papers fetch` output over the recorded Daily Papers API days (conftest's fetch_site), checked
against the recorded items themselves."""
from __future__ import annotations

import datetime as dt
import json
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import bibtexparser
import pytest

from conftest import ROOT, run_papers, write_tree
from replay_api import fixture_days
from generator.content.files import Paper
from generator.model import people
from generator.model.latex import clean_latex, clean_latex_html


class Page(HTMLParser):
    """Meta tags, links and the text of elements with a class, from one page."""

    def __init__(self, path: Path) -> None:
        super().__init__(convert_charrefs=True)
        self.meta: list[tuple[str, str]] = []
        self.hrefs: list[str] = []
        self.classes: list[str] = []
        self.feed(path.read_text(encoding="utf-8"))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "meta" and a.get("name", "").startswith("citation_"):
            self.meta.append((a["name"], a["content"]))
        if "href" in a:
            self.hrefs.append(a["href"])
        self.classes += a.get("class", "").split()


@pytest.fixture(scope="module")
def golden_built(tmp_path_factory) -> Path:
    work = tmp_path_factory.mktemp("pages")
    shutil.copytree(ROOT / "tests" / "golden" / "site-src", work / "src")
    out = work / "site"
    run_papers("build", "--content", str(work / "src" / "content"), "--out", str(out), "-q", check=True)
    return out


def _html(site: Path, rel: str) -> str:
    return (site / rel).read_text(encoding="utf-8")


def _fetched() -> dict[str, dict]:
    """arXiv id → the recorded API item, for every fixture paper (first day seen, as fetch dates it)."""
    out: dict[str, dict] = {}
    for day, items in fixture_days().items():
        for item in items:
            out.setdefault(item["paper"]["id"], {"day": dt.date.fromisoformat(day), **item})
    return out


def _page_of(fetch_site: Path, arxiv_id: str) -> Path:
    for f in (fetch_site / "papers").glob("*/index.html"):
        if f'content="{arxiv_id}"' in f.read_text(encoding="utf-8"):
            return f
    raise AssertionError(arxiv_id)


def test_citation_tags_of_a_fetched_paper_page(fetch_site: Path):
    items = _fetched()
    arxiv_id = "2607.23802"
    item = items[arxiv_id]
    tags = Page(_page_of(fetch_site, arxiv_id)).meta
    names = [n for n, _ in tags]
    assert names[0] == "citation_title" and dict(tags)["citation_title"] == item["paper"]["title"]
    assert [v for n, v in tags if n == "citation_author"] == [a["name"] for a in item["paper"]["authors"]]
    assert dict(tags)["citation_date"] == item["day"].strftime("%Y/%m/%d")
    assert dict(tags)["citation_arxiv_id"] == arxiv_id
    assert dict(tags)["citation_pdf_url"] == f"https://arxiv.org/pdf/{arxiv_id}"
    assert names.index("citation_author") < names.index("citation_date")  # Zotero reads authors after the title


def test_bibtex_of_every_fetched_paper_parses(fetch_site: Path):
    items = _fetched()
    bibs = sorted((fetch_site / "papers").glob("*/*.bib"))
    assert len(bibs) == len(items) > 300
    for bib in bibs:
        text = bib.read_text(encoding="utf-8")
        lib = bibtexparser.parse_string(text)
        assert not lib.failed_blocks and len(lib.entries) == 1, bib
        entry = lib.entries[0]
        item = items[entry["eprint"]]["paper"]
        assert entry.entry_type == "misc" and entry["archivePrefix"] == "arXiv"
        assert entry["url"] == f"https://arxiv.org/abs/{item['id']}"
        assert len(entry["author"].split(" and ")) == len(item["authors"])
        assert entry["title"].strip("{}") == clean_latex(" ".join(item["title"].split())).replace("&", r"\&") \
            .replace("%", r"\%").replace("_", r"\_").replace("$", r"\$").replace("#", r"\#")
        page = (bib.parent / "index.html").read_text(encoding="utf-8")
        assert "@misc{" + entry.key + "," in page  # the same entry is on the page, in the copyable block


def test_bibtex_of_hostile_values_parses_and_stays_balanced(golden_built: Path):
    text = _html(golden_built, "papers/hostile-paper/hostile-paper.bib")
    lib = bibtexparser.parse_string(text)
    assert not lib.failed_blocks and len(lib.entries) == 1
    authors = lib.entries[0]["author"].split(" and ")
    assert len(authors) == 3 and authors[2] == r"(Brace) /Backslash \& 100\% \#1 \$x\$ under\_score"
    assert text.count("{") == text.count("}")


def test_hostile_urls_never_become_links(golden_built: Path):
    page = Page(golden_built / "papers/hostile-paper/index.html")
    assert not [h for h in page.hrefs if "javascript" in h.lower() or h.lower().lstrip().startswith("data:")]
    html = _html(golden_built, "papers/hostile-paper/index.html")
    assert "<img src=x" not in html and "<script>alert" not in html and "<b>not bold" not in html
    assert "arxiv.org/abs/" not in html  # an arXiv id that is not one gives search links instead
    assert 'class="actions"' not in html  # no paper, code or project link: all three were unsafe


def test_paper_page_links_to_the_paper_its_code_and_project(golden_built: Path):
    page = Page(golden_built / "papers/diffusion-transformers-at-scale/index.html")
    for url in ("https://arxiv.org/abs/2501.00042", "https://arxiv.org/pdf/2501.00042",
                "https://huggingface.co/papers/2501.00042", "https://github.com/example/dit-scale",
                "https://dit-scale.example.io/"):
        assert url in page.hrefs, url
    html = _html(golden_built, "papers/diffusion-transformers-at-scale/index.html")
    assert "★</span> 1.5k" in html and "stars on GitHub" in html
    ld = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1))
    assert ld["sameAs"] == ["https://arxiv.org/abs/2501.00042", "https://huggingface.co/papers/2501.00042"]
    assert [a["name"] for a in ld["author"]][:2] == ["Ada Lovelace", "Alan Turing"] and len(ld["author"]) == 10


def test_a_paper_without_arxiv_id_gets_labelled_searches_by_title(golden_built: Path):
    page = Page(golden_built / "papers/sparse-mixtures-of-experts/index.html")
    q = "Sparse%20Mixtures%20of%20Experts%3A%20Routing%20at%20Scale"
    assert f"https://arxiv.org/search/?query={q}&searchtype=title" in page.hrefs
    assert f"https://huggingface.co/papers?q={q}" in page.hrefs
    assert f"https://www.semanticscholar.org/search?q={q}" in page.hrefs
    assert "Find this paper:" in _html(golden_built, "papers/sparse-mixtures-of-experts/index.html")


def test_long_author_lists_collapse_with_a_show_all_and_no_script(golden_built: Path):
    html = _html(golden_built, "papers/diffusion-transformers-at-scale/index.html")
    head, _, rest = html.split("</head>")[1].partition('<details class="more-authors">')
    assert head.count("Ada Lovelace</a>") == 1 and "John Backus" in head and "Leslie Lamport" not in head
    assert "<summary>Show all 10 authors</summary>" in rest and "Margaret Hamilton" in rest.split("</details>")[0]
    assert "<script>" not in html.split("</head>")[1]


def test_keywords_link_to_topic_pages_and_authors_to_author_pages(golden_built: Path):
    page = Page(golden_built / "papers/diffusion-transformers-at-scale/index.html")
    assert {"/topic/diffusion-models/", "/topic/transformers/", "/author/ada-lovelace/"} <= set(page.hrefs)
    assert "/author/alan-turing/" not in page.hrefs  # two papers: no page (AUTHOR_MIN is 3)
    hostile = _html(golden_built, "papers/hostile-paper/index.html")
    assert '<span class="chip-plain">&#34;&gt;&lt;script&gt;alert(3)&lt;/script&gt;</span>' in hostile  # one paper
    topic = _html(golden_built, "topic/diffusion-models/index.html")
    assert topic.index("diffusion-transformers-at-scale") < topic.index("hostile-paper")  # by upvotes
    assert "2 papers with this keyword" in topic
    author = _html(golden_built, "author/ada-lovelace/index.html")
    assert author.count('class="paper-row"') == 3 and "Different people can share a name." in author
    assert "/topic/transformers/" in _html(golden_built, "topic/index.html")


def test_the_ai_summary_is_labelled_machine_written(golden_built: Path):
    html = _html(golden_built, "papers/diffusion-transformers-at-scale/index.html")
    section = html.split('<section class="ai-summary"')[1].split("</section>")[0]
    assert "AI summary" in section and "Machine-written by a language model" in section
    assert "4× faster on 10³ GPUs with sparse attention" in section
    assert "ai-summary" not in _html(golden_built, "papers/sparse-mixtures-of-experts/index.html")


def test_topic_and_author_pages_are_bounded(monkeypatch):
    """At most MAX_PAGES pages per kind (those with the most papers), each listing at most PAGE_ROWS papers."""
    monkeypatch.setattr(people, "MAX_PAGES", 3)
    monkeypatch.setattr(people, "PAGE_ROWS", 4)
    papers = [Paper(title=f"P{i}", slug=f"p{i}", upvotes=i,
                    extra={"keywords": [f"k{j}" for j in range(i % 6)], "authors": ["A B", f"C{i % 2}"]})
              for i in range(30)]
    topics = people.group_topics(papers)
    assert sorted(topics) == ["k0", "k1", "k2"]  # the three keywords with the most papers
    authors = people.group_authors(papers)
    assert set(authors) == {"a-b", "c0", "c1"}
    ctx = people.group_page_context("author", "a-b", authors["a-b"], lambda p: {"slug": p.slug})
    assert ctx["count"] == 30 and ctx["capped"] and [c["slug"] for c in ctx["papers"]] == ["p29", "p28", "p27", "p26"]
    few = [Paper(title="X", slug="x", extra={"keywords": ["solo"], "authors": ["Solo Author"]})]
    assert people.group_topics(few) == {} and people.group_authors(few) == {}


def test_the_bulk_links_and_ranking_are_the_per_paper_ones():
    """pages() reads each paper's topic and author links off the groups (links_by_paper) and ranks group pages by
    a rank_order of all papers; serve's patch uses linked_urls and rank_key for one paper: the same answers."""
    import random
    from generator.model.site import build_model
    rng = random.Random(15)
    names = ["Ada Lovelace", "ada lovelace", "Alan Turing", "Грейс Хоппер", "C. Shannon", "K Gödel", "E. Noether"]
    words = ["Diffusion Models", "diffusion models", "LLM", "RL", "Vision", "Agents", "Speech", "Graphs"]
    papers = [Paper(title=rng.choice(["Same", "Other", f"P{i}"]), slug=f"p{i}",
                    upvotes=rng.choice([None, 0, 1, 5, 9]), date=rng.choice([None, dt.date(2025, 1, 1 + i % 9)]),
                    extra={"keywords": rng.sample(words, rng.randint(0, 4)),
                           "authors": rng.sample(names, rng.randint(0, 4))}) for i in range(400)]
    model = build_model(papers)
    assert model.topics and model.authors
    links = people.links_by_paper(model.topics, model.authors)
    for p in papers:
        assert links.get(id(p), frozenset()) == people.linked_urls(p, model.topics, model.authors), p.slug
    assert any(len(v) > 3 for v in links.values()) and len(links) < len(papers)  # some in many groups, some in none
    key = people.rank_order(model.papers)
    for group in (*model.topics.values(), *model.authors.values()):
        card = lambda p: p.slug  # noqa: E731
        assert (people.group_page_context("topic", "s", group, card, key)
                == people.group_page_context("topic", "s", group, card)), group[0]


def test_a_bib_file_takes_the_entry_its_paper_page_made(monkeypatch):
    """The .bib page comes right after its paper page: its context takes the entry the paper context made
    (one bibtex() a paper, not two), the same text; another paper's, or one asked for first, is made."""
    from generator.model import memo as memo_module
    from generator.model.memo import Memo
    made: list[str] = []
    real = memo_module.bibtex
    monkeypatch.setattr(memo_module, "bibtex", lambda p, *a: made.append(p.slug) or real(p, *a))
    papers = [Paper(title=f"On {w} {{x}} & 50%", slug=w, date=dt.date(2025, 1, 2), upvotes=1,
                    extra={"authors": ["Ada Lovelace", "Alan Turing"], "arxiv_id": "2501.0000" + str(i)})
              for i, w in enumerate(["alpha", "beta", "gamma"])]
    for keep in (False, True):
        made.clear()
        memo = Memo(keep=keep)
        page = memo.paper_context(papers[0], None, papers[1])
        assert memo.bib_context(papers[0]) == {"bibtex": page["bibtex"]} and made == []
        assert memo.bib_context(papers[1])["bibtex"] == real(papers[1], "2501.00001", ["Ada Lovelace", "Alan Turing"])
        assert made == ["beta"]  # not the paper of the last page context: made
        assert "@misc{lovelace2025alpha," in page["bibtex"] and r"50\%" in page["bibtex"]


def test_the_search_jobs_model_skips_topics_and_authors_only():
    """build_model(groups=False), the search job's: the same papers in the same order, no topic or author."""
    from generator.model.site import build_model
    papers = [Paper(title=f"P{i}", slug=f"p{i}", upvotes=i % 7, date=dt.date(2025, 1, 1 + i % 5),
                    extra={"keywords": ["k"], "authors": ["A B"]}) for i in range(12)]
    full, lean = build_model(papers), build_model(papers, groups=False)
    assert full.topics and full.authors and not lean.topics and not lean.authors
    assert lean.papers == full.papers and lean.days == full.days and lean.orgs == full.orgs


def test_week_and_month_pages_rank_by_upvotes_with_each_rows_day(fetch_site: Path):
    for rel in ("week/2026-W32/index.html", "month/2026-08/index.html"):
        html = _html(fetch_site, rel)
        rows = html.split('<li class="paper-row">')[1:]
        votes = [int(re.search(r'class="votes-n">(\d+)<', r).group(1)) for r in rows]
        assert len(rows) > 20 and votes == sorted(votes, reverse=True), rel
        assert all(re.search(r'<time datetime="2026-08-\d\d">', r) for r in rows), rel


def test_zero_upvotes_are_quiet(golden_built: Path):
    day = _html(golden_built, "date/2025-01-14/index.html")
    zero = day.split('<li class="paper-row">')[2]
    assert 'class="votes votes-zero"' in zero and "votes-zero" not in day.split('<li class="paper-row">')[1]
    assert "No upvotes yet" in _html(golden_built, "papers/hostile-paper/index.html")


def test_listing_rows_carry_a_one_line_teaser(golden_built: Path):
    week = _html(golden_built, "week/2025-W03/index.html")
    assert '<p class="teaser">Diffusion transformers train 4× faster on 10³ GPUs with sparse attention.</p>' in week
    day = _html(golden_built, "date/2024-12-30/index.html")
    assert '<p class="teaser">We study sparse routing in mixture-of-experts models. Code:' in day  # Markdown dropped


def test_the_switch_and_the_pagers_show_where_they_lead(golden_built: Path):
    home = _html(golden_built, "index.html")
    switch = home.split('<nav class="switch"')[1].split("</nav>")[0]
    assert '<a href="/" aria-current="page">Day</a>' in switch
    assert '<a href="/week/2025-W09/">Week</a>' in switch and '<a href="/month/2025-03/">Month</a>' in switch
    week = _html(golden_built, "week/2025-W03/index.html")
    assert "Week 1, 2025 · Dec 30, 2024 – Jan 5, 2025" in week and "Week 9, 2025 · Feb 24 – Mar 2, 2025" in week
    day = _html(golden_built, "date/2025-01-15/index.html")
    assert "Tuesday, January 14, 2025" in day.split('class="pager"')[1]
    paper = _html(golden_built, "papers/protein-folding-with-diffusion/index.html")
    assert "Previous paper · Jan 14, 2025" in paper and "Next paper · Jan 16, 2025" in paper


def test_reader_copy_has_no_importer_jargon(seed_site: Path, golden_built: Path):
    pages = [seed_site / "undated/index.html", golden_built / "undated/index.html",
             golden_built / "papers/agents-that-read-manuals/index.html"]
    pages += [f for f in (seed_site / "papers").glob("*/index.html") if "notice" in f.read_text(encoding="utf-8")]
    assert len(pages) >= 5
    for f in pages:
        text = f.read_text(encoding="utf-8")
        for jargon in ("imported with problems", "no-metadata", "content file", "<code>date:</code>", "curator"):
            assert jargon not in text, (f, jargon)
    wan = [f for f in pages if "notice" in f.read_text(encoding="utf-8")]
    assert any("gave no date and no authors" in f.read_text(encoding="utf-8") for f in wan)


def test_latex_leftovers_are_cleaned_for_readers(seed_site: Path):
    assert clean_latex("4timesRTX 3090 and 8timesRTX 2080") == "4×RTX 3090 and 8×RTX 2080"
    assert clean_latex("ImageNet 64times64, 10^{19} FLOPs, T^3, x^{ab}") == "ImageNet 64×64, 10¹⁹ FLOPs, T³, x^ab"
    assert clean_latex(r"\mathbf{x} and SecureBERT\url{https://a.example/b}") == "x and SecureBERT https://a.example/b"
    assert clean_latex("sometimes 5 times faster") == "sometimes 5 times faster"
    assert clean_latex_html('<a href="https://x.example/4times">4times</a>') == \
        '<a href="https://x.example/4times">4×</a>'  # never inside a tag
    shown = "".join(f.read_text(encoding="utf-8") for f in (seed_site / "papers").glob("*/index.html"))
    assert "4×RTX 3090" in shown and "4timesRTX" not in shown
    assert not re.search(r"\d times[A-Z]|\d{1,3}times\d", shown)


def test_feeds_carry_the_authors_and_the_arxiv_link(fetch_site: Path):
    data = json.loads((fetch_site / "feed.json").read_text(encoding="utf-8"))
    item = data["items"][0]
    assert item["external_url"].startswith("https://arxiv.org/abs/") and len(item["authors"]) >= 1
    atom = (fetch_site / "feed.xml").read_text(encoding="utf-8")
    assert atom.count('<link rel="related" type="text/html"') == len(data["items"])
    first = atom.split("<entry>")[1]
    assert first.count("<author>") == len(item["authors"])


def test_check_tells_curators_what_to_do_about_flagged_and_undated_papers(tmp_path: Path):
    write_tree(tmp_path, {"content/undated/w/wan.md": "---\ntitle: Wan\nslug: wan\nflags:\n- no-metadata\n---\n"})
    proc = run_papers("check", "--content", str(tmp_path / "content"))
    assert proc.returncode == 0, proc.stderr
    assert "note: flagged no-metadata" in proc.stderr and "add a `date: YYYY-MM-DD` line" in proc.stderr
    assert "0 warnings, 1 flagged" in proc.stderr


def test_bibtex_copy_button_and_show_all_authors_work_in_chromium(browser, fetch_server, fetch_site: Path):
    """In Chromium, under the CSP: "Show all N authors" opens without script, and Copy BibTeX copies the entry."""
    target = max((fetch_site / "papers").glob("*/index.html"),
                 key=lambda f: f.read_text(encoding="utf-8").count("citation_author"))
    context = browser.new_context(permissions=["clipboard-read", "clipboard-write"])
    page = context.new_page()
    try:
        page.goto(fetch_server.url + f"papers/{target.parent.name}/", wait_until="load")
        hidden = page.locator(".more-authors .author-list")
        assert not hidden.is_visible()
        page.click(".more-authors summary")
        assert hidden.is_visible()
        page.click(".copy-button")
        page.wait_for_function("document.querySelector('.copy-status').textContent !== ''")
        copied = page.evaluate("navigator.clipboard.readText()")
        assert copied.startswith("@misc{") and copied == (target.parent / f"{target.parent.name}.bib").read_text()
    finally:
        context.close()


def test_serve_rebuild_links_a_keyword_once_a_second_paper_shares_it(tmp_path: Path):
    """`papers serve --watch` keeps unchanged papers' contexts; a paper whose keyword gains a topic page through
    another paper's edit is still re-rendered with the link (the page's key holds the pages it links to)."""
    from generator.build.changes import Changes
    from generator.build.pipeline import Pipeline
    from generator.build.writers import InPlace

    one = "---\ntitle: One\nslug: one\ndate: 2025-01-02\nkeywords:\n- graph nets\n---\n\nx\n"
    two = "---\ntitle: Two\nslug: two\ndate: 2025-01-03\nkeywords:\n- other\n---\n\ny\n"
    write_tree(tmp_path, {"content/2025/01/02/one.md": one, "content/2025/01/03/two.md": two})
    builder = Pipeline(tmp_path / "content", tmp_path / "site", keep=True)
    builder.run(writer=InPlace)
    assert "/topic/graph-nets/" not in (tmp_path / "site/papers/one/index.html").read_text(encoding="utf-8")
    path = tmp_path / "content/2025/01/03/two.md"
    path.write_text(two.replace("- other", "- Graph Nets"), encoding="utf-8")
    builder.run(Changes({"content"}, {path}), writer=InPlace)
    assert '<a href="/topic/graph-nets/">graph nets</a>' in (tmp_path / "site/papers/one/index.html").read_text()
    assert (tmp_path / "site/topic/graph-nets/index.html").is_file()
