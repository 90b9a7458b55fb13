"""The site model: papers grouped into days, weeks, months, organisations; URLs. Pure data, no I/O.

Every page the site has is a `Page`: an output path, a template, and a context of plain data (str, int,
list, dict). Because contexts are plain data, a page's signature — the hash of its template and its
context — says exactly when it must be rendered again: a listing that shows a paper changes when that
paper does, so listings, feeds and the sitemap are never left stale.

URLs (all relative to the site root, ending in `/` for pages):
  /                       latest days, each day's papers by upvotes
  papers/<slug>/          one paper
  date/YYYY-MM-DD/        one day with papers; links to the previous and next days with papers
  week/YYYY-Www/          one ISO week;  month/YYYY-MM/  one month (a calendar of its days)
  archive/                every year and month with counts;  org/ and org/<slug>/;  undated/
  topic/<slug>/, author/<slug>/, topic/, author/   keywords and authors with several papers (people.py)
  papers/<slug>/<slug>.bib  the paper's BibTeX
  feed.xml feed.json sitemap.xml robots.txt 404.html search/   (sitemaps/sitemap-<n>.xml past 50,000 URLs)
"""
from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable

from ..config import SiteConfig
from ..content.files import Paper
from .archive import archive_context, month_calendar
from .latex import clean_latex
from .memo import Memo, Page, facts
from .paper import authors_of
from .people import (Group, group_authors, group_page_context, group_topics, index_context, links_by_paper,
                     rank_key, rank_order, ranked)
from .urls import author_url, iso_week, org_slug, org_url, paper_url, topic_url

__all__ = ["Page", "SiteModel", "Memo", "build_model", "pages", "paper_url", "org_slug", "iso_week"]


@dataclass
class SiteModel:
    """All papers, ordered, with the groups that become pages."""

    papers: list[Paper]  # by date, upvotes (desc), title; undated last
    days: dict[str, list[Paper]]
    weeks: dict[str, list[Paper]]
    months: dict[str, list[Paper]]
    orgs: dict[str, tuple[str, list[Paper]]]  # slug -> (name, papers)
    undated: list[Paper]
    topics: dict[str, Group] = field(default_factory=dict)  # slug -> (keyword, papers), see people.py
    authors: dict[str, Group] = field(default_factory=dict)  # slug -> (name, papers)


def build_model(papers: Iterable[Paper], memo: "Memo | None" = None, groups: bool = True) -> SiteModel:
    """Group papers into days, ISO weeks, months and organisations (`memo`: serve's, which keeps each
    paper's sort key and groups between runs), and topics and authors unless `groups` is False (the search
    index needs only the papers in order)."""
    facts_of = memo.facts if memo is not None else facts
    known = [(facts_of(p), p) for p in papers]
    known.sort(key=lambda item: item[0][0])
    ordered = [p for _, p in known]
    days: dict[str, list[Paper]] = {}
    weeks: dict[str, list[Paper]] = {}
    months: dict[str, list[Paper]] = {}
    orgs: dict[str, tuple[str, list[Paper]]] = {}
    undated: list[Paper] = []
    for (_, day, week, month, org), p in known:
        if day is None:
            undated.append(p)
        else:
            days.setdefault(day, []).append(p)
            weeks.setdefault(week, []).append(p)
            months.setdefault(month, []).append(p)
        if org:
            orgs.setdefault(org, (p.organization, []))[1].append(p)
    return SiteModel(ordered, days, dict(sorted(weeks.items())), months, dict(sorted(orgs.items())), undated,
                     group_topics(ordered) if groups else {}, group_authors(ordered) if groups else {})


def _neighbours(keys: list[str], i: int) -> tuple[str | None, str | None]:
    return (keys[i - 1] if i > 0 else None, keys[i + 1] if i + 1 < len(keys) else None)


def _by_votes(model: SiteModel, day: str, memo: Memo) -> list[dict[str, Any]]:
    """The day's cards by upvotes; one list per build, shared by the day, week, month and home pages."""
    found = memo.days.get(day)
    if found is None:
        ps = sorted(model.days[day], key=lambda p: (-(p.upvotes or 0), p.title.casefold(), p.slug))
        found = memo.days[day] = [memo.card(p) for p in ps]
    return found


def _day_groups(model: SiteModel, keys: Iterable[str], memo: Memo) -> list[dict[str, Any]]:
    return [{"date": k, "link": f"date/{k}/", "papers": _by_votes(model, k, memo)} for k in keys]


def pages(model: SiteModel, config: SiteConfig, memo: Memo | None = None) -> list[Page]:
    """Every page of the site, in a stable order (`memo`: what a previous build of the same papers made)."""
    memo = Memo() if memo is None else memo
    memo.retain(model.papers)
    out: list[Page] = [home_page(model, config, memo)]
    out += paper_pages(model, memo)
    out += day_pages(model, memo)
    out += period_pages(model, "week", memo)
    out += period_pages(model, "month", memo)
    out.append(Page("archive/index.html", "archive.html", archive_context(model), "archive"))
    out += org_pages(model, memo)
    out += group_pages(model, memo)
    out.append(undated_page(model, memo))
    out.append(Page("404.html", "404.html", {}, "404"))
    out.append(Page("search/index.html", "search.html", {}, "search"))
    out += feed_pages(model, config, memo)
    out += sitemap_pages(out)
    out.append(Page("robots.txt", "robots.txt", {}, "robots"))
    return out


