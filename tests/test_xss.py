"""Untrusted titles, abstracts and organisations appear only as text: on every page kind and in the feeds.

Checked twice: statically (parsed HTML: no event-handler attributes, no unsafe URL schemes, no scripts but the
theme's own) and in headless Chromium *without* the CSP (so escaping, not the CSP, is what is being tested):
no dialog opens and the title reads back as the literal text.
"""
from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import feedparser
import pytest

from conftest import run_papers, serve_dir
from generator.content.files import Paper, dump_paper

TITLE = '<script>alert("title")</script><img src=x onerror=alert(1)> [x](javascript:alert(2)) & "quotes"'
ORG = '<b onmouseover="alert(3)">Evil & Co</b>'
ABSTRACT = ('Intro <script>alert(4)</script> <img src=x onerror=alert(5)> [click](javascript:alert(6)) '
            '[js2](JaVaScRiPt:alert(7)) [data](data:text/html,<script>alert(8)</script>) '
            '<a href="javascript:alert(9)">raw</a> ![i](javascript:alert(10)) <javascript:alert(11)> '
            '[rel](/etc/passwd) [vb](vbscript:msgbox(12)) and the real code: https://github.com/ok/repo')
UNSAFE_SCHEME = re.compile(r"^\s*(javascript|data|vbscript|file):", re.IGNORECASE)


