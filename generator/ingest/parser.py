"""Parse one Daily Papers listing saved as text into entries.

The format (see ../shared/seeds): a header ending in the page date (`Oct 28`), then for each paper
a title line, its abstract line and, optionally, a metadata block:

    Title
    <blank>
    Abstract on one line
    <blank>
      • 57 authors          (or `  • 1 author`, or an organisation's name such as `HuggingFaceFW FineData`)
    ·
    Mar 11 3                (`Mon D[, YYYY][ UPVOTES]`; no year means the snapshot's year)

Lines are classified first, then read by a small state machine. Nothing is dropped: an entry whose
metadata cannot be understood is kept with a flag and a Problem naming its line.

Which year a date without one is in: `--year`, else the year on the page date (`Oct 28, 2025`), else an
ISO date in the file name that agrees with the page date (`2025-10-28.txt`); otherwise import stops and
asks for `--year`.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import InputError, Problem

__all__ = ["Entry", "Listing", "DateText", "parse_listing", "parse_text", "clean_line", "parse_date", "MONTHS"]

MONTHS = {m: i for i, m in enumerate("Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split(), 1)}
DATE_RE = re.compile(r"^(?P<mon>[A-Z][a-z]{2})[a-z]*\.? (?P<day>\d{1,2})(?:, (?P<year>\d{4}))?"
                     r"(?: (?P<votes>\d[\d,]*|\d+(?:\.\d+)?[kK]))?$")
AUTHORS_RE = re.compile(r"^•\s*(?P<n>\d[\d,]*)\s+authors?$", re.IGNORECASE)
BULLET = "•"
DOT = "·"
HEADER_WORDS = {"new", "get trending papers in your email inbox!", "subscribe", "daily papers",
                "byak and the research community"}
ISO_IN_NAME = re.compile(r"(?<!\d)(\d{4})-(\d{2})-(\d{2})(?!\d)")
# Control characters that are not whitespace, and the BOM; whitespace is collapsed separately.
_JUNK = re.compile("[\x00-\x08\x0e-\x1b\x7f-\x84\x86-\x9f\ufeff]")

Line = tuple[int, str, str]  # (1-based number, kind, cleaned text)


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
        """True when the entry had an authors/organisation line or a date line."""
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
    """Drop the BOM and control characters, collapse every run of whitespace to one space, trim."""
    if line.isprintable():  # no control, tab or exotic space: only runs of ` ` and the ends to fix
        if "  " not in line and line[:1] != " " and line[-1:] != " ":
            return line
    else:
        line = _JUNK.sub("", line)
    return " ".join(line.split())


def _votes(text: str) -> int:
    if text[-1] in "kK":
        return round(float(text[:-1]) * 1000)
    return int(text.replace(",", ""))


def parse_date(text: str, line: int) -> tuple[DateText | None, int | None]:
    """`Oct 9, 2024 2` → (DateText, 2); (None, None) when the line is not a date."""
    m = DATE_RE.match(text)
    if not m or m.group("mon")[:3] not in MONTHS:
        return None, None
    year = int(m.group("year")) if m.group("year") else None
    votes = _votes(m.group("votes")) if m.group("votes") else None
    return DateText(MONTHS[m.group("mon")[:3]], int(m.group("day")), year, line, text), votes


def classify(text: str) -> str:
    """One of: dot, authors, org (a bullet line that is not an authors count), date, text."""
    if text == DOT:
        return "dot"
    if text.startswith(BULLET):
        return "authors" if AUTHORS_RE.match(text) else "org"
    if len(text) < 32 and text[0] in "JFMASOND":
        m = DATE_RE.match(text)
        if m and m.group("mon")[:3] in MONTHS:
            return "date"
    return "text"


def _lines(raw: str) -> list[Line]:
    """Non-blank lines as (number, kind, text); CRLF, lone CR and a BOM are all accepted."""
    raw = raw.replace("\r\n", "\n").replace("\r", "\n")
    out = []
    for number, line in enumerate(raw.split("\n"), 1):
        text = clean_line(line)
        if text:
            out.append((number, classify(text), text))
    return out


def _skip_header(lines: list[Line]) -> tuple[int, DateText | None]:
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


def _short(title: str) -> str:
    return repr(title if len(title) <= 60 else title[:59] + "…")


def parse_text(raw: str, path: Path) -> tuple[DateText | None, list[Entry], list[Problem]]:
    """Entries of a listing's text, before any year is applied."""
    lines = _lines(raw)
    i, page_date = _skip_header(lines)
    entries: list[Entry] = []
    problems: list[Problem] = []
    src = str(path)
    n = len(lines)
    while i < n:
        number, kind, text = lines[i]
        if kind not in ("text", "org"):
            problems.append(Problem(src, number, f"stray line {text!r} where a paper title was expected; skipped"))
            i += 1
            continue
        entry = Entry(title=text, abstract="", line=number)
        entries.append(entry)
        i += 1
        # the abstract: the next text line, unless it is an organisation's name (followed by `·`)
        if i < n and lines[i][1] in ("text", "org") and not (i + 1 < n and lines[i + 1][1] == "dot"):
            entry.abstract = lines[i][2]
            i += 1
        else:
            entry.flags.append("no-abstract")
            problems.append(Problem(src, number, f"paper {_short(text)} has no abstract; kept and flagged"))
        i = _read_metadata(lines, i, entry, problems, src)
        if not entry.has_metadata:
            entry.flags.append("no-metadata")
            problems.append(Problem(src, number, f"paper {_short(text)} has no metadata block; kept undated "
                                    "and flagged"))
    return page_date, entries, problems


