"""A site's pages, and what serve keeps of them between runs.

    Page   one output file: its path, template and context (or a function that makes the context)
    Memo   the parts of page contexts that depend on one paper alone, made once per Paper object

`papers serve --watch` keeps one Memo between rebuilds: an edit makes one new Paper, and everything made
from the other papers (cards, page contexts, sort keys, .bib contexts) is found again, not made again.
"""
from __future__ import annotations

import datetime as dt
import io
import pickle
from hashlib import sha1
from typing import Any, Callable

from ..content.files import Paper
from .cards import Card, card, iso_day
from .paper import authors_of, bibtex, paper_context, valid_arxiv_id
from .people import rank_key
from .urls import iso_week, month_key, org_slug, paper_url
from ..util.text import one_line

__all__ = ["Page", "Memo", "facts", "sort_key"]


class Page:
    """One output file: `path` relative to the site root, rendered from `template` with `context`.

    A paper page (or a sitemap) may be given `make` (and its `args`) instead of a context: the context,
    make(*args), is then made each time it is asked for and not kept (at 100k papers, keeping them all takes
    half a gigabyte); `fixed()` makes it once. The function and its arguments are kept apart, not as a
    functools.partial of a bound method: ~110 bytes less for each paper and .bib page, 22 MB at 100k papers,
    in every process the build forks. `date` is the one day the page is about (paper and day pages), for the sitemap."""

    __slots__ = ("path", "template", "kind", "date", "_context", "_make", "_args")

    def __init__(self, path: str, template: str, context: dict[str, Any] | None = None, kind: str = "", *,
                 make: Callable[..., dict[str, Any]] | None = None, args: tuple = (), date: str | None = None):
        self.path, self.template, self.kind, self.date = path, template, kind, date
        self._context, self._make, self._args = context, make, args

    @property
    def context(self) -> dict[str, Any]:
        """The template's variables (plain data)."""
        if self._make is not None:
            return self._make(*self._args)
        return self._context if self._context is not None else {}

    @property
    def made_from(self) -> tuple:
        """The arguments a context made when asked for is made from (`args`); () for a page given its context."""
        return self._args

    def fixed(self) -> "Page":
        """This page with its context made once (itself when it already has one)."""
        if self._make is None:
            return self
        return Page(self.path, self.template, self._make(*self._args), self.kind, date=self.date)

    def signature(self, template_hash: str) -> bytes:
        """A hash that changes whenever the rendered bytes could (SHA-1's 20 bytes: a hex str took 36 bytes
        more, 9 MB for the ~260k pages of 100k papers).

        The context is serialised with pickle in fast mode (no memo, so the bytes depend on the values
        alone, not on which objects happen to be shared): a quarter of the cost of sorted JSON."""
        buf = io.BytesIO()
        pickler = pickle.Pickler(buf, 5)
        pickler.fast = True
        pickler.dump((template_hash, self.template, self.context))
        return sha1(buf.getbuffer()).digest()

    def __repr__(self) -> str:
        return f"Page({self.path!r}, {self.template!r}, kind={self.kind!r})"


_month = month_key


def sort_key(day: dt.date | None, upvotes: int | None, title: str, slug: str) -> tuple:
    """The site's order of papers: by date (undated last), most upvoted first, then title and slug."""
    return (day or dt.date.max, -(upvotes or 0), title.casefold(), slug)


def _sort_key(p: Paper) -> tuple:
    return sort_key(p.date, p.upvotes, p.title, p.slug)


