"""build(): the pipeline, top to bottom, one timed stage per step.

content → papers → site model → theme & assets → pages (render or reuse) ‖ search index → swap in.

Where the time goes, and what keeps it short (10k papers, 2 cores):
  unchanged   nothing changed since the last build (buildstate.py): the build stops after the content scan
  content     the files are parsed by forked processes, a share each (loader.py)
  model       abstracts that need markdown-it are parsed over the CPUs (the rest take markdown.py's fast
              path), or taken from the last build's results in the cache folder; page contexts share one
              card per paper, and paper pages make their context only when rendered
  render      pages are split between forked workers (parallel.py) that each render their share straight
              into the staging folder, or hard-link a page whose signature did not change; each listing row
              is rendered once per worker (render.RowCache)
  search      the index is made in another forked process while the pages render (or reused when its
              documents did not change)

incremental.Builder runs the same steps again and again for `papers serve --watch`, through the same
functions (write_assets, SearchJob, render_into).
"""
from __future__ import annotations

import gc
import hashlib
import logging
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator, Protocol

from . import state as buildstate

from ..model import markdown
from ..config import SiteConfig, load_config
from ..content.files import Paper
from ..errors import BuildError
from ..util.gcpause import gc_paused
from ..util import progress
from ..content.loader import content_files, load_papers_parallel
from .output import Staging, clean_leftovers, read_cache, read_manifest, write_cache, write_manifest
from ..util.parallel import Background, fork_map, jobs
from ..render.renderer import Renderer, Theme, fingerprint
from ..model.site import Memo, Page, SiteModel, build_model, pages

__all__ = ["build", "BuildResult", "Writer", "SearchJob", "render_into"]

log = logging.getLogger("papers.build")

ABSTRACTS = "abstracts.pickle"  # markdown-it's results for the abstracts that needed it, by text_key


@dataclass
class BuildResult:
    """What a build did: pages rendered and reused, and seconds per stage."""

    pages: int = 0
    rendered: int = 0
    reused: int = 0
    timings: dict[str, float] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    written: int = 0  # files written in place (incremental.Builder)
    removed: int = 0  # files deleted because no page makes them any more (incremental.Builder)
    search: bool = False  # the search index was made again (incremental.Builder)


class Writer(Protocol):
    """Where a build writes files: output.Staging, or incremental.InPlace."""

    def write(self, rel: str, data: bytes) -> None: ...


@contextmanager
def stage(result: BuildResult, name: str, level: int = logging.INFO) -> Iterator[None]:
    t0 = time.perf_counter()
    with progress.task(f"build: {name}"):  # a line on a terminal while the stage runs (util/progress.py)
        yield
    log_stage(result, name, time.perf_counter() - t0, level)


def log_stage(result: BuildResult, name: str, seconds: float, level: int = logging.INFO) -> None:
    """Record and log one stage's time."""
    result.timings[name] = seconds
    log.log(level, "%-8s %7.0f ms", name, seconds * 1000)


def cache_dir(out: Path) -> Path:
    """Where the build keeps its manifest: beside the output, never inside it."""
    out = out.resolve()
    return out.with_name(f".{out.name}-cache")


def check_warnings(warnings: list[str], strict: bool) -> None:
    """Log the content warnings; with --strict, any of them fails the build."""
    for w in warnings:
        log.warning("%s", w)
    if strict and warnings:
        raise BuildError(f"{len(warnings)} warning(s) with --strict; first: {warnings[0]}")


def load_content(content: Path, strict: bool, files: list[str] | None = None) -> tuple[list[Paper], list[str]]:
    """Read content/ (`files`, when the caller has listed them already), failing on any file that cannot
    be read (and on warnings with --strict)."""
    papers, problems, errors = load_papers_parallel(content, files)
    if errors:
        first = errors[0]
        more = f" (and {len(errors) - 1} more; run `papers check`)" if len(errors) > 1 else ""
        raise BuildError(first.message + more, first.path, first.line)
    warnings = [str(p) for p in problems]
    check_warnings(warnings, strict)
    return papers, warnings


