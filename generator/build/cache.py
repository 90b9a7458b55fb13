"""The build cache folder, `.<out>-cache` beside the output (never inside it, so it is never deployed): its
one owner. Everything a build keeps for the next one lives here, each as one pickle written atomically:

    build-state.pickle       what the last build was made from and what it wrote (state.BuildState)
    page-signatures.pickle   output path → page signature, for the pages in the output now
    abstracts.pickle         markdown-it's results for the abstracts that needed it, by text key
    staging-<pid>/           files `papers serve --watch` stages before moving them into the output
    made-by-papers           the mark: the output folder beside is one papers made (build/outdir.py)

A file that is missing, truncated or written by other code reads as absent: the build does more work, never
wrong work.
"""
from __future__ import annotations

import os
import pickle
from pathlib import Path
from typing import Any

from ..util.codehash import code_hash

__all__ = ["Cache", "cache_dir"]

STATE = "build-state.pickle"
SIGNATURES = "page-signatures.pickle"
ABSTRACTS = "abstracts.pickle"
MARK = "made-by-papers"


def cache_dir(out: Path) -> Path:
    """Where the build keeps its cache for output folder `out`: beside it, never inside it."""
    out = out.resolve()
    return out.with_name(f".{out.name}-cache")


class Cache:
    """The cache folder of one output folder."""

    def __init__(self, out: Path):
        self.dir = cache_dir(out)

    def read(self, name: str) -> Any:
        """What write(name) saved, or None when it is missing, truncated or from another version."""
        try:
            with open(self.dir / name, "rb") as f:
                return pickle.load(f)
        except Exception:  # noqa: BLE001 - a cache: unreadable means absent
            return None

    def write(self, name: str, data: Any) -> None:
        """Save `data` atomically: a temporary file, flushed, then renamed over the old one.

        Pickled in fast mode, without the memo: what is saved here is plain data without cycles, and the
        memo of the ~520k strings and tuples of the state at 100k papers took 16 MB while it was written,
        at the end of the build, in its largest process. An object met twice is written twice."""
        path = self.dir / name
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")  # a dead process's: writers.clean_leftovers
        try:
            with open(tmp, "wb") as f:
                pickler = pickle.Pickler(f, pickle.HIGHEST_PROTOCOL)
                pickler.fast = True
                pickler.dump(data)
            os.replace(tmp, path)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise

    def signatures(self) -> dict[str, bytes]:
        """The page signatures of the output as the last build left it; empty when unknown."""
        data = self.read(SIGNATURES)
        return data if isinstance(data, dict) else {}

    def abstracts(self) -> dict[str, Any]:
        """markdown-it's results of the last build, if the same code (and markdown-it) made them."""
        data = self.read(ABSTRACTS)
        if not isinstance(data, dict) or data.get("code") != code_hash():
            return {}
        return data.get("results", {})

    def save_abstracts(self, results: dict[str, Any]) -> None:
        self.write(ABSTRACTS, {"code": code_hash(), "results": results})

    def staging_dir(self) -> Path:
        """A folder of this process's own, for files on their way into the output."""
        return self.dir / f"staging-{os.getpid()}"

    def marked(self) -> bool:
        """Whether the output folder is marked as one papers made."""
        return (self.dir / MARK).is_file()

    def mark(self) -> None:
        """Mark the output folder as one papers made (and may replace)."""
        self.write(MARK, "the output folder beside this cache folder is one that papers makes and replaces")
