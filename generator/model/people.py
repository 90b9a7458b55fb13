"""Topic and author pages, bounded so that they stay cheap at 100k papers.

- A topic is a keyword (`keywords:`, from `papers fetch`) that at least TOPIC_MIN papers share; keywords are
  matched by URL name, so `Diffusion Models` and `diffusion models` are one topic. An author page exists for an
  author with at least AUTHOR_MIN papers (one or two papers under a name say little, and common names collide).
- Each page lists at most PAGE_ROWS papers, most upvoted first (search finds the rest). Of each kind, the topics
  (authors) with the most papers get pages, at most one for every SHARE papers of the archive and never more than
  MAX_PAGES. A topic or author page costs about what a paper page costs (its rows are the dated listing rows the week
  and month pages already render, RowCache), so the two kinds together add at most 2/SHARE of the paper pages (10 % at
  SHARE = 20, which keeps them within 10 % of the build time), and at most 2 × MAX_PAGES pages at any size.
"""
from __future__ import annotations

from sys import intern
from typing import Any, Callable

from ..content.files import Paper
from .paper import authors_of, keywords_of
from .urls import author_url, name_slug, topic_url

__all__ = ["Group", "group_topics", "group_authors", "linked_urls", "links_by_paper", "rank_order",
           "TOPIC_MIN", "AUTHOR_MIN", "PAGE_ROWS", "MAX_PAGES", "SHARE"]

TOPIC_MIN = 2
AUTHOR_MIN = 3
PAGE_ROWS = 100
MAX_PAGES = 5000
SHARE = 20

Group = tuple[str, list[Paper]]  # (name shown, papers in site order)


def _group(papers: list[Paper], names_of: Callable[[Paper], list[str]], least: int) -> dict[str, Group]:
    found: dict[str, Group] = {}
    for p in papers:
        for name in names_of(p):
            slug = name_slug(name)
            hit = found.get(slug)
            if hit is None:
                found[slug] = (name, [p])
            elif hit[1][-1] is not p:
                hit[1].append(p)
    kept = [(slug, g) for slug, g in found.items() if len(g[1]) >= least]
    kept.sort(key=lambda item: (-len(item[1][1]), item[0]))
    return dict(sorted(kept[:min(MAX_PAGES, max(50, len(papers) // SHARE))]))


def group_topics(papers: list[Paper]) -> dict[str, Group]:
    """Topic slug → (keyword, papers) for keywords with pages."""
    return _group(papers, keywords_of, TOPIC_MIN)


def group_authors(papers: list[Paper]) -> dict[str, Group]:
    """Author slug → (name, papers) for authors with pages."""
    return _group(papers, authors_of, AUTHOR_MIN)


def linked_urls(p: Paper, topics: dict[str, Group], authors: dict[str, Group]) -> frozenset[str]:
    """The topic and author pages that paper `p`'s page links to (one paper: serve's patch)."""
    out = {intern(topic_url(s)) for s in (name_slug(k) for k in keywords_of(p)) if s in topics}
    out |= {intern(author_url(s)) for s in (name_slug(a) for a in authors_of(p)) if s in authors}
    return frozenset(out)  # interned: one str per page linked to, not one per link (~35 MB, 100k fetched papers)


def links_by_paper(topics: dict[str, Group], authors: dict[str, Group]) -> dict[int, frozenset[str]]:
    """id(paper) → linked_urls(paper, …) for every paper in a group, read off the groups' members (a few a
    paper) instead of looking up each of its names; a paper in no group has no entry. One str per page linked
    to, as linked_urls's interning gives."""
    found: dict[int, list[str]] = {}
    for groups, url in ((topics, topic_url), (authors, author_url)):
        for slug, (_, ps) in groups.items():
            link = url(slug)
            for p in ps:
                found.setdefault(id(p), []).append(link)
    return {k: frozenset(v) for k, v in found.items()}


def rank_key(p: Paper) -> tuple:
    """The order of ranked(): most upvoted first, then newest, then by title."""
    return (-(p.upvotes or 0), -(p.date.toordinal() if p.date else 0), p.title.casefold(), p.slug)


def ranked(ps: list[Paper], key: Callable[[Paper], Any] = rank_key) -> list[Paper]:
    """Most upvoted first, then newest, then by title (`key`: rank_key, a memo of it, or a rank_order)."""
    return sorted(ps, key=key)


def rank_order(papers: list[Paper]) -> Callable[[Paper], int]:
    """A sort key in ranked()'s order for `papers` and no others: each paper's place when all are ranked. The
    topic and author groups hold ~7 memberships a paper (10k fetched papers): an int looked up at each is
    quicker than a rank_key tuple made at each (group_pages 52 → 27 ms)."""
    place = {id(p): i for i, p in enumerate(ranked(papers))}
    return lambda p: place[id(p)]


def group_page_context(kind: str, slug: str, group: Group, card: Callable[[Paper], dict[str, Any]],
                       key: Callable[[Paper], Any] = rank_key) -> dict[str, Any]:
    """A topic or author page: the name, how many papers, and the PAGE_ROWS most upvoted (`key`: rank_key,
    or a rank_order)."""
    name, ps = group
    top = ranked(ps, key)[:PAGE_ROWS]
    return {"slug": slug, "name": name, "count": len(ps), "papers": [card(p) for p in top],
            "capped": len(ps) > PAGE_ROWS, "group_kind": kind}


def index_context(kind: str, groups: dict[str, Group]) -> dict[str, Any]:
    """The list of every topic or author with a page."""
    url = topic_url if kind == "topic" else author_url
    return {"groups": [{"name": n, "link": url(s), "count": len(ps)} for s, (n, ps) in groups.items()],
            "group_kind": kind}
