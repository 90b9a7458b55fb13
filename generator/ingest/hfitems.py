"""Daily Papers API items → Records: the fields the archive keeps, cleaned, with everything optional.

The API's schema drifts (fields appear, are renamed, vanish; older days lack `submittedOnDailyAt`), so
only `paper.id` (the arXiv id) and a title are required; an item without them is skipped with a warning,
any other field that is missing or of the wrong type is left out, and unknown keys are ignored. One odd
item never stops a day. Titles and abstracts come with arXiv's hard line wraps: a line break is a space,
and a break followed by indentation (arXiv's paragraph mark) starts a new paragraph.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from ..content.fetched import ARXIV_ID, is_web_url
from ..errors import Problem
from ..util.text import one_line  # arXiv's hard wraps included

__all__ = ["Record", "parse_item", "unwrap"]

_PARAGRAPH = re.compile(r"\n[ \t]+|\n\s*\n")


@dataclass
class Record:
    """One paper as one day of the API shows it."""

    arxiv_id: str
    title: str
    day: dt.date  # the Daily Papers day: submittedOnDailyAt, else the day that was asked for
    abstract: str = ""
    upvotes: int | None = None
    fields: dict[str, Any] = field(default_factory=dict)  # authors, github, ...: only those the item has
    organization: str | None = None


def unwrap(text: str) -> str:
    """An arXiv abstract without its hard wraps: paragraphs joined into lines, separated by a blank line."""
    paragraphs = (one_line(p) for p in _PARAGRAPH.split(text.replace("\r\n", "\n").replace("\r", "\n")))
    return "\n\n".join(p for p in paragraphs if p)


def _count(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None


def _text(value: Any) -> str | None:
    return one_line(value) or None if isinstance(value, str) else None


def _day(value: Any) -> dt.date | None:
    if not isinstance(value, str) or len(value) < 10:
        return None
    try:
        return dt.date.fromisoformat(value[:10])
    except ValueError:
        return None


def _org(item: dict[str, Any], paper: dict[str, Any]) -> str | None:
    for org in (item.get("organization"), paper.get("organization")):
        if isinstance(org, dict):
            name = _text(org.get("fullname")) or _text(org.get("name"))
            if name:
                return name
    return None


def _user(value: Any) -> str | None:
    return _text(value.get("name")) or _text(value.get("user")) if isinstance(value, dict) else None


def parse_item(item: Any, asked: dt.date, where: str, n: int, problems: list[Problem]) -> Record | None:
    """The Record for the `n`th item of day `asked`, or None (with a warning) when it has no id or title."""
    if not isinstance(item, dict):
        problems.append(Problem(where, n, f"item is not an object but {type(item).__name__}; skipped"))
        return None
    paper = item.get("paper")
    if not isinstance(paper, dict):
        problems.append(Problem(where, n, "item has no `paper` object; skipped"))
        return None
    arxiv_id = paper.get("id")
    if not isinstance(arxiv_id, str) or not ARXIV_ID.match(arxiv_id.strip()):
        problems.append(Problem(where, n, f"item has no arXiv id (`paper.id` is {arxiv_id!r}); skipped"))
        return None
    title = _text(item.get("title")) or _text(paper.get("title"))
    if not title:
        problems.append(Problem(where, n, f"paper {arxiv_id} has no title; skipped"))
        return None
    summary = paper.get("summary") if isinstance(paper.get("summary"), str) else item.get("summary")
    record = Record(arxiv_id=arxiv_id.strip(), title=title, day=_day(paper.get("submittedOnDailyAt")) or asked,
                    abstract=unwrap(summary) if isinstance(summary, str) else "",
                    upvotes=_count(paper.get("upvotes")), organization=_org(item, paper))
    f = record.fields
    authors = paper.get("authors")
    if isinstance(authors, list):
        names = [_text(a.get("name")) for a in authors if isinstance(a, dict) and not a.get("hidden")]
        if any(names):
            f["authors"] = [a for a in names if a]
    if is_web_url(paper.get("githubRepo")):
        f["github"] = paper["githubRepo"]
    if _count(paper.get("githubStars")) is not None:
        f["github_stars"] = paper["githubStars"]
    if is_web_url(paper.get("projectPage")):
        f["project_page"] = paper["projectPage"]
    keywords = paper.get("ai_keywords")
    if isinstance(keywords, list):
        words = list(dict.fromkeys(w for w in (_text(k) for k in keywords) if w))
        if words:
            f["keywords"] = words
    if isinstance(paper.get("ai_summary"), str) and unwrap(paper["ai_summary"]):
        f["ai_summary"] = unwrap(paper["ai_summary"])
    if _count(item.get("numComments")) is not None:
        f["num_comments"] = item["numComments"]
    submitter = _user(item.get("submittedBy")) or _user(paper.get("submittedOnDailyBy"))
    if submitter:
        f["submitted_by"] = submitter
    return record
