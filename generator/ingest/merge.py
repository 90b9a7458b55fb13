"""Listing entries → content files: identity, merging and slugs.

When listings disagree (documented in README "Merging"):
- upvotes: the newest listing (by page date, then file name) wins; every listing's count stays in `seen`;
- title, abstract: the first one seen wins and is never rewritten; a different abstract is reported;
- date, authors, organisation: filled in when the archive lacks them; a disagreeing value is reported,
  the archive's kept;
- flags are recomputed: `no-metadata` goes once a listing supplies the metadata.
Fields import does not own (see content.IMPORT_OWNED) and the body are never touched once written.
"""
from __future__ import annotations


from dataclasses import dataclass, field
from pathlib import Path

from ..content import Paper, content_path, dump_paper, load_papers, write_text
from ..errors import ContentError, Problem
from ..slugs import disambiguate, identity, slugify
from .parser import Entry, Listing, parse_listing

__all__ = ["ImportReport", "import_listings"]

RECOVERABLE = {"no-metadata", "no-abstract", "bad-date", "bad-metadata"}


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
        return (f"{self.entries} entries read: {self.new} new, {self.updated} updated, "
                f"{self.unchanged} unchanged, {self.flagged} flagged")


class Archive:
    """The papers in content/, indexed by identity and slug, with the text each file had when read."""

    def __init__(self, root: Path):
        self.root = root
        papers, self.problems, errors = load_papers(root)
        if errors:
            lines = "\n".join(str(e) for e in errors)
            raise ContentError(f"{len(errors)} content file(s) cannot be read; fix them first (see `papers check`):\n"
                               f"{lines}", root)
        self.by_key: dict[str, Paper] = {}
        self.slugs: dict[str, str] = {}
        self.original: dict[int, str] = {}
        for p in papers:
            self._index(p)
            self.original[id(p)] = dump_paper(p)

    def _index(self, paper: Paper) -> None:
        for key in paper.keys:
            self.by_key.setdefault(key, paper)
        self.slugs.setdefault(paper.slug, paper.key)

    def new_paper(self, entry: Entry) -> Paper:
        key = identity(entry.title)
        slug = slugify(entry.title)
        if slug in self.slugs and self.slugs[slug] != key:
            slug = disambiguate(slug, key)
        paper = Paper(title=entry.title, slug=slug, body=entry.abstract)
        self._index(paper)
        return paper


def _seen_sort(s: dict) -> tuple[str, str]:
    return (str(s.get("page_date") or ""), str(s.get("listing") or ""))


def _apply(paper: Paper, entry: Entry, listing: Listing, problems: list[Problem]) -> None:
    """Merge one entry into `paper` by the rules in this module's docstring."""
    src = str(listing.path)
    record = {"listing": listing.name, "page_date": listing.page_date, "line": entry.line}
    if entry.upvotes is not None:
        record["upvotes"] = entry.upvotes
    paper.seen = sorted([s for s in paper.seen if s.get("listing") != listing.name] + [record], key=_seen_sort)
    with_votes = [s for s in paper.seen if isinstance(s.get("upvotes"), int)]
    if with_votes:
        paper.upvotes = with_votes[-1]["upvotes"]
    if not paper.body.strip() and entry.abstract:
        paper.body = entry.abstract
    elif entry.abstract and " ".join(paper.body.split()) != " ".join(entry.abstract.split()):
        problems.append(Problem(src, entry.line + 2, f"abstract of {paper.title[:60]!r} differs from the archive's "
                                f"({paper.path or paper.slug}); kept the archive's"))
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
    flags = set(paper.flags) | set(entry.flags)
    if paper.date is not None or paper.authors_count is not None or paper.organization is not None:
        flags.discard("no-metadata")
        flags.discard("bad-metadata")
    if paper.date is not None:
        flags.discard("bad-date")
    if paper.body.strip():
        flags.discard("no-abstract")
    paper.flags = sorted(flags)


def import_listings(paths: list[Path], root: Path, year: int | None = None) -> ImportReport:
    """Import listing files into the content folder `root`; all files are parsed before anything is written."""
    report = ImportReport()
    listings = [parse_listing(p, year) for p in paths]
    archive = Archive(root)
    touched: dict[int, Paper] = {}
    created: set[int] = set()
    for listing in listings:
        if listing.inferred_year:
            report.inferred_years.append((str(listing.path), listing.year or 0))
        report.problems.extend(listing.problems)
        for entry in listing.entries:
            report.entries += 1
            key = identity(entry.title)
            paper = archive.by_key.get(key)
            if paper is None:
                paper = archive.new_paper(entry)
                created.add(id(paper))
            _apply(paper, entry, listing, report.problems)
            touched[id(paper)] = paper
    for pid, paper in sorted(touched.items(), key=lambda kv: kv[1].slug):
        text = dump_paper(paper)
        target = content_path(root, paper)
        if pid in created:
            report.new += 1
        elif text == archive.original.get(pid) and paper.path == target:
            report.unchanged += 1
        else:
            report.updated += 1
        if text != archive.original.get(pid) or paper.path != target:
            write_text(target, text)  # an untouched file keeps its bytes, hand formatting included
        if paper.path is not None and paper.path != target:
            paper.path.unlink(missing_ok=True)  # the paper moved: it gained (or changed) its date
        paper.path = target
        if paper.flags:
            report.flagged += 1
    return report


