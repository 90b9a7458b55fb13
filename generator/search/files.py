"""Search: the papers → a lunr.js 2.3.9 index, split so the browser fetches only what a query needs.

    documents (title ×10, abstract, organisation, author when any paper has authors)   search_files()
      → lunr.js's text pipeline, memoised             search_text.py
      → per-term postings, lunr term indexes           search_index.py
      → manifest + content-hashed shards               search_pack.py
    themes/default/static/js/search.js: lunr's QueryParser, TokenSet and scoring over the shards.

The ranking is the one a single lunr.js index over the same documents gives (tests/test_lunr_compat.py).
bench/search_payload.py says which files a query fetches (it runs search.js in node).
"""
from __future__ import annotations

import hashlib
from pathlib import Path
import logging
from typing import Any, Callable, Sequence

from ..config import SiteConfig
from ..util.gcpause import gc_paused
from .index import Field, build_index
from .pack import FORMAT, SearchDoc, lead, pack
from ..content.files import Paper
from ..model.site import SiteModel, org_slug

__all__ = ["FIELDS", "AUTHOR", "fields_for", "texts", "documents", "search_files", "search_key"]

log = logging.getLogger("papers.search")

FIELDS = (Field("title", 10), Field("abstract"), Field("organization"))
AUTHOR = Field("author")  # indexed once some paper has `authors` (names, from `papers fetch`)
_CODE = hashlib.sha256(b"".join(f.read_bytes() for f in sorted(Path(__file__).parent.glob("*.py")))).hexdigest()


def author_text(p: Paper) -> str | None:
    """A paper's author names as one text (the API gives names or {name: ...} mappings), or None."""
    names = p.extra.get("authors")
    if not isinstance(names, list):
        return None
    out = [n if isinstance(n, str) else n.get("name") for n in names if isinstance(n, (str, dict))]
    return ", ".join(n for n in out if isinstance(n, str)) or None


def fields_for(papers: Sequence[Paper]) -> tuple[Field, ...]:
    """The indexed fields: FIELDS, and `author` when some paper has author names."""
    return FIELDS + (AUTHOR,) if any(author_text(p) for p in papers) else FIELDS


def texts(p: Paper, fields: Sequence[Field]) -> tuple[str | None, ...]:
    """The paper's text for each indexed field, as lunr.js is given it."""
    values = {"title": p.title, "abstract": " ".join(p.body.split()), "organization": p.organization}
    return tuple(values[f.name] if f.name in values else author_text(p) for f in fields)


def _document(p: Paper) -> SearchDoc:
    return SearchDoc(slug=p.slug, title=p.title, date=p.date.isoformat() if p.date else None, upvotes=p.upvotes,
                     organization=p.organization, org_slug=org_slug(p.organization) if p.organization else None,
                     authors_count=p.authors_count, lead=lead(p.body))


def documents(model: SiteModel) -> list[SearchDoc]:
    """One search document per paper, in the model's order (the order lunr would add them)."""
    return [_document(p) for p in model.papers]


class _Documents(Sequence[SearchDoc]):
    """documents(model), each made when asked for: at 100k papers the abstracts are not all held at once."""

    def __init__(self, papers: list[Paper]):
        self.papers = papers

    def __len__(self) -> int:
        return len(self.papers)

    def __getitem__(self, i: Any) -> Any:
        if isinstance(i, slice):
            return [_document(p) for p in self.papers[i]]
        return _document(self.papers[i])


def search_key(model: SiteModel) -> str:
    """A hash of what the index files are made from: the same key, the same files (build.py reuses them)."""
    h = hashlib.sha256(repr((FIELDS, FORMAT, _CODE)).encode())
    for p in model.papers:
        row = (p.slug, p.title, p.date.isoformat() if p.date else None, p.organization, p.authors_count, p.body,
               p.upvotes, author_text(p))
        h.update(repr(row).encode("utf-8", "surrogatepass"))
    return h.hexdigest()


def search_files(model: SiteModel, config: SiteConfig | None = None,
                 sink: Callable[[str, bytes], None] | None = None, key: str | None = None) -> dict[str, bytes]:
    """search/manifest.json and search/shards/*.json for the site, as {path under the site root: bytes}.

    With `sink`, each file goes to sink(path, bytes) as it is made and the bytes returned are empty. `key`:
    search_key(model), when the caller has it already."""
    with gc_paused():
        docs = _Documents(model.papers)
        fields = fields_for(model.papers)
        index = build_index((texts(p, fields) for p in model.papers), fields)
        files = pack(index, docs, (key or search_key(model))[:16], sink=sink, slugs=[p.slug for p in model.papers])
    log.debug("search index: %d documents, %d terms, %d files", len(docs), len(index.terms), len(files))
    return files
