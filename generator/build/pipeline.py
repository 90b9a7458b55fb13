"""The build pipeline: one object for `papers build` and `papers serve --watch`, top to bottom.

    content → papers → site model → theme & assets → pages (render or keep) ‖ search index → commit

`Pipeline` owns what lives between builds: the content files as last read, the model and its memos, the
renderer, the signature of every page in the output, the search index's key, and the build state saved in
the cache folder (build/cache.py). `run()` is the one entry point. What differs between the two commands
is an argument, as MkDocs' `build(config, dirty=…)` serves both of its commands:

    papers build          Pipeline(keep=False).run(writer=Staging): one run into a new folder, swapped in;
                          when nothing changed since the saved state, the run stops after the content scan
    papers serve --watch  Pipeline(keep=True): kept alive, run(changes, writer=InPlace, search=False) per
                          batch of changes, then update_search(); the model and page contexts stay in memory

A run reads again only the content files that changed (all of them in a new process), renders only the
pages whose signature changed (a page whose context object is the one of the last run needs no signature),
keeps the others (hard-linked into the new folder, or left in place), and makes the search index in a
forked process beside the render, or keeps it when its documents did not change. Under serve, a batch that
only edited papers where they stand (content/sources.py judges those files alone; model/patch.py) patches
the model and page list instead of making them again: its cost is the edited papers', not the archive's.

Where the time goes (10k papers, 2 cores): content, parsed by forked processes (content/loader.py); model,
abstracts that need markdown-it parsed over the CPUs or taken from the cache; render, split between forked
workers (render/batch.py); search, in a process forked before a new pipeline reads the files and fed once
it has (else forked once the model is made; search/job.py): it runs beside all the rest."""
from __future__ import annotations

import logging
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Callable, Iterator

from ..config import SiteConfig, load_config
from ..content.sources import Sources, check_warnings
from ..model import markdown
from ..model.patch import Patched, patch
from ..model.site import Memo, Page, SiteModel, build_model, pages
from ..render.batch import render_into, write_assets
from ..render.renderer import Renderer
from ..render.theme import Theme
from ..search.job import SearchJob
from ..util import progress
from ..util.gcpause import gc_paused
from .cache import SIGNATURES, Cache
from .changes import Changes
from .outdir import output_files
from .result import BuildResult
from .state import BuildState, OutputStamps, inputs_hash, load_state, restamp, save_state, scan_content
from .writers import InPlace, Staging, Writer, clean_leftovers

__all__ = ["build", "BuildResult", "Pipeline"]

log = logging.getLogger("papers.build")


def build(content: Path = Path("content"), out: Path = Path("site"), config_path: Path | None = None,
          base_url: str | None = None, strict: bool = False, config: SiteConfig | None = None) -> BuildResult:
    """`papers build`: build `content` into `out`; the previous `out` stays untouched if anything fails."""
    return Pipeline(content, out, config_path, base_url, strict, config=config).run()


