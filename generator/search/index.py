"""A lunr.js 2.3.9 inverted index, computed in bulk and kept per term.

lunr.Builder gives every term an index in the order terms are first met (documents, then fields, then
tokens), and every (document, field) a vector of BM25 weights. A query's score for a document depends only
on the weights of the query's own terms, and each weight depends only on the term's document frequency,
its frequency in the field (tf), the field's length and the average field length. So the index is kept
per term: its lunr term index and, per field, the documents holding it with tf and field length. The
browser computes the weights with lunr.js's own expression (same engine, same Math.log: the same doubles)
for just the terms a query touches. lunr.py's Builder would take ~30 s on 10k papers.

The counting is numpy's (`_Counter`): Python looks each token up once, in a dict of term ids, and numpy
sorts a block's ids to give tf, field lengths and the order terms are first met. tests/test_search.py
builds small indexes with blocks of one, two and three documents; tests/test_search_lunrpy.py compares the
seed archive's index with lunr.py's Builder.
"""
from __future__ import annotations

from array import array
from dataclasses import dataclass
from itertools import chain, islice
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


CHUNK = 512   # documents tokenised at a time: their tokens are all that is held, not the whole archive's
BLOCK = 512   # documents whose term ids are counted together, in numpy (~0.1M tokens: ~5 MB for a moment)


def build_index(texts: Iterable[Sequence[str | None]], fields: Sequence[Field],
                analyzer: Analyzer | None = None) -> LunrIndex:
    """The index lunr.js would build from documents with field texts `texts[i]` (in `fields` order).

    Each token becomes a term id (a dict lookup; the pipeline runs once per distinct token), and a block of
    documents' ids is counted at once in numpy: lunr's field lengths, tf per (field, term, document), and the
    position where each term is first met, which gives its lunr term index. Postings are kept as arrays of C
    ints (12 bytes a posting): at 100k papers the index needs a fifth of the memory lists of ints would."""
    analyzer = analyzer or Analyzer()
    counter = _Counter(len(fields))
    token_ids: dict[str, int] = {"": -1}  # token → term id; -1: the pipeline drops it
    names: dict[str, int] = {}             # term → id, ids given as terms are learned (not lunr's order)
    docs = iter(texts)
    while chunk := list(islice(docs, CHUNK)):
        pieces = [analyzer.split(doc[f]) for doc in chunk for f in range(counter.nf)]
        tokens = list(chain.from_iterable(pieces))
        for tok, term in analyzer.run(set(tokens).difference(token_ids)):
            token_ids[tok] = -1 if term is None else names.setdefault(term, len(names))
        counter.add(len(chunk), [len(p) for p in pieces], map(token_ids.__getitem__, tokens), len(tokens),
                    len(names))
    counter.flush(len(names))
    ids = list(names)
    del token_ids, names  # ~60 MB at 100k papers: gone before the terms are made
    terms = {}
    postings = counter.postings
    for i, tid in enumerate(counter.lunr_order(len(ids))):  # postings let go as they are taken: the memory
        terms[ids[tid]] = TermPostings(i, [pf[tid] or _NONE for pf in postings])  # is not held twice
        for pf in postings:
            pf[tid] = None
    return LunrIndex(list(fields), counter.count, counter.sums, terms)


class _Counter:
    """Term ids of documents in order, counted BLOCK documents at a time into per-field postings."""

    def __init__(self, nf: int) -> None:
        import numpy  # here: the site's other stages do not need it (~0.06 s to import)
        self.np, self.nf = numpy, nf
        self.postings: list[list] = [[] for _ in range(nf)]  # by term id: [Δdoc, tf, length, ...] or None
        self.sums, self.count, self.seen = [0] * nf, 0, 0  # field lengths; documents; ids met before the block
        self.first = numpy.empty(0, numpy.int64)     # per term id, where it is first met (a token number)
        self.last = numpy.zeros((nf, 0), numpy.int32)  # per field and term id, the last document holding it
        self.tokens = 0                              # tokens with terms counted so far
        self.ids: list = []                          # the block: term ids, tokens per field, documents
        self.lengths: list[int] = []
        self.docs = 0

    def add(self, docs: int, lengths: list[int], ids: Iterable[int], tokens: int, vocabulary: int) -> None:
        self.ids.append(self.np.fromiter(ids, self.np.int32, tokens))
        self.lengths += lengths
        self.docs += docs
        if self.docs >= BLOCK:
            self.flush(vocabulary)

    def flush(self, vocabulary: int) -> None:
        """Count the block: `vocabulary` ids are known, those from self.seen on first met in this block."""
        np, nf, nd = self.np, self.nf, self.docs
        if not nd:
            return
        ids = np.concatenate(self.ids)
        seg = np.repeat(np.arange(nd * nf, dtype=np.int64), self.lengths)
        kept = ids >= 0
        ids, seg = ids[kept], seg[kept]
        lengths = np.bincount(seg, minlength=nd * nf)  # lunr's field length: the tokens with a term
        for f in range(nf):
            self.sums[f] += int(lengths[f::nf].sum())
        self.first = np.concatenate([self.first, np.full(vocabulary - len(self.first), -1, np.int64)])
        self.last = np.concatenate([self.last, np.zeros((nf, vocabulary - self.last.shape[1]), np.int32)], 1)
        for pf in self.postings:
            pf += [None] * (vocabulary - len(pf))
        new = np.flatnonzero(ids >= self.seen)  # terms learned in this block are met first in it
        fresh, at = np.unique(ids[new], return_index=True)
        self.first[fresh] = self.tokens + new[at]
        self.tokens += len(ids)
        self.seen = vocabulary
        # one key per token, sorted: field, term, document; its run length is the tf
        key, tf = np.unique(((seg % nf) * vocabulary + ids) * nd + seg // nf, return_counts=True)
        doc, term = key % nd, key // nd
        rows = np.empty((len(key), 3), np.int32)
        rows[:, 1] = tf
        rows[:, 2] = lengths[doc * nf + term // vocabulary]
        doc += self.count
        bounds = np.concatenate([[0], np.flatnonzero(np.diff(term)) + 1, [len(key)]])
        heads = term[bounds[:-1]]
        field, tids = heads // vocabulary, heads % vocabulary
        rows[1:, 0] = np.diff(doc)  # Δdoc; a term's first in the block counts from its last document before
        rows[bounds[:-1], 0] = doc[bounds[:-1]] - self.last[field, tids]
        self.last[field, tids] = doc[bounds[1:] - 1]
        flat = memoryview(rows).cast("B")
        bounds *= 12
        for f, tid, a, b in zip(field.tolist(), tids.tolist(), bounds[:-1].tolist(), bounds[1:].tolist()):
            into = self.postings[f]
            found = into[tid]
            if found is None:
                into[tid] = found = array("i")
            found.frombytes(flat[a:b])
        self.count += nd
        self.ids, self.lengths, self.docs = [], [], 0

    def lunr_order(self, vocabulary: int) -> list[int]:
        """Term ids in lunr's term index order: as first met (document, then field, then token)."""
        return self.np.argsort(self.first[:vocabulary], kind="stable").tolist()


_NONE = array("i")  # a term's postings in a field that does not hold it (shared: ~64 bytes an array, and most
                    # terms are in one or two fields; 375k terms at 100k papers); never written to
