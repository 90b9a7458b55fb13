"""Watching what a site is built from: which folders, what kind of change each file is, and debounced batches.

Like Zola's `detect_change_kind`, every path is classified before anything is rebuilt, into the kinds that
build/changes.py defines (content files as content/files.py's is_content_file says):

    content    a paper file (`*.md`) under content/, or a folder there (then content/ is walked again)
    template   a file under a theme layer's templates/ (the overrides folder, the theme, the default theme)
    static     a file under a theme layer's static/
    config     the config file, netlify.toml, or the overrides folder itself appearing or going

Everything else is ignored: editor temp and swap files (`.x.md.swp`, `x.md~`, `.#x.md`, vim's `4913`),
hidden files, the output folder and the build cache. Events come from watchdog; a burst of them (an editor
writing a temp file and renaming it over the original) becomes one batch once no new event has arrived for
`quiet` seconds, and batches are handed, one at a time, to a single worker thread.
"""
from __future__ import annotations

import logging
import queue
import re
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from watchdog.events import (DirCreatedEvent, DirDeletedEvent, DirMovedEvent, FileClosedEvent, FileCreatedEvent,
                             FileDeletedEvent, FileModifiedEvent, FileMovedEvent, FileSystemEvent,
                             FileSystemEventHandler)
from watchdog.observers import Observer

from ..build.changes import Changes
from ..config import DEFAULT_CONFIG_NAME
from ..content.files import is_content_file
from ..render.theme import PACKAGED_THEMES
from .server import NETLIFY

if TYPE_CHECKING:
    from ..build.pipeline import Pipeline

__all__ = ["Sources", "Watcher", "is_editor_temp"]

log = logging.getLogger("papers.serve")

# Only what writes: opening and reading files (the build does a lot of that) must not look like a change.
EVENT_FILTER = [FileCreatedEvent, FileModifiedEvent, FileDeletedEvent, FileMovedEvent, FileClosedEvent,
                DirCreatedEvent, DirDeletedEvent, DirMovedEvent]
RELEVANT = {"created", "modified", "deleted", "moved", "closed"}
_TEMP_SUFFIX = re.compile(r"(\.sw[a-z]|\.swpx|~|\.tmp|\.bak|\.orig|\.crswap|___jb_(tmp|old)___)$", re.IGNORECASE)


def is_editor_temp(name: str) -> bool:
    """Swap, backup and lock files editors write beside the file being saved, and hidden files."""
    return name.startswith((".", "#")) or name == "4913" or bool(_TEMP_SUFFIX.search(name))


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


@dataclass(frozen=True)
class Sources:
    """What a site is built from (absolute paths), and what must never trigger a build."""

    content: Path
    layers: tuple[Path, ...]  # theme layers, first wins: overrides, theme, default
    files: frozenset[Path]  # single files whose change is a config change
    folders: frozenset[Path]  # folders whose appearing or going is a config change (overrides/)
    ignored: tuple[Path, ...]  # the output and the build cache

    def classify(self, path: Path, is_dir: bool = False) -> str | None:
        """The kind of change a write to `path` is, or None when no build depends on it."""
        if any(_inside(path, folder) for folder in self.ignored) or is_editor_temp(path.name):
            return None
        if path in self.files or path in self.folders:
            return "config"
        if _inside(path, self.content):
            rel = path.relative_to(self.content)
            if is_dir:  # a folder appearing, going or moving: content/ is walked again
                return None if any(part.startswith(".") for part in rel.parts) else "content"
            return "content" if is_content_file(rel) else None
        for layer in self.layers:
            if _inside(path, layer):
                parts = path.relative_to(layer).parts
                if not parts:
                    return "config"
                return {"templates": "template", "static": "static"}.get(parts[0])
        return None

    @classmethod
    def of(cls, pipeline: Pipeline, netlify: Path | None) -> Sources:
        """What `pipeline` reads, as far as it knows (the theme layers once a run has loaded the config)."""
        content = pipeline.content.absolute()
        root = content.parent
        config_file = pipeline.config_path or root / DEFAULT_CONFIG_NAME
        config, theme = pipeline.config, pipeline.theme
        overrides = (config.root / config.overrides) if config else root / "overrides"
        layers = list(theme.layers) if theme else [PACKAGED_THEMES / "default"]
        if overrides not in layers:  # a layer as soon as it exists, even before a build succeeds with it
            layers.insert(0, overrides)
        files = {config_file.absolute(), root / NETLIFY} | ({netlify.absolute()} if netlify else set())
        return cls(content=content, layers=tuple(p.absolute() for p in layers), files=frozenset(files),
                   folders=frozenset({overrides.absolute()}), ignored=(pipeline.out, pipeline.cache.dir))

    def watches(self) -> dict[Path, bool]:
        """Folder → recursive? for everything `classify` can say yes to."""
        out: dict[Path, bool] = {}
        for folder in (self.content, *self.layers):
            if folder.is_dir():
                out[folder] = True
        for path in (*self.files, *self.folders):
            if path.parent.is_dir():
                out.setdefault(path.parent, False)
        return out


