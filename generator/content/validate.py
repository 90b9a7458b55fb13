"""The one content validator: `papers check`, `papers build`, `papers serve` and `papers import` all judge the
archive by validate(), so a file gets the same verdict from every command.

What it finds, beyond what reading a single file finds (files.parse_paper_text: schema, types, slugs with
control characters, YAML aliases; files.read_content_bytes: FIFOs and devices, skipped with a warning):

    error    two files are one paper (titles or aliases normalise alike); two files share a slug (one page
             would silently replace the other); a date before arXiv or after today; a date after the
             listing that shows the paper
    warning  a file not where its date and slug put it; an unknown flag; a dated listing entry with no date
             and no flag saying why

Every finding is a Problem `file:line: severity: what is wrong; what to do`.
"""
from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

from .files import Paper, content_relpath
from ..errors import ContentError, Problem

__all__ = ["Seen", "validate", "verdict", "line_of", "warnings_or_raise", "revalidate", "same_identity", "errors_of",
           "EARLIEST", "KNOWN_FLAGS"]

EARLIEST = dt.date(1991, 8, 14)  # arXiv's first day; no Daily Papers entry predates it
KNOWN_FLAGS = frozenset({"no-metadata", "no-abstract", "bad-date", "bad-metadata"})
WHY_UNDATED = frozenset({"no-metadata", "bad-date", "bad-metadata"})


def line_of(paper: Paper, key: str) -> int:
    """The line of `key:` in the paper's front matter (2 when unknown)."""
    if paper.path is None:
        return 0
    try:
        with open(paper.path, encoding="utf-8") as f:
            for n, line in enumerate(f, 1):
                if line.startswith(f"{key}:"):
                    return n
    except (OSError, UnicodeDecodeError):
        pass
    return 2


class Seen:
    """What validate() found in each paper on its own (its identity keys and own problems), kept
    for the next call: `papers serve --watch` validates the whole archive at every edit, and only the
    edited papers are new Paper objects. Cross-paper checks (duplicates) run every time."""

    def __init__(self) -> None:
        self._found: dict[int, tuple[Paper, tuple]] = {}
        self._today: dt.date | None = None

    def of(self, p: Paper, base: str, today: dt.date) -> tuple:
        """(keys, problems) of `p`; kept while `p` is the same object and the day the same."""
        if today != self._today:
            self._found, self._today = {}, today
        hit = self._found.get(id(p))
        if hit is None or hit[0] is not p:
            hit = self._found[id(p)] = (p, _own(p, base, today))
        return hit[1]

    def today_is(self, today: dt.date) -> bool:
        """True when the findings kept were made today (a date check's verdict can change overnight)."""
        return today == self._today

    def forget(self, p: Paper) -> None:
        """Forget `p` (replaced by a new version of its file)."""
        hit = self._found.get(id(p))
        if hit is not None and hit[0] is p:
            del self._found[id(p)]

    def retain(self, papers: list[Paper]) -> None:
        """Forget the papers not in `papers` (so the ids kept are never reused while kept)."""
        live = {id(p) for p in papers}
        self._found = {k: v for k, v in self._found.items() if k in live}


def _own(p: Paper, base: str, today: dt.date) -> tuple:
    found = _check_dates(p, today) + _check_flags(p)
    if p.path is not None:
        expected = os.path.join(base, content_relpath(p))
        if str(p.path) != expected and Path(p.path) != Path(expected):
            found.append(Problem(str(p.path), 1, f"file is not where its date and slug put it; move it to "
                                 f"{expected} (or let `papers import` move it)", "warning"))
    return tuple(dict.fromkeys(p.keys)), tuple(found)  # () is shared: most papers have no problem


def validate(root: Path, papers: list[Paper], problems: list[Problem] = (), errors: list[ContentError] = (),
             today: dt.date | None = None, seen: Seen | None = None) -> list[Problem]:
    """Every problem in the archive at `root`: the readers' warnings (`problems`), the files that could not
    be read (`errors`), and what validate finds across the papers; sorted by file and line. `seen` keeps
    each paper's own findings for the next call (serve)."""
    today = today or dt.date.today()
    seen = seen or Seen()
    found = list(problems)
    found += [Problem(str(e.path), e.line or 1, e.message, "error") for e in errors]
    by_key: dict[str, Paper] = {}
    by_slug: dict[str, Paper] = {}
    base = str(root)
    own = [(seen.of(p, base, today), p) for p in papers]
    # the readers' order, whoever read them (the key is made here, not kept by `seen`: ~0.7 KB a paper)
    own.sort(key=lambda item: str(item[1].path).split(os.sep))
    for (keys, problems_of_p), p in own:
        for key in keys:
            other = by_key.setdefault(key, p)
            if other is not p and not _other_arxiv_paper(p, other):
                found.append(Problem(str(p.path), line_of(p, "title"), f"same paper as {other.path} (titles "
                                     "normalise alike); merge the two files into one and delete the other", "error"))
        other = by_slug.setdefault(p.slug, p)
        if other is not p:
            found.append(Problem(str(p.path), line_of(p, "slug"), f"slug {p.slug!r} is also used by {other.path}; "
                                 "give one of them a different slug", "error"))
        found += problems_of_p
    return sorted(found, key=lambda x: (x.path, x.line, x.message))


