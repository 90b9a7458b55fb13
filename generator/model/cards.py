"""What a listing row shows of a paper (its card), shared by every listing, the feeds and the paper page."""
from __future__ import annotations

import re
from typing import Any

from ..content.files import Paper
from .latex import clean_latex
from .paper import authors_of, valid_arxiv_id
from .urls import org_slug, paper_url

__all__ = ["card", "teaser", "TEASER"]

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


def card(p: Paper) -> dict[str, Any]:
    """What a listing row shows of a paper."""
    authors = authors_of(p)
    return {
        "title": clean_latex(p.title), "slug": p.slug, "link": paper_url(p.slug),
        "date": p.date.isoformat() if p.date else None,
        "authors_count": p.authors_count or (len(authors) or None), "organization": p.organization,
        "org_url": f"org/{org_slug(p.organization)}/" if p.organization else None,
        "upvotes": p.upvotes or 0, "flags": list(p.flags), "teaser": teaser(p),
        "lead_authors": authors[:2], "authors": authors if len(authors) <= 10 else authors[:10],
        "arxiv_id": valid_arxiv_id(p.extra.get("arxiv_id")),
    }
