"""The split index on disk: a fixed-name manifest and content-hashed shards a query fetches only as needed.

    search/manifest.json          what every query reads first (fields, counts, where each shard is)
    search/shards/<hash>.json     postings: consecutive terms (in JavaScript string order), ~32 KB each
                                  vocab:    every term of some lengths, front-coded (fuzzy and inner `*`)
                                  docs:     DOCS_PER_SHARD consecutive documents, what a result row shows

A term's postings are `[term, lunr term index, field 0, field 1, ...]`, each field a flat list of
`Δdocument, tf, field length` triples. Shard names are content hashes, so they can be cached forever and
the HTML pages never change when the index does; only the manifest does.
"""
from __future__ import annotations

import hashlib
import json
from array import array
from dataclasses import dataclass
from typing import Any, Callable, Sequence

from .index import LunrIndex, is_array_index
from .text import js_sorted

__all__ = ["SearchDoc", "pack", "FORMAT", "DOCS_PER_SHARD", "POSTINGS_BYTES"]

FORMAT = 1
LUNR_VERSION = "2.3.9"
DOCS_PER_SHARD = 16  # a result row costs one doc shard: small shards keep the first page of results light
POSTINGS_BYTES = 32_000  # target raw size of a postings shard
MAX_SHARDS = 512  # postings shards grow beyond POSTINGS_BYTES for very large archives
VOCAB_MIN_TERMS = 2_000  # consecutive term lengths are merged into one vocab file until it has this many


@dataclass(frozen=True)
class SearchDoc:
    """What a result row shows of one paper."""

    slug: str
    title: str
    date: str | None
    organization: str | None
    org_slug: str | None
    authors_count: int | None
    abstract: str

    def row(self) -> list[Any]:
        return [self.slug, self.title, self.date, self.organization, self.org_slug, self.authors_count,
                self.abstract]


def _json(value: Any) -> bytes:
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return text.encode("utf-8", "backslashreplace")  # a lone surrogate becomes a JSON \\udxxx escape


class _Writer:
    """Names shard files by content hash and hands each to `sink` (or keeps them in `files`)."""

    def __init__(self, root: str, sink: Callable[[str, bytes], None] | None = None):
        self.root = root
        self.files: dict[str, bytes] = {}
        self.names: set[str] = set()
        self.sink = sink

    def add(self, value: Any) -> str:
        data = _json(value)
        name = hashlib.sha256(data).hexdigest()[:12]
        rel = f"{self.root}shards/{name}.json"
        if self.sink is None:
            self.files[rel] = data
        elif rel not in self.names:
            self.sink(rel, data)
        self.names.add(rel)
        return name


def _js_len(s: str) -> int:
    return len(s) if s.isascii() else len(s.encode("utf-16-le", "surrogatepass")) // 2


def front_code(terms: Sequence[str]) -> str:
    """Sorted terms as lines of `chr(48 + shared prefix length) + rest` (lengths in UTF-16 code units)."""
    lines, prev = [], ""
    for t in terms:
        k = 0
        limit = min(len(t), len(prev), 60)
        while k < limit and t[k] == prev[k]:
            k += 1
        shared = _js_len(t[:k])
        lines.append(chr(48 + shared) + t[k:])
        prev = t
    return "\n".join(lines)


def _postings(index: LunrIndex, order: list[str], w: _Writer) -> list[list[str]]:
    terms = index.terms
    cost = [len(t) + 8 + 3 * sum(map(len, terms[t].fields)) for t in order]  # ≈ bytes of the term's row
    target = max(POSTINGS_BYTES, sum(cost) // MAX_SHARDS)
    shards: list[list[str]] = []
    batch: list[list[Any]] = []
    size = 0
    for term, c in zip(order, cost):
        p = terms[term]
        batch.append([term, p.index, *map(array.tolist, p.fields)])
        size += c
        if size >= target:
            shards.append([batch[0][0], w.add(batch)])
            batch, size = [], 0
    if batch:
        shards.append([batch[0][0], w.add(batch)])
    return shards


def _vocab(order: list[str], w: _Writer) -> list[list[Any]]:
    by_len: dict[int, list[str]] = {}
    for term in order:
        by_len.setdefault(_js_len(term), []).append(term)
    out: list[list[Any]] = []
    group: list[int] = []
    count = 0
    lengths = sorted(by_len)
    for i, n in enumerate(lengths):
        group.append(n)
        count += len(by_len[n])
        if count >= VOCAB_MIN_TERMS or i == len(lengths) - 1:
            terms = js_sorted(t for m in group for t in by_len[m])
            hi = group[-1] if i < len(lengths) - 1 else 1 << 30
            out.append([group[0] if out else 0, hi, w.add(front_code(terms))])
            group, count = [], 0
    return out


def pack(index: LunrIndex, docs: Sequence[SearchDoc], root: str = "search/",
         sink: Callable[[str, bytes], None] | None = None, slugs: Sequence[str] | None = None) -> dict[str, bytes]:
    """Manifest and shards for `index` over `docs` (same order), as {path under the site root: bytes}.

    With `sink`, each file is handed to sink(path, bytes) as soon as it is made (not kept: at 100k papers
    the index is a quarter of a gigabyte) and the result maps every path to b"" instead."""
    w = _Writer(root, sink)
    order = js_sorted(index.terms)
    manifest: dict[str, Any] = {
        "format": FORMAT, "lunr": LUNR_VERSION,
        "fields": [[f.name, f.boost] for f in index.fields],
        "count": index.count, "lengths": index.length_sums,
        "intRefs": sorted(([i, int(slug)] for i, slug in enumerate(slugs if slugs is not None else
                                                                   (d.slug for d in docs)) if is_array_index(slug)),
                          key=lambda x: x[1]),
        "postings": _postings(index, order, w),
        "vocab": _vocab(order, w),
        "docs": [DOCS_PER_SHARD, [w.add([d.row() for d in docs[i:i + DOCS_PER_SHARD]])
                                  for i in range(0, len(docs), DOCS_PER_SHARD)]],
    }
    manifest_rel, manifest_data = f"{root}manifest.json", _json(manifest)
    if sink is not None:
        sink(manifest_rel, manifest_data)
        return dict.fromkeys(sorted(w.names) + [manifest_rel], b"")
    files = dict(sorted(w.files.items()))
    files[manifest_rel] = manifest_data
    return files
