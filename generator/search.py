"""Search: the papers → a lunr.js 2.3.9 index, split so the browser fetches only what a query needs.

    documents (title ×10, abstract, organisation)      search_files()
      → lunr.js's text pipeline, memoised             search_text.py
      → per-term postings, lunr term indexes           search_index.py
      → manifest + content-hashed shards               search_pack.py
    themes/default/static/js/search.js: lunr's QueryParser, TokenSet and scoring over the shards.

The ranking is the one a single lunr.js index over the same documents gives (tests/test_lunr_compat.py).
`payload_for_query` says which files a query fetches (search_payload.py, runs search.js in node).
"""
from __future__ import annotations

import gc
import logging
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from .config import SiteConfig
from .search_index import Field, build_index
from .search_pack import SearchDoc, pack
from .site import SiteModel, org_slug

__all__ = ["FIELDS", "documents", "search_files", "payload_for_query"]

log = logging.getLogger("papers.search")

FIELDS = (Field("title", 10), Field("abstract"), Field("organization"))


def documents(model: SiteModel) -> list[SearchDoc]:
    """One search document per paper, in the model's order (the order lunr would add them)."""
    return [SearchDoc(slug=p.slug, title=p.title, date=p.date.isoformat() if p.date else None,
                      organization=p.organization, org_slug=org_slug(p.organization) if p.organization else None,
                      authors_count=p.authors_count, abstract=" ".join(p.body.split()))
            for p in model.papers]


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Building a million small lists triggers many full GC passes that find nothing to free."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def search_files(model: SiteModel, config: SiteConfig) -> dict[str, bytes]:
    """search/manifest.json and search/shards/*.json for the site, as {path under the site root: bytes}."""
    with _gc_paused():
        docs = documents(model)
        index = build_index([(d.title, d.abstract, d.organization) for d in docs], FIELDS)
        files = pack(index, docs)
    log.debug("search index: %d documents, %d terms, %d files, %.1f MB", len(docs), len(index.terms), len(files),
              sum(map(len, files.values())) / 1e6)
    return files


def payload_for_query(site_dir: Path | str, query: str) -> tuple[list[str], int, int]:
    """Files (site-relative), raw bytes and gzip bytes the search page fetches to show `query`'s first results."""
    from .search_payload import payload_for_query as run

    return run(Path(site_dir), query)
