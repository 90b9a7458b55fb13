"""Incremental, in-place builds for `papers serve --watch`: the pipeline of build.py, run again and again.

A Builder keeps what one build learnt for the next: content files parsed (by stat stamp), the theme and
renderer, every page's context and signature, the search files. A change then costs what it touches:

    content   the changed files are read again; the site model is made again, but an unchanged paper keeps
              its card, its page context (site.Memo) and its listing row (render.RowCache); only pages
              whose context changed are rendered; search follows, in a process of its own
    template  a new renderer; every page is compared by signature (all render when a template changed)
    static    new fingerprinted assets, a new renderer (pages name the assets), then as for templates
    config    all of the above

Files are staged in the cache folder and moved into the output with os.replace while holding `lock`; the
dev server reads files under the same lock, so a request sees the previous build or the next, never a mix.
"""
from __future__ import annotations

import logging
import os
import shutil
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterable

from ..model import markdown
from .pipeline import BuildResult, SearchJob, cache_dir, render_into, stage, write_assets
from ..config import SiteConfig, load_config
from ..content.files import NotRegularFile, Paper, iter_content_files, read_paper
from ..content.validate import verdict
from ..errors import BuildError, ContentError, Problem
from ..util.gcpause import gc_paused
from .output import read_manifest, write_file, write_manifest
from ..render.renderer import Renderer, Theme
from ..model.site import Memo, Page, SiteModel, build_model, pages

__all__ = ["Builder", "InPlace", "KINDS"]

log = logging.getLogger("papers.build")

KINDS = ("content", "template", "static", "config")  # what a change can touch, from least to most work


class InPlace:
    """Files for `out`, staged in the cache folder, then moved into `out` one by one (os.replace).

    Has Staging's write() so render_into() serves both; files whose bytes did not change are not staged."""

    def __init__(self, out: Path):
        self.out = out
        self.dir = cache_dir(out) / f"staging-{os.getpid()}"
        shutil.rmtree(self.dir, ignore_errors=True)
        self.files: list[str] = []

    def write(self, rel: str, data: bytes) -> None:
        try:
            if (self.out / rel).read_bytes() == data:
                return
        except OSError:
            pass
        write_file(self.dir / rel, data)
        self.files.append(rel)

    def commit(self, remove: Iterable[str]) -> None:
        """Move every staged file into place and delete `remove` (and folders left empty)."""
        if self.files and not self.out.exists():  # the first build: one rename instead of one per file
            self.out.parent.mkdir(parents=True, exist_ok=True)
            os.replace(self.dir, self.out)
            return
        for rel in self.files:
            dst = self.out / rel
            try:
                os.replace(self.dir / rel, dst)
            except FileNotFoundError:
                dst.parent.mkdir(parents=True, exist_ok=True)
                os.replace(self.dir / rel, dst)
        for rel in remove:
            (self.out / rel).unlink(missing_ok=True)
            parent = (self.out / rel).parent
            while parent != self.out and parent.is_dir() and not any(parent.iterdir()):
                parent.rmdir()
                parent = parent.parent
        self.abort()

    def abort(self) -> None:
        shutil.rmtree(self.dir, ignore_errors=True)


@dataclass
class Source:
    """One content file as last read: its stat stamp, and the paper or the error it gave."""

    stamp: tuple[int, int, int]
    paper: Paper | None
    problems: list[Problem]
    error: ContentError | None


def _stamp(path: Path) -> tuple[int, int, int]:
    st = path.stat()
    return (st.st_mtime_ns, st.st_size, st.st_ino)


def _read_source(path: Path) -> Source | None:
    """The file read and parsed; None when it is gone (deleted while we looked)."""
    try:
        stamp = _stamp(path)
        paper, problems = read_paper(path)
    except FileNotFoundError:
        return None
    except NotRegularFile as exc:  # a FIFO or device: skipped with a warning, as build and check do
        return Source((0, 0, 0), None, [exc.problem], None)
    except OSError as exc:
        return Source((0, 0, 0), None, [], ContentError(f"cannot read the file ({exc.strerror})", path))
    except ContentError as exc:
        return Source(stamp, None, [], exc)
    return Source(stamp, paper, problems, None)


