"""`papers fetch`: Daily Papers API days → content files, one whole day at a time.

Each day is fetched in full (every page) and parsed before anything of it is written; then its papers are
merged into the archive and the changed files written, so a failure leaves the days before it written and
nothing of its own, and a re-run finishes the rest.

Merging (the archive's other source is `papers import`, whose rules in merge.py hold here too):
- identity: the arXiv id, else the normalised title (or an alias), so a paper pasted from a listing and
  later fetched is one file, enriched; a paper with the same title but another arXiv id is another paper;
- fetch owns FETCH_OWNED (arxiv_id, authors, github, ...): the newest fetch wins (within one fetch, the
  latest Daily Papers day that lists the paper); a field the API leaves out is kept as it is (the schema
  drifts: a vanished field is not a deleted value);
- upvotes: `fetched` keeps a dated snapshot {day, fetched_on, upvotes} whenever a day's count changes, and
  `upvotes` is the newest snapshot's (over a listing's);
- date: the earliest Daily Papers day that listed the paper, unless the archive's date came from elsewhere
  (a listing, a curator), which is kept and a differing day reported;
- title, body, organisation, authors count: filled in when the archive lacks them, never rewritten;
- a file whose owned fields do not change is not rewritten, so re-fetching leaves content/ byte-identical.
"""
from __future__ import annotations

import copy
import datetime as dt
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from ..content.files import FETCH_OWNED, Paper, content_relpath
from ..content.slugs import identity
from ..errors import FetchError, Problem
from .hfapi import DailyPapersAPI
from .hfitems import Record, parse_item
from .merge import Archive, ImportReport, create_files, owned_state, settle_flags, write_changed

__all__ = ["FetchReport", "fetch_days", "merge_record", "select_days", "fetch_state"]

log = logging.getLogger("papers")


@dataclass
class FetchReport:
    """What a fetch did; `failed` is the error that stopped it (the days before it are written)."""

    days: int = 0
    empty: int = 0
    items: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    requests: int = 0
    problems: list[Problem] = field(default_factory=list)
    failed: FetchError | None = None

    def summary(self) -> str:
        """The one-line summary the CLI prints."""
        skipped = f", {self.skipped} skipped" if self.skipped else ""
        return (f"{self.days} days fetched ({self.empty} empty), {self.items} papers listed: {self.new} new, "
                f"{self.updated} updated, {self.unchanged} unchanged{skipped}")


def fetch_state(paper: Paper) -> tuple:
    """Everything import or fetch may change, to tell whether a paper needs rewriting."""
    return owned_state(paper) + tuple(copy.deepcopy(paper.extra.get(k)) for k in FETCH_OWNED)


def fetch_days(days: list[dt.date], root: Path, api: DailyPapersAPI, today: dt.date,
               progress: Callable[[str], None] = log.debug) -> FetchReport:
    """Fetch each day, in order, until one fails; then merge the days that arrived into the content folder
    `root` and write them, day by day. Every day is fetched before any is merged, so a paper listed on two
    days takes its fields from the later one, and re-fetching writes nothing that does not change."""
    report = FetchReport()
    archive = Archive(root, state=fetch_state)
    report.problems.extend(archive.problems)
    arrived: list[tuple[dt.date, list[Record]]] = []
    for day in days:
        before = api.requests
        try:
            raw = api.day(day)
        except FetchError as exc:
            report.failed = exc
            break
        finally:
            report.requests += api.requests - before
        records = [r for n, item in enumerate(raw, 1) if (r := parse_item(item, day, str(day), n, report.problems))]
        report.skipped += len(raw) - len(records)
        arrived.append((day, records))
        progress(f"{day}: {len(raw)} papers listed ({api.requests - before} requests)")
    latest: dict[str, dt.date] = {}
    for _, records in arrived:
        for r in records:
            latest[r.arxiv_id] = max(latest.get(r.arxiv_id, r.day), r.day)
    for day, records in arrived:
        _merge_day(archive, records, today, latest, report)
        report.days += 1
        report.empty += not records
    return report


def _merge_day(archive: Archive, records: list[Record], today: dt.date, latest: dict[str, dt.date],
               report: FetchReport) -> None:
    """Merge one day's records into the archive and write the files that changed."""
    counts = ImportReport()
    touched: dict[int, Paper] = {}
    created: set[int] = set()
    for record in records:
        report.items += 1
        paper = _find(archive, record)
        if paper is None:
            paper = _create(archive, record)
            created.add(id(paper))
        merge_record(paper, record, today, report.problems, fields=record.day >= latest[record.arxiv_id])
        touched[id(paper)] = paper
    new = write_changed(counts, archive, touched, created, archive.root)
    create_files(new)
    archive.written([(str(archive.root / content_relpath(p)), p) for p in touched.values()])
    report.new += counts.new
    report.updated += counts.updated
    report.unchanged += counts.unchanged


