"""The calendars: a month's days (Monday first) and the archive's year × month grid of counts."""
from __future__ import annotations

import calendar
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .site import SiteModel

__all__ = ["month_calendar", "archive_context", "MONTH_ABBR"]

MONTH_ABBR = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


def month_calendar(month: str, counts: dict[str, int]) -> list[list[dict[str, Any] | None]]:
    """The month as weeks (Monday first) of day cells {day, date, count}; None pads the first and last week."""
    y, m = int(month[:4]), int(month[5:7])
    weeks = []
    for week in calendar.Calendar(firstweekday=0).monthdatescalendar(y, m):
        row: list[dict[str, Any] | None] = []
        for d in week:
            iso = d.isoformat()
            row.append({"day": d.day, "date": iso, "count": counts.get(iso, 0)} if d.month == m else None)
        weeks.append(row)
    return weeks


def archive_context(model: "SiteModel") -> dict[str, Any]:
    """Years (newest first), each with twelve month cells: count, and a link when the month has papers."""
    by_year: dict[str, dict[str, int]] = {}
    for k, ps in model.months.items():
        by_year.setdefault(k[:4], {})[k] = len(ps)
    years = []
    for y in sorted(by_year, reverse=True):
        cells = []
        for m in range(1, 13):
            key = f"{y}-{m:02d}"
            n = by_year[y].get(key, 0)
            cells.append({"month": key, "abbr": MONTH_ABBR[m - 1], "count": n, "link": f"month/{key}/" if n else None,
                          "days": sum(1 for d in model.days if d.startswith(key)) if n else 0})
        years.append({"year": y, "count": sum(by_year[y].values()), "months": cells})
    peak = max((c["count"] for y in years for c in y["months"]), default=0)
    return {"years": years, "peak": peak, "undated": len(model.undated), "orgs": len(model.orgs),
            "total": len(model.papers), "days": len(model.days)}