class Builder:
    """Builds `out` in place, again and again, redoing only what a change touches (`papers serve --watch`).

    A page is rendered again only when its context or the templates changed: every listing that shows a
    paper has that paper's card in its context, so it changes with the paper. Files no page makes any more
    are deleted. A failed build leaves `out` and the Builder's state as they were.

    The search index is the slow part (seconds at 10k papers), so build(search=False) commits the pages
    alone and update_search() commits the index after them; until then the previous, whole index is served.
    update_search() makes the index in a forked process and gives up as soon as `cancelled()` says a new
    change waits, so an edit never waits for the index of the one before.
    """

    def __init__(self, content: Path = Path("content"), out: Path = Path("site"), config_path: Path | None = None,
                 base_url: str | None = None, strict: bool = False):
        self.content = content
        self.out = out.resolve()
        self.config_path = config_path
        self.base_url = base_url
        self.strict = strict
        self.lock = threading.Lock()
        self.generation = 0  # bumped (under `lock`) by every commit that changes a file
        self.config: SiteConfig | None = None
        self.theme: Theme | None = None
        self._sources: dict[Path, Source] = {}  # a cache of content/ on disk, whatever the builds made of it
        self._pending: set[str] = set()  # kinds of change not yet built successfully
        self._renderer: Renderer | None = None
        self._assets: dict[str, str] = {}
        self._model: SiteModel | None = None
        self._memo = Memo()  # per-paper cards and page contexts, kept for unchanged papers
        self._pages: list[Page] = []
        self._contexts: dict[str, tuple[str, str, Any]] = {}
        self._signatures = read_manifest(cache_dir(out))
        self._search: set[str] = set()  # the search files in `out`
        self._search_due = False  # the papers changed since the search files were made
        self._files: set[str] | None = None  # None until the first build: then whatever is in `out`

    @property
    def search_due(self) -> bool:
        """True when the search index is older than the pages (see update_search)."""
        return self._search_due

    def build(self, kinds: Iterable[str] = KINDS, paths: Iterable[Path] = (), rescan: bool = False,
              search: bool = True) -> BuildResult:
        """Rebuild after changes of `kinds` to `paths` (content files are re-read; `rescan` walks content/).

        With `search` the search index is made in the same commit; without, it is left for update_search()."""
        result = BuildResult()
        due = set(kinds) | self._pending
        self._pending = due
        full = self.config is None or "config" in due
        with stage(result, "config", logging.DEBUG):
            config = load_config(self.config_path, self.content, self.base_url) if full else self.config
            theme = Theme(config) if full else self.theme
        assert config is not None and theme is not None
        staging = InPlace(self.out)
        try:
            with stage(result, "assets", logging.DEBUG):
                assets = write_assets(theme, staging) if full or "static" in due else self._assets
                renderer = self._renderer
                if renderer is None or full or due & {"static", "template"}:
                    renderer = Renderer(config, theme, assets)
            model, site_pages = self._model, self._pages
            if full or "content" in due:
                with stage(result, "content", logging.DEBUG), gc_paused():
                    papers, result.warnings = self._read_content(paths, rescan or full)
                with stage(result, "model", logging.DEBUG), gc_paused():
                    model = build_model(papers)
                    if full:  # every abstract is new to this process: parse them over the CPUs
                        markdown.prepare((p.body for p in papers), {})
                    site_pages = pages(model, config, self._memo)
            search_due = self._search_due or full or "content" in due
            search_files = self._search
            job = (SearchJob(lambda: model, config, staging, {}) if search and search_due and model is not None
                   else None)
            try:
                with stage(result, "render", logging.DEBUG):
                    changed, signatures, contexts = self._changed(site_pages, renderer)
                    render_into(changed, renderer, staging, result)
                if job is not None:
                    search_files = self._finish_search(job, staging, result)
                    result.search, search_due = True, False
            except BaseException:
                if job is not None:
                    job.cancel()
                raise
            files = {p.path for p in site_pages} | set(assets.values()) | search_files
            stale = (self._files if self._files is not None else self._existing()) - files
            with stage(result, "write", logging.DEBUG):
                self._commit(staging, stale)
            write_manifest(cache_dir(self.out), signatures)
        except BaseException:
            staging.abort()
            raise
        self.config, self.theme, self._renderer, self._assets = config, theme, renderer, assets
        self._model, self._pages, self._signatures, self._files = model, site_pages, signatures, files
        self._contexts = contexts
        self._search, self._search_due, self._pending = search_files, search_due, set()
        result.pages, result.reused = len(site_pages), len(site_pages) - result.rendered
        result.written, result.removed = len(staging.files), len(stale)
        return result

    def update_search(self, cancelled: Callable[[], bool] | None = None) -> BuildResult:
        """Make the search index for the pages now served, if it is older than they are; its own commit.

        Gives up (result.search False, the index still due) when `cancelled()` turns True first."""
        result = BuildResult()
        if not self._search_due or self._model is None or self.config is None:
            return result
        staging = InPlace(self.out)
        model = self._model
        job = SearchJob(lambda: model, self.config, staging, {})
        try:
            while cancelled is not None:
                if cancelled():
                    job.cancel()
                    staging.abort()
                    return result
                if job.wait(0.02):
                    break
            search_files = self._finish_search(job, staging, result)
            stale = self._search - search_files
            self._commit(staging, stale)
        except BaseException:
            job.cancel()
            staging.abort()
            raise
        assert self._files is not None
        self._files = (self._files - stale) | search_files
        self._search, self._search_due = search_files, False
        result.search, result.written, result.removed = True, len(staging.files), len(stale)
        return result

    @staticmethod
    def _finish_search(job: SearchJob, staging: InPlace, result: BuildResult) -> set[str]:
        """The search files the job made (those that changed are staged); returns their names."""
        record = job.finish(result, logging.DEBUG)
        staging.files.extend(record["staged"])
        return set(record["files"])

    def _commit(self, staging: InPlace, stale: set[str]) -> None:
        with self.lock:
            staging.commit(stale)
            if staging.files or stale:
                self.generation += 1

    def _read_content(self, paths: Iterable[Path], rescan: bool) -> tuple[list[Paper], list[str]]:
        """The papers, from the cache where a file is unchanged; raises BuildError like build() does."""
        sources = self._sources
        fresh: dict[Path, Source | None] = {}
        if rescan:
            found = set(iter_content_files(self.content))
            for path in set(sources) - found:
                del sources[path]
            for path in found:
                old = sources.get(path)
                try:
                    unchanged = old is not None and old.stamp == _stamp(path)
                except OSError:
                    unchanged = False
                if not unchanged:
                    fresh[path] = _read_source(path)
        root = self.content.absolute()
        for path in paths:  # named by the watcher: read again whatever the stamp says (it can lag the write)
            try:
                rel = Path(path).absolute().relative_to(root)
            except ValueError:
                continue
            key = self.content / rel
            visible = rel.suffix == ".md" and not any(p.startswith(".") for p in rel.parts)
            fresh[key] = _read_source(key) if visible and key.is_file() else None
        for key, source in fresh.items():
            if source is None:
                sources.pop(key, None)
                continue
            sources[key] = source
            for problem in source.problems:
                log.warning("%s", problem)
        errors = [s.error for s in sources.values() if s.error is not None]
        papers = [s.paper for s in sources.values() if s.paper is not None]
        try:  # the one validator, as `papers check` and `papers build` judge
            warnings = verdict(self.content, papers, [p for s in sources.values() for p in s.problems], errors)
        except ContentError as exc:
            raise BuildError(exc.message, exc.path, exc.line) from None
        if self.strict and warnings:
            raise BuildError(f"{len(warnings)} warning(s) with --strict; first: {warnings[0]}")
        return papers, warnings  # build_model orders them

    def _changed(self, site_pages: list[Page], renderer: Renderer
                 ) -> tuple[list[Page], dict[str, str], dict[str, tuple[str, str, Any]]]:
        """The pages to render, every page's signature and context; unchanged contexts skip the signature."""
        same_theme = self._renderer is not None and renderer.template_hash == self._renderer.template_hash
        signatures: dict[str, str] = {}
        contexts: dict[str, tuple[str, str, Any]] = {}
        todo: list[Page] = []
        for page in site_pages:
            entry = contexts[page.path] = (page.template, page.kind, page.context)
            if same_theme and self._contexts.get(page.path) == entry:
                signatures[page.path] = self._signatures[page.path]
                continue
            page = Page(page.path, page.template, entry[2], page.kind, date=page.date)
            sig = signatures[page.path] = page.signature(renderer.template_hash)
            if self._signatures.get(page.path) != sig or not (self.out / page.path).is_file():
                todo.append(page)
        return todo, signatures, contexts

    def _existing(self) -> set[str]:
        """Every file in `out` now (before the first build, the state is whatever is on disk)."""
        if not self.out.is_dir():
            return set()
        return {p.relative_to(self.out).as_posix() for p in self.out.rglob("*") if p.is_file() or p.is_symlink()}