def _read_metadata(lines: list[Line], i: int, entry: Entry, problems: list[Problem], src: str) -> int:
    """Consume an optional `authors|org`, `·`, `date` block; returns the next index."""
    start, n = i, len(lines)
    if i < n and lines[i][1] in ("authors", "org", "text") and i + 1 < n and lines[i + 1][1] == "dot":
        _, kind, text = lines[i]
        if kind == "authors":
            entry.authors_count = int(AUTHORS_RE.match(text).group("n").replace(",", ""))  # type: ignore[union-attr]
        else:
            entry.organization = text.removeprefix(BULLET).strip() or None
        i += 1
    elif i < n and lines[i][1] == "authors":
        entry.authors_count = int(AUTHORS_RE.match(lines[i][2]).group("n").replace(",", ""))  # type: ignore[union-attr]
        i += 1
    if i < n and lines[i][1] == "dot":
        i += 1
    if i < n and lines[i][1] == "date":
        number, _, text = lines[i]
        entry.date_text, votes = parse_date(text, number)
        entry.upvotes = votes if votes is not None else 0
        i += 1
    elif i > start:
        number = lines[i - 1][0]
        entry.flags.append("bad-metadata")
        problems.append(Problem(src, number, "metadata block has no date line (`Mon D[, YYYY][ UPVOTES]`); "
                                "paper kept undated and flagged"))
    return i


def infer_year(path: Path, page_date: DateText | None) -> int | None:
    """The snapshot year when the file itself says it: a year on the page date, or an ISO date in the name
    that agrees with the page date."""
    if page_date is not None and page_date.year:
        return page_date.year
    m = ISO_IN_NAME.search(path.name)
    if m:
        year, month, day = (int(g) for g in m.groups())
        if page_date is None or (page_date.month, page_date.day) == (month, day):
            return year
    return None


def _read(path: Path) -> str:
    try:
        return path.read_bytes().decode("utf-8-sig")
    except FileNotFoundError:
        raise InputError("no such file; check the path", path) from None
    except IsADirectoryError:
        raise InputError("is a folder; pass the listing files inside it", path) from None
    except UnicodeDecodeError as e:
        raise InputError(f"not UTF-8 text (byte {e.start}); save the listing as UTF-8", path) from None
    except OSError as e:
        raise InputError(f"cannot read: {e.strerror}", path) from None


def parse_listing(path: Path, year: int | None = None, name: str | None = None) -> Listing:
    """Read and parse one listing file, applying `year` (or an inferred one) to dates without a year."""
    page_date, entries, problems = parse_text(_read(path), path)
    src = str(path)
    if page_date is None and entries and not any(e.has_metadata for e in entries):
        raise InputError("does not look like a Daily Papers listing (no page date, no `·` metadata lines); "
                         "check the file", path)
    if not entries:
        problems.append(Problem(src, 1, "no papers found in this listing"))
    undated = [d for d in [page_date] + [e.date_text for e in entries] if d is not None and d.year is None]
    inferred = False
    if year is None and undated:
        year = infer_year(path, page_date)
        inferred = year is not None
        if year is None:
            raise InputError(f"date {undated[0].text!r} has no year and the file does not say which year it was "
                             "saved in; pass --year YYYY (the year of the snapshot)", path, undated[0].line)
    resolved_page = page_date.resolve(year) if page_date is not None else None
    if page_date is not None and resolved_page is None:
        problems.append(Problem(src, page_date.line, f"page date {page_date.text!r} does not exist in {year}; "
                                "check --year"))
    for e in entries:
        if e.date_text is None:
            continue
        e.date = e.date_text.resolve(year)
        if e.date is None:
            e.flags.append("bad-date")
            y = e.date_text.year or year
            problems.append(Problem(src, e.date_text.line, f"date {e.date_text.text!r} does not exist in {y}; "
                                    "paper kept undated and flagged — add the right `date:` to its content file"))
        elif resolved_page is not None and e.date > resolved_page:
            problems.append(Problem(src, e.date_text.line, f"date {e.date} is after the page date {resolved_page}; "
                                    "check --year (the snapshot's year)"))
    problems.sort()
    return Listing(path=path, name=name or path.name, page_date=resolved_page, year=year, entries=entries,
                   problems=problems, inferred_year=inferred)
