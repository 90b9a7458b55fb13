"""What a listing row shows of a paper (its card), shared by every listing, the feeds and the paper page."""
from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache
from typing import Any

from ..content.files import Paper
from .latex import clean_latex
from .paper import authors_of, valid_arxiv_id
from .urls import org_slug, paper_url

__all__ = ["card", "teaser", "iso_day", "TEASER"]

TEASER = 180  # characters of the one-line teaser under a listing row's title
_MD_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")


def teaser(p: Paper) -> str:
    """One line for a listing row: the AI summary, else the abstract, as plain text, cut at a word."""
    text = p.extra.get("ai_summary")
    text = text if isinstance(text, str) and text.strip() else p.body
    text = " ".join(text.split())
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


def card(p: Paper) -> dict[str, Any]:
    """What a listing row shows of a paper. The lists in it are tuples: () when empty, one object for all."""
    authors = authors_of(p)
    return {
        "title": clean_latex(p.title), "slug": p.slug, "link": paper_url(p.slug), "date": iso_day(p.date),
        "authors_count": p.authors_count or (len(authors) or None), "organization": p.organization,
        "org_url": f"org/{org_slug(p.organization)}/" if p.organization else None,
        "upvotes": p.upvotes or 0, "flags": tuple(p.flags), "teaser": teaser(p),
        "lead_authors": tuple(authors[:2]), "authors": authors if len(authors) <= 10 else authors[:10],
        "arxiv_id": valid_arxiv_id(p.extra.get("arxiv_id")),
    }
