"""Search index figures: which files the build writes for search, their bytes raw and gzipped, and the bytes a
browser fetches before it can show the first results of a query (bench/search_payload.py)."""
from __future__ import annotations

import gzip
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["IndexSize", "index_size", "query_payloads", "QUERIES"]

# What readers of a paper archive type: common topics, a two-word phrase, a rare name, a prefix in progress.
QUERIES = ["transformer", "diffusion", "language model", "reinforcement learning", "video generation", "agent",
           "benchmark", "3d", "llm", "retrieval augmented", "quantization", "multimodal reasoning", "diff"]


@dataclass
class IndexSize:
    """The search files of one built site."""

    files: int = 0
    raw: int = 0
    gz: int = 0
    names: list[str] = field(default_factory=list)


def gz_size(data: bytes) -> int:
    """Bytes on the wire with gzip (level 6, what servers use by default)."""
    return len(gzip.compress(data, compresslevel=6, mtime=0))


def index_size(site: Path) -> IndexSize | None:
    """Sizes of the search index files in a built site (search/manifest.json and everything it points to:
    every .json under search/); None when there are none."""
    names = sorted(p.relative_to(site).as_posix() for p in (site / "search").rglob("*.json"))
    if not names:
        return None
    size = IndexSize(names=names)
    for name in names:
        data = (site / name).read_bytes()
        size.files += 1
        size.raw += len(data)
        size.gz += gz_size(data)
    return size


def query_payloads(site: Path, queries: list[str]) -> dict[str, tuple[int, int, int]] | None:
    """query → (files, raw bytes, gzip bytes) fetched before the first results; None without payload_for_query."""
    try:
        from bench.search_payload import payload_for_query
    except ImportError:
        return None
    found = {}
    for q in queries:
        files, raw, gz = payload_for_query(site, q)
        found[q] = (len(files) if isinstance(files, (list, tuple, set, dict)) else int(files), int(raw), int(gz))
    return found
