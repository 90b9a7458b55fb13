"""The site model: papers grouped into days, weeks, months, organisations; URLs. Pure data, no I/O.

Every page the site has is a `Page`: an output path, a template, and a context of plain data (str, int,
list, dict). Because contexts are plain data, a page's signature — the hash of its template and its
context — says exactly when it must be rendered again: a listing that shows a paper changes when that
paper does, so listings, feeds and the sitemap are never left stale.
"""
from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from hashlib import sha1
from typing import Any, Iterable

from .config import SiteConfig
from .content import Paper
from .markdown import render_abstract
from .slugs import slugify

__all__ = ["Page", "SiteModel", "build_model", "paper_url", "org_slug"]


@dataclass
class Page:
    """One output file: `path` relative to the site root, rendered from `template` with `context`."""

    path: str
    template: str
    context: dict[str, Any]
    kind: str

    def signature(self, template_hash: str) -> str:
        """A hash that changes whenever the rendered bytes could."""
        blob = json.dumps(self.context, sort_keys=True, default=str, ensure_ascii=False)
        return sha1(f"{template_hash}\0{self.template}\0{blob}".encode("utf-8")).hexdigest()


def paper_url(slug: str) -> str:
    return f"papers/{slug}/"


def org_slug(name: str) -> str:
    return slugify(name)


def iso_week(d: dt.date) -> str:
    y, w, _ = d.isocalendar()
    return f"{y:04d}-W{w:02d}"


def _sort_key(p: Paper) -> tuple:
    return (p.date or dt.date.max, -(p.upvotes or 0), p.title.casefold(), p.slug)


def card(p: Paper) -> dict[str, Any]:
    """What a listing row shows of a paper."""
    return {
        "title": p.title, "slug": p.slug, "link": paper_url(p.slug),
        "date": p.date.isoformat() if p.date else None,
        "authors_count": p.authors_count, "organization": p.organization,
        "org_url": f"org/{org_slug(p.organization)}/" if p.organization else None,
        "upvotes": p.upvotes or 0, "flags": list(p.flags),
    }


@dataclass
class SiteModel:
    """All papers, ordered, with the groups that become pages."""

    papers: list[Paper]  # by date, upvotes (desc), title; undated last
    days: dict[str, list[Paper]]
    weeks: dict[str, list[Paper]]
    months: dict[str, list[Paper]]
    orgs: dict[str, tuple[str, list[Paper]]]  # slug -> (name, papers)
    undated: list[Paper]


def build_model(papers: Iterable[Paper]) -> SiteModel:
    """Group papers into days, ISO weeks, months and organisations."""
    ordered = sorted(papers, key=_sort_key)
    days: dict[str, list[Paper]] = {}
    weeks: dict[str, list[Paper]] = {}
    months: dict[str, list[Paper]] = {}
    orgs: dict[str, tuple[str, list[Paper]]] = {}
    undated: list[Paper] = []
    for p in ordered:
        if p.date is None:
            undated.append(p)
        else:
            days.setdefault(p.date.isoformat(), []).append(p)
            weeks.setdefault(iso_week(p.date), []).append(p)
            months.setdefault(p.date.strftime("%Y-%m"), []).append(p)
        if p.organization:
            slug = org_slug(p.organization)
            orgs.setdefault(slug, (p.organization, []))[1].append(p)
    return SiteModel(ordered, days, dict(sorted(weeks.items())), months, dict(sorted(orgs.items())), undated)


def _neighbours(keys: list[str], i: int) -> tuple[str | None, str | None]:
    return (keys[i - 1] if i > 0 else None, keys[i + 1] if i + 1 < len(keys) else None)


def _by_votes(ps: list[Paper]) -> list[dict[str, Any]]:
    return [card(p) for p in sorted(ps, key=lambda p: (-(p.upvotes or 0), p.title.casefold(), p.slug))]


def _day_groups(model: SiteModel, keys: Iterable[str]) -> list[dict[str, Any]]:
    return [{"date": k, "link": f"date/{k}/", "papers": _by_votes(model.days[k])} for k in keys]


