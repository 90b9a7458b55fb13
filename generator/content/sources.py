"""content/ as the pipeline last read it: for each content file, its stamp and what it gave.

A one-shot build reads every file once, over the CPUs (loader.py). `papers serve --watch` keeps the
result and, for each batch of changes, reads again only the files named by the watcher, or, after a
folder changed, the files whose stamp changed. Both end in `papers()`, which applies the same verdict:
the first unreadable file is an error naming it, warnings fail the build with --strict.
"""
from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from ..errors import BuildError, ContentError, Problem
from .diskio import NotRegularFile, read_content_bytes
from .files import Paper, decode_paper, is_content_file, sort_content_paths
from .loader import load_papers_parallel
from .slugs import identity
from .validate import Seen, revalidate, same_identity, warnings_or_raise

__all__ = ["Sources", "Stamp", "stamp_of"]

log = logging.getLogger("papers.build")

Stamp = tuple[int, int, int, int]  # mtime_ns, ctime_ns, size, inode: as git's index, a change moves one


def stamp_of(st: os.stat_result) -> Stamp:
    return (st.st_mtime_ns, st.st_ctime_ns, st.st_size, st.st_ino)


@dataclass
class _File:
    stamp: Stamp
    paper: Paper | None = None
    problems: list[Problem] = field(default_factory=list)
    error: ContentError | None = None


