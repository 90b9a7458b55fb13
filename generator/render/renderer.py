"""The Jinja environment: theme lookup, fingerprinted assets, filters, and turning a Page into bytes.

Lookup order, first match wins, for templates and static files alike:
  1. the site's overrides folder (`overrides/templates/`, `overrides/static/` beside papers.yml);
  2. the configured theme (`theme:` in papers.yml: `themes/<name>/` beside papers.yml, a path, or a packaged theme);
  3. the packaged default theme (generator/themes/default, which is the repo's themes/default/).

So a site changes one thing by adding one file: `overrides/templates/partials/paper_row.html` replaces how a
listing row looks, `overrides/static/css/site.css` replaces the stylesheet, and every other template and
asset still comes from the theme. Templates extend `base.html`, whose blocks are small: title, description,
canonical, head, header, nav, searchbox, breadcrumbs, content, footer. Page templates get the page's context
(see site.py) plus `site` (the config), `kind`, `path`, and the helpers `url(p)` (site-relative link),
`abs_url(p)` (absolute), `asset(name)` (the fingerprinted URL of a static file, e.g. `asset('css/site.css')`),
`paper_row(p)` (card `p` through `partials/paper_row.html`, as an include would render it; see RowCache).

Every static file is written as `static/<name>.<sha256[:10]>.<ext>`, so it can be cached forever.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import re
from collections import Counter, OrderedDict
from pathlib import Path
from functools import lru_cache, wraps
from typing import Any, Callable, Iterable

import jinja2
from jinja2 import meta
from markupsafe import Markup

from ..config import SiteConfig
from ..errors import BuildError
from ..model.markdown import link_kind
from ..model.site import Page
from .environment import Environment
from .theme import Theme
from ..util.text import plural

__all__ = ["Renderer", "RowCache"]

log = logging.getLogger("papers.render")

INLINE_AT = 500  # pages of one template before it inlines its includes (Renderer.plan)

MONTH_NAMES = "January February March April May June July August September October November December".split()


def human_date(value: str | dt.date | None) -> str:
    if not value:
        return "undated"
    d = dt.date.fromisoformat(value) if isinstance(value, str) else value
    return f"{MONTH_NAMES[d.month - 1][:3]} {d.day}, {d.year}"


def long_date(value: str) -> str:
    d = dt.date.fromisoformat(value)
    return f"{d.strftime('%A')}, {MONTH_NAMES[d.month - 1]} {d.day}, {d.year}"


def month_name(value: str) -> str:
    y, m = value.split("-")[:2]
    return f"{MONTH_NAMES[int(m) - 1]} {y}"


def week_name(value: str) -> str:
    """`2023-W44` → `Week 44, 2023`."""
    y, w = value.split("-W")
    return f"Week {int(w)}, {y}"


def week_range(value: str) -> str:
    """`2023-W44` → `Oct 30 – Nov 5, 2023` (years on both ends when the week spans two)."""
    y, w = value.split("-W")
    monday = dt.date.fromisocalendar(int(y), int(w), 1)
    sunday = monday + dt.timedelta(days=6)
    if monday.year == sunday.year:
        return f"{human_date(monday).rsplit(',', 1)[0]} – {human_date(sunday)}"
    return f"{human_date(monday)} – {human_date(sunday)}"


def day_of_month(value: str) -> int:
    """`2025-03-07` → 7."""
    return int(value[8:10])


_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def xml_safe(value: Any) -> str:
    """Text without the control characters XML 1.0 forbids (escaping is still autoescape's job)."""
    return "" if value is None else _XML_ILLEGAL.sub("", str(value))


def prune(value: dict) -> dict:
    """Drop empty values (None, '', [])."""
    return {k: v for k, v in value.items() if v not in (None, "", [])}


def link_label(url: str) -> str:
    """`https://github.com/a/b/` → `github.com/a/b`."""
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    host = parts.netloc.removeprefix("www.")
    return (host + parts.path.rstrip("/")) or url


def compact_number(n: int) -> str:
    """`950` → `950`, `1520` → `1.5k`, `23000` → `23k` (GitHub's way of showing stars)."""
    if n < 1000:
        return str(n)
    k = n / 1000
    return f"{k:.1f}k".replace(".0k", "k") if k < 10 else f"{round(k)}k"


def json_script(value: Any) -> str:
    """JSON safe inside a <script type="application/ld+json"> element."""
    text = json.dumps(value, ensure_ascii=False, sort_keys=True)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _remembered(fn: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """`fn` with its results kept: the date and link filters see the same few thousand values on every page
    (a value that cannot be a dict key is passed straight through)."""
    cached = lru_cache(maxsize=8192)(fn)

    @wraps(fn)
    def remembered(value: Any) -> Any:
        try:
            return cached(value)
        except TypeError:
            return fn(value)
    return remembered


class Renderer:
    """Renders pages with the theme; one per build."""

    def __init__(self, config: SiteConfig, theme: Theme, assets: dict[str, str], extra_globals: dict | None = None):
        self.config = config
        self.env = Environment(
            loader=jinja2.FileSystemLoader(theme.template_dirs()),
            autoescape=jinja2.select_autoescape(["html", "xml"], default_for_string=True),
            undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
            auto_reload=False,  # one Renderer per build (serve makes a new one when a template changes): no stat
            cache_size=-1,      # of every template at every {% include %}; and a plain dict of the few dozen
        )                       # templates, not an LRU that takes a lock and reorders a deque at every look-up
        base_path = config.base_path

        def asset(name: str) -> str:
            try:
                return base_path + assets[name]
            except KeyError:
                raise jinja2.TemplateRuntimeError(f"asset({name!r}): no such static file in the theme") from None

        self.env.globals.update(site=config, url=lambda p="": base_path + p,
                                abs_url=lambda p="": config.base_url + p, asset=asset, **(extra_globals or {}))
        self.env.fold_calls({"url", "abs_url", "asset"} - set(extra_globals or ()))  # pure: see Environment
        self.env.inline_into = frozenset()  # until plan() names the templates that render often
        self.env.globals["paper_row"] = self.rows = RowCache(self.env)
        self.env.filters.update(human_date=_remembered(human_date), long_date=_remembered(long_date),
                                month_name=_remembered(month_name), week_name=_remembered(week_name),
                                week_range=_remembered(week_range), json_script=json_script, prune=prune,
                                link_label=_remembered(link_label), link_kind=_remembered(link_kind),
                                plural=plural, day_of_month=day_of_month, xml_safe=xml_safe,
                                compact_number=compact_number)
        from ..util.codehash import code_hash  # the filters and page contexts are code: a new version renders anew

        settings = (json.dumps({k: str(v) for k, v in vars(config).items() if k != "root"}, sort_keys=True)  # root: where, not what
                    + json.dumps(assets, sort_keys=True) + code_hash())
        self.template_hash = hashlib.sha256((self._hash_templates(theme) + settings).encode("utf-8")).hexdigest()

    @staticmethod
    def _hash_templates(theme: Theme) -> str:
        h = hashlib.sha256()
        for d in theme.template_dirs():
            for path in sorted(Path(d).rglob("*")):
                if path.is_file():
                    h.update(path.relative_to(d).as_posix().encode() + b"\0" + path.read_bytes())
        return h.hexdigest()

    def plan(self, pages: list[Page]) -> None:
        """Which templates inline their includes (render/inline.py), before any is compiled: those that at least
        INLINE_AT of `pages` use, and the listing row's when there are that many pages (each paper is a row on
        its day and on a dated page). Inlining costs ~1.5 ms of compiling for each place a partial is included,
        and saves ~2 us each time that place renders; a template compiled before (serve) stays as it is."""
        counts = Counter(page.template for page in pages)
        heavy = {name for name, n in counts.items() if n >= INLINE_AT}
        self.env.inline_into = frozenset(heavy | ({RowCache.NAME} if len(pages) >= INLINE_AT else set()))

    def compile_all(self) -> None:
        """Compile every template of the theme now (render_into, before it forks: its workers then share them,
        ~80 ms of compiling each otherwise). One that does not compile is left for render() to report, if a
        page uses it."""
        for name in self.env.list_templates():
            try:
                self.env.get_template(name)
            except (jinja2.TemplateError, ValueError, OSError):  # ValueError: not UTF-8 (not a template at all)
                pass

    def render(self, page: Page) -> bytes:
        """The page's bytes; a template error becomes a BuildError naming the template and line."""
        log.debug("render %s (%s)", page.path, page.template)
        if page.template.endswith(".json"):
            return render_json_feed(page, self.config)
        try:
            return _run(self.env, page).encode("utf-8")
        except jinja2.TemplateSyntaxError as exc:
            raise BuildError(f"template syntax error: {exc.message}", exc.filename or exc.name, exc.lineno) from None
        except jinja2.TemplateNotFound as exc:
            raise BuildError(f"template {exc.name!r} not found in the theme (needed for {page.path})") from None
        except Exception as exc:  # noqa: BLE001 - any error inside a template is the template's
            exc = self._located(page, exc)
            filename, line = _template_frame(exc)
            raise BuildError(f"rendering {page.path} failed: {type(exc).__name__}: {exc}", filename, line) from None

    def _located(self, page: Page, exc: Exception) -> Exception:
        """The error the page raises with no include inlined (render/inline.py), which names the partial's
        own file and line when the error is in one; `exc` itself when nothing was inlined."""
        if not self.env.inlined:
            return exc
        try:
            _run(self.env.plain(), page)
        except Exception as again:  # noqa: BLE001 - the same error, located
            return again
        return exc


def _run(env: jinja2.Environment, page: Page) -> str:
    """The page's template rendered in `env` with the page's variables."""
    return env.get_template(page.template).render(page=page.context, kind=page.kind, path=page.path, **page.context)


class RowCache:
    """`{{ paper_row(p) }}`: `{% include "partials/paper_row.html" %}` for card `p`, rendered once per build
    while it is kept (below).

    A paper's row appears on its day, week and month pages (and the home and organisation pages); it is
    rendered like the include (same context) and kept by (card, show_date) when the row template and the
    templates it includes read nothing but `p`, `show_date` and the globals, which jinja2.meta checks. An
    override that reads more (`kind`, say) is rendered every time, as an include would be.

    A new row waits among the last FRESH rows made; asked for again there, it joins the KEPT rows last asked
    for. Most rows are asked for once (a day's rows are shown by the day page alone, bar the latest days on
    the home page). render/batch.py renders each day, week and month page right after the days they show,
    so a row the week and month pages share is asked for again within a few thousand rows. Few are asked
    for after their month (at 10k papers 331 rows, by organisation pages, against 10,000 kept): keeping
    every row asked for twice until the end took ~290 MB in the listings' worker at 100k papers, the largest
    process of the build. A row that has left is rendered again: the same bytes, more time.

    The pages that show rows out of date order (organisation, topic and author pages, rendered after the
    listings) are known before a run starts: hold() names their cards, and a kept row of one of those cards
    that leaves the KEPT rows is held, up to HELD rows, until release(). At 10k papers with the fetch fields,
    the topic and author pages asked for 6,784 rows that had left (of 18,214).

    A row is kept as UTF-8: a teaser's `…` makes Python hold the whole str at two bytes a character, and the
    rows kept took ~31 MB at 100k papers as str, in the worker that renders the listings."""

    FRESH = 16384  # rows; about 5 months of Daily Papers (~50 papers a day, each with a day row and a dated row)
    KEPT = 4096  # rows asked for more than once, the last asked for (after its month, few are asked for again)
    HELD = 16384  # rows of hold()'s cards that left the KEPT rows

    NAME = "partials/paper_row.html"

    def __init__(self, env: jinja2.Environment):
        self.env = env
        self.rows: OrderedDict[tuple[int, Any], tuple[Any, bytes]] = OrderedDict()  # asked for again: the KEPT last
        self.fresh: OrderedDict[tuple[int, Any], tuple[Any, bytes]] = OrderedDict()  # the last FRESH made
        self._pure: bool | None = None
        self.wanted: set[int] = set()  # id() of hold()'s cards
        self.held: dict[tuple[int, Any], tuple[Any, bytes]] = {}

    def hold(self, cards: Iterable[Any]) -> None:
        """Keep the rows of `cards` (alive until release()) when they leave: later pages ask for them."""
        self.wanted = {id(c) for c in cards}

    def release(self) -> None:
        self.wanted, self.held = set(), {}

    def _is_pure(self) -> bool:
        allowed = {"p", "show_date"} | set(self.env.globals)
        todo, seen = [self.NAME], {self.NAME}
        while todo:
            source = self.env.loader.get_source(self.env, todo.pop())[0]  # type: ignore[union-attr]
            ast = self.env.parse(source)
            if meta.find_undeclared_variables(ast) - allowed:
                return False
            for ref in meta.find_referenced_templates(ast):
                if ref is None:
                    return False
                if ref not in seen:
                    seen.add(ref)
                    todo.append(ref)
        return True

    @jinja2.pass_context
    def __call__(self, context: jinja2.runtime.Context, p: Any) -> Markup:
        if self._pure is None:
            self._pure = self._is_pure()
        show = context.resolve_or_missing("show_date")
        key = (id(p), show) if self._pure and isinstance(show, (bool, int, str, type(None))) else None
        if key is not None:
            hit = self.rows.get(key)
            if hit is not None:
                self.rows.move_to_end(key)
            elif key in self.fresh:
                hit = self.rows[key] = self.fresh.pop(key)
                if len(self.rows) > self.KEPT:
                    gone, row = self.rows.popitem(last=False)
                    if gone[0] in self.wanted and len(self.held) < self.HELD:
                        self.held[gone] = row
            else:
                hit = self.held.get(key)
            if hit is not None and hit[0] is p:
                return Markup(hit[1].decode())
        template = context.environment.get_template(self.NAME, context.name)  # Renderer._located's too
        row = Markup("".join(template.root_render_func(template.new_context(context.get_all(), True, {"p": p}))))
        if key is not None:
            self.rows.pop(key, None)
            self.fresh[key] = (p, row.encode())  # keeps `p` alive: its id() is not reused while the row is kept
            if len(self.fresh) > self.FRESH:
                self.fresh.popitem(last=False)
        return row


def _template_frame(exc: BaseException) -> tuple[str | None, int | None]:
    """The innermost template file and line in the traceback (Jinja maps frames to template lines)."""
    found: tuple[str | None, int | None] = (None, None)
    tb = exc.__traceback__
    while tb is not None:
        name = tb.tb_frame.f_code.co_filename
        if not name.endswith(".py") and ("/templates/" in name or name.endswith((".html", ".xml", ".txt"))):
            found = (name, tb.tb_lineno)
        tb = tb.tb_next
    return found


def render_json_feed(page: Page, config: SiteConfig) -> bytes:
    """JSON Feed 1.1, built as data so nothing in a title can break it."""
    items = []
    for e in page.context["entries"]:
        url = config.base_url + e["link"]
        names = e.get("authors") or ([e["organization"]] if e["organization"] else [])
        items.append({"id": url, "url": url, "title": e["title"], "content_text": e["summary"] or e["title"],
                      **({"external_url": f"https://arxiv.org/abs/{e['arxiv_id']}"} if e.get("arxiv_id") else {}),
                      "date_published": f"{e['date']}T00:00:00Z",
                      **({"authors": [{"name": n} for n in names]} if names else {})})
    feed = {"version": "https://jsonfeed.org/version/1.1", "title": config.title, "home_page_url": config.base_url,
            "feed_url": config.base_url + "feed.json", "description": config.description,
            "language": config.language, "items": items}
    return (json.dumps(feed, ensure_ascii=False, indent=1, sort_keys=False) + "\n").encode("utf-8")

