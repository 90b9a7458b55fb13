"""build(): the pipeline, top to bottom, one timed stage per step.

content → papers → site model → theme & assets → pages (render or reuse) → search index → swap in.

incremental.Builder runs the same steps again and again for `papers serve --watch`, through the same
functions (write_assets, build_search_files, render_into).
"""
from __future__ import annotations

import logging
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator, Protocol

from .config import SiteConfig, load_config
from .content import Paper, load_papers
from .errors import BuildError
from .output import Staging, read_manifest, write_manifest
from .render import Renderer, Theme, fingerprint
from .site import Page, SiteModel, build_model, pages

__all__ = ["build", "BuildResult", "Writer"]

log = logging.getLogger("papers.build")


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
    yield
    dt = time.perf_counter() - t0
    result.timings[name] = dt
    log.log(level, "%-8s %7.0f ms", name, dt * 1000)


def cache_dir(out: Path) -> Path:
    """Where the build keeps its manifest: beside the output, never inside it."""
    out = out.resolve()
    return out.with_name(f".{out.name}-cache")


def load_content(content: Path, strict: bool) -> tuple[list[Paper], list[str]]:
    """Read content/, failing on any file that cannot be read (and on warnings with --strict)."""
    papers, problems, errors = load_papers(content)
    if errors:
        first = errors[0]
        more = f" (and {len(errors) - 1} more; run `papers check`)" if len(errors) > 1 else ""
        raise BuildError(first.message + more, first.path, first.line)
    warnings = [str(p) for p in problems]
    if strict and warnings:
        raise BuildError(f"{len(warnings)} warning(s) with --strict; first: {warnings[0]}")
    return papers, warnings


def build(content: Path = Path("content"), out: Path = Path("site"), config_path: Path | None = None,
          base_url: str | None = None, strict: bool = False, config: SiteConfig | None = None) -> BuildResult:
    """Build the site from `content` into `out`; the previous `out` stays untouched if anything fails."""
    result = BuildResult()
    t0 = time.perf_counter()
    config = config or load_config(config_path, content, base_url)
    with stage(result, "content"):
        papers, result.warnings = load_content(content, strict)
        for w in result.warnings:
            log.warning("%s", w)
    with stage(result, "model"):
        model = build_model(papers)
        site_pages = pages(model, config)
    staging = Staging(out)
    try:
        with stage(result, "assets"):
            theme = Theme(config)
            assets = write_assets(theme, staging)
        with stage(result, "search"):
            search_files = build_search_files(model, config)
            for rel, data in search_files.items():
                staging.write(rel, data)
        with stage(result, "render"):
            renderer = Renderer(config, theme, assets)
            render_pages(site_pages, renderer, staging, cache_dir(out), result)
        staging.commit()
    except BaseException:
        staging.abort()
        raise
    result.pages = len(site_pages)
    log.info("built %d pages (%d rendered, %d reused) from %d papers in %.0f ms → %s", result.pages,
             result.rendered, result.reused, len(papers), (time.perf_counter() - t0) * 1000, out)
    return result


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
        from .search import search_files
    except ImportError:  # search not built yet
        return {}
    return search_files(model, config)


def render_pages(site_pages: list[Page], renderer: Renderer, staging: Staging, cache: Path,
                 result: BuildResult) -> None:
    """Render each page whose signature changed; hard-link the rest from the previous build."""
    old = read_manifest(cache)
    new: dict[str, str] = {}
    todo: list[Page] = []
    for page in site_pages:
        sig = page.signature(renderer.template_hash)
        new[page.path] = sig
        if old.get(page.path) == sig and staging.reuse(page.path):
            result.reused += 1
        else:
            todo.append(page)
    render_into(todo, renderer, staging, result)
    write_manifest(cache, new)


def render_into(todo: list[Page], renderer: Renderer, staging: Writer, result: BuildResult) -> None:
    """Render `todo` into `staging`: the one place pages are rendered, for build() and Builder alike."""
    for page in todo:
        staging.write(page.path, renderer.render(page))
        result.rendered += 1
