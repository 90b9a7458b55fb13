"""Rendering many pages: the one place pages become files, for `papers build` and `serve --watch` alike.

Pages are split between forked workers (util/parallel.py) in runs of about equal cost; each worker renders
its run, in order, straight into the Writer. With `previous` (output path → signature of the page the
output holds now), a page whose signature is the same is kept (Writer.reuse: hard-linked into a new
folder, or left in place) instead of rendered.
"""
from __future__ import annotations

import gc
from array import array
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..util.gcpause import gc_paused
from ..util.parallel import fork_map, jobs
from .theme import fingerprint

if TYPE_CHECKING:
    from ..build.writers import Writer
    from ..model.site import Page
    from .renderer import Renderer
    from .theme import Theme

__all__ = ["Rendered", "render_into", "write_assets", "by_period"]


@dataclass
class Rendered:
    """What rendering a list of pages did."""

    signatures: dict[str, bytes] = field(default_factory=dict)  # path → signature (with `previous` only)
    rendered: int = 0
    reused: int = 0
    files: list[str] = field(default_factory=list)  # what a forked worker wrote (Writer.files)
    stamps: array[int] = field(default_factory=lambda: array("q"))  # and their stamps (Writer.stamps)


def render_into(todo: list[Page], renderer: Renderer, writer: Writer,
                previous: dict[str, bytes] | None = None) -> Rendered:
    """Render `todo` into `writer`, over the CPUs when there are many; see the module's docstring."""
    shares = _split(by_period(todo), jobs(len(todo)))
    renderer.plan(todo)
    if len(shares) > 1:
        renderer.compile_all()  # once, before the fork
    done = fork_map(lambda share: _render_share(share, renderer, writer, previous), shares)
    total = Rendered()
    for i, share in enumerate(done):
        total.signatures.update(share.signatures)
        total.rendered += share.rendered
        total.reused += share.reused
        if i:  # the first share ran in this process: its files are in writer.files already
            writer.add(share.files, share.stamps)
    return total


def _render_share(todo: list[Page], renderer: Renderer, writer: Writer, previous: dict[str, bytes] | None
                  ) -> Rendered:
    before, stamped = len(writer.files), len(writer.stamps)
    share = Rendered()
    renderer.rows.hold(card for page in todo if page.kind in _OUT_OF_ORDER for card in page.context["papers"])
    try:
        with gc_paused():  # rendering makes almost no cycles: collect them now and then, not at every 700 objects
            for i, page in enumerate(todo, 1):
                _render_one(page, renderer, writer, previous, share)
                if i % 2000 == 0:
                    gc.collect(0)  # only what the last pages made
    finally:
        renderer.rows.release()
    share.files, share.stamps = writer.files[before:], writer.stamps[stamped:]
    return share


def _render_one(page: Page, renderer: Renderer, writer: Writer, previous: dict[str, bytes] | None,
                share: Rendered) -> None:
    page = page.fixed()
    if previous is not None:
        sig = share.signatures[page.path] = page.signature(renderer.template_hash)
        if previous.get(page.path) == sig and writer.reuse(page.path):
            share.reused += 1
            return
    writer.write(page.path, renderer.render(page))
    share.rendered += 1


_PERIODS = {"day": 0, "week": 1, "month": 2}
_OUT_OF_ORDER = ("org", "topic", "author")  # pages whose rows (their cards: context["papers"]) RowCache holds


def by_period(todo: list[Page]) -> list[Page]:
    """`todo` with its day, week and month pages, in the places they hold, reordered so that each comes right
    after the days it shows: a row the week and the month both show is made and asked for again within
    a few thousand rows, while RowCache still holds it. The other pages keep their places; the output is
    the same in any order."""
    where = [i for i, page in enumerate(todo) if page.kind in _PERIODS]
    if len(where) < 2:
        return todo
    out = list(todo)
    for i, page in zip(where, sorted((todo[i] for i in where), key=_period_end)):
        out[i] = page
    return out


def _period_end(page: Page) -> tuple[str, int]:
    """(the last day the page shows, day < week < month)."""
    ctx = page.context
    days = ctx.get("days") if page.kind != "day" else None
    return (days[-1]["date"] if days else ctx.get("date") or "", _PERIODS[page.kind])


# What a page costs to render, in paper pages, measured at 10k papers in one process (tmpfs, 2026-12-03): a
# paper page 239 us; a .bib 32 us; a listing row that is made anew 0.075-0.08 of a paper page (the day rows,
# and the week's, which show the date), one the month pages find in RowCache 0.037; a sitemap URL 0.01.
# With the listings' rows at 0.03 and .bib files at 1.0, the worker given the listings took 24 % more CPU
# than the other (100k: 19.4 s against 15.7 s), and the other one idled at the end.
_BIB = 0.14
_ROW = {"day": 0.075, "week": 0.08, "month": 0.037}
_OTHER_ROW = 0.03
_URL = 0.01


def _cost(page: Page) -> float:
    """A guess at a page's render time, in paper pages (above). Paper pages and .bib files are priced by
    kind, and a sitemap by the pages it lists: their contexts are made when rendered, not here."""
    kind = page.kind
    if kind == "paper":
        return 1.0
    if kind == "bib":
        return _BIB
    if kind == "sitemap" and page.made_from:  # its URLs are made when it renders (one a page it lists), not here
        return 1.0 + _URL * len(page.made_from[0])
    ctx = page.context
    days = ctx.get("days") if kind in ("home", "week", "month") else ()
    rows = len(ctx.get("papers") or ()) + sum(len(d.get("papers", ())) for d in days or ())
    return 1.0 + _ROW.get(kind, _OTHER_ROW) * rows + _URL * len(ctx.get("urls") or ())


def _split(todo: list[Page], n: int) -> list[list[Page]]:
    """`n` consecutive runs of `todo` of about equal cost (a run of listings keeps its rows in one worker)."""
    if n <= 1 or len(todo) < 2:
        return [todo]
    costs = [_cost(p) for p in todo]
    target, acc = sum(costs) / n, 0.0
    shares: list[list[Page]] = [[]]
    for page, cost in zip(todo, costs):
        if acc >= target * len(shares) and len(shares) < n:
            shares.append([])
        shares[-1].append(page)
        acc += cost
    return [s for s in shares if s]


def write_assets(theme: Theme, writer: Writer) -> dict[str, str]:
    """Copy the theme's static files under fingerprinted names; returns logical name → output path."""
    assets: dict[str, str] = {}
    for name, path in theme.static_files().items():
        data = path.read_bytes()
        rel = fingerprint(name, data)
        writer.write(rel, data)
        assets[name] = rel
    return assets