def _other_arxiv_paper(p: Paper, other: Paper) -> bool:
    """Two papers with one title are still two when their arXiv ids differ (`papers fetch` keeps both)."""
    a, b = p.extra.get("arxiv_id"), other.extra.get("arxiv_id")
    return isinstance(a, str) and isinstance(b, str) and a != b


def errors_of(found: list[Problem]) -> list[Problem]:
    """The errors among `found`."""
    return [p for p in found if p.severity == "error"]


def _check_flags(p: Paper) -> list[Problem]:
    unknown = sorted(set(p.flags) - KNOWN_FLAGS)
    if not unknown:
        return []
    return [Problem(str(p.path), line_of(p, "flags"), f"unknown flag(s) {', '.join(unknown)}; known flags are "
                    f"{', '.join(sorted(KNOWN_FLAGS))}", "warning")]


def _check_dates(p: Paper, today: dt.date) -> list[Problem]:
    out: list[Problem] = []
    if p.date is not None:
        if p.date < EARLIEST or p.date > today:
            out.append(Problem(str(p.path), line_of(p, "date"), f"date {p.date} is impossible (before arXiv or in "
                               "the future); correct it or remove the `date` line", "error"))
        listed = [s.get("page_date") for s in p.seen if isinstance(s.get("page_date"), dt.date)]
        if listed and min(listed) < p.date:
            out.append(Problem(str(p.path), line_of(p, "date"), f"date {p.date} is after the listing of "
                               f"{min(listed)} that shows it; check the year", "error"))
    elif not WHY_UNDATED & set(p.flags) and p.seen:
        out.append(Problem(str(p.path), line_of(p, "title"), "paper has no date and no flag saying why; "
                           "add a `date: YYYY-MM-DD` line", "warning"))
    return out


def verdict(root: Path, papers: list[Paper], problems: list[Problem], errors: list[ContentError],
            command: str = "build", seen: Seen | None = None) -> list[str]:
    """validate(), as build, serve and import act on it: the first error raised (a ContentError naming its
    file and line, and how many more there are), else the warnings as text."""
    return [str(p) for p in warnings_or_raise(root, papers, problems, errors, command, seen)]


def warnings_or_raise(root: Path, papers: list[Paper], problems: list[Problem], errors: list[ContentError],
                      command: str = "build", seen: Seen | None = None) -> list[Problem]:
    """verdict(), with the warnings as Problems."""
    return _no_errors(validate(root, papers, problems, errors, seen=seen), command)


def same_identity(old: Paper, new: Paper) -> bool:
    """True when `new` is judged against the other papers exactly as `old` was: same file, slug, title keys
    and arXiv id (what the cross-paper checks compare)."""
    return (old.path == new.path and old.slug == new.slug and old.keys == new.keys
            and old.extra.get("arxiv_id") == new.extra.get("arxiv_id"))


def revalidate(root: Path, found: list[Problem], replaced: list[tuple[Paper, Paper]], problems: list[Problem],
               seen: Seen, paths: set[str], command: str = "build") -> list[Problem] | None:
    """warnings_or_raise() after `replaced` (old, new) papers of the same identity (same_identity): `found`,
    the last verdict (so without errors), less what it said about `paths` (the replaced files), plus the
    readers' `problems` with those files and what each new paper has on its own. None when that verdict is
    from another day (run validate() again)."""
    today = dt.date.today()
    if not seen.today_is(today):
        return None
    out = [f for f in found if f.path not in paths] + list(problems)
    for old, new in replaced:
        seen.forget(old)
        out += seen.of(new, str(root), today)[1]
    return _no_errors(sorted(out, key=lambda x: (x.path, x.line, x.message)), command)


def _no_errors(found: list[Problem], command: str) -> list[Problem]:
    """`found` when it holds no error; else the first error raised as a ContentError."""
    bad = errors_of(found)
    if bad:
        first = bad[0]
        more = f" (and {len(bad) - 1} more; run `papers check`)" if len(bad) > 1 else ""
        hint = "" if more or command != "import" else " (fix it first; `papers check` shows every problem)"
        raise ContentError(first.message + more + hint, Path(first.path), first.line or None)
    return found
