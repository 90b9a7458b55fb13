"""A paper edited where it stands: the site's pages made again for what shows that paper, not for the archive.

`papers serve --watch` keeps the model and the page list between runs. When a batch of changes only
replaced papers by new versions that stay where they were filed (same file, slug, date, organisation,
keywords and authors: `same_place`), the groups keep their members and every page keeps its path, so
what can change is known:

    the paper's page and .bib, and the pages of the papers beside it (their pager shows its title); when its
    upvotes or title move it within its day, every paper page between its old and new place
    its day, week and month; its organisation, topic and author pages; the undated page if it has no date
    the home page and the feeds (cheap: they show the latest days); the sitemap when paper pages moved

Everything else is the same Page object as before (build/pipeline.py keeps its signature without looking).
Anything else (a paper added, removed, re-dated, renamed, given other authors) returns None and the model is
built again. tests/test_patch.py checks, for random edits, that the pages equal those of a full rebuild.
"""
from __future__ import annotations

import datetime as dt
from bisect import bisect_left
from dataclasses import dataclass
from typing import Any, Callable

from ..config import SiteConfig
from ..content.files import Paper
from .memo import Memo, Page
from .paper import authors_of, keywords_of
from .people import Group, linked_urls
from .site import (SiteModel, day_page, feed_pages, group_page, groups_page, home_page, org_page, orgs_page,
                   period_page, sitemap_pages, undated_page)
from .urls import iso_week, month_key, name_slug, org_slug

__all__ = ["same_place", "patch", "Patched"]


def same_place(old: Paper, new: Paper) -> bool:
    """True when `new` files where `old` did and belongs to the same groups (see the module's docstring)."""
    return (old.path == new.path and old.slug == new.slug and old.date == new.date
            and (org_slug(old.organization) if old.organization else None)
            == (org_slug(new.organization) if new.organization else None)
            and keywords_of(old) == keywords_of(new) and authors_of(old) == authors_of(new))


@dataclass
class Patched:
    """The model and page list after the edit, and the positions in the list whose Page may be new."""

    model: SiteModel
    pages: list[Page]
    changed: list[int]


def patch(model: SiteModel, site_pages: list[Page], where: dict[str, int], replaced: list[tuple[Paper, Paper]],
          config: SiteConfig, memo: Memo) -> Patched | None:
    """The pages after `replaced` (old, new) papers, made from `model` and its `site_pages` (`where`: path →
    position in `site_pages`, kept up to date here); None when the edit is not one patch() makes."""
    key: Callable[[Paper], Any] = lambda p: memo.facts(p)[0]  # noqa: E731 - unique: the slug is last
    papers = list(model.papers)
    spans: list[tuple[int, int]] = []
    moved = False
    for old, new in replaced:
        if not same_place(old, new):
            return None
        i = bisect_left(papers, key(old), key=key)
        if i == len(papers) or papers[i] is not old:
            return None  # not in this model (a run that failed in between): build it again
        del papers[i]
        j = bisect_left(papers, key(new), key=key)
        papers.insert(j, new)
        moved = moved or i != j
        spans.append((max(min(i, j) - 1, 0), min(max(i, j) + 1, len(papers) - 1)))
    swap = {id(old): new for old, new in replaced}
    new_model = _regroup(model, papers, replaced, swap, key)
    memo.forget([old for old, _ in replaced])
    out = list(site_pages)
    changed: list[int] = []

    def put(page: Page) -> None:
        at = where.get(page.path)
        if at is None or out[at].path != page.path:
            raise _Unplaced(page.path)
        out[at] = page
        changed.append(at)

    try:
        _paper_pages(new_model, papers, spans, memo, out, where, changed)
        _listing_pages(new_model, replaced, config, memo, put)
        _index_pages(model, new_model, put)
        if moved:
            for page in sitemap_pages(out):
                put(page)
    except _Unplaced:
        return None
    return Patched(new_model, out, changed)


class _Unplaced(Exception):
    """A page patch() would replace is not where the page list had it."""