def _find(archive: Archive, record: Record) -> Paper | None:
    """The archive's paper: by arXiv id, else by title (unless that paper is another arXiv id)."""
    paper = archive.by_arxiv.get(record.arxiv_id)
    if paper is not None:
        return paper
    paper = archive.by_key.get(identity(record.title))
    if paper is not None and paper.extra.get("arxiv_id") in (None, record.arxiv_id):
        archive.by_arxiv[record.arxiv_id] = paper
        return paper
    return None


def _create(archive: Archive, record: Record) -> Paper:
    taken = identity(record.title) in archive.by_key  # the same title, another paper: a slug of its own
    return archive.create(record.title, record.abstract, {"arxiv_id": record.arxiv_id},
                          salt=record.arxiv_id if taken else "")


def _snapshot_key(s: dict[str, Any]) -> tuple[str, str]:
    return (str(s.get("fetched_on") or ""), str(s.get("day") or ""))


def merge_record(paper: Paper, record: Record, today: dt.date, problems: list[Problem], fields: bool = True) -> None:
    """Merge one API record into `paper` by the rules in this module's docstring; `fields=False` keeps
    the fetch-owned fields (a later day of the same fetch has them)."""
    extra = paper.extra
    extra.setdefault("arxiv_id", record.arxiv_id)
    snapshots = [dict(s) for s in extra.get("fetched") or [] if isinstance(s, dict)]
    newest = max(snapshots, key=_snapshot_key, default=None)
    if fields and (newest is None or (today.isoformat(), record.day.isoformat()) >= _snapshot_key(newest)):
        extra.update(copy.deepcopy(record.fields))  # newest fetch wins; in one fetch, the latest day
    fetched_days = {s.get("day") for s in snapshots}
    same_day = [s for s in snapshots if s.get("day") == record.day]
    last = max(same_day, key=_snapshot_key, default=None)
    if last is None or last.get("upvotes") != record.upvotes:
        snapshots = [s for s in snapshots if not (s.get("day") == record.day and s.get("fetched_on") == today)]
        snap: dict[str, Any] = {"day": record.day, "fetched_on": today}
        if record.upvotes is not None:
            snap["upvotes"] = record.upvotes
        snapshots.append(snap)
    snapshots.sort(key=lambda s: (str(s.get("day")), str(s.get("fetched_on") or "")))
    extra["fetched"] = snapshots
    counted = [s for s in snapshots if isinstance(s.get("upvotes"), int)]
    if counted:
        paper.upvotes = max(counted, key=_snapshot_key)["upvotes"]
    if paper.date is None or paper.date in fetched_days:
        paper.date = min(fetched_days - {None} | {record.day})
    elif paper.date != record.day:
        problems.append(Problem(record.day.isoformat(), 0, f"{record.arxiv_id} ({record.title[:60]!r}) is on Daily "
                                f"Papers of {record.day} but dated {paper.date} in the archive; kept the archive's"))
    if not paper.body.strip() and record.abstract:
        paper.body = record.abstract
    if paper.organization is None and record.organization:
        paper.organization = record.organization
    if paper.authors_count is None and record.fields.get("authors"):
        paper.authors_count = len(record.fields["authors"])
    settle_flags(paper)


def select_days(today: dt.date, date: dt.date | None = None, week: str | None = None, month: str | None = None,
                since: dt.date | None = None, until: dt.date | None = None, latest: int | None = None
                ) -> list[dt.date]:
    """The days one of --date, --week, --month, --since/--until or --latest names, oldest first, none after
    `today` (the API has nothing for them yet)."""
    if date is not None:
        first = last = date
    elif week is not None:
        year, _, num = week.partition("-W")
        first = dt.date.fromisocalendar(int(year), int(num), 1)
        last = first + dt.timedelta(days=6)
    elif month is not None:
        year, _, num = month.partition("-")
        first = dt.date(int(year), int(num), 1)
        last = (first + dt.timedelta(days=31)).replace(day=1) - dt.timedelta(days=1)
    elif since is not None:
        first, last = since, until or today
        if first > last:
            raise ValueError(f"--since {first} is after --until {last}")
    else:
        last = today
        first = today - dt.timedelta(days=(latest or 1) - 1)
    last = min(last, today)
    return [first + dt.timedelta(days=n) for n in range((last - first).days + 1)]
