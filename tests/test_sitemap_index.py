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