def build(content: Path = Path("content"), out: Path = Path("site"), config_path: Path | None = None,
          base_url: str | None = None, strict: bool = False, config: SiteConfig | None = None) -> BuildResult:
    """Build the site from `content` into `out`; the previous `out` stays untouched if anything fails."""
    result = BuildResult()
    t0 = time.perf_counter()
    config = config or load_config(config_path, content, base_url)
    out, cache = out.resolve(), cache_dir(out)
    staging: Staging | None = None
    search: SearchJob | None = None
    try:
        with stage(result, "content"):
            theme = Theme(config)
            inputs = buildstate.inputs_hash(config, theme)
            stamps, digests = buildstate.scan_content(content)
            previous = buildstate.load_state(cache)
            fresh = previous is not None and previous.unchanged(inputs, content, stamps, out)
            if not fresh:
                staging = Staging(out)
                with gc_paused():
                    papers, result.warnings = load_content(content, strict, content_files(content, list(stamps)))
        if fresh:
            assert previous is not None
            return _up_to_date(previous, out, strict, result, t0)
        assert staging is not None
        intact = previous.intact(out) if previous else set()  # what the last build wrote, unchanged since
        with stage(result, "model"), gc_paused():
            model = build_model(papers)
            search = SearchJob(lambda: model, config, staging, _reusable(previous.search if previous else {},
                                                                         intact))
            known = markdown.prepare((p.body for p in papers), _read_abstracts(cache))
            site_pages = pages(model, config, Memo(keep=False))
        with stage(result, "assets"):
            assets = write_assets(theme, staging)
        with stage(result, "render"):
            renderer = Renderer(config, theme, assets)
            signatures = render_into(site_pages, renderer, staging, result,
                                     _reusable(read_manifest(cache), intact))
        search_record = search.finish(result)
        staging.commit()
    except BaseException:
        if search is not None:
            search.cancel()
        if staging is not None:
            staging.abort()
        raise
    written = list(signatures) + list(assets.values()) + search_record.get("files", [])
    write_manifest(cache, signatures)
    write_cache(cache / ABSTRACTS, {"code": buildstate.code_hash(), "results": known})
    buildstate.save_state(cache, buildstate.BuildState(inputs, stamps, digests, buildstate.output_stamps(
        out, written), result.warnings, len(papers), len(site_pages), search_record))
    result.pages = len(site_pages)
    log.info("built %d pages (%d rendered, %d reused) from %d papers in %.0f ms → %s", result.pages,
             result.rendered, result.reused, len(papers), (time.perf_counter() - t0) * 1000, out)
    return result


def _up_to_date(state: buildstate.BuildState, out: Path, strict: bool, result: BuildResult,
                t0: float) -> BuildResult:
    """The build when nothing changed: the same warnings (and --strict failure), no other work."""
    result.warnings = list(state.warnings)
    check_warnings(result.warnings, strict)
    clean_leftovers(out)
    result.pages = result.reused = state.pages
    log.info("built %d pages (0 rendered, %d reused) from %d papers in %.0f ms → %s: nothing changed",
             result.pages, result.reused, state.papers, (time.perf_counter() - t0) * 1000, out)
    return result


def _reusable(found: dict[str, Any], intact: set[str]) -> dict[str, Any]:
    """`found` (the manifest, or the search record) without the files of the last build that changed since
    it wrote them (`intact` holds the others): those are made again, not linked, so hand edits do not last."""
    if "files" in found:  # the search record: all its files or none
        return found if all(rel in intact for rel in found["files"]) else {}
    return {rel: sig for rel, sig in found.items() if rel in intact}


def _read_abstracts(cache: Path) -> dict[str, Any]:
    """The last build's markdown-it results, if the same code (and markdown-it) made them."""
    data = read_cache(cache / ABSTRACTS)
    if not isinstance(data, dict) or data.get("code") != buildstate.code_hash():
        return {}
    return data.get("results", {})


def write_assets(theme: Theme, staging: Writer) -> dict[str, str]:
    """Copy the theme's static files under fingerprinted names; returns logical name → output path."""
    assets: dict[str, str] = {}
    for name, path in theme.static_files().items():
        data = path.read_bytes()
        rel = fingerprint(name, data)
        staging.write(rel, data)
        assets[name] = rel
    return assets


def build_search_files(model: SiteModel, config: SiteConfig) -> dict[str, bytes]:
    """The search index files, relative to the site root (see search.py)."""
    try:
        from ..search.files import search_files
    except ImportError:  # search not built yet
        return {}
    return search_files(model, config)


class SearchJob:
    """The search index, made in a forked process while the pages render, written into `staging` there.

    `source()` gives the site model in that process. `previous` is the last build's {"key", "files"}: when
    the documents hash to the same key and `staging` can reuse (hard-link) those files, nothing is
    computed. finish() logs the index's CPU time as its stage time: it shares the CPUs with the render
    workers, so its wall time (logged at DEBUG) says as much about them as about the index."""

    def __init__(self, source: Callable[[], SiteModel], config: SiteConfig, staging: Writer,
                 previous: dict[str, Any]):
        self._job = Background(lambda: _make_search(source(), config, staging, previous))

    def finish(self, result: BuildResult, level: int = logging.INFO) -> dict[str, Any]:
        """Wait for the index; returns {"key", "files", "staged"} (staged: files written, for InPlace)."""
        record = self._job.result()
        cpu, wall = record.pop("cpu"), record.pop("wall")
        log_stage(result, "search", cpu, level)
        log.debug("search index: %.0f ms CPU, %.0f ms from start to end beside the render", cpu * 1000,
                  wall * 1000)
        return record

    def wait(self, timeout: float) -> bool:
        """Whether the index is ready within `timeout` seconds."""
        return self._job.wait(timeout)

    def cancel(self) -> None:
        """Stop making it (after a failure, or when a newer change makes it pointless)."""
        self._job.cancel()


