"""content/ read over the CPUs: the same result as content.load_papers, in less time on a large archive.

Each forked process parses a consecutive share of the files with content.decode_papers; the papers come
back pickled, which costs about a third of parsing them. Within a process a few threads read the files
ahead of the parser: with a cold page cache (after a reboot, a fresh clone, or on a VM that reclaims cache
eagerly) the disk's latency, not the CPU, is the limit, and one read at a time leaves the CPUs idle.
Errors travel as plain tuples (a PapersError pickles without its path and line). tests/test_loader.py
checks that the result equals content.load_papers'.
"""
from __future__ import annotations

import os
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Iterator, Sequence

from .diskio import NotRegularFile, read_content_bytes
from .files import Paper, decode_papers, iter_content_files, sort_content_paths
from ..errors import ContentError, Problem
from ..util.parallel import fork_map, jobs, runs

__all__ = ["load_papers_parallel", "content_files", "read_ahead"]

MIN_FILES = 2000  # below this, forking costs more than it saves
READERS = 4  # threads reading ahead, per process
BATCH = 64  # files per read task: one task per file costs more in hand-offs than the read itself
WINDOW = 4 * READERS  # tasks in flight: bounds the bytes held before the parser takes them
PARENT_SHARE = 1.1  # this process's share of the files, against 1 for each forked one

_Share = tuple[list[Paper], list[Problem], list[tuple[str, object, int | None]]]


def content_files(root: Path, rels: Sequence[str]) -> list[str]:
    """The paths of `rels` (relative to `root`, as buildstate.scan_content finds them) in
    iter_content_files' order, without walking the folder again."""
    base = str(root)
    return [os.path.join(base, rel) for rel in sort_content_paths(rels)]


def _read_batch(paths: Sequence[str]) -> list[bytes | OSError]:
    out: list[bytes | OSError] = []
    for path in paths:
        try:
            out.append(read_content_bytes(path))
        except OSError as exc:  # a NotRegularFile is passed on: decode_papers skips it with a warning
            out.append(exc)
    return out


def read_ahead(paths: Sequence[str]) -> Iterator[tuple[str, bytes]]:
    """(path, its bytes) for each of `paths`, in order, read by threads ahead of the caller; a file
    that cannot be read raises its OSError when its turn comes, as path.read_bytes() would (one that is
    not a regular file comes as a NotRegularFile in place of its bytes)."""
    batches = [paths[i:i + BATCH] for i in range(0, len(paths), BATCH)]
    with ThreadPoolExecutor(READERS, thread_name_prefix="papers-read") as pool:
        pending: deque[tuple[Sequence[str], Future[list[bytes | OSError]]]] = deque()
        for batch in batches:
            pending.append((batch, pool.submit(_read_batch, batch)))
            if len(pending) >= WINDOW:
                yield from _unpack(*pending.popleft())
        while pending:
            yield from _unpack(*pending.popleft())


def _unpack(batch: Sequence[str], future: Future[list[bytes | OSError]]) -> Iterator[tuple[str, bytes]]:
    for path, data in zip(batch, future.result()):
        if isinstance(data, OSError) and not isinstance(data, NotRegularFile):
            raise data
        yield path, data


def _read_share(paths: list[str]) -> _Share:
    papers, problems, errors = decode_papers(read_ahead(paths))
    return papers, problems, [(exc.message, exc.path, exc.line) for exc in errors]


def load_papers_parallel(root: Path, files: list[str] | None = None
                         ) -> tuple[list[Paper], list[Problem], list[ContentError]]:
    """content.load_papers(root), the files shared between processes when there are many. `files`, when
    given, are the content files' paths in iter_content_files' order (see content_files)."""
    if files is None:
        files = [str(p) for p in iter_content_files(root)]
    papers: list[Paper] = []
    problems: list[Problem] = []
    errors: list[ContentError] = []
    for share_papers, share_problems, share_errors in fork_map(_read_share, _shares(files, jobs(len(files),
                                                                                                MIN_FILES))):
        papers += share_papers
        problems += share_problems
        errors += [ContentError(message, Path(path), line) for message, path, line in share_errors]  # type: ignore[arg-type]
    return papers, problems, errors


def _shares(files: list[str], n: int) -> list[list[str]]:
    """`n` consecutive runs of `files`; the first, read in this process, a little longer than the others,
    which also pickle their papers (about a tenth of the parsing) while this process waits for them."""
    if n <= 1:
        return [files] if files else []
    first = round(len(files) * PARENT_SHARE / (n - 1 + PARENT_SHARE))
    return [share for share in [files[:first], *runs(files[first:], n - 1)] if share]
