"""Search: the papers → a lunr.js 2.3.9 index, split so the browser fetches only what a query needs.

    entries: title ×10, abstract, organisation, author when any paper has authors    index_files()
      → lunr.js's text pipeline, memoised             search_text.py
      → per-term postings, lunr term indexes           search_index.py
      → manifest + content-hashed shards               search_pack.py
    themes/default/static/js/search.js: lunr's QueryParser, TokenSet and scoring over the shards.

The ranking is the one a single lunr.js index over the same documents gives (tests/test_lunr_compat.py).
bench/search_payload.py says which files a query fetches (it runs search.js in node).
"""
from __future__ import annotations

import datetime as dt
import hashlib
import logging
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, NamedTuple, Sequence

from ..config import SiteConfig
from ..util.gcpause import gc_paused
from ..util.text import one_line
from .index import Field, build_index
from .pack import FORMAT, SearchDoc, lead, pack
from ..content.files import Paper
from ..model.memo import sort_key
from ..model.site import SiteModel, org_slug

__all__ = ["FIELDS", "AUTHOR", "Entry", "entry", "entry_fields", "entries", "in_order", "fields_for", "texts",
           "documents", "search_files", "index_files", "search_key"]

log = logging.getLogger("papers.search")

FIELDS = (Field("title", 10), Field("abstract"), Field("organization"))
AUTHOR = Field("author")  # indexed once some paper has `authors` (names, from `papers fetch`)
_CODE = hashlib.sha256(b"".join(f.read_bytes() for f in sorted(Path(__file__).parent.glob("*.py")))).hexdigest()


class Entry(NamedTuple):
    """What the index is made from, of one paper: the search key hashes these fields and nothing else. A build
    sends them to the search job, which starts before the files are read (search/job.py)."""

    slug: str
    title: str
    date: dt.date | None
    organization: str | None
    authors_count: int | None
    body: str
    upvotes: int | None
    authors: Any  # the front matter's `authors` as read: names, {name: ...} mappings, or None


def entry(p: Paper) -> Entry:
    """The paper's Entry."""
    return Entry._make(entry_fields(p))


def entry_fields(p: Paper) -> tuple:
    """The paper's Entry as a plain tuple: what the search job is sent (a tuple pickles in C, a NamedTuple
    through a Python call each: 23 against 13 ms for 10k papers, in the main process before it judges them)."""
    return (p.slug, p.title, p.date, p.organization, p.authors_count, p.body, p.upvotes, p.extra.get("authors"))


def entries(papers: Iterable[Paper]) -> list[Entry]:
    """The papers' Entries, in the site model's order (which is the order lunr is given the documents)."""
    return in_order(list(map(entry, papers)))


def in_order(docs: list[Entry]) -> list[Entry]:
    """`docs`, sorted where it is into the site model's order (build_model's: model/memo.py's sort_key)."""
    docs.sort(key=_order)
    return docs


def _order(e: Entry) -> tuple:
    return sort_key(e.date, e.upvotes, e.title, e.slug)


def author_text(e: Entry) -> str | None:
    """The author names as one text (the API gives names or {name: ...} mappings), or None."""
    names = e.authors
    if not isinstance(names, list):
        return None
    out = [n if isinstance(n, str) else n.get("name") for n in names if isinstance(n, (str, dict))]
    return ", ".join(n for n in out if isinstance(n, str)) or None


def fields_for(docs: Sequence[Entry]) -> tuple[Field, ...]:
    """The indexed fields: FIELDS, and `author` when some paper has author names."""
    return FIELDS + (AUTHOR,) if any(author_text(e) for e in docs) else FIELDS


def texts(e: Entry, fields: Sequence[Field]) -> tuple[str | None, ...]:
    """The paper's text for each indexed field, as lunr.js is given it."""
    values = {"title": e.title, "abstract": one_line(e.body), "organization": e.organization}
    return tuple(values[f.name] if f.name in values else author_text(e) for f in fields)


def _document(e: Entry) -> SearchDoc:
    return SearchDoc(slug=e.slug, title=e.title, date=e.date.isoformat() if e.date else None, upvotes=e.upvotes,
                     organization=e.organization, org_slug=org_slug(e.organization) if e.organization else None,
                     authors_count=e.authors_count, lead=lead(e.body))


def documents(model: SiteModel) -> list[SearchDoc]:
    """One search document per paper, in the model's order (the order lunr would add them)."""
    return [_document(entry(p)) for p in model.papers]


def search_key(docs: Iterable[Entry]) -> str:
    """A hash of what the index files are made from: the same key, the same files (build.py reuses them)."""
    h = hashlib.sha256(repr((FIELDS, FORMAT, _CODE)).encode())
    for e in docs:
        row = (e.slug, e.title, e.date.isoformat() if e.date else None, e.organization, e.authors_count, e.body,
               e.upvotes, author_text(e))
        h.update(repr(row).encode("utf-8", "surrogatepass"))
    return h.hexdigest()


def search_files(model: SiteModel, config: SiteConfig | None = None,
                 sink: Callable[[str, bytes], None] | None = None) -> dict[str, bytes]:
    """search/manifest.json and search/shards/*.json for the site's papers: index_files(entries(...))."""
    return index_files(entries(model.papers), sink)


def index_files(docs: list[Entry | None], sink: Callable[[str, bytes], None] | None = None,
                key: str | None = None) -> dict[str, bytes]:
    """search/manifest.json and search/shards/*.json for `docs` (entries(), in order), as {path under the site
    root: bytes}. With `sink`, each file goes to sink(path, bytes) as it is made and the bytes returned are
    empty. `key`: search_key(docs), when the caller has it already.

    `docs` is emptied as it is indexed (None in place of each entry): at 100k papers its abstracts are ~120 MB
    that the postings can take over, instead of adding to (the search job's peak: 602 → 513 MB)."""
    with gc_paused():
        key = key or search_key(docs)  # type: ignore[arg-type]
        fields = fields_for(docs)  # type: ignore[arg-type]
        shown: list[SearchDoc] = []
        index = build_index(_taken(docs, fields, shown), fields)
        files = pack(index, shown, key[:16], sink=sink, slugs=[d.slug for d in shown])
    log.debug("search index: %d documents, %d terms, %d files", len(docs), len(index.terms), len(files))
    return files


def _taken(docs: list[Entry | None], fields: Sequence[Field], shown: list[SearchDoc]
           ) -> Iterator[tuple[str | None, ...]]:
    """texts(e, fields) of each entry in turn; its SearchDoc goes to `shown`, and the entry leaves `docs`."""
    for i, e in enumerate(docs):
        docs[i] = None
        shown.append(_document(e))  # type: ignore[arg-type]
        yield texts(e, fields)  # type: ignore[arg-type]
