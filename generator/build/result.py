"""What one run of the pipeline did (build/pipeline.py), for the command's log line and the tests."""
from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["BuildResult"]


@dataclass
class BuildResult:
    """What a run did: pages rendered and kept, files written and removed, and seconds per stage."""

    pages: int = 0
    rendered: int = 0
    reused: int = 0
    timings: dict[str, float] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    written: int = 0  # files written (with InPlace: files whose bytes changed)
    removed: int = 0  # files deleted because no page makes them any more (InPlace)
    search: bool = False  # the search index was made or checked in this run
    fresh: bool = False  # nothing had changed: the run stopped after the content scan