class Pipeline:
    """See the module's docstring. `keep`: stay in memory between runs (serve)."""

    def __init__(self, content: Path = Path("content"), out: Path = Path("site"), config_path: Path | None = None,
                 base_url: str | None = None, strict: bool = False, keep: bool = False,
                 config: SiteConfig | None = None):
        self.content, self.out = content, out.resolve()
        self.config_path, self.base_url, self.strict, self.keep = config_path, base_url, strict, keep
        self.cache = Cache(self.out)
        self.sources = Sources(content, keep)
        self.config: SiteConfig | None = config
        self._config = config  # given by the caller: used as it is, never read from a file
        self.theme: Theme | None = None
        self.lock = threading.Lock()  # held while files move into the output (the dev server waits on it)
        self.generation = 0  # bumped by every commit that changes a file
        self.search_due = False  # the pages are newer than the search index (see update_search)
        self._state: BuildState | None = load_state(self.cache)  # the output as the cache describes it
        self._inputs = ""
        self._renderer: Renderer | None = None
        self._assets: dict[str, str] = {}
        self._model: SiteModel | None = None
        self._pages: list[Page] = []
        self._memo = Memo(keep=keep)
        self._contexts: dict[str, tuple[str, str, Any]] = {}  # path → what its page was made from (keep)
        self._pages_by_path: dict[str, Page] = {}  # path → the Page object the last run had there (keep)
        self._selected: tuple[dict, dict] | None = None  # this run's contexts and pages, kept on success
        self._signatures: dict[str, bytes] | None = None  # path → signature of the page in the output now
        self._search: dict[str, Any] = {}  # {"key", "files"} of the index in the output now
        self._files: set[str] | None = None  # every file the output holds that the pipeline made
        self._pending = Changes()  # what no run has built successfully yet
        self._last_warnings: list[str] = []  # the warnings of the last successful run
        self._known: dict[str, Any] = {}  # markdown-it's results for the abstracts that needed it
        self._where: dict[str, int] | None = None  # path → position in self._pages (patch keeps it current)

    # -- the one entry point ---------------------------------------------------------------------------

    def run(self, changes: Changes | None = None, writer: Callable[[Path], Writer] = Staging,
            search: bool = True) -> BuildResult:
        """Build for `changes` (None: everything) through a new `writer(out)`; see the module's docstring.
        With `search` False the index is left for update_search(). A failure leaves the output and this
        object as they were, and the change pending for the next run."""
        changes = self._pending = self._pending.merged(changes or Changes.everything())
        if not self.keep:  # a one-shot run starts afresh: the papers a run judged are spent (content/sources.py)
            self.sources, self._memo = Sources(self.content, False), Memo(keep=False)
        result = BuildResult()
        t0 = time.perf_counter()
        due = changes.kinds
        full = self._model is None or "config" in due
        out: Writer | None = None
        job: SearchJob | None = None
        try:
            with self._stage(result, "content"):
                config, theme = self._configure(full)
                self._inputs = inputs_hash(config, theme) if full else self._inputs
                stamps, digests = scan_content(self.content) if full or changes.rescan else (None, {})
                if not self.keep and self._up_to_date(stamps):
                    return self._nothing_changed(result, t0)
                adopt = self.keep and self._files is None and self._up_to_date(stamps)  # see _adopt

                def start_search() -> Callable[[list[Any]], None]:  # forked before the files are read, fed
                    nonlocal out, job  # once they are, before they are judged: it runs beside the validator
                    out = writer(self.out)
                    return (job := SearchJob(out, self._reusable_search())).feed
                with gc_paused():
                    papers, result.warnings = self._read(full, stamps, changes, start_search if search and not
                                                         adopt else None)
            out = writer(self.out) if out is None else out
            reading = full or "content" in due
            with self._stage(result, "model"), gc_paused():
                patched = self._patch(config) if reading and not full else None
                if patched is not None:  # papers edited in place: their pages only (model/patch.py)
                    model, site_pages = patched.model, patched.pages
                else:
                    model = build_model(papers, self._memo) if reading or self._model is None else self._model
                search_due = (self.search_due or reading) and not adopt
                if search and search_due and job is None:  # forked once the model is made: it runs beside
                    job = SearchJob(out, self._reusable_search(), lambda: model.papers)  # the HTML and pages()
                if patched is None:
                    if full and not adopt:  # every abstract is new to this process: parse those that need it
                        known = self._known or self.cache.abstracts()  # markdown-it's results: kept, else cached
                        self._known = markdown.prepare((p.body for p in papers), known)
                    site_pages = pages(model, config, self._memo) if reading or full else self._pages
                    self._where = None
            with self._stage(result, "assets"):
                restyle = full or bool(due & {"static", "template"})
                assets = write_assets(theme, out) if full or "static" in due else self._assets
                renderer = Renderer(config, theme, assets) if restyle or self._renderer is None else self._renderer
            with self._stage(result, "render"):
                signatures = self._adopt(site_pages) if adopt else None
                if signatures is None:
                    todo, signatures = self._select(site_pages, renderer, patched.changed if patched else None)
                    done = render_into(todo, renderer, out, self._previous_signatures())
                    signatures.update(done.signatures)
                    result.rendered = done.rendered
                result.reused = len(site_pages) - result.rendered
            index = self._finish_search(job, out, result) if job is not None else self._search
            if patched is not None and index is self._search and assets is self._assets and self._files:
                made, stale = self._files, set()  # the same paths: none made anew, none gone
            else:
                made = {p.path for p in site_pages}
                made.update(assets.values(), index.get("files", ()))
                stale = self._made() - made
            count, result.pages = len(papers), len(site_pages)
            if not self.keep:  # one-shot: what the pages were made from is done with; the write (the state, with
                self.sources, self._memo = Sources(self.content, False), Memo(keep=False)  # 261k files' stamps
                papers = model = site_pages = todo = done = None  # at 100k papers) reuses its memory: 16 MB less
            with self._stage(result, "write"):
                if isinstance(out, Staging):  # the state first: after the swap nothing may fail
                    self._save(stamps, digests, result, made, signatures, index, count, out.dir, out)
                with self.lock:
                    out.commit(stale)
                    if out.files or stale:
                        self.generation += 1
                if isinstance(out, Staging):  # the files it hard-linked, now that the previous site is gone
                    restamp(self.cache, self._state, self.out)  # type: ignore[arg-type]
        except BaseException:
            self._selected = self._where = None
            self._memo.days.clear()  # a patch may have made them for a model that is not kept
            if job is not None:
                job.cancel()
            if out is not None:
                out.abort()
            raise
        self.config, self.theme, self._renderer, self._assets = config, theme, renderer, assets
        self._signatures, self._search, self._files = signatures, index, made
        if self._selected is not None:
            (self._contexts, self._pages_by_path), self._selected = self._selected, None
        self.search_due, self._pending, self._last_warnings = search_due and job is None, Changes(), result.warnings
        if self.keep:
            self._model, self._pages = model, site_pages
        result.written, result.removed = len(out.files), len(stale)
        log.info("built %d pages (%d rendered, %d reused) from %d papers in %.0f ms → %s", result.pages,
                 result.rendered, result.reused, count, (time.perf_counter() - t0) * 1000, self.out)
        return result

    def update_search(self, cancelled: Callable[[], bool] | None = None) -> BuildResult:
        """Make the search index for the pages in the output, if it is older than they are; its own commit.
        Gives up (result.search False, the index still due) when `cancelled()` turns True first."""
        result = BuildResult()
        if not self.search_due or self._model is None or self.config is None:
            return result
        out = InPlace(self.out)
        model = self._model
        job = SearchJob(out, self._search, lambda: model.papers)
        try:
            while cancelled is not None and not job.wait(0.02):
                if cancelled():
                    job.cancel()
                    out.abort()
                    return result
            index = self._finish_search(job, out, result)
            stale = set(self._search.get("files", ())) - set(index["files"])
            with self.lock:
                out.commit(stale)
                if out.files or stale:
                    self.generation += 1
        except BaseException:
            job.cancel()
            out.abort()
            raise
        self._files = (self._made() - stale) | set(index["files"])
        self._search, self.search_due = index, False
        result.written, result.removed = len(out.files), len(stale)
        return result

    def up_to_date(self) -> bool:
        """True when the output and the cache already hold what a run would make (serve answers at once)."""
        config, theme = self._configure(True)
        self._inputs = inputs_hash(config, theme)
        return self._up_to_date(scan_content(self.content)[0])

    def save(self) -> None:
        """Write what the output now holds into the cache, so the next process starts from it (serve, after
        its runs: `papers build` saves as part of the run)."""
        if self._signatures is None or self._files is None or self._pending.kinds:
            return
        stamps = self.sources.stamps()
        self._save(stamps, {}, BuildResult(warnings=self._last_warnings), self._files, self._signatures,
                   self._search, len(self._model.papers) if self._model else 0, self.out)

    # -- the stages ----------------------------------------------------------------------------------

    @contextmanager
    def _stage(self, result: BuildResult, name: str) -> Iterator[None]:
        """One timed line per stage: INFO for a one-shot build, DEBUG for serve's many runs."""
        t0 = time.perf_counter()
        with progress.task(f"build: {name}"):  # a line on a terminal while the stage runs (util/progress.py)
            yield
        seconds = result.timings[name] = time.perf_counter() - t0
        log.log(logging.DEBUG if self.keep else logging.INFO, "%-8s %7.0f ms", name, seconds * 1000)

    def _configure(self, full: bool) -> tuple[SiteConfig, Theme]:
        if not full and self.config is not None and self.theme is not None:
            return self.config, self.theme
        config = self._config or load_config(self.config_path, self.content, self.base_url)
        return config, Theme(config)

    def _up_to_date(self, stamps: dict | None) -> bool:
        return self._state is not None and stamps is not None and self._state.unchanged(self._inputs, self.content,
                                                                                        stamps, self.out)

    def _nothing_changed(self, result: BuildResult, t0: float) -> BuildResult:
        """The same warnings (and --strict failure) as the build that made the output, no other work."""
        assert self._state is not None
        result.warnings = list(self._state.warnings)
        for w in result.warnings:
            log.warning("%s", w)
        check_warnings(result.warnings, self.strict)
        clean_leftovers(self.out)
        result.pages = result.reused = self._state.pages
        result.fresh = True
        self._pending = Changes()
        log.info("built %d pages (0 rendered, %d reused) from %d papers in %.0f ms → %s: nothing changed",
                 result.pages, result.reused, self._state.papers, (time.perf_counter() - t0) * 1000, self.out)
        return result

    def _read(self, full: bool, stamps: dict | None, changes: Changes,
              start: Callable[[], Callable[[list[Any]], None]] | None = None) -> tuple[list[Any], list[str]]:
        """The papers: every file in a new pipeline, else those that changed. In a new pipeline, `start()` runs
        before the files are read, and what it returns is given them, read but not yet judged (search job)."""
        if not self.sources.files and stamps is not None:
            feed = start() if start is not None else None
            self.sources.read_all(stamps)
            if feed is not None:
                feed(self.sources.unjudged())
            papers, warnings = self.sources.papers()
            for w in warnings:
                log.warning("%s", w)
        else:
            fresh = None
            if full or "content" in changes.kinds or changes.rescan:
                fresh = self.sources.refresh(stamps, changes.paths)  # logs the warnings of the files it reads
            papers, warnings = self.sources.papers(fresh if stamps is None else None)
        check_warnings(warnings, self.strict)
        return papers, warnings

    def _intact(self) -> set[str]:
        """The files the saved state says the output holds, that it still holds unchanged."""
        return self._state.intact(self.out) if self._state is not None else set()

    def _previous_signatures(self) -> dict[str, bytes]:
        """The signatures of the pages in the output now: in memory after a run, else from the cache,
        without the files changed since (those are made again, so hand edits do not last)."""
        if self._signatures is None:
            intact = self._intact()
            self._signatures = {rel: sig for rel, sig in self.cache.signatures().items() if rel in intact}
        return self._signatures

    def _reusable_search(self) -> dict[str, Any]:
        """The index in the output now, if all its files are intact."""
        if self._files is not None:
            return self._search
        found = self._state.search if self._state is not None else {}
        intact = self._intact()
        return found if all(rel in intact for rel in found.get("files", ())) else {}

    def _patch(self, config: SiteConfig) -> Patched | None:
        """model/patch.py's pages when this run's papers replaced some in place, else None."""
        replaced = self.sources.replaced
        if not (self.keep and replaced and self._model is not None and self._pages and self._signatures):
            return None
        if self._where is None:
            self._where = {page.path: i for i, page in enumerate(self._pages)}
        return patch(self._model, self._pages, self._where, replaced, config, self._memo)

    def _adopt(self, site_pages: list[Page]) -> dict[str, bytes] | None:
        """serve's first run on an up-to-date output: the cache's signatures if it has one for each page and no
        other, else None (render as usual). No page context is made, no abstract parsed, no search job forked:
        a save in serve's first seconds waits for the files, model and page list, not every page's signature."""
        # in either case the output's search index and markdown-it's cached results are this run's (run() has no job)
        self._search, self._known = dict(self._state.search), self.cache.abstracts()  # type: ignore[union-attr]
        signatures = self.cache.signatures()
        if len(signatures) != len(site_pages) or not all(page.path in signatures for page in site_pages):
            return None
        return signatures

    def _select(self, site_pages: list[Page], renderer: Renderer, changed: list[int] | None = None
                ) -> tuple[list[Page], dict[str, bytes]]:
        """The pages to render or check (signature compared in render_into), and the signatures of those
        that need neither: made from the very context of the last run, with the same templates. `changed`:
        the only positions in `site_pages` that can hold a Page other than the last run's (patch())."""
        if not self.keep:
            return site_pages, {}
        same = self._renderer is not None and renderer.template_hash == self._renderer.template_hash
        known = self._signatures or {}
        contexts: dict[str, tuple[str, str, Any]] = {}
        signatures: dict[str, bytes] = {}
        last, pages_now = self._pages_by_path, {}
        candidates = site_pages
        if changed is not None and same:
            contexts, signatures, pages_now = dict(self._contexts), dict(known), dict(last)
            candidates = [site_pages[i] for i in sorted(set(changed))]
        todo: list[Page] = []
        for page in candidates:
            pages_now[page.path] = page
            if same and page.path in known and last.get(page.path) is page and page.path in self._contexts:
                contexts[page.path] = self._contexts[page.path]  # the memo's same Page: the same context
                signatures[page.path] = known[page.path]
                continue
            entry = contexts[page.path] = (page.template, page.kind, page.context)
            if same and page.path in known and self._contexts.get(page.path) == entry:
                signatures[page.path] = known[page.path]
            else:
                todo.append(Page(page.path, page.template, entry[2], page.kind, date=page.date))
        self._selected = (contexts, pages_now)  # the last run's, once this run succeeds
        return todo, signatures

    def _finish_search(self, job: SearchJob, out: Writer, result: BuildResult) -> dict[str, Any]:
        """The index the job made: {"key", "files"}; the files it wrote join `out.files`."""
        record = job.result()
        out.add(record["written"], record["stamps"])
        result.timings["search"] = record["cpu"]
        result.search = True
        log.log(logging.DEBUG if self.keep else logging.INFO, "%-8s %7.0f ms", "search", record["cpu"] * 1000)
        log.debug("search index: %.0f ms CPU, %.0f ms from start to end beside the render",
                  record["cpu"] * 1000, record["wall"] * 1000)
        return {"key": record["key"], "files": record["files"]}

    def _made(self) -> set[str]:
        """The files of the output that are not to outlive this run unless it makes them: what the last run
        made; before serve's first run, whatever the output holds (as `papers build`, which starts from an
        empty folder, would drop it). Staging needs none: its folder holds only what the run made."""
        if self._files is not None:
            return self._files
        return output_files(self.out) if self.keep and self.out.is_dir() else set()

    def _save(self, stamps: dict | None, digests: dict[str, str], result: BuildResult, made: set[str],
              signatures: dict[str, bytes], index: dict[str, Any], papers: int, root: Path,
              staged: Staging | None = None) -> None:
        """The cache for the output `root` holds; `staged`: the writer that wrote it, with its stamps."""
        stamps = self.sources.stamps() if stamps is None else stamps
        state = BuildState(self._inputs, stamps, digests, OutputStamps(root, made, staged), result.warnings, papers,
                           len(signatures), index)
        self.cache.write(SIGNATURES, signatures)
        self.cache.save_abstracts(self._known)
        save_state(self.cache, state)
        self._state = state