def group_pages(model: SiteModel, memo: Memo) -> list[Page]:
    """Topic and author pages (people.py says which exist), and the two lists of them."""
    out = []
    key = rank_order(model.papers) if model.topics or model.authors else rank_key
    for kind, groups, url in (("topic", model.topics, topic_url), ("author", model.authors, author_url)):
        out += [group_page(kind, slug, g, memo, key) for slug, g in groups.items()]
        out.append(groups_page(kind, groups))
    return out


def groups_page(kind: str, groups: dict[str, Group]) -> Page:
    """The list of every topic or author with a page."""
    return Page(f"{kind}/index.html", "groups.html", index_context(kind, groups), kind + "s")


def group_page(kind: str, slug: str, group: Group, memo: Memo, key: Callable[[Any], Any] = rank_key) -> Page:
    """A topic or author page (`key`: the order of its papers, people.rank_key or a rank_order of them all)."""
    url = topic_url if kind == "topic" else author_url
    return Page(url(slug) + "index.html", "group.html", group_page_context(kind, slug, group, memo.card, key), kind)


def home_page(model: SiteModel, config: SiteConfig, memo: Memo) -> Page:
    """The latest days, newest first: whole days until `home_papers` papers are shown (1 to `home_days` days)."""
    latest: list[str] = []
    shown = 0
    for k in sorted(model.days, reverse=True):
        if latest and (shown >= config.home_papers or len(latest) >= config.home_days):
            break
        latest.append(k)
        shown += len(model.days[k])
    months = sorted(model.months, reverse=True)[:12]
    return Page("index.html", "home.html", {
        "days": _day_groups(model, latest, memo), "total": len(model.papers), "day_count": len(model.days),
        "more": len(model.days) > len(latest), "switch": dict(_switch(latest[0]), day="") if latest else None,
        "recent_months": [{"month": m, "count": len(model.months[m]), "link": f"month/{m}/"} for m in months],
    }, "home")


def _switch(day: str) -> dict[str, str]:
    """The Day / Week / Month switch for a day: its page, its week's and its month's."""
    return {"day": f"date/{day}/", "week": f"week/{iso_week(dt.date.fromisoformat(day))}/", "month": f"month/{day[:7]}/"}


def paper_pages(model: SiteModel, memo: Memo) -> list[Page]:
    """One page per paper; previous and next follow the site order (date, then upvotes)."""
    out = []
    ps = model.papers
    links = links_by_paper(model.topics, model.authors)
    none: frozenset[str] = frozenset()
    for i, p in enumerate(ps):
        prev_p = ps[i - 1] if i > 0 else None
        next_p = ps[i + 1] if i + 1 < len(ps) else None
        page = memo.paper_page(p, prev_p, next_p, links.get(id(p), none))
        out.append(page)
        out.append(memo.bib_page(p))
    return out


def day_pages(model: SiteModel, memo: Memo) -> list[Page]:
    """One page per date with papers, linking to the previous and next dates that have papers."""
    keys = sorted(model.days)
    by_month: dict[str, list[str]] = {}
    for k in keys:
        by_month.setdefault(k[:7], []).append(k)
    return [day_page(model, keys, i, by_month[k[:7]], memo) for i, k in enumerate(keys)]


def day_page(model: SiteModel, keys: list[str], i: int, month_days: list[str], memo: Memo) -> Page:
    """The page of day `keys[i]` (`keys`: every day with papers, sorted; `month_days`: those of its month)."""
    k = keys[i]
    prev_k, next_k = _neighbours(keys, i)
    return Page(f"date/{k}/index.html", "day.html", {
        "date": k, "papers": _by_votes(model, k, memo), "prev": prev_k, "next": next_k,
        "week": iso_week(dt.date.fromisoformat(k)), "month": k[:7], "month_days": month_days,
        "switch": _switch(k)}, "day", date=k)


def period_pages(model: SiteModel, kind: str, memo: Memo) -> list[Page]:
    """One page per ISO week or month with papers: its days, and the neighbouring periods with papers."""
    groups = model.weeks if kind == "week" else model.months
    keys = sorted(groups)
    days_of: dict[str, list[str]] = {}  # the period's days with papers, in order
    for d in sorted(model.days):
        days_of.setdefault(iso_week(dt.date.fromisoformat(d)) if kind == "week" else d[:7], []).append(d)
    return [period_page(model, kind, keys, i, days_of[k], memo) for i, k in enumerate(keys)]


