"""The split index on disk: a fixed-name manifest and shards a query fetches only as it needs them.

    search/manifest.json               what every query reads first (fields, counts, the shard directory:
                                       a separator per postings shard, the shortest prefix of its first
                                       term that sorts after the previous shard's last; month → documents)
    search/shards/<key>/p<n>.json      postings: consecutive terms (JavaScript string order), ~POSTINGS_BYTES
                                       each; a frequent term (in more than 2 × HEAD_DOCS documents) is only
                                       named here, with its document count and the number of its head
    search/shards/<key>/h<n>.json      one frequent term's HEAD_DOCS best documents (its head)
    search/shards/<key>/t<n>.json      the rest of that term's documents (its tail)
    search/shards/<key>/v<n>.json      every term of some lengths, front-coded (fuzzy and inner `*`)
    search/shards/<key>/d<n>.json      DOCS_PER_SHARD consecutive documents: only what a result row shows
    search/shards/<key>/u<n>.json      upvotes of UPVOTES_PER_SHARD consecutive documents (sort by upvotes)

Shards are grouped by how queries use them: the first results of a query need its terms' postings shards,
the heads of its frequent terms and the rows shown (a few KB each); a head is read only for a term the
query has, a tail only to finish the ranking, vocab only for fuzzy and inner wildcards, upvotes only to sort
by them. A term's postings are `[term, lunr term index, field 0, ...]`, each field a flat list of
`Δdocument, tf, field length` triples; a frequent term's row is `[term, lunr term index, [documents with
the term (lunr's df), n, bound]]`, its head h<n> and tail t<n> are lists of such fields, and no tail
document's weights for the term add up to more than the bound. `<key>` is a hash of everything the files are made from (search_files), so the
shards can be cached forever and the HTML pages never change when the index does; only the manifest does.
"""
from __future__ import annotations

import json
import math
import re
from array import array
from dataclasses import dataclass
from typing import Any, Callable, Sequence

from .index import LunrIndex, is_array_index
from .text import js_sort_key, js_sorted
from ..util.text import one_line

__all__ = ["SearchDoc", "pack", "FORMAT", "DOCS_PER_SHARD", "POSTINGS_BYTES", "HEAD_DOCS", "LEAD_CHARS"]

FORMAT = 2
LUNR_VERSION = "2.3.9"
DOCS_PER_SHARD = 2  # ten result rows cost ten small files (~370 B gzip each), not ten files of whole abstracts
UPVOTES_PER_SHARD = 2048
POSTINGS_BYTES = 5_000  # target raw size of a postings shard
MAX_SHARDS = 4096  # postings shards grow beyond POSTINGS_BYTES for very large archives
VOCAB_MIN_TERMS = 2_000  # consecutive term lengths are merged into one vocab file until it has this many
HEAD_DOCS = 300  # a term in more documents keeps its best HEAD_DOCS in its postings shard, the rest in a tail
LEAD_CHARS = 110  # the start of the abstract a result row shows
K1, B = 1.2, 0.75  # lunr.Builder's BM25 parameters


@dataclass(frozen=True)
class SearchDoc:
    """What a result row shows of one paper."""

    slug: str
    title: str
    date: str | None
    upvotes: int | None
    organization: str | None
    org_slug: str | None
    authors_count: int | None
    lead: str

    def row(self) -> list[Any]:
        """The stored row; the slug is "" when search.js can make it from the title (title_slug)."""
        slug = "" if self.slug == title_slug(self.title) else self.slug
        return [slug, self.title, self.date, self.upvotes, self.organization, self.org_slug,
                self.authors_count, self.lead]


_NON_ALNUM = re.compile(r"[^a-z0-9]+")


def title_slug(title: str) -> str | None:
    """The slug search.js derives from an ASCII title (content.slugs.slugify's rule for ASCII), else None."""
    if not title.isascii():
        return None
    slug = _NON_ALNUM.sub("-", title.lower()).strip("-")
    if len(slug) > 80:
        cut = slug[:81]
        slug = (cut[:cut.rfind("-")] if "-" in cut[40:] else slug[:80]).strip("-")
    return slug or None


