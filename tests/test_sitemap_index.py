"""Past 50,000 URLs (the sitemaps protocol's limit per file) `sitemap.xml` is a sitemap index of
`sitemaps/sitemap-<n>.xml` files: each part passes the sitemaps.org XSD, and together they list every page once.
The limit is lowered here so that a small archive crosses it."""
from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import xmlschema

from generator.build.pipeline import build
from generator.model import site as site_module
from test_patch import _archive
from test_pipeline import BASE
from test_validators import SCHEMAS

NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def _locs(path: Path, tag: str) -> list[tuple[str, str | None]]:
    root = ET.parse(path).getroot()
    assert root.tag == NS + tag
    return [(e.findtext(NS + "loc"), e.findtext(NS + "lastmod")) for e in root]


@pytest.mark.parametrize("limit", [10, 25])
def test_a_big_sitemap_becomes_an_index_of_parts(tmp_path: Path, monkeypatch, limit: int):
    monkeypatch.setattr(site_module, "SITEMAP_URLS", limit)
    root = _archive(tmp_path)
    build(root / "content", root / "site", base_url=BASE)
    site = root / "site"
    parts = _locs(site / "sitemap.xml", "sitemapindex")
    assert len(parts) > 1 and [u for u, _ in parts] == [f"{BASE}sitemaps/sitemap-{n}.xml" for n in
                                                          range(1, len(parts) + 1)]
    schema = xmlschema.XMLSchema(str(SCHEMAS / "sitemap-0.9.xsd"))
    listed = []
    for url, lastmod in parts:
        part = site / url.removeprefix(BASE)
        schema.validate(str(part))
        urls = _locs(part, "urlset")
        assert 0 < len(urls) <= limit
        assert lastmod == max((m for _, m in urls if m), default=None)
        listed += [u for u, _ in urls]
    pages = sorted(BASE + (p.parent.relative_to(site).as_posix() + "/" if p.parent != site else "")
                   for p in site.rglob("index.html") if p.parent.name != "search")
    assert sorted(listed) == pages and len(set(listed)) == len(listed)


def test_a_small_sitemap_stays_one_file(tmp_path: Path):
    root = _archive(tmp_path)
    build(root / "content", root / "site", base_url=BASE)
    assert _locs(root / "site" / "sitemap.xml", "urlset")
    assert not (root / "site" / "sitemaps").exists()


@pytest.mark.parametrize("limit", [10, 50_000])
def test_a_sitemap_holds_its_pages_until_it_is_rendered_not_their_urls(tmp_path: Path, monkeypatch, limit: int):
    """Its URLs are made when it is rendered (33 MB of them at 100k papers, else held by every process from the
    model on), and they are the ones the pages have."""
    from generator.config import load_config
    from generator.content.files import load_papers
    monkeypatch.setattr(site_module, "SITEMAP_URLS", limit)
    root = _archive(tmp_path)
    memo = site_module.Memo(keep=False)
    pages = site_module.pages(site_module.build_model(load_papers(root / "content")[0], memo),
                              load_config(None, root / "content", None), memo)
    parts = [p for p in pages if p.template == "sitemap.xml"]
    assert parts and all(p._context is None for p in parts)  # a make() and its pages, no URLs yet
    from generator.render.batch import _URL, _cost
    made = []
    for p in parts:
        p._make = lambda *a, make=p._make: (made.append(1), make(*a))[1]
    costs = [_cost(p) for p in parts]  # the render's split prices a sitemap by its pages, without its URLs
    assert not made and costs == [1.0 + _URL * len(p.context["urls"]) for p in parts]
    urls = [u["loc"] for p in parts for u in p.context["urls"]]
    assert urls == [p.path.removesuffix("index.html") for p in pages
                    if p.path.endswith("index.html") and p.kind != "search"]
