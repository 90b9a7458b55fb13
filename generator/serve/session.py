"""`papers serve [--watch]`: build, then serve site/ on loopback with the netlify.toml headers.

With --watch, a DevSession ties four parts together:

    Watcher (watch.py)      watchdog events → classified, debounced batches of changes
    Pipeline (build/)       the same pipeline as `papers build`, kept alive: each batch is one run, written
                            in place under a lock; with an up-to-date output and cache the server answers
                            at once and the first run (which renders nothing) loads the model behind it
    DevServer (livereload)  serves site/ (waiting on that lock), injects the live-reload script
    LiveState (livereload)  tells open pages to reload, or to show the error of a failed build

One log line per rebuild says what changed, what was rebuilt and how long it took. A failed rebuild is
reported (log line, overlay in the browser) and the last good build stays served.
"""
from __future__ import annotations

import gc
import ipaddress
import logging
import signal
import time
from pathlib import Path
from typing import Callable

from ..build.changes import Changes
from ..build.pipeline import BuildResult, Pipeline, build
from ..build.writers import InPlace
from ..errors import PapersError, UsageError
from .livereload import DevServer, LiveState
from .server import SiteServer, find_netlify, listen_error, load_netlify_headers, make_server
from .watch import Sources, Watcher

__all__ = ["serve", "DevSession"]

log = logging.getLogger("papers.serve")

SEARCH_PAUSE = 0.5  # seconds without a change before serve makes the search index again (see _update_search)


def _is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


def _url(server: SiteServer) -> str:
    host, port = server.server_address[:2]
    return f"http://[{host}]:{port}/" if ":" in host else f"http://{host}:{port}/"


def _listen(make: Callable[[], SiteServer], host: str, port: int) -> SiteServer:
    """Bind first (so --port 0 can pick a port before the build); a busy port is a one-line error."""
    try:
        return make()
    except OverflowError:  # a port outside 0-65535, from the Python API (the CLI checks it first)
        raise UsageError(f"--port {port} is not a port number from 0 to 65535") from None
    except OSError as exc:
        raise listen_error(exc, host, port) from None


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def serve(content: Path, out: Path, config_path: Path | None = None, base_url: str | None = None,
          watch: bool = False, host: str = "127.0.0.1", port: int = 8000, strict: bool = False) -> int:
    """Build once, then serve until Ctrl-C (or SIGTERM); with `watch`, rebuild and reload on every change."""
    if not _is_loopback(host):
        log.warning("warning: serving on %s makes the site reachable from other machines; "
                    "the default, 127.0.0.1, keeps it on this one", host)
    signal.signal(signal.SIGTERM, _interrupt)
    netlify = find_netlify(content)
    if watch:
        return DevSession(content, out, config_path, base_url, strict, host, port, netlify).run()
    server = _listen(lambda: make_server(out, host, port, netlify=netlify), host, port)
    try:
        build(content=content, out=out, config_path=config_path, base_url=base_url or _url(server), strict=strict)
    except BaseException:
        server.server_close()
        raise
    return _serve_forever(server, out, [])


def _serve_forever(server: SiteServer, out: Path, on_stop: list[Callable[[], None]]) -> int:
    try:
        log.info("serving %s at %s (Ctrl-C stops)", out, _url(server))
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        for stop in on_stop:
            stop()
        server.server_close()
    log.info("stopped")
    return 0