def period_page(model: SiteModel, kind: str, keys: list[str], i: int, days: list[str], memo: Memo) -> Page:
    """The page of week or month `keys[i]` (`keys`: every such period with papers, sorted; `days`: its days
    with papers, in order)."""
    k = keys[i]
    groups = model.weeks if kind == "week" else model.months
    prev_k, next_k = _neighbours(keys, i)
    ctx: dict[str, Any] = {kind: k, "papers": [memo.card(p) for p in ranked(groups[k], memo.rank_key)],
                           "days": [{"date": d, "link": f"date/{d}/", "count": len(model.days[d])} for d in days],
                           "count": len(groups[k]), "prev": prev_k, "next": next_k, "switch": _switch(days[-1])}
    if kind == "month":
        ctx["calendar"] = month_calendar(k, {d: len(model.days[d]) for d in days})
    return Page(f"{kind}/{k}/index.html", f"{kind}.html", ctx, kind)


def org_pages(model: SiteModel, memo: Memo) -> list[Page]:
    """One page per organisation (newest first), and the list of them all."""
    return [org_page(model, slug, memo) for slug in model.orgs] + [orgs_page(model)]


def orgs_page(model: SiteModel) -> Page:
    """The list of every organisation, with how many papers each."""
    orgs = [{"slug": s, "name": n, "link": org_url(s), "count": len(ps)} for s, (n, ps) in model.orgs.items()]
    return Page("org/index.html", "orgs.html", {"orgs": orgs}, "orgs")


def org_page(model: SiteModel, slug: str, memo: Memo) -> Page:
    """The page of one organisation: its papers, newest first."""
    name, ps = model.orgs[slug]
    return Page(org_url(slug) + "index.html", "org.html", {"slug": slug, "name": name,
                                                        "papers": [memo.card(p) for p in reversed(ps)]}, "org")


def undated_page(model: SiteModel, memo: Memo) -> Page:
    """The papers with no date."""
    return Page("undated/index.html", "undated.html", {"papers": [memo.card(p) for p in model.undated]}, "undated")


def feed_pages(model: SiteModel, config: SiteConfig, memo: Memo) -> list[Page]:
    """feed.xml (Atom) and feed.json (JSON Feed), from one context."""
    feed = feed_context(model, config, memo)
    return [Page("feed.xml", "feed.xml", feed, "feed"), Page("feed.json", "feed.json", feed, "feed")]


def feed_entry(p: Paper, memo: Memo) -> dict[str, Any]:
    """A feed entry: the listing card and the abstract as plain text."""
    c = memo.card(p).as_dict()
    c["summary"] = clean_latex(memo.text(p))
    c["authors"] = authors_of(p)
    return c


def source_date() -> str:
    """The date to use when the content gives none: SOURCE_DATE_EPOCH if set, else 1970-01-01."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "")
    seconds = int(epoch) if epoch.isdigit() else 0
    return dt.datetime.fromtimestamp(seconds, dt.timezone.utc).date().isoformat()


def feed_context(model: SiteModel, config: SiteConfig, memo: Memo) -> dict[str, Any]:
    """The newest `feed_size` dated papers, newest day first and by upvotes within a day."""
    newest: list[Paper] = []  # whole days, newest first, until there are enough: the sort of every dated paper
    for day in sorted(model.days, reverse=True):  # by (-date, -upvotes, title, slug), cut, without sorting them all
        if len(newest) >= config.feed_size:
            break
        newest += sorted(model.days[day], key=lambda p: (-(p.upvotes or 0), p.title.casefold(), p.slug))
    entries = [feed_entry(p, memo) for p in newest[: config.feed_size]]
    return {"entries": entries, "updated": entries[0]["date"] if entries else source_date()}


SITEMAP_URLS = 50_000  # the sitemaps protocol's limit per file


def sitemap_pages(pages_: list[Page]) -> list[Page]:
    """`sitemap.xml`: every page's URL, or, past SITEMAP_URLS of them, a sitemap index of
    `sitemaps/sitemap-<n>.xml` files of SITEMAP_URLS each (the protocol's limit; search engines refuse more).
    A sitemap's URLs are made when it is rendered, from its pages (33 MB of them at 100k papers, else held
    by every process from the model on)."""
    shown = [pg for pg in pages_ if pg.path.endswith("index.html") and pg.kind != "search"]
    if len(shown) <= SITEMAP_URLS:
        return [Page("sitemap.xml", "sitemap.xml", None, "sitemap", make=sitemap_context, args=(shown,))]
    parts = [shown[i:i + SITEMAP_URLS] for i in range(0, len(shown), SITEMAP_URLS)]
    out = [Page(f"sitemaps/sitemap-{n}.xml", "sitemap.xml", None, "sitemap", make=sitemap_context, args=(part,))
           for n, part in enumerate(parts, 1)]
    index = [{"loc": page.path, "lastmod": max((m for pg in part if (m := _lastmod(pg))), default=None)}
             for page, part in zip(out, parts)]
    return out + [Page("sitemap.xml", "sitemap_index.xml", {"sitemaps": index}, "sitemap")]


def sitemap_context(shown: list[Page]) -> dict[str, Any]:
    """A sitemap's context: the URL of each of `shown`, with a lastmod where the page is about one date."""
    return {"urls": [{"loc": pg.path[: -len("index.html")], "lastmod": _lastmod(pg)} for pg in shown]}


def _lastmod(pg: Page) -> str | None:
    return pg.date if pg.kind in ("paper", "day") else None
