"""The search index as a background job of a build: made in a forked process while the pages render.

The job writes its files through the build's Writer from that process and reports which ones. When the
documents hash to the key of the previous index (`previous`: {"key", "files"}) and the Writer can keep
those files, nothing is computed.
"""
from __future__ import annotations

import hashlib
import time
from typing import TYPE_CHECKING, Any, Callable

from ..util.codehash import code_hash
from ..util.memory import fixed_mmap_threshold, give_back
from ..util.parallel import Background
from .files import search_files, search_key

if TYPE_CHECKING:
    from ..build.writers import Writer
    from ..config import SiteConfig
    from ..model.site import SiteModel

__all__ = ["SearchJob"]


class SearchJob:
    """`source()` gives the site model in the forked process; see the module's docstring."""

    def __init__(self, source: Callable[[], SiteModel], config: SiteConfig, writer: Writer,
                 previous: dict[str, Any]):
        give_back()  # the heap's free pages: a forked process would count them in its RSS from the start
        self._job = Background(lambda: _make(source(), config, writer, previous))

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


def _make(model: SiteModel, config: SiteConfig, writer: Writer, previous: dict[str, Any]) -> dict[str, Any]:
    t0, cpu0 = time.perf_counter(), time.process_time()
    fixed_mmap_threshold()  # this process's: the index's numpy temporaries go back to the system as freed
    documents = search_key(model)
    key = hashlib.sha256((code_hash() + documents).encode()).hexdigest()
    old = previous.get("files", [])
    before = len(writer.files)
    if key == previous.get("key") and old and all(writer.reuse(rel) for rel in old):
        files = list(old)
    else:
        files = list(search_files(model, config, writer.write, documents))
    return {"key": key, "files": files, "written": writer.files[before:],
            "cpu": time.process_time() - cpu0, "wall": time.perf_counter() - t0}