def pages(model: SiteModel, config: SiteConfig) -> list[Page]:
    """Every page of the site, in a stable order."""
    out: list[Page] = []
    day_keys = sorted(model.days)
    week_keys = list(model.weeks)
    month_keys = sorted(model.months)
    latest = day_keys[::-1][: config.home_days]
    out.append(Page("index.html", "home.html", {"days": _day_groups(model, latest), "total": len(model.papers),
                                                "more": len(day_keys) > len(latest)}, "home"))
    for i, p in enumerate(model.papers):
        prev_p = model.papers[i - 1] if i > 0 else None
        next_p = model.papers[i + 1] if i + 1 < len(model.papers) else None
        out.append(Page(paper_url(p.slug) + "index.html", "paper.html", paper_context(p, prev_p, next_p), "paper"))
    for i, k in enumerate(day_keys):
        prev_k, next_k = _neighbours(day_keys, i)
        d = dt.date.fromisoformat(k)
        out.append(Page(f"date/{k}/index.html", "day.html", {
            "date": k, "papers": _by_votes(model.days[k]), "prev": prev_k, "next": next_k,
            "week": iso_week(d), "month": k[:7]}, "day"))
    for i, k in enumerate(week_keys):
        prev_k, next_k = _neighbours(week_keys, i)
        ds = sorted({p.date.isoformat() for p in model.weeks[k] if p.date})
        out.append(Page(f"week/{k}/index.html", "week.html", {
            "week": k, "days": _day_groups(model, ds), "count": len(model.weeks[k]), "prev": prev_k, "next": next_k},
            "week"))
    for i, k in enumerate(month_keys):
        prev_k, next_k = _neighbours(month_keys, i)
        ds = sorted({p.date.isoformat() for p in model.months[k] if p.date})
        out.append(Page(f"month/{k}/index.html", "month.html", {
            "month": k, "days": _day_groups(model, ds), "count": len(model.months[k]), "prev": prev_k,
            "next": next_k}, "month"))
    out.append(Page("archive/index.html", "archive.html", archive_context(model), "archive"))
    for slug, (name, ps) in model.orgs.items():
        out.append(Page(f"org/{slug}/index.html", "org.html", {"slug": slug, "name": name,
                                                              "papers": [card(p) for p in reversed(ps)]}, "org"))
    out.append(Page("org/index.html", "orgs.html", {"orgs": [
        {"slug": s, "name": n, "link": f"org/{s}/", "count": len(ps)} for s, (n, ps) in model.orgs.items()]}, "orgs"))
    out.append(Page("undated/index.html", "undated.html", {"papers": [card(p) for p in model.undated]}, "undated"))
    out.append(Page("404.html", "404.html", {}, "404"))
    out.append(Page("search/index.html", "search.html", {}, "search"))
    newest = [p for p in reversed(model.papers) if p.date is not None][: config.feed_size]
    feed = {"entries": [feed_entry(p) for p in newest]}
    out.append(Page("feed.xml", "feed.xml", feed, "feed"))
    out.append(Page("feed.json", "feed.json", feed, "feed"))
    out.append(Page("sitemap.xml", "sitemap.xml", {"urls": sitemap_urls(out, model)}, "sitemap"))
    out.append(Page("robots.txt", "robots.txt", {}, "robots"))
    return out


def paper_context(p: Paper, prev_p: Paper | None, next_p: Paper | None) -> dict[str, Any]:
    """Everything the paper page shows."""
    html, links = render_abstract(p.body)
    ctx = card(p)
    ctx.update({
        "abstract_html": html, "abstract_text": " ".join(p.body.split()), "links": links,
        "week": iso_week(p.date) if p.date else None, "month": p.date.strftime("%Y-%m") if p.date else None,
        "prev": card(prev_p) if prev_p else None, "next": card(next_p) if next_p else None,
        "arxiv_id": p.extra.get("arxiv_id"), "authors": p.extra.get("authors"),
        "github": p.extra.get("github"), "project_page": p.extra.get("project_page"),
        "keywords": p.extra.get("keywords"),
        "ld_authors": ([{"@type": "Organization", "name": p.organization}] if p.organization else
                       [{"@type": "Person", "name": str(a)} for a in p.extra.get("authors") or []] or None),
    })
    return ctx


def feed_entry(p: Paper) -> dict[str, Any]:
    c = card(p)
    c["summary"] = " ".join(p.body.split())
    return c


def archive_context(model: SiteModel) -> dict[str, Any]:
    years: dict[str, dict[str, int]] = {}
    for k, ps in sorted(model.months.items(), reverse=True):
        years.setdefault(k[:4], {})[k] = len(ps)
    return {"years": [{"year": y, "count": sum(ms.values()),
                       "months": [{"month": m, "count": c, "link": f"month/{m}/"} for m, c in ms.items()]}
                      for y, ms in years.items()],
            "undated": len(model.undated), "orgs": len(model.orgs), "total": len(model.papers)}


def sitemap_urls(pages_: list[Page], model: SiteModel) -> list[dict[str, str | None]]:
    """Every HTML page but 404 and search, with a lastmod where the page is about one date."""
    urls = []
    for pg in pages_:
        if not pg.path.endswith("index.html") or pg.kind in ("search",):
            continue
        lastmod = pg.context.get("date") if pg.kind in ("paper", "day") else None
        urls.append({"loc": pg.path[: -len("index.html")], "lastmod": lastmod})
    return urls