def lead(abstract: str, limit: int = LEAD_CHARS) -> str:
    """The abstract's first `limit` characters or fewer, cut at a space, with … when cut."""
    text = one_line(abstract)
    if len(text) <= limit:
        return text
    cut = text.rfind(" ", 0, limit)
    return text[: cut if cut > limit // 2 else limit].rstrip(" ,;:") + "…"


def _json(value: Any) -> bytes:
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return text.encode("utf-8", "backslashreplace")  # a lone surrogate becomes a JSON \\udxxx escape


class _Writer:
    """Names shard files `<kind><n>` under the key's folder and hands each to `sink` (or keeps them)."""

    def __init__(self, root: str, key: str, sink: Callable[[str, bytes], None] | None = None):
        self.folder = f"{root}shards/{key}/"
        self.files: dict[str, bytes] = {}
        self.names: list[str] = []
        self.counts: dict[str, int] = {}
        self.sink = sink

    def add(self, kind: str, value: Any) -> int:
        n = self.counts.get(kind, 0)
        self.counts[kind] = n + 1
        rel = f"{self.folder}{kind}{n}.json"
        data = _json(value)
        if self.sink is None:
            self.files[rel] = data
        else:
            self.sink(rel, data)
        self.names.append(rel)
        return n


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


def _split(index: LunrIndex, fields: list[array[int]]) -> tuple[list[list[int]], list[list[int]], int, float] | None:
    """A frequent term's postings as (head fields, tail fields, df, tail bound), or None to keep it whole.

    The head is the HEAD_DOCS documents with the largest sum over fields of the term's lunr weight (ties:
    the lower document first); the bound is the largest such sum in the tail, rounded up (lunr rounds each
    weight to 3 decimals). In numpy: the frequent terms hold a growing share of the postings as the archive
    grows (60 % of them at 10k papers, 89 % at 100k), and this took 12 s at 100k as Python loops. Each
    weight is lunr's expression, an IEEE operation at a time in the same order, so the sums are the same
    doubles the Python loops made."""
    import numpy as np  # here: only a search index with frequent terms needs it (~0.1 s to import)

    df = sum(len(f) // 3 for f in fields)
    x = (index.count - df + 0.5) / (df + 0.5)
    idf = math.log(1 + abs(x))
    acc = np.zeros(index.count)  # document → the term's weight summed over fields, in field order
    present = np.zeros(index.count, dtype=bool)
    decoded = []
    for fi, flat in enumerate(fields):
        # Δdocument, tf, field length (an absent field is the shared empty array: no buffer to view)
        triples = (np.frombuffer(flat, dtype=np.intc) if flat else np.zeros(0, np.intc)).reshape(-1, 3)
        docs = np.cumsum(triples[:, 0], dtype=np.int64)
        decoded.append((docs, triples))
        if not len(docs):
            continue
        c = B / (index.length_sums[fi] / index.count)
        k = idf * (K1 + 1) * index.fields[fi].boost
        tfs, lens = triples[:, 1].astype(np.float64), triples[:, 2].astype(np.float64)
        acc[docs] += k * tfs / (K1 * (1 - B + c * lens) + tfs)  # a document is in a field's postings once
        present[docs] = True
    where = np.flatnonzero(present)
    if len(where) <= HEAD_DOCS * 2:
        return None
    top = where[np.argsort(-acc[where], kind="stable")[:HEAD_DOCS + 1]]  # the next one is the tail's best
    head = np.zeros(index.count, dtype=bool)
    head[top[:HEAD_DOCS]] = True
    bound = float(acc[top[HEAD_DOCS]]) + 0.0005 * len(fields) + 1e-6
    heads: list[list[int]] = []
    tails: list[list[int]] = []
    for docs, triples in decoded:
        sel = head[docs]
        for into, pick in ((heads, sel), (tails, ~sel)):
            part = triples[pick].astype(np.int64)
            part[:, 0] = np.diff(docs[pick], prepend=0)
            into.append(part.ravel().tolist())
    return heads, tails, df, math.ceil(bound * 1000) / 1000


def _postings(index: LunrIndex, order: list[str], w: _Writer) -> list[str]:
    terms = index.terms
    rows: list[list[Any] | None] = []  # a frequent term's row; None for the others, made as their shard is
    cost: list[int] = []
    for term in order:
        p = terms[term]
        size = sum(map(len, p.fields))
        split = _split(index, p.fields) if size > HEAD_DOCS * 6 else None
        if split is None:
            rows.append(None)
            cost.append(len(term) + 8 + 3 * size if len(p.fields) > 1 else len(term) + 24)
        else:
            heads, tails, df, bound = split
            n = w.add("h", heads)
            w.add("t", tails)
            rows.append([term, p.index, [df, n, bound]])
            cost.append(len(term) + 24)
    target = max(POSTINGS_BYTES, sum(cost) // MAX_SHARDS)
    seps: list[str] = []
    batch: list[list[Any]] = []
    size = 0
    last = None
    for term, row, c in zip(order, rows, cost):
        if row is None:  # the term's postings as lists only while its shard is made (all of them at once
            p = terms[term]  # would hold every posting as Python ints: at least twice the arrays' memory)
            row = [term, p.index, *map(array.tolist, p.fields)]
        batch.append(row)
        size += c
        if size >= target:
            seps.append(separator(last, batch[0][0]))
            last = batch[-1][0]
            w.add("p", batch)
            batch, size = [], 0
    if batch:
        seps.append(separator(last, batch[0][0]))
        w.add("p", batch)
    return seps


def separator(last: str | None, first: str) -> str:
    """The shortest prefix of `first` that sorts (in JavaScript order) after `last`, the previous shard's last
    term: every term t of a shard has sep <= t < the next shard's sep, so a binary search over the separators
    finds the only shard that can hold a term, and a shard whose separator does not start with a prefix holds
    no term with that prefix unless it is the shard of the prefix itself; `first` itself for the first shard."""
    if last is None:
        return first
    key = js_sort_key(last)
    k = 0
    while k < min(len(first), len(last)) and first[k] == last[k]:
        k += 1
    while k < len(first) - 1 and js_sort_key(first[:k + 1]) <= key:  # code point and UTF-16 order differ past the BMP
        k += 1
    return first[:k + 1]


def _vocab(order: list[str], w: _Writer) -> list[list[int]]:
    by_len: dict[int, list[str]] = {}
    for term in order:
        by_len.setdefault(_js_len(term), []).append(term)
    out: list[list[int]] = []
    group: list[int] = []
    count = 0
    lengths = sorted(by_len)
    for i, n in enumerate(lengths):
        group.append(n)
        count += len(by_len[n])
        if count >= VOCAB_MIN_TERMS or i == len(lengths) - 1:
            terms = js_sorted(t for m in group for t in by_len[m])
            hi = group[-1] if i < len(lengths) - 1 else 1 << 30
            w.add("v", front_code(terms))
            out.append([group[0] if out else 0, hi])
            group, count = [], 0
    return out


def _months(dates: Sequence[str | None]) -> tuple[list[list[Any]], int]:
    """[[YYYY-MM, first document], ...] for documents' dates in date order (undated last), and the first undated."""
    months: list[list[Any]] = []
    undated = len(dates)
    for i, date in enumerate(dates):
        if date is None:
            undated = i
            break
        m = date[:7]
        if not months or months[-1][0] != m:
            months.append([m, i])
    return months, undated


def pack(index: LunrIndex, docs: Sequence[SearchDoc], key: str, root: str = "search/",
         sink: Callable[[str, bytes], None] | None = None, slugs: Sequence[str] | None = None) -> dict[str, bytes]:
    """Manifest and shards for `index` over `docs` (same order, by date), as {path under the site root: bytes}.

    `key` names the shard folder and must change whenever any shard would (search_files hashes the
    documents and this code). With `sink`, each file is handed to sink(path, bytes) as soon as it is made
    (not kept: at 100k papers the index is a quarter of a gigabyte) and the result maps every path to b""."""
    w = _Writer(root, key, sink)
    order = js_sorted(index.terms)
    rows = [d.row() for d in docs]
    for i in range(0, len(rows), DOCS_PER_SHARD):
        w.add("d", rows[i:i + DOCS_PER_SHARD])
    for i in range(0, len(rows), UPVOTES_PER_SHARD):
        w.add("u", [r[3] or 0 for r in rows[i:i + UPVOTES_PER_SHARD]])
    months, undated = _months([r[2] for r in rows])  # the rows' dates: `docs` may make each document anew
    manifest: dict[str, Any] = {
        "format": FORMAT, "lunr": LUNR_VERSION, "key": key,
        "fields": [[f.name, f.boost] for f in index.fields],
        "count": index.count, "lengths": index.length_sums,
        "intRefs": sorted(([i, int(slug)] for i, slug in enumerate(slugs if slugs is not None else
                                                                   (d.slug for d in docs)) if is_array_index(slug)),
                          key=lambda x: x[1]),
        "docs": DOCS_PER_SHARD, "upvotes": UPVOTES_PER_SHARD, "months": months, "undated": undated,
        "postings": front_code(_postings(index, order, w)),  # each postings shard's separator
        "vocab": _vocab(order, w),
    }
    manifest_rel, manifest_data = f"{root}manifest.json", _json(manifest)
    if sink is not None:
        sink(manifest_rel, manifest_data)
        return dict.fromkeys(sorted(w.names) + [manifest_rel], b"")
    files = dict(sorted(w.files.items()))
    files[manifest_rel] = manifest_data
    return files
