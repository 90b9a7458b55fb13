"""`papers check`: validate content/ with the one validator (validate.py) that build, serve and import use.

Every finding is a Problem `file:line: severity: what is wrong; what to do`. Errors make the command fail;
warnings do with --strict.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

from .files import Paper, load_papers
from .validate import EARLIEST, KNOWN_FLAGS, validate
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
    if not papers and not errors:
        found.append(Problem(str(root), 0, "no content files found; run `papers import` first", "warning"))
    return papers, found
