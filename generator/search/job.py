"""The search index as a background job of a build: made in a forked process while the pages render.

The job writes its files through the build's Writer from that process and reports which ones. When the
documents hash to the key of the previous index (`previous`: {"key", "files"}) and the Writer can keep
those files, nothing is computed.

A new build forks the job before it reads the content (`SearchJob(writer, previous)`) and feeds it each
paper's search Entry once the files are read (`feed(papers)`): the job's process holds those and its index,
not a copy of everything the build had read. (Forked once the files were read, the job started out with
the main process's RSS, 455 MB at 100k papers, and peaked at 734 MB.) Serve, which keeps its model, forks
the job from it: `SearchJob(writer, previous, source=lambda: model.papers)`.
"""
from __future__ import annotations

import hashlib
import os
import time
from typing import TYPE_CHECKING, Any, Callable, Iterable

from ..util.codehash import code_hash
from ..util.memory import fixed_mmap_threshold, give_back
from ..util.parallel import Background
from .files import Entry, entries, entry_fields, in_order, index_files, search_key

if TYPE_CHECKING:
    from ..build.writers import Writer
    from ..content.files import Paper

__all__ = ["SearchJob"]


class SearchJob:
    """See the module's docstring: fed by feed(papers), or given `source()`, the papers, in the forked process."""

    def __init__(self, writer: Writer, previous: dict[str, Any],
                 source: Callable[[], Iterable[Paper]] | None = None):
        give_back()  # the heap's free pages: a forked process would count them in its RSS from the start
        here = os.getpid()
        if source is None:
            self._job = Background(lambda fed: _make(in_order(_entries(fed)), writer, previous, here), fed=True,
                                   ready=_ready)
        else:
            self._job = Background(lambda: _make(entries(source()), writer, previous, here))

    def feed(self, papers: Iterable[Paper]) -> None:
        """The papers to index (a job made without `source`), in any order. Then the heap's free pages go back
        to the system: at 100k papers the reading left ~45 MB of them, which the render workers forked later
        would count too."""
        self._job.feed([entry_fields(p) for p in papers])
        give_back()

    def result(self) -> dict[str, Any]:
        """Wait for the index: {"key", "files" (all its files), "written" (those this job wrote), "cpu",
        "wall"}. The CPU time is the stage's honest time: the job shares the CPUs with the render workers."""
        return self._job.result()

    def wait(self, timeout: float) -> bool:
        """Whether the index is ready within `timeout` seconds."""
        return self._job.wait(timeout)

    def cancel(self) -> None:
        """Stop making it (after a failure, or when a newer change makes it pointless)."""
        self._job.cancel()


def _ready() -> None:
    """Before the papers arrive (the build is still reading them): import numpy, which the index's counting
    needs, on what is otherwise an idle CPU (~0.06 s; at 1k papers, that much of the job's time)."""
    import numpy  # noqa: F401


def _entries(fed: list[tuple]) -> list[Entry]:
    """The Entries of what feed() sent, `fed` emptied (its tuples are not held beside them)."""
    docs = [Entry._make(t) for t in fed]
    fed.clear()
    return docs


def _make(docs: list[Entry], writer: Writer, previous: dict[str, Any], parent: int) -> dict[str, Any]:
    """The index, written through `writer`; "written" and "stamps" are what a forked job wrote, for the
    parent's copy of the writer (run in `parent` itself, with PAPERS_JOBS=1, the job wrote into that one)."""
    t0, cpu0 = time.perf_counter(), time.process_time()
    fixed_mmap_threshold()  # this process's: the index's numpy temporaries go back to the system as freed
    documents = search_key(docs)
    key = hashlib.sha256((code_hash() + documents).encode()).hexdigest()
    old = previous.get("files", [])
    before, stamped = len(writer.files), len(writer.stamps)
    if key == previous.get("key") and old and all(writer.reuse(rel) for rel in old):
        files = list(old)
    else:
        files = list(index_files(docs, writer.write, documents))
    if os.getpid() == parent:
        before, stamped = len(writer.files), len(writer.stamps)
    return {"key": key, "files": files, "written": writer.files[before:], "stamps": writer.stamps[stamped:],
            "cpu": time.process_time() - cpu0, "wall": time.perf_counter() - t0}