class Sources:
    """The content files of `root` by relative path (see the module's docstring). With `keep` (serve), what
    the next papers() can start from is kept too: each paper's own findings and its place in the list
    (~75 MB at 100k papers, which a one-shot build would carry into every process it forks). Without it
    (`papers build`), once the papers are judged, each one's `seen` and `other_abstracts` are dropped:
    nothing after the validator reads them (import and fetch, which write them back, read files of their
    own), and at 100k papers they held ~40 MB in every process of the build (and the memo of the titles'
    identities, slugs.identity's, 16 MB more). Those papers cannot be judged
    again: a one-shot Pipeline makes a new Sources for each run."""

    def __init__(self, root: Path, keep: bool = True):
        self.root, self.keep = root, keep
        self.files: dict[str, _File] = {}
        self._seen = Seen()  # validate()'s findings per paper, for the next papers() (with `keep`)
        self._order: tuple[frozenset[str], list[str]] = (frozenset(), [])  # the files, sorted as read
        # the last verdict that passed: its papers, each one's place in that list by file, the findings
        self._judged: tuple[list[Paper], dict[str, int], list[Problem]] | None = None
        self.replaced: list[tuple[Paper, Paper]] | None = None  # what papers(fresh) found replaced in place

    def read_all(self, stamps: dict[str, Stamp]) -> None:
        """Read every file of `stamps` (the scan made just before), in parallel; forget all else."""
        base = str(self.root)
        paths = [os.path.join(base, rel) for rel in sort_content_paths(stamps)]
        papers, problems, errors = load_papers_parallel(self.root, paths)
        cut = len(base) + 1
        files = {rel: _File(stamp) for rel, stamp in stamps.items()}
        for paper in papers:
            files[str(paper.path)[cut:]].paper = paper
        for problem in problems:
            files[problem.path[cut:]].problems.append(problem)
        for error in errors:
            files[str(error.path)[cut:]].error = error
        self.files = files

    def refresh(self, stamps: dict[str, Stamp] | None = None, paths: Iterable[Path] = ()) -> set[str]:
        """Read again what changed: with `stamps` (a new scan), every file whose stamp differs and none
        that is gone; and each of `paths` (named by the watcher: read whatever its stamp says, it can lag
        the write). Returns the files read again (without those found gone by the scan)."""
        fresh: set[str] = set()
        if stamps is not None:
            for rel in set(self.files) - set(stamps):
                del self.files[rel]
            fresh = {rel for rel, st in stamps.items() if (old := self.files.get(rel)) is None or old.stamp != st}
        root = self.root.absolute()
        for path in paths:
            try:
                rel = Path(path).absolute().relative_to(root).as_posix()
            except ValueError:
                continue
            if is_content_file(rel):
                fresh.add(rel)
        for rel in fresh:
            entry = self._read(rel)
            if entry is None:
                self.files.pop(rel, None)
            else:
                self.files[rel] = entry
                for problem in entry.problems:
                    log.warning("%s", problem)
        return fresh

    def _read(self, rel: str) -> _File | None:
        """The file read and parsed; None when it is not there (deleted while we looked)."""
        path = self.root / rel
        try:
            st = os.stat(path)
            data = read_content_bytes(path)
        except FileNotFoundError:
            return None
        except NotRegularFile as exc:  # a FIFO or device: skipped with a warning, as every reader does
            return _File(stamp_of(st), problems=[exc.problem])
        except OSError as exc:
            return _File((0, 0, 0, 0), error=ContentError(f"cannot read the file ({exc.strerror})", path))
        entry = _File(stamp_of(st))
        try:
            entry.paper, entry.problems = decode_paper(data, path)
        except ContentError as exc:
            entry.error = exc
        return entry

    def stamps(self) -> dict[str, Stamp]:
        """Each file's stamp as it was when read."""
        return {rel: f.stamp for rel, f in self.files.items()}

    def papers(self, fresh: set[str] | None = None) -> tuple[list[Paper], list[str]]:
        """The papers and the warnings, judged by the one validator (validate.py) as `papers check` judges
        them; raises BuildError for the first error (a file that could not be read, two files that are one
        paper, a future date, ...). `fresh`: the files refresh() read since the last call, when no other
        file came or went; if each is a paper of the same identity as before, only those are judged again
        and `replaced` lists them as (old, new)."""
        self.replaced = None
        judged, self._judged = self._judged, None  # kept again only if this verdict passes
        try:
            found = self._replacing(judged, fresh) if judged is not None and fresh else None
            if found is None:
                found = self._judge_all()
        except ContentError as exc:
            raise BuildError(exc.message, exc.path, exc.line) from None
        return self._judged[0], [str(p) for p in found]  # type: ignore[index]

    def unjudged(self) -> list[Paper]:
        """The papers read, in the order papers() gives them, before they are judged: they may yet fail."""
        return [f.paper for _, f in self._entries() if f.paper is not None]

    def _entries(self) -> list[tuple[str, _File]]:
        names = frozenset(self.files)
        if names != self._order[0]:
            self._order = (names, sort_content_paths(self.files))
        return [(rel, self.files[rel]) for rel in self._order[1]]

    def _judge_all(self) -> list[Problem]:
        entries = self._entries()
        papers = [f.paper for _, f in entries if f.paper is not None]
        self._seen.retain(papers)
        found = warnings_or_raise(self.root, papers, [p for _, f in entries for p in f.problems],
                                  [f.error for _, f in entries if f.error is not None],
                                  seen=self._seen if self.keep else Seen())
        at = {rel: i for i, rel in enumerate(rel for rel, f in entries if f.paper is not None)} if self.keep else {}
        if not self.keep:
            for p in papers:
                p.seen = p.other_abstracts = ()  # type: ignore[assignment]
            identity.cache_clear()  # the titles' identities, asked for by the validator only: 16 MB at 100k
        self._judged = (papers, at, found)
        return found

    def _replacing(self, judged: tuple[list[Paper], dict[str, int], list[Problem]], fresh: set[str]
                   ) -> list[Problem] | None:
        """The verdict after `fresh` files replaced papers in place (see papers()), or None."""
        old_papers, at, found = judged
        papers = list(old_papers)
        replaced, problems, paths = [], [], set()
        for rel in sorted(fresh):
            entry, i = self.files.get(rel), at.get(rel)
            if entry is None or i is None or entry.paper is None or entry.error is not None:
                return None
            if not same_identity(old_papers[i], entry.paper):
                return None
            papers[i] = entry.paper
            replaced.append((old_papers[i], entry.paper))
            problems += entry.problems
            paths |= {str(self.root / rel), str(old_papers[i].path)}
        result = revalidate(self.root, found, replaced, problems, self._seen, paths)
        if result is not None:
            self._judged, self.replaced = (papers, at, result), replaced
        return result


def check_warnings(warnings: list[str], strict: bool) -> None:
    """With --strict, any warning fails the build."""
    if strict and warnings:
        raise BuildError(f"{len(warnings)} warning(s) with --strict; first: {warnings[0]}")
