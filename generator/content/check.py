"""`papers check`: validate content/ with the one validator (validate.py) that build, serve and import use.

Every finding is a Problem `file:line: severity: what is wrong; what to do`. Errors make the command fail;
warnings do with --strict; notes (what a curator can do about a flagged paper) never do. The site tells readers
about flagged papers in their words; what to do about them is said here.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

from .files import Paper, load_papers
from .validate import EARLIEST, KNOWN_FLAGS, line_of, validate
from ..errors import Problem

__all__ = ["check_content", "EARLIEST", "KNOWN_FLAGS"]


def check_content(root: Path, today: dt.date | None = None) -> tuple[list[Paper], list[Problem]]:
    """Every problem in the archive at `root`, errors and warnings, sorted by file and line."""
    if not root.is_dir():
        what = "is a file, not a folder" if root.exists() else "does not exist"
        return [], [Problem(str(root), 0, f"content folder {what}; pass --content DIR or run `papers import` "
                            "first", "error")]
    papers, problems, errors = load_papers(root)
    found = validate(root, papers, problems, errors, today)
    found += [note for p in papers for note in _advise(p)]
    if not papers and not errors:
        found.append(Problem(str(root), 0, "no content files found; run `papers import` first", "warning"))
    return papers, sorted(found, key=lambda x: (x.path, x.line, x.message))


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
    return [Problem(str(p.path), line_of(p, "flags"), f"flagged {flag}: {ADVICE[flag]}", "note")
            for flag in sorted(set(p.flags)) if flag in ADVICE]