def _make_search(model: SiteModel, config: SiteConfig, staging: Writer, previous: dict[str, Any]
                 ) -> dict[str, Any]:
    t0, cpu0 = time.perf_counter(), time.process_time()
    record: dict[str, Any] = {"key": "", "files": [], "staged": []}
    try:
        from ..search.files import search_files, search_key
    except ImportError:  # search not built yet
        return {**record, "cpu": 0.0, "wall": 0.0}
    record["key"] = key = hashlib.sha256((buildstate.code_hash() + search_key(model)).encode()).hexdigest()
    reuse = getattr(staging, "reuse", None)
    old = previous.get("files", [])
    if key == previous.get("key") and reuse is not None and old and all(reuse(rel) for rel in old):
        record["files"] = old
    else:
        staged = getattr(staging, "files", [])
        before = len(staged)
        record["files"] = list(search_files(model, config, staging.write))
        record["staged"] = staged[before:]
    return {**record, "cpu": time.process_time() - cpu0, "wall": time.perf_counter() - t0}


@dataclass
class _Share:
    """What a worker did with its share of the pages."""

    signatures: dict[str, str]
    rendered: int
    reused: int
    files: list[str]


def render_into(todo: list[Page], renderer: Renderer, staging: Writer, result: BuildResult,
                previous: dict[str, str] | None = None) -> dict[str, str]:
    """Render `todo` into `staging`: the one place pages are rendered, for build() and Builder alike.

    Many pages are split between forked workers (each renders its share, in order, straight into
    `staging`). With `previous` (path → signature of the last build) a page whose signature is the same
    is hard-linked from the last build instead (Staging.reuse); returns the pages' signatures then."""
    shares = _split(todo, jobs(len(todo)))
    done = fork_map(lambda share: _render_share(share, renderer, staging, previous), shares)
    signatures: dict[str, str] = {}
    for i, share in enumerate(done):
        signatures.update(share.signatures)
        result.rendered += share.rendered
        result.reused += share.reused
        if i:  # the first share ran in this process: its files are already recorded
            getattr(staging, "files", []).extend(share.files)
    return signatures


def _render_share(todo: list[Page], renderer: Renderer, staging: Writer, previous: dict[str, str] | None
                  ) -> _Share:
    files = getattr(staging, "files", [])
    before = len(files)
    share = _Share({}, 0, 0, [])
    with gc_paused():  # rendering makes almost no cycles: collect them now and then, not at every 700 objects
        for i, page in enumerate(todo, 1):
            _render_one(page, renderer, staging, previous, share)
            if i % 2000 == 0:
                gc.collect(0)  # only what the last pages made
    share.files = files[before:]
    return share


def _render_one(page: Page, renderer: Renderer, staging: Writer, previous: dict[str, str] | None,
                share: _Share) -> None:
    page = page.fixed()
    if previous is not None:
        sig = share.signatures[page.path] = page.signature(renderer.template_hash)
        if previous.get(page.path) == sig and staging.reuse(page.path):  # type: ignore[attr-defined]
            share.reused += 1
            return
    staging.write(page.path, renderer.render(page))
    share.rendered += 1


def _cost(page: Page) -> float:
    """A guess at a page's render time, in paper pages: listings cost more by their rows."""
    if page.kind == "paper":
        return 1.0
    ctx = page.context
    days = ctx.get("days") if page.kind in ("home", "week", "month") else ()
    rows = len(ctx.get("papers") or ()) + sum(len(d["papers"]) for d in days)
    return 1.0 + 0.03 * rows  # measured: a row costs ~3% of a paper page (most come from RowCache)


def _split(todo: list[Page], n: int) -> list[list[Page]]:
    """`n` consecutive runs of `todo` of about equal cost (a run of listings keeps its rows in one worker)."""
    if n <= 1 or len(todo) < 2:
        return [todo]
    costs = [_cost(p) for p in todo]
    total, target, acc = sum(costs), sum(costs) / n, 0.0
    shares: list[list[Page]] = [[]]
    for page, cost in zip(todo, costs):
        if acc >= target * len(shares) and len(shares) < n:
            shares.append([])
        shares[-1].append(page)
        acc += cost
    assert total >= 0
    return [s for s in shares if s]