class _Handler(FileSystemEventHandler):
    def __init__(self, watcher: Watcher):
        self.watcher = watcher

    def dispatch(self, event: FileSystemEvent) -> None:
        if event.event_type not in RELEVANT or (event.is_directory and event.event_type == "modified"):
            return
        sources = self.watcher.sources
        for raw in (event.src_path, getattr(event, "dest_path", "")):
            if not raw:
                continue
            path = Path(raw if isinstance(raw, str) else raw.decode())
            kind = sources.classify(path, event.is_directory)
            if kind is not None:
                self.watcher.queue.put((kind, path, event.is_directory))


class Watcher:
    """watchdog events → classified, debounced `Changes` → `on_change`, called on one worker thread."""

    def __init__(self, sources: Sources, on_change: Callable[[Changes], None], quiet: float = 0.05):
        self.sources = sources
        self.on_change = on_change
        self.quiet = quiet
        self.queue: queue.Queue[tuple[str, Path, bool] | None] = queue.Queue()
        self._observer = Observer()
        self._handler = _Handler(self)
        self._watches: dict[tuple[Path, bool], object] = {}
        self._worker = threading.Thread(target=self._run, name="papers-rebuild", daemon=True)
        self._first: Callable[[], None] | None = None

    def start(self) -> None:
        """Start watching now; batches are handed to `on_change` once `run_worker` was called."""
        self._schedule()
        self._observer.start()

    def run_worker(self, first: Callable[[], None] | None = None) -> None:
        """Start the thread that builds: `first()` first, if given; then the events that came in since
        start() form its first batch."""
        self._first = first
        self._worker.start()

    @property
    def running(self) -> bool:
        """True once the worker thread builds batches."""
        return self._worker.is_alive()

    def update(self, sources: Sources) -> list[Path]:
        """Watch what `sources` names from now on (the theme layers can change with the config); returns the
        folders newly watched, which may have changed before their watch began."""
        self.sources = sources
        return self._schedule()

    def stop(self) -> None:
        """Stop watching, let a build that is running finish (a few seconds at most)."""
        self.queue.put(None)
        self._observer.stop()
        if self._worker.is_alive():
            self._worker.join(timeout=10)
        self._observer.join(timeout=5)

    def _schedule(self) -> list[Path]:
        wanted = set(self.sources.watches().items())
        for key in set(self._watches) - wanted:
            try:
                self._observer.unschedule(self._watches.pop(key))  # type: ignore[arg-type]
            except (KeyError, OSError):  # the folder went away, and its watch with it
                pass
        added = []
        for folder, recursive in sorted(wanted - set(self._watches)):
            try:
                self._watches[(folder, recursive)] = self._observer.schedule(
                    self._handler, str(folder), recursive=recursive, event_filter=EVENT_FILTER)
                added.append(folder)
            except OSError as exc:
                log.warning("warning: cannot watch %s (%s); changes there need a restart", folder, exc)
        return added

    def _run(self) -> None:
        if self._first is not None:
            self._first()
        while True:
            item = self.queue.get()
            changes = Changes()
            while item is not None:
                changes.add(*item)
                try:
                    item = self.queue.get(timeout=self.quiet)
                except queue.Empty:
                    break
            if item is None:  # stop() was called
                return
            self.on_change(changes)
