"""Listing entries → content files: identity, merging and slugs.

When listings disagree:
- upvotes: the newest listing (by page date, then file name) wins; every listing's count stays in `seen`;
- title, abstract: the first one seen wins and is never rewritten; a different abstract from a listing
  new to the paper is kept in `other_abstracts` (once) and reported, never dropped (a listing imported before
  adds nothing: a curator's edit of the body stays the only body);
- date, authors, organisation: filled in when the archive lacks them; a disagreeing value is reported,
  the archive's kept;
- flags are recomputed: `no-metadata` goes once a listing supplies the metadata, `bad-date` and
  `bad-metadata` once the paper has a date, `no-abstract` once it has one.
One `seen` record per listing: a record stands for a file name and page date; two different listings that
share both (e.g. `listing.txt` of one day in two folders) also get a digest of their bytes each.
Fields import does not own (see content.IMPORT_OWNED) and the body are never touched once written; a file
whose owned fields do not change is not rewritten at all, so its hand formatting stays.

A paper is found by the identity of its title or of one of its `aliases`; failing that, by the listing
line it was imported from when its slug still matches (so a hand-corrected title is not imported twice).
"""
from __future__ import annotations

import hashlib
import os
import queue
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable

from ..content.files import (Paper, content_relpath, dump_paper, load_papers, normal_body, remove_stale_temps,
                             write_text)
from ..errors import InputError, Problem
from ..content.validate import warnings_or_raise
from ..util import progress
from ..util.gcpause import gc_paused
from ..util.parallel import fork_map, jobs, runs
from ..content.slugs import disambiguate, identity, slugify
from .parser import Entry, Listing, parse_listing

__all__ = ["ImportReport", "import_listings", "Archive", "write_changed", "create_files",
           "settle_flags", "owned_state"]

MIN_NEW = 2000  # new files below which forking costs more than it saves


@dataclass
class ImportReport:
    """What an import did."""

    entries: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    flagged: int = 0
    problems: list[Problem] = field(default_factory=list)
    inferred_years: list[tuple[str, int]] = field(default_factory=list)

    def summary(self) -> str:
        """The one-line summary the CLI prints."""
        return (f"{self.entries} entries read: {self.new} new, {self.updated} updated, "
                f"{self.unchanged} unchanged, {self.flagged} flagged")


def owned_state(paper: Paper) -> tuple:
    """Everything import may change, to tell whether a paper needs rewriting."""
    return (paper.title, paper.slug, paper.date, paper.authors_count, paper.organization, paper.upvotes,
            sorted(set(paper.flags)), [dict(s) for s in paper.seen], normal_body(paper.body),
            list(paper.other_abstracts))


class Archive:
    """The papers in content/, indexed by identity, arXiv id and slug, with their owned state when read
    (`state`: what the command may change, import's fields by default; `papers fetch` passes its own)."""

    def __init__(self, root: Path, state: Callable[[Paper], tuple] = owned_state):
        self.root = root
        self.state = state
        if root.exists() and not root.is_dir():
            raise InputError("the content folder is a file; pass a folder with --content", root)
        temps: list[str] = []
        papers, self.problems, errors = load_papers(root, temps)
        remove_stale_temps(temps)  # left by an import that was killed mid-write
        # the one validator: refuses what check refuses; its warnings (a FIFO skipped, ...) are reported
        self.problems = warnings_or_raise(root, papers, self.problems, errors, "import")
        self.by_key: dict[str, Paper] = {}
        self.by_arxiv: dict[str, Paper] = {}
        self.slugs: dict[str, str] = {}
        self.original: dict[int, tuple] = {}
        self._by_line: dict[tuple[str, Any], Paper] | None = None
        for p in papers:
            self._index(p)
            self.original[id(p)] = state(p)
        self.papers = papers

    def _index(self, paper: Paper) -> None:
        for key in paper.keys:
            self.by_key.setdefault(key, paper)
        self.slugs.setdefault(paper.slug, paper.key)
        arxiv_id = paper.extra.get("arxiv_id")
        if isinstance(arxiv_id, str):
            self.by_arxiv.setdefault(arxiv_id, paper)

    def find(self, entry: Entry, listing: Listing) -> Paper | None:
        """The archive's paper for `entry`: by identity, else by the listing line it came from and its slug."""
        paper = self.by_key.get(identity(entry.title))
        if paper is not None:
            return paper
        if self._by_line is None:
            self._by_line = {(s.get("listing"), s.get("line")): p for p in self.papers for s in p.seen}
        paper = self._by_line.get((listing.name, entry.line))
        if paper is not None and paper.slug == slugify(entry.title):
            return paper
        return None

    def new_paper(self, entry: Entry) -> Paper:
        """A paper for an entry the archive does not have, with a slug no other paper uses."""
        return self.create(entry.title, entry.abstract)

    def create(self, title: str, body: str, extra: dict[str, Any] | None = None, salt: str = "") -> Paper:
        """A new paper with a slug no other paper uses; `salt` (an arXiv id) tells apart two papers with one
        title."""
        key = identity(title)
        slug = slugify(title)
        if slug in self.slugs and (self.slugs[slug] != key or salt):
            slug = disambiguate(slug, f"{key} {salt}" if salt else key, self.slugs)
        paper = Paper(title=title, slug=slug, body=body, extra=dict(extra or {}))
        self._index(paper)
        return paper

    def written(self, papers: list[tuple[str, Paper]]) -> None:
        """After writing (target, paper) pairs: remember where each file is and its state on disk."""
        for target, paper in papers:
            paper.path = target
            self.original[id(paper)] = self.state(paper)