@pytest.fixture(scope="module")
def xss_site(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("xss")
    import datetime as dt

    papers = [
        Paper(title=TITLE, slug="evil-paper", body=ABSTRACT, date=dt.date(2025, 1, 2), organization=ORG, upvotes=5),
        Paper(title=TITLE + " (undated)", slug="evil-undated", body=ABSTRACT, authors_count=2),
        Paper(title="A harmless neighbour", slug="harmless", body="Plain.", date=dt.date(2025, 1, 3)),
    ]
    for p in papers:
        folder = root / "content" / ("2025/01" if p.date else "undated/e")
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{p.slug}.md").write_text(dump_paper(p), encoding="utf-8")
    out = root / "site"
    run_papers("build", "--content", str(root / "content"), "--out", str(out), "-q", "--base-url",
               "http://127.0.0.1/", check=True)
    return out


def org_page(site: Path) -> str:
    (org,) = [p.name for p in (site / "org").iterdir() if p.is_dir()]
    return f"org/{org}/index.html"


def html_pages(site: Path) -> list[str]:
    """One page of every kind that shows the evil paper (and the listings around it)."""
    return ["index.html", "papers/evil-paper/index.html", "papers/evil-undated/index.html",
            "papers/harmless/index.html", "date/2025-01-02/index.html", "week/2025-W01/index.html",
            "month/2025-01/index.html", org_page(site), "org/index.html", "undated/index.html",
            "archive/index.html", "404.html"]


class Audit(HTMLParser):
    """Records every way a page could run script or leave the text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self.text: list[str] = []
        self.in_script: str | None = None
        self.ld_json: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}=...>")
            if name in ("href", "src", "action", "formaction", "content") and value and UNSAFE_SCHEME.match(value):
                self.problems.append(f"<{tag} {name}={value!r}>")
            if name == "style":
                self.problems.append(f"<{tag} style> (inline styles break the CSP)")
        if tag in ("iframe", "object", "embed"):
            self.problems.append(f"<{tag}>")
        if tag == "img" and not (a.get("src") or "").startswith("/static/"):
            self.problems.append(f"<img src={a.get('src')!r}>")
        if tag == "script":
            if a.get("type") == "application/ld+json":
                self.in_script = "ld"
            elif (a.get("src") or "").startswith("/static/"):
                self.in_script = "src"
            else:
                self.problems.append(f"<script {a}>")
                self.in_script = "bad"
        if tag == "style":
            self.problems.append("<style> element")

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self.in_script = None

    def handle_data(self, data: str) -> None:
        if self.in_script == "ld":
            self.ld_json.append(data)
        elif self.in_script in ("src", "bad"):
            if data.strip():
                self.problems.append(f"inline script body {data[:40]!r}")
        else:
            self.text.append(data)


def audit(path: Path) -> Audit:
    a = Audit()
    a.feed(path.read_text(encoding="utf-8"))
    return a


def test_every_page_kind_shows_untrusted_text_only_as_text(xss_site: Path):
    for rel in html_pages(xss_site):
        a = audit(xss_site / rel)
        assert not a.problems, (rel, a.problems)
        text = " ".join(" ".join(a.text).split())
        if rel not in ("archive/index.html", "404.html", "org/index.html", "papers/harmless/index.html"):
            assert " ".join(TITLE.split()) in text, rel  # shown, literally
        for blob in a.ld_json:
            assert "</" not in blob
            json.loads(blob)


def test_paper_page_abstract_keeps_only_safe_links(xss_site: Path):
    page = (xss_site / "papers/evil-paper/index.html").read_text(encoding="utf-8")
    hrefs = re.findall(r'href="([^"]*)"', page)
    external = [h for h in hrefs if not h.startswith(("/", "#", "http://127.0.0.1/"))]
    searches = {h for h in external if h.startswith(("https://arxiv.org/search/?query=", "https://huggingface.co/papers?q=",
                                                      "https://www.semanticscholar.org/search?q="))}
    assert len(searches) == 3  # no arXiv id: searches by title, the title percent-encoded
    assert all(re.fullmatch(r"[\w:/.?=%&;-]+", h) and "<" not in h and '"' not in h for h in searches)
    assert set(external) - searches == {"https://github.com/ok/repo"}
    ld = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S).group(1))
    assert ld["name"] == TITLE and ld["author"][0]["name"] == ORG
    assert "[click](javascript:alert(6))" in " ".join(audit(xss_site / "papers/evil-paper/index.html").text)


def test_feeds_carry_the_title_as_text(xss_site: Path):
    atom = feedparser.parse((xss_site / "feed.xml").read_bytes())
    assert not atom.bozo, atom.get("bozo_exception")
    evil = next(e for e in atom.entries if e.link.endswith("/papers/evil-paper/"))
    assert evil.title == TITLE
    assert evil.author == ORG
    assert evil.summary == ABSTRACT
    raw = (xss_site / "feed.xml").read_text(encoding="utf-8")
    assert "<script" not in raw and "<img" not in raw and "<b " not in raw
    data = json.loads((xss_site / "feed.json").read_text(encoding="utf-8"))
    item = next(i for i in data["items"] if i["url"].endswith("/papers/evil-paper/"))
    assert item["title"] == TITLE and item["content_text"] == ABSTRACT and "content_html" not in item


def test_sitemap_is_well_formed(xss_site: Path):
    import xml.etree.ElementTree as ET

    ET.parse(xss_site / "sitemap.xml")


def test_in_chromium_nothing_runs_and_titles_read_back_as_text(xss_site: Path, browser):
    served = serve_dir(xss_site)
    context = browser.new_context(bypass_csp=True)  # prove the escaping; the CSP is a second wall
    page = context.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    try:
        for rel in html_pages(xss_site):
            page.goto(served.url + rel.removesuffix("index.html"), wait_until="load")
            page.wait_for_timeout(50)
            handlers = page.evaluate("""() => [...document.querySelectorAll('*')].flatMap(el =>
                [...el.attributes].filter(a => a.name.startsWith('on')).map(a => el.tagName + ' ' + a.name))""")
            assert handlers == [], (rel, handlers)
            inline = page.evaluate("""() => [...document.scripts].filter(s => !s.src &&
                s.type !== 'application/ld+json').length""")
            assert inline == 0, rel
            page.mouse.move(5, 5)
            for el in page.query_selector_all("a.org, .paper-title"):
                el.hover()
        page.goto(served.url + "papers/evil-paper/", wait_until="load")
        assert page.inner_text("h1") == TITLE
        assert page.inner_text("a.org") == ORG
        assert dialogs == []
    finally:
        context.close()
        served.server.shutdown()
        served.server.server_close()


@pytest.mark.parametrize("source", [
    "[x](javascript:alert(1))", "[x](JaVaScRiPt:alert(1))", "[x](&#106;avascript:alert(1))",
    "[x](<java\tscript:alert(1)>)", "<javascript:alert(1)>", "[x](data:text/html;base64,PHNjcmlwdD4=)",
    "[x](vbscript:msgbox)", "[x](file:///etc/passwd)", "[x](//evil.example/)", "[x](/relative)", "[x](http://)",
    "<script>alert(1)</script>", "<img src=x onerror=alert(1)>", '<a href="javascript:alert(1)">y</a>',
    "![i](https://example.org/i.png)", "[x](\x01javascript:alert(1))",
])
def test_markdown_makes_no_unsafe_link_or_markup(source: str):
    from generator.model.markdown import render_abstract

    html, links = render_abstract(source)
    assert "<script" not in html and "<img" not in html and "onerror=" not in html.replace("onerror=alert", "")
    for href in re.findall(r'href="([^"]*)"', html):
        assert href.startswith(("http://", "https://", "mailto:")) and "//" in href[:8], href
    assert all(link.startswith(("http://", "https://")) for link in links)