class DevSession:
    """`papers serve --watch`: builder, watcher, live state and HTTP server, started and stopped together."""

    def __init__(self, content: Path, out: Path, config_path: Path | None, base_url: str | None, strict: bool,
                 host: str, port: int, netlify: Path | None):
        self.content = content
        self.netlify = netlify
        self.live = LiveState()
        self.pipeline = Pipeline(content, out, config_path, base_url, strict, keep=True)
        self.server = _listen(lambda: DevServer((host, port), self.pipeline.out, [], self.pipeline.lock, self.live,
                                                lambda: self.pipeline.generation), host, port)
        self.pipeline.base_url = base_url or _url(self.server)
        self.watcher = Watcher(Sources.of(self.pipeline, netlify), self.rebuild)

    def run(self) -> int:
        """The first build, then serve and rebuild on change until Ctrl-C. When the output and its cache
        are up to date, serve at once: the first run, which then renders nothing, happens behind it."""
        self.watcher.start()
        if self._up_to_date():
            log.info("%s is up to date", self.pipeline.out)
            self.watcher.run_worker(first=lambda: self.rebuild(Changes.everything(), first=True))
        else:
            self.rebuild(Changes.everything(), first=True)
            self.watcher.run_worker()
        return _serve_forever(self.server, self.pipeline.out, [self.live.close, self.watcher.stop,
                                                                 self.pipeline.save])

    def _up_to_date(self) -> bool:
        try:
            return self.pipeline.up_to_date()
        except PapersError:
            return False  # the first run reports it

    def rebuild(self, changes: Changes, first: bool = False) -> None:
        """Build for `changes`, tell open pages (reload, or show the error), then the search index; a log line
        for each."""
        t0 = time.perf_counter()
        what = "first build" if first else changes.describe(self.content.absolute().parent)
        verb = "build" if first else "rebuild"
        try:
            if "config" in changes.kinds:
                self.netlify = find_netlify(self.content)
                self.server.header_rules = load_netlify_headers(self.netlify)
            result = self.pipeline.run(changes, writer=InPlace, search=first)
            self.live.succeeded(self.pipeline.generation)
            ms = (time.perf_counter() - t0) * 1000
            log.info("%s in %.0f ms (%s): %s", "built" if first else "rebuilt", ms, what, _summary(result))
            self._update_search()
            if first and (result.written or result.removed):
                self.pipeline.save()  # the next start finds it up to date
        except PapersError as exc:
            ms = (time.perf_counter() - t0) * 1000
            log.error("%s failed in %.0f ms (%s): %s; still serving the last good build", verb, ms, what, exc)
            self.live.failed(exc)
        except Exception as exc:  # noqa: BLE001 - a bug must not stop the server; say so and keep going
            log.exception("%s failed (%s): internal error", verb, what)
            self.live.failed(PapersError(f"internal error: {type(exc).__name__}: {exc}; see the server log"))
        else:
            _keep_gc_off_the_model(full=first or bool(changes.kinds - {"content"}))
        if first or changes.rescan or "config" in changes.kinds:
            self._watch_more()

    def _watch_more(self) -> None:
        """Follow the theme layers the config now names (and content/ if it was missing); a folder newly
        watched is built once more, in case something changed in it before its watch began."""
        added = self.watcher.update(Sources.of(self.pipeline, self.netlify))
        if added and self.watcher.running:
            self.watcher.queue.put(("config", added[0], True))

    def _update_search(self) -> None:
        """The search index for the pages just served, once the writer pauses: after SEARCH_PAUSE seconds
        with no new change (a change that comes first is built first, and the next rebuild does it). The
        index takes seconds at 10k papers, in a forked process; started at once it would slow the rebuild of
        the next save, which matters more to a writer than a search index a second newer. One log line."""
        if not self.pipeline.search_due:
            return
        deadline = time.perf_counter() + SEARCH_PAUSE
        while self.watcher.queue.empty() and time.perf_counter() < deadline:
            time.sleep(0.02)
        t0 = time.perf_counter()
        if self.watcher.queue.empty() and self.pipeline.update_search(
                cancelled=lambda: not self.watcher.queue.empty()).search:
            self.live.succeeded(self.pipeline.generation, pages=False)
            log.info("search index in %.0f ms", (time.perf_counter() - t0) * 1000)
        else:  # a newer change came in: its rebuild makes the index
            log.info("search index after the next rebuild")


def _keep_gc_off_the_model(full: bool) -> None:
    """The site model and page contexts live on between builds (a million objects at 10k papers). Left to
    the cyclic GC, each rebuild pays for scanning them (~0.4 s at 10k); frozen, it does not. They are plain
    data, freed by reference counting when replaced. A theme or config change also frees the cycles (Jinja
    environments) that freezing would keep."""
    if full:
        gc.unfreeze()
        gc.collect()
    gc.freeze()


def _summary(result: BuildResult) -> str:
    """`6 of 806 pages rendered, search index, 2 files removed`: what a build did."""
    parts = [f"{result.rendered} of {result.pages} pages rendered"]
    if result.search:
        parts.append("search index")  # only with the first build: later ones update it on its own
    if result.removed:
        parts.append(f"{result.removed} files removed")
    if not result.written and not result.removed:
        parts.append("nothing changed on disk")
    return ", ".join(parts)
