"""The values of the fields `papers fetch` writes (FETCH_OWNED in files.py): what a valid one is.

files.py checks every field's type from FIELDS; this module adds what a type cannot say: an arXiv id's
shape, links that are absolute http(s) URLs (a `javascript:` link in `github` would be a script on the
paper page), counts that are not negative, and the shape of each `fetched` upvote snapshot. Each check
returns the error message (what is wrong, what to do) or None.
"""
from __future__ import annotations

import datetime as dt
import re
from typing import Any

__all__ = ["value_problem", "fetched_problem", "ARXIV_ID", "is_web_url"]

# New-style (2007+) ids such as 2608.12313, and old-style archive/NNNNNNN ids such as hep-th/9901001.
ARXIV_ID = re.compile(r"^(?:\d{4}\.\d{4,5}|[a-z][a-z-]*(?:\.[A-Z]{2})?/\d{7})$")
URL_FIELDS = ("github", "project_page")
COUNT_FIELDS = ("github_stars", "num_comments")


def is_web_url(value: Any) -> bool:
    """An absolute http(s) URL with a host and no whitespace: the only links the archive keeps."""
    if not isinstance(value, str) or not value.startswith(("https://", "http://")) or len(value) > 2000:
        return False
    host = value.split("/")[2] if value.count("/") >= 2 else ""
    return "." in host and not any(c.isspace() or ord(c) < 32 for c in value)


def _is_day(value: Any) -> bool:
    return isinstance(value, dt.date) and not isinstance(value, dt.datetime)


def _is_count(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def value_problem(key: str, value: Any) -> str | None:
    """What is wrong with the value of fetch field `key` (its type already checked), or None."""
    if value is None:
        return None
    if key == "arxiv_id" and not ARXIV_ID.match(value):
        return f"`arxiv_id` {value!r} is not an arXiv id like 2410.01234 or hep-th/9901001; correct or remove it"
    if key in URL_FIELDS and not is_web_url(value):
        return f"`{key}` must be an absolute http(s) URL, not {value!r}; correct or remove it"
    if key in COUNT_FIELDS and not _is_count(value):
        return f"`{key}` must be a whole number of at least 0, not {value!r}"
    return None


def fetched_problem(items: list) -> str | None:
    """What is wrong with a `fetched` list, or None: each item is {day, fetched_on, upvotes}."""
    for item in items:
        if not isinstance(item, dict) or not _is_day(item.get("day")):
            return (f"each `fetched` item must be a mapping with a `day: YYYY-MM-DD`, not {item!r}; fix it or "
                    "delete the item (`papers fetch` re-creates it)")
        if item.get("fetched_on") is not None and not _is_day(item["fetched_on"]):
            return f"`fetched` fetched_on must be a day (YYYY-MM-DD), not {item['fetched_on']!r}"
        if item.get("upvotes") is not None and not _is_count(item["upvotes"]):
            return f"`fetched` upvotes must be a whole number, not {item['upvotes']!r}"
    return None
