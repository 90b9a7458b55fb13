"""content/ read over the CPUs: the same result as content.load_papers, in less time on a large archive.

Each forked process parses a consecutive share of the files with content.read_paper; the papers come back
pickled, which costs about a third of parsing them. Errors travel as plain tuples (a PapersError pickles
without its path and line). tests/test_loader.py checks that the result equals content.load_papers'.
"""
from __future__ import annotations

from pathlib import Path

from .content import Paper, iter_content_files, load_papers, read_paper
from .errors import ContentError, Problem
from .parallel import fork_map, jobs

__all__ = ["load_papers_parallel"]

MIN_FILES = 2000  # below this, forking costs more than it saves

_Share = tuple[list[Paper], list[Problem], list[tuple[str, object, int | None]]]


def _read_share(paths: list[Path]) -> _Share:
    papers: list[Paper] = []
    problems: list[Problem] = []
    errors: list[tuple[str, object, int | None]] = []
    for path in paths:
        try:
            paper, found = read_paper(path)
        except ContentError as exc:
            errors.append((exc.message, exc.path, exc.line))
            continue
        papers.append(paper)
        problems.extend(found)
    return papers, problems, errors


def load_papers_parallel(root: Path) -> tuple[list[Paper], list[Problem], list[ContentError]]:
    """content.load_papers(root), the files shared between processes when there are many."""
    files = list(iter_content_files(root))
    n = jobs(len(files), MIN_FILES)
    if n <= 1:
        return load_papers(root)
    step = -(-len(files) // n)
    papers: list[Paper] = []
    problems: list[Problem] = []
    errors: list[ContentError] = []
    for share_papers, share_problems, share_errors in fork_map(_read_share, [files[i:i + step]
                                                                             for i in range(0, len(files), step)]):
        papers += share_papers
        problems += share_problems
        errors += [ContentError(message, path, line) for message, path, line in share_errors]  # type: ignore[arg-type]
    return papers, problems, errors
