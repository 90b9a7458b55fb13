"""The README's benchmark table, written from one run: the text between the two markers below is replaced by
the table and the targets of that run, so the README never mixes figures of different runs."""
from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

from .report import SizeResult, people_table, table, targets

__all__ = ["BEGIN", "END", "readme_block", "update_readme"]

BEGIN = "<!-- bench:begin (written by `make bench`; edit bench/report.py, not this) -->"
END = "<!-- bench:end -->"


def readme_block(results: list[SizeResult]) -> str:
    """The table and the targets, as Markdown."""
    rows = ["| target | measured | |", "|---|---|---|"]
    rows += [f"| {name} | {value} | {verdict} |" for name, value, verdict in targets(results)]
    when = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    sizes = ", ".join(f"{r.n:,}" for r in results)
    return "\n".join([f"One run of `bench/run.py` ({when}; sizes {sizes}); `bench/results.md` has every run's "
                      "figures.", "", table(results), "",
                      "Topic and author pages (the archive with the fields `papers fetch` adds, bench/people.py):",
                      "", people_table(results), "", *rows])


def update_readme(path: Path, results: list[SizeResult]) -> None:
    """Replace what lies between BEGIN and END in `path`; a README without both markers is an error."""
    text = path.read_text(encoding="utf-8")
    start, end = text.find(BEGIN), text.find(END)
    if start < 0 or end < start:
        raise SystemExit(f"{path}: no `{BEGIN}` … `{END}` block to write the table into; add both markers")
    head, tail = text[:start + len(BEGIN)], text[end:]
    path.write_text(head + "\n" + readme_block(results) + "\n" + tail, encoding="utf-8")
