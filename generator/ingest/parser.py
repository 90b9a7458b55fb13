"""Parse one Daily Papers listing saved as text into entries.

The format (see ../shared/seeds): a header ending in the page date (`Oct 28`), then for each paper
a title line, its abstract line and, optionally, a metadata block:

    Title
    <blank>
    Abstract on one line
    <blank>
      • 57 authors          (or `  • 1 author`, or an organisation's name)
    ·
    Mar 11 3                (`Mon D[, YYYY][ UPVOTES]`; no year means the snapshot's year)

Lines are classified first, then read by a small state machine. Nothing is dropped: an entry whose
metadata cannot be understood is kept with a flag and a Problem naming its line.
"""
from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import InputError, Problem

__all__ = ["Entry", "Listing", "parse_listing", "parse_text", "MONTHS"]

MONTHS = {m: i for i, m in enumerate("Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split(), 1)}
DATE_RE = re.compile(r"^(?P<mon>[A-Z][a-z]{2})[a-z]*\.? (?P<day>\d{1,2})(?:, (?P<year>\d{4}))?(?: (?P<votes>\d+))?$")
AUTHORS_RE = re.compile(r"^•\s*(?P<n>\d[\d,]*)\s+authors?$", re.IGNORECASE)
BULLET = "•"
DOT = "·"
HEADER_WORDS = {"new", "get trending papers in your email inbox!", "subscribe", "daily papers",
                "byak and the research community"}
ISO_IN_NAME = re.compile(r"(?<!\d)(\d{4})-(\d{2})-(\d{2})(?!\d)")


@dataclass
class DateText:
    """A date as written: month, day, optional year; resolved once the snapshot year is known."""

    month: int
    day: int
    year: int | None
    line: int
    text: str

    def resolve(self, year: int | None) -> dt.date | None:
        """The date in `year` when none was written; None if impossible (Feb 29 in 2025)."""
        try:
            return dt.date(self.year or year, self.month, self.day)  # type: ignore[arg-type]
        except (ValueError, TypeError):
            return None


@dataclass
class Entry:
    """One paper as it appears in one listing."""

    title: str
    abstract: str
    line: int  # line of the title, 1-based
    authors_count: int | None = None
    organization: str | None = None
    date_text: DateText | None = None
    date: dt.date | None = None
    upvotes: int | None = None
    flags: list[str] = field(default_factory=list)

    @property
    def has_metadata(self) -> bool:
        return self.date_text is not None or self.authors_count is not None or self.organization is not None


@dataclass
class Listing:
    """A parsed listing file: its page date, its entries, and what was odd about it."""

    path: Path
    name: str
    page_date: dt.date | None
    year: int | None
    entries: list[Entry]
    problems: list[Problem]
    inferred_year: bool = False


def clean_line(line: str) -> str:
    """Strip BOM, stray whitespace and control characters; keep every other Unicode character."""
    line = line.replace("\ufeff", "")
    line = "".join(ch for ch in line if ch == "\t" or unicodedata.category(ch) not in ("Cc", "Cs"))
    return " ".join(line.split()) if line.strip() else ""


def parse_date(text: str, line: int) -> tuple[DateText | None, int | None]:
    """`Oct 9, 2024 2` → (DateText, 2); (None, None) when the line is not a date."""
    m = DATE_RE.match(text)
    if not m or m.group("mon")[:3] not in MONTHS:
        return None, None
    year = int(m.group("year")) if m.group("year") else None
    votes = int(m.group("votes")) if m.group("votes") else None
    return DateText(MONTHS[m.group("mon")[:3]], int(m.group("day")), year, line, text), votes


def classify(text: str) -> str:
    """One of: dot, authors, date, text."""
    if text == DOT:
        return "dot"
    if text.startswith(BULLET):
        return "authors" if AUTHORS_RE.match(text) else "org"
    if parse_date(text, 0)[0] is not None:
        return "date"
    return "text"


def _lines(raw: str) -> list[tuple[int, str, str]]:
    """Non-blank lines as (number, kind, text); CRLF, lone CR and a BOM are all accepted."""
    raw = raw.replace("\r\n", "\n").replace("\r", "\n")
    out = []
    for number, line in enumerate(raw.split("\n"), 1):
        text = clean_line(line)
        if text:
            out.append((number, classify(text), text))
    return out


def _skip_header(lines: list[tuple[int, str, str]]) -> tuple[int, DateText | None]:
    """Index of the first paper line, and the page date from the header if there is one."""
    for i, (number, kind, text) in enumerate(lines[:12]):
        if kind == "date":
            if all(t.lower() in HEADER_WORDS for _, _, t in lines[:i]):
                return i + 1, parse_date(text, number)[0]
            break
        if text.lower() not in HEADER_WORDS:
            break
    i = 0
    while i < len(lines) and lines[i][2].lower() in HEADER_WORDS:
        i += 1
    return i, None


def parse_text(raw: str, path: Path, name: str | None = None) -> tuple[DateText | None, list[Entry], list[Problem]]:
    """Entries of a listing's text, before any year is applied."""
    lines = _lines(raw)
    i, page_date = _skip_header(lines)
    entries: list[Entry] = []
    problems: list[Problem] = []
    src = str(path)

    def peek(k: int) -> str | None:
        return lines[k][1] if k < len(lines) else None

    while i < len(lines):
        number, kind, text = lines[i]
        if kind != "text" and kind != "org":
            problems.append(Problem(src, number, f"stray metadata line {text!r} with no paper before it; skipped"))
            i += 1
            continue
        entry = Entry(title=text, abstract="", line=number)
        entries.append(entry)
        i += 1
        # abstract: the next text line, unless it is an organisation line (followed by `·`)
        if i < len(lines) and lines[i][1] == "text" and peek(i + 1) != "dot":
            entry.abstract = lines[i][2]
            i += 1
        else:
            entry.flags.append("no-abstract")
            problems.append(Problem(src, number, f"paper {text[:60]!r} has no abstract; kept and flagged"))
        i = _read_metadata(lines, i, entry, problems, src)
        if not entry.has_metadata:
            entry.flags.append("no-metadata")
            problems.append(Problem(src, number, f"paper {text[:60]!r} has no metadata block; kept undated and flagged"))
    return page_date, entries, problems


def _read_metadata(lines: list[tuple[int, str, str]], i: int, entry: Entry, problems: list[Problem], src: str) -> int:
    """Consume an optional `authors|org`, `·`, `date` block; returns the next index."""
    start = i
    if i < len(lines) and lines[i][1] in ("authors", "org", "text") and i + 1 < len(lines) and lines[i + 1][1] == "dot":
        _, kind, text = lines[i]
        if kind == "authors":
            entry.authors_count = int(AUTHORS_RE.match(text).group("n").replace(",", ""))  # type: ignore[union-attr]
        else:
            entry.organization = text.lstrip(BULLET).strip()
        i += 1
    elif i < len(lines) and lines[i][1] == "authors":
        entry.authors_count = int(AUTHORS_RE.match(lines[i][2]).group("n").replace(",", ""))  # type: ignore[union-attr]
        i += 1
    if i < len(lines) and lines[i][1] == "dot":
        i += 1
    if i < len(lines) and lines[i][1] == "date":
        number, _, text = lines[i]
        entry.date_text, votes = parse_date(text, number)
        entry.upvotes = votes if votes is not None else 0
        i += 1
    elif i > start:
        number = lines[i - 1][0]
        entry.flags.append("bad-metadata")
        problems.append(Problem(src, number, "metadata block has no date line (`Mon D[, YYYY][ UPVOTES]`); kept undated and flagged"))
    return i


def infer_year(path: Path, page_date: DateText | None, entries: list[Entry]) -> int | None:
    """The snapshot year when the file itself says it: a year on the page date, or an ISO date in the name."""
    if page_date is not None and page_date.year:
        return page_date.year
    m = ISO_IN_NAME.search(path.name)
    if m:
        return int(m.group(1))
    return None


def parse_listing(path: Path, year: int | None = None, name: str | None = None) -> Listing:
    """Read and parse one listing file, applying `year` (or an inferred one) to dates without a year."""
    try:
        raw = path.read_bytes().decode("utf-8-sig")
    except FileNotFoundError:
        raise InputError("no such file; check the path", path) from None
    except UnicodeDecodeError as e:
        raise InputError(f"not UTF-8 text (byte {e.start}); save the listing as UTF-8", path) from None
    except OSError as e:
        raise InputError(f"cannot read: {e.strerror}", path) from None
    page_date, entries, problems = parse_text(raw, path)
    inferred = False
    needs_year = (page_date is not None and page_date.year is None) or any(
        e.date_text is not None and e.date_text.year is None for e in entries)
    if year is None and needs_year:
        year = infer_year(path, page_date, entries)
        inferred = year is not None
        if year is None:
            first = page_date if page_date is not None and page_date.year is None else next(
                e.date_text for e in entries if e.date_text is not None and e.date_text.year is None)
            raise InputError(
                f"date {first.text!r} has no year and the file does not say which year it was saved in; "
                "pass --year YYYY (the year of the snapshot)", path, first.line)
    src = str(path)
    for e in entries:
        if e.date_text is None:
            continue
        e.date = e.date_text.resolve(year)
        if e.date is None:
            e.flags.append("bad-date")
            y = e.date_text.year or year
            problems.append(Problem(src, e.date_text.line, f"date {e.date_text.text!r} does not exist in {y}; "
                                    "paper kept undated and flagged — fix the date in its content file"))
    resolved_page = page_date.resolve(year) if page_date is not None else None
    if page_date is not None and resolved_page is None:
        problems.append(Problem(src, page_date.line, f"page date {page_date.text!r} does not exist in {year}"))
    problems.sort()
    return Listing(path=path, name=name or path.name, page_date=resolved_page, year=year, entries=entries,
                   problems=problems, inferred_year=inferred)