def _regroup(model: SiteModel, papers: list[Paper], replaced: list[tuple[Paper, Paper]], swap: dict[int, Paper],
             key: Callable[[Paper], Any]) -> SiteModel:
    """The model's groups with each old paper replaced by its new version, in site order again."""
    def fixed(ps: list[Paper]) -> list[Paper]:
        return sorted((swap.get(id(p), p) for p in ps), key=key)

    days, weeks, months, orgs = dict(model.days), dict(model.weeks), dict(model.months), dict(model.orgs)
    topics, authors, undated = dict(model.topics), dict(model.authors), model.undated
    for _, new in replaced:
        if new.date is None:
            undated = fixed(undated)
        else:
            day = new.date.isoformat()
            days[day] = fixed(days[day])
            weeks[iso_week(new.date)] = fixed(weeks[iso_week(new.date)])
            months[month_key(new.date)] = fixed(months[month_key(new.date)])
        if new.organization:
            slug = org_slug(new.organization)
            ps = fixed(orgs[slug][1])
            orgs[slug] = (ps[0].organization, ps)  # the name as the first paper in site order spells it
        for groups, names_of in ((topics, keywords_of), (authors, authors_of)):
            for name in names_of(new):
                slug = name_slug(name)
                if slug in groups:
                    groups[slug] = _group_of(fixed(groups[slug][1]), slug, names_of)
    return SiteModel(papers, days, weeks, months, orgs, undated, topics, authors)


def _group_of(ps: list[Paper], slug: str, names_of: Callable[[Paper], list[str]]) -> Group:
    """A topic or author group, named as its first paper spells it (people._group's rule)."""
    return next(n for n in names_of(ps[0]) if name_slug(n) == slug), ps


def _paper_pages(model: SiteModel, papers: list[Paper], spans: list[tuple[int, int]], memo: Memo,
                 out: list[Page], where: dict[str, int], changed: list[int]) -> None:
    """The paper and .bib pages of each span of `papers`, in place in `out` (their positions move with them)."""
    groups = bool(model.topics or model.authors)
    for lo, hi in spans:
        for k in range(lo, hi + 1):
            p = papers[k]
            prev_p = papers[k - 1] if k > 0 else None
            next_p = papers[k + 1] if k + 1 < len(papers) else None
            linked = linked_urls(p, model.topics, model.authors) if groups else frozenset()
            for at, page in ((1 + 2 * k, memo.paper_page(p, prev_p, next_p, linked)), (2 + 2 * k, memo.bib_page(p))):
                if at >= len(out) or out[at].kind != page.kind:
                    raise _Unplaced(page.path)
                if out[at] is not page:
                    out[at] = page
                    where[page.path] = at
                    changed.append(at)


def _index_pages(before: SiteModel, model: SiteModel, put: Callable[[Page], None]) -> None:
    """The lists of organisations, topics and authors, when a name they show changed (the first paper of a
    group, in site order, names it)."""
    if any(before.orgs[s][0] != g[0] for s, g in model.orgs.items() if g is not before.orgs[s]):
        put(orgs_page(model))
    for kind, old, new in (("topic", before.topics, model.topics), ("author", before.authors, model.authors)):
        if any(old[s][0] != g[0] for s, g in new.items() if g is not old[s]):
            put(groups_page(kind, new))


def _listing_pages(model: SiteModel, replaced: list[tuple[Paper, Paper]], config: SiteConfig, memo: Memo,
                   put: Callable[[Page], None]) -> None:
    """The listings that show the new papers, made again."""
    day_keys, week_keys, month_keys = sorted(model.days), sorted(model.weeks), sorted(model.months)
    for _, new in replaced:
        if new.date is None:
            put(undated_page(model, memo))
        else:
            day = new.date.isoformat()
            memo.days.pop(day, None)
            month = day[:7]
            month_days = day_keys[bisect_left(day_keys, month):bisect_left(day_keys, month + "\uffff")]
            put(day_page(model, day_keys, bisect_left(day_keys, day), month_days, memo))
            monday = new.date - dt.timedelta(days=new.date.weekday())
            week_days = [d for d in ((monday + dt.timedelta(n)).isoformat() for n in range(7)) if d in model.days]
            week = iso_week(new.date)
            put(period_page(model, "week", week_keys, bisect_left(week_keys, week), week_days, memo))
            put(period_page(model, "month", month_keys, bisect_left(month_keys, month), month_days, memo))
        if new.organization:
            put(org_page(model, org_slug(new.organization), memo))
        for kind, groups, names_of in (("topic", model.topics, keywords_of), ("author", model.authors, authors_of)):
            for slug in dict.fromkeys(name_slug(n) for n in names_of(new)):
                if slug in groups:
                    put(group_page(kind, slug, groups[slug], memo))
    put(home_page(model, config, memo))
    for page in feed_pages(model, config, memo):
        put(page)
