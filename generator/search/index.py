"""A lunr.js 2.3.9 inverted index, computed in bulk and kept per term.

lunr.Builder gives every term an index in the order terms are first met (documents, then fields, then
tokens), and every (document, field) a vector of BM25 weights. A query's score for a document depends only
on the weights of the query's own terms, and each weight depends only on the term's document frequency,
its frequency in the field (tf), the field's length and the average field length. So the index is kept
per term: its lunr term index and, per field, the documents holding it with tf and field length. The
browser computes the weights with lunr.js's own expression (same engine, same Math.log: the same doubles)
for just the terms a query touches. lunr.py's Builder would take ~30 s on 10k papers.
"""
from __future__ import annotations

from array import array
from collections import defaultdict
from dataclasses import dataclass
from itertools import chain, islice
from operator import sub
from typing import Iterable, Sequence

from .text import Analyzer

__all__ = ["Field", "TermPostings", "LunrIndex", "build_index", "is_array_index"]

MAX_ARRAY_INDEX = 2**32 - 2


@dataclass(frozen=True)
class Field:
    """An indexed field and its lunr boost."""

    name: str
    boost: int = 1


@dataclass(slots=True)
class TermPostings:
    """One term: lunr's term index and, per field, flat [doc delta, tf, field length, ...] by document."""

    index: int
    fields: list[array[int]]

    def docs(self, field: int) -> list[int]:
        """Document numbers holding the term in `field`, ascending."""
        out, d = [], 0
        flat = self.fields[field]
        for i in range(0, len(flat), 3):
            d += flat[i]
            out.append(d)
        return out


@dataclass
class LunrIndex:
    """What lunr.Index.query needs: fields, document count, total field lengths, per-term postings."""

    fields: list[Field]
    count: int
    length_sums: list[int]
    terms: dict[str, TermPostings]


def is_array_index(ref: str) -> bool:
    """True for refs JavaScript's Object.keys lists first, in numeric order ("0", "42")."""
    return ref.isascii() and ref.isdigit() and (ref == "0" or ref[0] != "0") and int(ref) <= MAX_ARRAY_INDEX


CHUNK = 512  # documents tokenised at a time: their tokens are all that is held, not the whole archive's


def build_index(texts: Iterable[Sequence[str | None]], fields: Sequence[Field],
                analyzer: Analyzer | None = None) -> LunrIndex:
    """The index lunr.js would build from documents with field texts `texts[i]` (in `fields` order).

    Documents are read CHUNK at a time, and postings kept as arrays of C ints (12 bytes a posting instead of
    ~50 as lists of ints): at 100k papers the index needs a fifth of the memory, for the same terms."""
    analyzer = analyzer or Analyzer()
    nf = len(fields)
    first_seen: dict[str, int] = {}  # insertion order = lunr's term index order (values unused)
    postings: list[dict[str, array[int]]] = [{} for _ in range(nf)]
    sums = [0] * nf
    count = 0
    docs = iter(texts)
    while chunk := list(islice(docs, CHUNK)):
        pieces = [[analyzer.split(doc[f]) for f in range(nf)] for doc in chunk]
        analyzer.learn(chain.from_iterable(chain.from_iterable(pieces)))
        fresh: list[defaultdict[str, list[int]]] = [defaultdict(list) for _ in range(nf)]
        for d, doc in enumerate(pieces, count):
            for f in range(nf):
                cnt, length = analyzer.count(doc[f])
                if not cnt:
                    continue
                sums[f] += length
                first_seen.update(cnt)
                pf = fresh[f]
                for t, c in cnt.items():
                    pf[t] += (d, c, length)
        count += len(chunk)
        for f in range(nf):
            into = postings[f]
            for t, flat in fresh[f].items():
                found = into.get(t)
                if found is None:
                    into[t] = array("i", flat)
                else:
                    found.extend(flat)
    terms = {}
    for i, t in enumerate(first_seen):  # postings popped as they are taken: the memory is not held twice
        terms[t] = TermPostings(i, [_delta(pf.pop(t, None)) for pf in postings])
    return LunrIndex(list(fields), count, sums, terms)


_NONE = array("i")  # a term's postings in a field that does not hold it (shared: ~64 bytes an array, and most
                    # terms are in one or two fields; 375k terms at 100k papers); never written to


def _delta(flat: array[int] | None) -> array[int]:
    """[doc, tf, length, ...] → [Δdoc, tf, length, ...] (the first Δ from document 0)."""
    if not flat:
        return _NONE
    if len(flat) > 3:
        docs = flat[0::3]
        flat[3::3] = array("i", map(sub, docs[1:], docs[:-1]))
    return flat
