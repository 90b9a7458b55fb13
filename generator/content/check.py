"""`papers check`: validate content/ — schema, duplicate identities, slug clashes, impossible dates.

Every finding is a Problem `file:line: severity: what is wrong; what to do`. Errors make the command fail;
warnings do with --strict; notes (what a curator can do about a flagged paper) never do. The site tells readers
about flagged papers in their words; what to do about them is said here.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

from .files import Paper, content_path, load_papers
from ..errors import Problem

__all__ = ["check_content", "EARLIEST", "KNOWN_FLAGS"]

EARLIEST = dt.date(1991, 8, 14)  # arXiv's first day; no Daily Papers entry predates it
KNOWN_FLAGS = frozenset({"no-metadata", "no-abstract", "bad-date", "bad-metadata"})
WHY_UNDATED = frozenset({"no-metadata", "bad-date", "bad-metadata"})


def _line_of(paper: Paper, key: str) -> int:
    """The line of `key:` in the paper's front matter (2 when unknown)."""
    if paper.path is None:
        return 0
    try:
        for n, line in enumerate(paper.path.read_text(encoding="utf-8").splitlines(), 1):
            if line.startswith(f"{key}:"):
                return n
    except OSError:
        pass
    return 2


def check_content(root: Path, today: dt.date | None = None) -> tuple[list[Paper], list[Problem]]:
    """Every problem in the archive at `root`, errors and warnings, sorted by file and line."""
    today = today or dt.date.today()
    if not root.is_dir():
        what = "is a file, not a folder" if root.exists() else "does not exist"
        return [], [Problem(str(root), 0, f"content folder {what}; pass --content DIR or run `papers import` "
                            "first", "error")]
    papers, problems, errors = load_papers(root)
    found = list(problems)
    found += [Problem(str(e.path), e.line or 1, e.message, "error") for e in errors]
    by_key: dict[str, Paper] = {}
    by_slug: dict[str, Paper] = {}
    for p in papers:
        for key in dict.fromkeys(p.keys):
            other = by_key.setdefault(key, p)
            if other is not p:
                found.append(Problem(str(p.path), _line_of(p, "title"), f"same paper as {other.path} (titles "
                                     "normalise alike); merge the two files into one and delete the other", "error"))
        other = by_slug.setdefault(p.slug, p)
        if other is not p:
            found.append(Problem(str(p.path), _line_of(p, "slug"), f"slug {p.slug!r} is also used by {other.path}; "
                                 "give one of them a different slug", "error"))
        found += _check_dates(p, today)
        found += _check_flags(p)
        found += _advise(p)
        expected = content_path(root, p)
        if p.path is not None and p.path != expected:
            found.append(Problem(str(p.path), 1, f"file is not where its date and slug put it; move it to {expected} "
                                 "(or let `papers import` move it)", "warning"))
    if not papers and not errors:
        found.append(Problem(str(root), 0, "no content files found; run `papers import` first", "warning"))
    return papers, sorted(found, key=lambda x: (x.path, x.line, x.message))


def _check_flags(p: Paper) -> list[Problem]:
    unknown = sorted(set(p.flags) - KNOWN_FLAGS)
    if not unknown:
        return []
    return [Problem(str(p.path), _line_of(p, "flags"), f"unknown flag(s) {', '.join(unknown)}; known flags are "
                    f"{', '.join(sorted(KNOWN_FLAGS))}", "warning")]


ADVICE = {
    "no-metadata": "the listing gave no date or authors; add a `date: YYYY-MM-DD` line (and `authors_count:` or "
                   "`organization:`) if you know them",
    "bad-date": "the listing's date does not exist; add the right `date: YYYY-MM-DD` line",
    "bad-metadata": "the listing's metadata line could not be read; fill in `date:`, `authors_count:` or "
                    "`organization:` by hand",
    "no-abstract": "the listing had no abstract; paste it below the front matter if you have it",
}


def _advise(p: Paper) -> list[Problem]:
    """A note per flag import set: what the curator can do (the site says what it means to readers)."""
    return [Problem(str(p.path), _line_of(p, "flags"), f"flagged {flag}: {ADVICE[flag]}", "note")
            for flag in sorted(set(p.flags)) if flag in ADVICE]


def _check_dates(p: Paper, today: dt.date) -> list[Problem]:
    out: list[Problem] = []
    if p.date is not None:
        if p.date < EARLIEST or p.date > today:
            out.append(Problem(str(p.path), _line_of(p, "date"), f"date {p.date} is impossible (before arXiv or in "
                               "the future); correct it or remove the `date` line", "error"))
        listed = [s.get("page_date") for s in p.seen if isinstance(s.get("page_date"), dt.date)]
        if listed and min(listed) < p.date:
            out.append(Problem(str(p.path), _line_of(p, "date"), f"date {p.date} is after the listing of "
                               f"{min(listed)} that shows it; check the year", "error"))
    elif not WHY_UNDATED & set(p.flags) and p.seen:
        out.append(Problem(str(p.path), _line_of(p, "title"), "paper has no date and no flag saying why; "
                           "add a `date: YYYY-MM-DD` line", "warning"))
    return out