def _seen_sort(s: dict) -> tuple[str, str, str]:
    return (str(s.get("page_date") or ""), str(s.get("listing") or ""), str(s.get("digest") or ""))


def _record_key(s: dict) -> tuple[Any, Any, Any]:
    """Which listing a `seen` record stands for: its file name, page date and (when needed) digest."""
    return (s.get("listing"), s.get("page_date"), s.get("digest"))


def _digests(listings: list[Listing]) -> dict[int, str]:
    """A digest of the bytes of each listing that shares its file name and page date with a different one
    (two folders' `listing.txt` of one day), so each keeps its own `seen` record; other listings need none."""
    groups: dict[tuple[str, Any], dict[str, list[Listing]]] = {}
    names: dict[tuple[str, Any], int] = {}
    for listing in listings:
        names[(listing.name, listing.page_date)] = names.get((listing.name, listing.page_date), 0) + 1
    for listing in listings:
        if names[(listing.name, listing.page_date)] < 2:
            continue  # the usual case: nothing to hash
        digest = _digest(listing.path)
        groups.setdefault((listing.name, listing.page_date), {}).setdefault(digest, []).append(listing)
    return {id(one): digest for by_digest in groups.values() if len(by_digest) > 1
            for digest, same in by_digest.items() for one in same}


def _digest(path: Path) -> str:
    """The digest `seen` records carry to tell apart listings with one file name and page date."""
    return hashlib.sha256(path.read_bytes()).hexdigest()[:12]


def _same_text(a: str, b: str) -> bool:
    return a == b or " ".join(a.split()) == " ".join(b.split())


def _apply(paper: Paper, entry: Entry, listing: Listing, problems: list[Problem], digest: str | None = None
           ) -> None:
    """Merge one entry into `paper` by the rules in this module's docstring."""
    src = str(listing.path)
    record: dict[str, Any] = {"listing": listing.name}
    if listing.page_date is not None:
        record["page_date"] = listing.page_date
    record["line"] = entry.line
    if entry.upvotes is not None:
        record["upvotes"] = entry.upvotes
    if digest is None and any(s.get("digest") and s.get("listing") == listing.name
                              and s.get("page_date") == listing.page_date for s in paper.seen):
        digest = _digest(listing.path)  # an earlier import told two listings of this name and date apart
    if digest is not None:
        record["digest"] = digest
    key = _record_key(record)
    known = any(_record_key(s) == key for s in paper.seen)  # a listing imported before: its abstract is known
    paper.seen = sorted([s for s in paper.seen if _record_key(s) != key] + [record], key=_seen_sort)
    with_votes = [s for s in paper.seen if isinstance(s.get("upvotes"), int)]
    if with_votes and not paper.extra.get("fetched"):  # the API's count, when there is one, is newer
        paper.upvotes = with_votes[-1]["upvotes"]
    if not paper.body.strip() and entry.abstract:
        paper.body = entry.abstract
    elif entry.abstract and not known and not _same_text(paper.body, entry.abstract) and not any(
            _same_text(other, entry.abstract) for other in paper.other_abstracts):
        paper.other_abstracts = [*paper.other_abstracts, entry.abstract]
        problems.append(Problem(src, entry.line, f"abstract of {paper.title[:60]!r} differs from the archive's "
                                f"({paper.path or paper.slug}); kept the archive's as the body and this one in "
                                "`other_abstracts`"))
    for name in ("date", "authors_count", "organization"):
        new = getattr(entry, name)
        old = getattr(paper, name)
        if new is None:
            continue
        if old is None:
            setattr(paper, name, new)
        elif old != new:
            problems.append(Problem(src, entry.line, f"{name} of {paper.title[:60]!r} is {new} here but {old} in the "
                                    "archive; kept the archive's"))
    settle_flags(paper, entry.flags)


def settle_flags(paper: Paper, new: Iterable[str] = ()) -> None:
    """Add `new` flags, and drop those the paper no longer deserves (it has a date, metadata, an abstract)."""
    flags = set(paper.flags) | set(new)
    if paper.date is not None or paper.authors_count is not None or paper.organization is not None:
        flags.discard("no-metadata")
    if paper.date is not None:
        flags.discard("bad-metadata")
        flags.discard("bad-date")
    if paper.body.strip():
        flags.discard("no-abstract")
    paper.flags = sorted(flags)


