"""What a listing row shows of a paper (its card), shared by every listing, the feeds and the paper page."""
from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache
from operator import attrgetter
from typing import Any

from ..content.files import Paper
from .latex import clean_latex
from .paper import authors_of, valid_arxiv_id
from .urls import org_slug, org_url, paper_url
from ..util.text import one_line

__all__ = ["Card", "card", "teaser", "iso_day", "TEASER"]

TEASER = 180  # characters of the one-line teaser under a listing row's title
_MD_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")


def teaser(p: Paper) -> str:
    """One line for a listing row: the AI summary, else the abstract, as plain text, cut at a word."""
    text = p.extra.get("ai_summary")
    text = text if isinstance(text, str) and text.strip() else p.body
    text = one_line(text)
    if "[" in text:
        text = _MD_LINK.sub(r"\1", text)
    text = clean_latex(text.replace("**", "").replace("*", "").replace("`", ""))
    if len(text) <= TEASER:
        return text
    cut = text[:TEASER].rsplit(" ", 1)[0].rstrip(" ,;:.-")
    return cut + "…"


@lru_cache(maxsize=None)
def _iso(day: dt.date) -> str:
    return day.isoformat()


def iso_day(day: dt.date | None) -> str | None:
    """`YYYY-MM-DD`, one str object per day (a day's papers share it: 6 MB at 100k papers, twice)."""
    return _iso(day) if day is not None else None


class Card:
    """What a listing row shows of a paper: `card.title` (or `card["title"]`), the same values a dict of these
    names held. A paper's card is one object that every listing shares.

    Its size is what a model of 100k papers is made of: slots, not a dict (~130 bytes, not 464); `link` made
    when read; the teaser kept without its closing `…`, so that ASCII text stays one byte a character (a
    `…` makes Python keep the whole str two bytes a character). Together ~65 MB less at 100k papers, in the
    main process and each render worker."""

    __slots__ = ("title", "slug", "date", "authors_count", "organization", "org_url", "upvotes", "flags", "_teaser",
                 "_cut", "lead_authors", "authors", "arxiv_id")
    NAMES = ("title", "slug", "link", "date", "authors_count", "organization", "org_url", "upvotes", "flags",
             "teaser", "lead_authors", "authors", "arxiv_id")  # as a dict has them (as_dict)

    def __init__(self, title: str, slug: str, date: str | None, authors_count: int | None, organization: str | None,
                 upvotes: int, flags: tuple, teaser: str, lead_authors: tuple, authors: list[str],
                 arxiv_id: str | None):
        self.title, self.slug, self.date, self.authors_count = title, slug, date, authors_count
        self.organization, self.org_url = organization, _org_url(organization) if organization else None
        self.upvotes, self.flags, self.lead_authors, self.authors, self.arxiv_id = (upvotes, flags, lead_authors,
                                                                                   authors, arxiv_id)
        self._cut = teaser.endswith("…")
        self._teaser = teaser[:-1] if self._cut else teaser

    @property
    def link(self) -> str:
        return paper_url(self.slug)

    @property
    def teaser(self) -> str:
        return self._teaser + "…" if self._cut else self._teaser

    def __getitem__(self, name: str) -> Any:
        """`card["title"]`, as on the dict it replaced (KeyError for a name it does not have)."""
        if name not in self.NAMES:
            raise KeyError(name)
        return getattr(self, name)

    def as_dict(self) -> dict[str, Any]:
        """The card as a dict of NAMES (the start of a paper page's or a feed entry's context)."""
        return {name: getattr(self, name) for name in self.NAMES}

    def _values(self) -> tuple:
        return _VALUES(self)

    def __eq__(self, other: object) -> bool:
        return self is other or (type(other) is Card and self._values() == other._values())

    __hash__ = None  # type: ignore[assignment]  # as a dict's: equal cards need not be one object

    def __reduce__(self) -> tuple:
        """Pickled (page signatures, render workers) by its values, as briefly as a dict would be."""
        return _card_of, self._values()

    def __repr__(self) -> str:
        return f"Card({self.slug!r})"


_VALUES = attrgetter(*Card.__slots__)  # every slot's value, in one C call (pickling a listing page's cards)


def _card_of(*values: Any) -> Card:
    c = Card.__new__(Card)
    for name, value in zip(Card.__slots__, values):
        setattr(c, name, value)
    return c


@lru_cache(maxsize=None)
def _org_url(organization: str) -> str:
    return org_url(org_slug(organization))  # one str per organisation, not one per card


def card(p: Paper) -> Card:
    """What a listing row shows of a paper. The lists in it are tuples: () when empty, one object for all."""
    authors = authors_of(p)
    return Card(title=clean_latex(p.title), slug=p.slug, date=iso_day(p.date),
                authors_count=p.authors_count or (len(authors) or None), organization=p.organization,
                upvotes=p.upvotes or 0, flags=tuple(p.flags), teaser=teaser(p), lead_authors=tuple(authors[:2]),
                authors=authors if len(authors) <= 10 else authors[:10],
                arxiv_id=valid_arxiv_id(p.extra.get("arxiv_id")))
