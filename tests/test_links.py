"""Link check over the whole built seed site: every internal href and src resolves to a file, every #fragment exists."""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urldefrag, urlsplit

from conftest import run_papers, write_tree

BASE = "http://127.0.0.1/"  # the seed_site fixture's --base-url


class Links(HTMLParser):
    """Collects ids and every URL-bearing attribute of a page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.urls: list[tuple[str, str]] = []  # (tag.attr, url)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if a.get("id"):
            self.ids.add(a["id"])
        if tag == "a" and a.get("name"):
            self.ids.add(a["name"])
        for name in ("href", "src", "action", "data-base", "data-lunr", "data-search-js", "data-search-layer", "data-search-ui", "data-search-box"):
            if a.get(name) is not None:
                self.urls.append((f"{tag}.{name}", a[name]))
        if tag == "meta" and a.get("property") == "og:url":
            self.urls.append(("meta.og:url", a["content"]))


def parse(path: Path) -> Links:
    parser = Links()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def target(site: Path, page_url: str, url: str, base: str) -> tuple[Path | None, str] | None:
    """The file an internal URL points at (None if missing), and its fragment; None for external URLs."""
    base_path = urlsplit(base).path
    if url.startswith(base):
        url = url[len(base) - len(base_path):]
    parts = urlsplit(url)
    if parts.scheme or parts.netloc:
        return None  # external: another site (checked for scheme safety in test_xss)
    path, fragment = urldefrag(url)
    if not path:
        path = page_url
    elif not path.startswith("/"):
        path = page_url.rsplit("/", 1)[0] + "/" + path
    assert path.startswith(base_path), f"{url} does not start with the base path {base_path}"
    rel = unquote(path[len(base_path):])
    f = site / rel
    if f.is_dir() or rel == "" or rel.endswith("/"):
        f = f / "index.html"
    return (f if f.is_file() else None), fragment


def page_url(site: Path, f: Path, base_path: str) -> str:
    rel = f.relative_to(site).as_posix()
    return base_path + (rel[: -len("index.html")] if rel.endswith("index.html") else rel)


def check_site(site: Path, base: str) -> tuple[int, list[str]]:
    """Check every HTML page; returns (links checked, problems)."""
    base_path = urlsplit(base).path
    parsed: dict[Path, Links] = {}

    def links_of(f: Path) -> Links:
        if f not in parsed:
            parsed[f] = parse(f)
        return parsed[f]

    problems, checked = [], 0
    for f in sorted(site.rglob("*.html")):
        here = page_url(site, f, base_path)
        for where, url in links_of(f).urls:
            found = target(site, here, url, base)
            if found is None:
                continue
            checked += 1
            dest, fragment = found
            if dest is None:
                problems.append(f"{here}: {where}={url} → no such file")
            elif fragment and dest.suffix == ".html" and fragment not in links_of(dest).ids:
                problems.append(f"{here}: {where}={url} → no id {fragment!r} in {dest.relative_to(site)}")
    return checked, problems


def test_every_internal_link_of_the_seed_site_resolves(seed_site: Path):
    checked, problems = check_site(seed_site, BASE)
    assert not problems, f"{len(problems)} broken links, e.g.:\n" + "\n".join(problems[:20])
    assert checked > 20000  # ~800 pages × header, footer, listings


def test_feeds_and_sitemap_point_at_built_pages(seed_site: Path):
    ns = {"a": "http://www.w3.org/2005/Atom", "s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    urls = [u.text for u in ET.parse(seed_site / "sitemap.xml").getroot().findall("s:url/s:loc", ns)]
    urls += [e.get("href") for e in ET.parse(seed_site / "feed.xml").getroot().iter(f"{{{ns['a']}}}link")]
    assert len(urls) > 800
    for url in urls:
        assert url.startswith(BASE), url
        dest, _ = target(seed_site, "/", url, BASE)
        assert dest is not None, url
    robots = (seed_site / "robots.txt").read_text()
    assert f"Sitemap: {BASE}sitemap.xml" in robots


def test_links_respect_a_base_path(tmp_path: Path):
    """Served from https://example.org/papers/, every internal link starts with /papers/ and resolves."""
    write_tree(tmp_path, {
        "content/2025/01/02/one.md": "---\ntitle: One\nslug: one\ndate: 2025-01-02\norganization: Org\n---\n\nx\n",
        "content/2025/01/09/two.md": "---\ntitle: Two\nslug: two\ndate: 2025-01-09\n---\n\ny\n",
        "content/undated/t/three.md": "---\ntitle: Three\nslug: three\n---\n",
    })
    out = tmp_path / "site"
    base = "https://example.org/papers/"
    run_papers("build", "--content", str(tmp_path / "content"), "--out", str(out), "--base-url", base, "-q",
               check=True)
    checked, problems = check_site(out, base)
    assert not problems and checked > 100, problems[:10]
    for f in out.rglob("*.html"):
        for where, url in parse(f).urls:
            if not url.startswith(("http", "#")):
                assert url.startswith("/papers/"), (f, where, url)
    assert re.search(r'<link rel="canonical" href="https://example.org/papers/papers/one/">',
                     (out / "papers/one/index.html").read_text())


def test_the_checker_reports_missing_files_and_fragments(tmp_path: Path):
    site = tmp_path / "site"
    write_tree(site, {
        "index.html": '<a href="/a/">a</a> <a href="/a/#here">ok</a> <a href="/a/#gone">bad</a> <img src="/x.png">'
                      ' <a href="https://elsewhere.example/">external</a> <a href="#top">top</a>',
        "a/index.html": '<h2 id="here">Here</h2>',
    })
    checked, problems = check_site(site, "https://example.org/")
    assert checked == 5
    assert problems == ["/: a.href=/a/#gone → no id 'gone' in a/index.html", "/: img.src=/x.png → no such file",
                        "/: a.href=#top → no id 'top' in index.html"]