class Memo:
    """The parts of page contexts that depend on one paper alone, made once per Paper object.

    Every listing shows the same card dict for a paper (one object, not one per page: less memory, and
    comparing contexts stops at `is`). `papers serve --watch` keeps one Memo between rebuilds, so a paper
    whose file did not change keeps its card and its page context; a changed file gives a new Paper. Keys
    are id()s; each entry keeps its papers, so an id is never reused while its entry lives. With
    `keep=False` (one-shot builds) only cards are kept: paper contexts and texts are made, used, dropped."""

    def __init__(self, keep: bool = True) -> None:
        self.keep = keep
        self._cards: dict[int, tuple[Paper, Card]] = {}
        # what depends on one paper alone, by table: (paper, value) by id(paper); kept with `keep` only
        self._kept: dict[str, dict[int, tuple[Paper, Any]]] = {
            t: {} for t in ("text", "facts", "rank", "bib", "bib_page")}
        self._pages: dict[tuple, tuple[tuple[Paper, Paper | None, Paper | None], dict[str, Any]]] = {}
        self._page_objs: dict[tuple, tuple[tuple[Paper, Paper | None, Paper | None], Page]] = {}
        self.days: dict[str, list[dict[str, Any]]] = {}  # a day's cards by votes, for the current model only
        self._last_bibtex: tuple[Paper, str] | None = None  # the last paper context's entry (see bib_context)

    def retain(self, papers: list[Paper]) -> None:
        """Forget every paper not in `papers` (call once per build, before making pages)."""
        live = {id(p) for p in papers} | {id(None)}
        self._cards = {k: v for k, v in self._cards.items() if k in live}
        self._kept = {t: {k: v for k, v in entries.items() if k in live} for t, entries in self._kept.items()}
        self._pages = {k: v for k, v in self._pages.items() if live.issuperset(k[:3])}
        self._page_objs = {k: v for k, v in self._page_objs.items() if live.issuperset(k[:3])}
        self.days = {}

    def forget(self, papers: list[Paper]) -> None:
        """Forget what was made from `papers` alone (serve, when an edit replaced them; see patch.py)."""
        for p in papers:
            self._cards.pop(id(p), None)
            for entries in self._kept.values():
                entries.pop(id(p), None)

    def _one(self, table: str, p: Paper, make: Callable[[Paper], Any]) -> Any:
        """make(p), kept in `table` for the next call with the same Paper object (with `keep`)."""
        entries = self._kept[table]
        hit = entries.get(id(p))
        if hit is None or hit[0] is not p:
            hit = (p, make(p))
            if self.keep:
                entries[id(p)] = hit
        return hit[1]

    def card(self, p: Paper) -> Card:
        """card(p), shared: never change it (kept in one-shot builds too: every listing shows it)."""
        hit = self._cards.get(id(p))
        if hit is None or hit[0] is not p:
            hit = self._cards[id(p)] = (p, card(p))
        return hit[1]

    def text(self, p: Paper) -> str:
        """The abstract as one line of plain text."""
        return self._one("text", p, lambda p: one_line(p.body))

    def facts(self, p: Paper) -> tuple:
        """facts(p) (build_model's)."""
        return self._one("facts", p, facts)

    def rank_key(self, p: Paper) -> tuple:
        """rank_key(p) (people.ranked's order)."""
        return self._one("rank", p, rank_key)

    def bib_page(self, p: Paper) -> Page:
        """The Page of the paper's .bib file, shared like paper_page's."""
        return self._one("bib_page", p, lambda p: Page(f"{paper_url(p.slug)}{p.slug}.bib", "paper.bib", None, "bib",
                                                        make=Memo.bib_context, args=(self, p)))

    def bib_context(self, p: Paper) -> dict[str, Any]:
        """The context of the paper's .bib file, shared (serve compares it with the last run's at every edit).
        The paper's page comes just before its .bib file in the page list, so the entry its context made is
        taken again instead of made again (16 us a paper at 10k papers, 2 % of a build's CPU)."""
        return self._one("bib", p, lambda p: {"bibtex": self._bibtex(p)})

    def _bibtex(self, p: Paper) -> str:
        last = self._last_bibtex
        if last is not None and last[0] is p:
            return last[1]
        return bibtex(p, valid_arxiv_id(p.extra.get("arxiv_id")), authors_of(p))

    def paper_page(self, p: Paper, prev_p: Paper | None, next_p: Paper | None,
                   linked: frozenset[str] = frozenset()) -> Page:
        """The paper's Page, shared (its context is made when asked for, by paper_context); `linked`: the topic
        and author pages it links to, part of the key (another paper can give a keyword its page)."""
        key = (id(p), id(prev_p), id(next_p), linked)
        hit = self._page_objs.get(key)
        if hit is None or hit[0][0] is not p or hit[0][1] is not prev_p or hit[0][2] is not next_p:
            page = Page(paper_url(p.slug) + "index.html", "paper.html", None, "paper",
                        make=Memo.paper_context, args=(self, p, prev_p, next_p, linked), date=iso_day(p.date))
            hit = ((p, prev_p, next_p), page)
            if self.keep:
                self._page_objs[key] = hit
        return hit[1]

    def paper_context(self, p: Paper, prev_p: Paper | None, next_p: Paper | None,
                      linked: frozenset[str] = frozenset()) -> dict[str, Any]:
        """paper_context(p, prev_p, next_p, linked), shared."""
        key = (id(p), id(prev_p), id(next_p), linked)
        hit = self._pages.get(key)
        if hit is None or hit[0][0] is not p or hit[0][1] is not prev_p or hit[0][2] is not next_p:
            hit = ((p, prev_p, next_p), paper_context(p, prev_p, next_p, self, linked))
            if self.keep:
                self._pages[key] = hit
        self._last_bibtex = (p, hit[1]["bibtex"])
        return hit[1]


def facts(p: Paper) -> tuple:
    """What build_model groups a paper by: (sort key, day, ISO week, month, organisation slug)."""
    org = org_slug(p.organization) if p.organization else None
    if p.date is None:
        return _sort_key(p), None, None, None, org
    return _sort_key(p), p.date.isoformat(), iso_week(p.date), _month(p.date), org