def _remove_empty_dirs(folder: Path, root: Path) -> None:
    """Remove `folder` and its parents up to `root` while they are empty."""
    while folder != root and root in folder.parents:
        try:
            folder.rmdir()
        except OSError:
            return
        folder = folder.parent


class _NewFiles:
    """Creates new content files on one background thread, so the disk works while Python formats the
    next paper (a third off a 100k-paper import on two cores). The first failure is raised on exit."""

    def __init__(self) -> None:
        self._queue: queue.SimpleQueue[tuple[str, str] | None] = queue.SimpleQueue()
        self._error: BaseException | None = None
        self._cancelled = False
        self._thread = threading.Thread(target=self._run, name="papers-writer", daemon=True)

    def __enter__(self) -> _NewFiles:
        self._thread.start()
        return self

    def put(self, path: str, text: str) -> None:
        """Queue `text` to be written to the new file `path`."""
        if self._error is not None:
            raise self._error
        self._queue.put((path, text))

    def _run(self) -> None:
        made: set[str] = set()
        while (job := self._queue.get()) is not None:
            if self._error is not None or self._cancelled:
                continue  # drain the queue after a failure, or when the import was interrupted
            path, text = job
            try:
                folder = os.path.dirname(path)
                if folder not in made:
                    os.makedirs(folder, exist_ok=True)
                    made.add(folder)
                write_text(path, text, new=True)
            except BaseException as exc:  # noqa: BLE001 - handed to the main thread
                self._error = exc

    def __exit__(self, *exc_info: object) -> None:
        self._cancelled = exc_info[0] is not None  # e.g. Ctrl-C: stop writing, do not wait for the queue
        self._queue.put(None)
        self._thread.join()
        if self._error is not None and exc_info[0] is None:
            raise self._error


def import_listings(paths: list[Path], root: Path, year: int | None = None) -> ImportReport:
    """Import listing files into the content folder `root`; all files are parsed before anything is written."""
    with gc_paused():
        return _import(paths, root, year)


def _import(paths: list[Path], root: Path, year: int | None) -> ImportReport:
    report = ImportReport()
    with progress.task("import: reading listings", len(paths)) as step:
        listings = []
        for p in paths:
            listings.append(parse_listing(p, year))
            step.advance()
    with progress.task(f"import: reading the archive in {root}"):
        archive = Archive(root)
    report.problems.extend(archive.problems)
    touched: dict[int, Paper] = {}
    created: set[int] = set()
    digests = _digests(listings)
    with progress.task("import: merging entries", sum(len(x.entries) for x in listings)) as step:
        for listing in listings:
            if listing.inferred_year:
                report.inferred_years.append((str(listing.path), listing.year or 0))
            report.problems.extend(listing.problems)
            for entry in listing.entries:
                report.entries += 1
                paper = archive.find(entry, listing)
                if paper is None:
                    paper = archive.new_paper(entry)
                    created.add(id(paper))
                _apply(paper, entry, listing, report.problems, digests.get(id(listing)))
                touched[id(paper)] = paper
                step.advance()
    with progress.task("import: updating files", len(touched)):
        new = write_changed(report, archive, touched, created, root)
    with progress.task(f"import: writing {len(new):,} new files"):
        create_files(new)
    return report


def write_changed(report: ImportReport, archive: Archive, touched: dict[int, Paper], created: set[int], root: Path
           ) -> list[tuple[str, Paper]]:
    """Write changed papers, in slug order; unchanged files are not touched. Returns the new papers and
    their paths, for _create."""
    base = str(root)
    new: list[tuple[str, Paper]] = []
    for pid, paper in sorted(touched.items(), key=lambda kv: kv[1].slug):
        progress.advance()
        target = os.path.join(base, content_relpath(paper))
        moved = paper.path is not None and str(paper.path) != target
        if paper.flags:
            report.flagged += 1
        if pid in created:
            report.new += 1
            new.append((target, paper))
        elif not moved and archive.state(paper) == archive.original.get(pid):
            report.unchanged += 1  # not rewritten: a hand-formatted file keeps its bytes
        elif write_text(target, dump_paper(paper)) or moved:
            report.updated += 1
        else:
            report.unchanged += 1
        if moved:
            old = Path(paper.path)  # type: ignore[arg-type]
            old.unlink(missing_ok=True)
            _remove_empty_dirs(old.parent, root)
            paper.path = target
    return new


def create_files(files: list[tuple[str, Paper]]) -> None:
    """Write the new content files, shared between forked processes when there are many (they inherit
    the papers: nothing is copied), each formatting its papers while its writer thread creates files."""
    fork_map(_create_share, runs(files, jobs(len(files), MIN_NEW)))


def _create_share(files: list[tuple[str, Paper]]) -> None:
    with _NewFiles() as writer:
        for target, paper in files:
            writer.put(target, dump_paper(paper))
            progress.tick()  # the elapsed time (other shares are in forked workers, which do not draw)
