"""The exception tree. Every error is about a place: a file, and a line where known.

    PapersError                 anything the user can fix; the CLI prints it as one line, no traceback
     ├── InputError             a listing that cannot be imported as it is (e.g. a year is needed)
     ├── FetchError             a Daily Papers day that could not be fetched (`DAY: what happened, what to do`)
     ├── ContentError           a content/ file that cannot be read (front matter, schema)
     ├── ConfigError            the site config file
     ├── BuildError             a template or render failure; the previous site/ is untouched
     └── UsageError             a folder given on the command line that cannot be used as asked (exit 2)
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

__all__ = ["PapersError", "InputError", "FetchError", "ContentError", "ConfigError", "BuildError", "UsageError",
           "Problem", "where"]


def where(path: Path | str | None, line: int | None = None) -> str:
    """`path:line`, `path`, or '' — the prefix every message starts with."""
    if path is None:
        return ""
    return f"{path}:{line}" if line else f"{path}"


class PapersError(Exception):
    """A user-facing error: `path:line: message`."""

    def __init__(self, message: str, path: Path | str | None = None, line: int | None = None):
        super().__init__(message)
        self.message = message
        self.path = path
        self.line = line

    def __str__(self) -> str:
        prefix = where(self.path, self.line)
        return f"{prefix}: {self.message}" if prefix else self.message


class InputError(PapersError):
    """A listing file that cannot be imported."""


class FetchError(PapersError):
    """A day of the Daily Papers API that could not be fetched; nothing of that day was written."""


class ContentError(PapersError):
    """A content file that cannot be read or fails the schema."""


class ConfigError(PapersError):
    """The site configuration is invalid."""


class BuildError(PapersError):
    """Rendering failed; nothing was written to the output."""


class UsageError(PapersError):
    """An argument that would be unsafe or pointless to act on (e.g. --out at the content folder); exit 2."""


@dataclass(frozen=True, order=True)
class Problem:
    """A non-fatal finding: reported, the entry kept (and flagged where it is a paper)."""

    path: str
    line: int
    message: str
    severity: str = "warning"  # or "error"

    def __str__(self) -> str:
        return f"{where(self.path, self.line)}: {self.severity}: {self.message}"
