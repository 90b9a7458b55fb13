"""The results as Markdown: the machine, one table row per corpus size, the targets met or not, details.

Every timing is a list of runs; the table shows medians. The Hugo ratio is the median of the paired ratios
(our cold build i / Hugo's cold build i, run one after the other), not the ratio of the medians: on a machine
whose speed drifts between minutes (disk cache, other load) a pair sees the same machine, two medians may not.
"""
from __future__ import annotations

import os
import platform
import statistics
from dataclasses import dataclass, field

from .people import PeopleResult

__all__ = ["SizeResult", "machine", "markdown", "targets", "table", "people_table", "COLUMNS", "PEOPLE_COLUMNS"]

PEOPLE_COLUMNS = ["papers", "cold build s with topic/author pages (CPU)", "without s (CPU)",
                  "cost (median of pairs)", "topic pages", "author pages", "paper pages", "rendered files"]
COLUMNS = ["papers", "import s", "cold build s (CPU)", "Hugo s (CPU)", "ratio (median of pairs)",
           "no-change rebuild s (× cold)", "one-paper edit ms (serve's rebuild)", "serve start-up s",
           "search build s", "index raw / gz", "query payload gz (max)", "peak RSS MB"]


def med(xs: list[float]) -> float | None:
    return statistics.median(xs) if xs else None


@dataclass
class SizeResult:
    """Everything measured for one corpus size, each timing a list of runs; empty where not measured."""

    n: int
    papers: int = 0
    pages: int | None = None
    imports: list[float] = field(default_factory=list)
    import_rss_mb: float | None = None
    cold: list[float] = field(default_factory=list)  # our cold builds, wall s, in run order
    cold_cpu: list[float] = field(default_factory=list)
    cold_rss_mb: list[float] = field(default_factory=list)
    stages: dict[str, float] = field(default_factory=dict)  # of the median cold build
    hugo: list[float] = field(default_factory=list)  # Hugo's cold builds, each right after ours of the same index
    hugo_cpu: list[float] = field(default_factory=list)
    hugo_rss_mb: list[float] = field(default_factory=list)
    hugo_files: int | None = None
    nochange: list[float] = field(default_factory=list)
    startup: list[float] = field(default_factory=list)  # serve --watch: process start → first HTTP 200
    startup_rendered: list[str] = field(default_factory=list)  # "X of Y" pages serve's first build rendered
    edit_ms: list[float] = field(default_factory=list)
    rebuild_ms: list[float] = field(default_factory=list)  # serve's own `rebuilt in N ms` for those edits
    notes: list[str] = field(default_factory=list)
    search_s: float | None = None
    index_files: int | None = None
    index_raw: int | None = None
    index_gz: int | None = None
    payloads: dict[str, tuple[int, int, int]] | None = None
    # bench/search_compare.py on a cold build's pages: (query, "ours" | "pagefind", bytes gz, ms to first results)
    compare: list[tuple[str, str, int, float | None]] = field(default_factory=list)  # ms None: timed out
    compare_note: str | None = None  # why there is no comparison ("not run: Pagefind is not installed …")
    pagefind_index_s: float | None = None
    site_files: int | None = None
    people: PeopleResult | None = None  # the archive with the fetch fields: topic and author pages (people.py)
    load: str = ""  # load averages before and after this size

    @property
    def ratios(self) -> list[float]:
        return [a / b for a, b in zip(self.cold, self.hugo) if b]

    @property
    def ratio(self) -> float | None:
        return med(self.ratios)

    @property
    def cold_s(self) -> float | None:
        return med(self.cold)

    @property
    def nochange_ratio(self) -> float | None:
        return med(self.nochange) / self.cold_s if self.nochange and self.cold_s else None

    @property
    def peak_rss_mb(self) -> float | None:
        return max(self.cold_rss_mb) if self.cold_rss_mb else None

    @property
    def payload_max_gz(self) -> int | None:
        return max(gz for _, _, gz in self.payloads.values()) if self.payloads else None


def _read(path: str) -> str:
    try:
        with open(path, encoding="utf-8") as f:
            return f.read()
    except OSError:
        return ""


def load_average() -> str:
    return " / ".join(f"{x:.2f}" for x in os.getloadavg())


def machine(hugo: str | None) -> str:
    """One line about where the figures come from."""
    cpu = next((line.split(":", 1)[1].strip() for line in _read("/proc/cpuinfo").splitlines()
                if line.startswith("model name")), platform.processor() or "unknown CPU")
    mem_kb = next((int(line.split()[1]) for line in _read("/proc/meminfo").splitlines()
                   if line.startswith("MemTotal:")), 0)
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return (f"{cores} cores (nproc), {cpu}, {mem_kb / 1024 / 1024:.1f} GB RAM, Python {platform.python_version()}, "
            f"{hugo or 'Hugo not installed'}, {platform.system()} {platform.release()}; load average at start "
            f"{load_average()}")


def _s(x: float | None, digits: int = 2) -> str:
    return "n/a" if x is None else f"{x:.{digits}f}"


def _bytes(n: int | None) -> str:
    if n is None:
        return "n/a"
    if n >= 1024 * 1024:
        return f"{n / 1024 / 1024:.1f} MB"
    if n >= 1024:
        return f"{n / 1024:.0f} KB"
    return f"{n} B"


def _with_cpu(wall: list[float], cpu: list[float]) -> str:
    return "n/a" if not wall else f"{med(wall):.2f} ({med(cpu):.2f})" if cpu else f"{med(wall):.2f}"


def row(r: SizeResult) -> list[str]:
    """The table's cells for one size."""
    edit = _s(med(r.edit_ms), 0)
    if r.rebuild_ms:
        edit += f" ({med(r.rebuild_ms):.0f})"
    nochange = "n/a" if not r.nochange or r.nochange_ratio is None else \
        f"{med(r.nochange):.2f} ({r.nochange_ratio:.2f}×)"
    index = "n/a" if r.index_raw is None else f"{_bytes(r.index_raw)} / {_bytes(r.index_gz)}"
    ratio = "n/a" if r.ratio is None else f"{r.ratio:.2f}×"
    return [f"{r.n:,}", _s(med(r.imports)), _with_cpu(r.cold, r.cold_cpu), _with_cpu(r.hugo, r.hugo_cpu), ratio,
            nochange, edit, _s(med(r.startup)), _s(r.search_s), index, _bytes(r.payload_max_gz),
            _s(r.peak_rss_mb, 0)]


def table(results: list[SizeResult]) -> str:
    lines = ["| " + " | ".join(COLUMNS) + " |", "|" + "---:|" * len(COLUMNS)]
    lines += ["| " + " | ".join(row(r)) + " |" for r in results]
    return "\n".join(lines)


def people_row(r: SizeResult) -> list[str]:
    """The topic and author pages' cells for one size: build times with and without them, and page counts."""
    p = r.people or PeopleResult()
    cost = "n/a" if p.cost is None else f"{100 * p.cost:+.1f} %"
    counts = [f"{p.kinds[k]:,}" if p.kinds else "n/a" for k in ("topic", "author", "paper")]
    files = f"{sum(p.kinds.values()):,}" if p.kinds else "n/a"
    return [f"{r.n:,}", _with_cpu(p.with_pages, p.with_cpu), _with_cpu(p.without, p.without_cpu), cost, *counts,
            files]


def people_table(results: list[SizeResult]) -> str:
    lines = ["| " + " | ".join(PEOPLE_COLUMNS) + " |", "|" + "---:|" * len(PEOPLE_COLUMNS)]
    lines += ["| " + " | ".join(people_row(r)) + " |" for r in results]
    return "\n".join(lines)


def _by_n(results: list[SizeResult], n: int) -> SizeResult | None:
    return next((r for r in results if r.n == n), None)


def _verdict(ok: bool | None) -> str:
    return "not measured" if ok is None else "met" if ok else "NOT met"


def targets(results: list[SizeResult]) -> list[tuple[str, str, str]]:
    """(target, measured, verdict) for each target of issues 15, 10 and 14 (search payload), at the sizes they name."""
    r1, r10, r100 = (_by_n(results, n) for n in (1_000, 10_000, 100_000))
    out: list[tuple[str, str, str]] = []

    def add(name: str, value: float | None, limit: float, fmt: str) -> None:
        ok = None if value is None else value <= limit
        out.append((name, "n/a" if value is None else fmt.format(value), _verdict(ok)))

    def spread(r: SizeResult | None) -> str:
        return f" (pairs {min(r.ratios):.2f}–{max(r.ratios):.2f}×)" if r and r.ratios else ""

    add("1k cold build ≤ 1.0× the Hugo peer", r1 and r1.ratio, 1.0, "{:.2f}×" + spread(r1))
    add("10k cold build ≤ 0.7× the Hugo peer", r10 and r10.ratio, 0.7, "{:.2f}×" + spread(r10))
    growth = r100.cold_s / r10.cold_s if r100 and r10 and r100.cold_s and r10.cold_s else None
    add("100k cold build ≤ 10× our 10k build", growth, 10, "{:.1f}×")
    add("100k peak RSS (largest process) ≤ 600 MB", r100 and r100.peak_rss_mb, 600, "{:.0f} MB")
    people = r10.people if r10 and r10.people else None
    pairs = f" (pairs {100 * (min(people.ratios) - 1):+.1f} to {100 * (max(people.ratios) - 1):+.1f} %)" \
        if people and people.ratios else ""
    cost = None if people is None or people.cost is None else 100 * people.cost
    add("topic and author pages cost ≤ 10 % more cold build time (10k)", cost, 10, "{:+.1f} %" + pairs)
    for label, r in (("10k", r10), ("100k", r100)):
        add(f"no-change rebuild ≤ 0.1× cold ({label})", r and r.nochange_ratio, 0.1, "{:.2f}×")
    for label, r, limit in (("10k", r10, 100), ("100k", r100, 300)):
        add(f"one-paper edit under serve --watch, save → served ≤ {limit} ms ({label})", r and med(r.edit_ms),
            limit, "{:.0f} ms")
    for label, r, limit in (("10k", r10, 50), ("100k", r100, 80)):
        add(f"search: first results ≤ {limit} KB gz for every bench query ({label}, the largest)",
            r and r.payload_max_gz and r.payload_max_gz / 1000, limit, "{:.1f} KB")
    for label, r, limit in (("10k", r10, 1), ("100k", r100, 5)):
        rendered = f", first build rendered {r.startup_rendered[-1]} pages" if r and r.startup_rendered else ""
        add(f"serve --watch start-up, up-to-date site → first HTTP response ≤ {limit} s ({label})",
            r and med(r.startup), limit, "{:.2f} s" + rendered)
    return out


def _list(xs: list[float], fmt: str = "{:.2f}") -> str:
    return ", ".join(fmt.format(x) for x in xs) or "n/a"


def details(results: list[SizeResult]) -> str:
    """Per size: every run, stage times, Hugo's figures and per-query payloads."""
    lines = []
    for r in results:
        stages = ", ".join(f"{k} {v:.2f}" for k, v in r.stages.items()) or "n/a"
        lines.append(f"- **{r.n:,} papers** ({r.papers:,} imported, {r.pages or 'n/a'} pages, "
                     f"{r.site_files or 'n/a'} files; load average {r.load or 'n/a'}):")
        lines.append(f"  Imports (s): {_list(r.imports)}; import peak RSS {_s(r.import_rss_mb, 0)} MB.")
        lines.append(f"  Our cold builds in run order (s): {_list(r.cold)}; CPU {_list(r.cold_cpu)}; peak RSS "
                     f"{_list(r.cold_rss_mb, '{:.0f}')} MB. Stages of the median build (s): {stages}.")
        if r.hugo:
            lines.append(f"  Hugo's, each right after ours (s): {_list(r.hugo)}; CPU {_list(r.hugo_cpu)}; peak RSS "
                         f"{_list(r.hugo_rss_mb, '{:.0f}')} MB; {r.hugo_files or 'n/a'} files. Paired ratios: "
                         f"{_list(r.ratios, '{:.2f}×')}.")
        lines.append(f"  No-change rebuilds (s): {_list(r.nochange)}.")
        lines.append(f"  serve --watch start-ups (s): {_list(r.startup)}"
                     + (f"; pages its first build rendered: {', '.join(r.startup_rendered)}"
                        if r.startup_rendered else "") + ".")
        lines.append(f"  One-paper edits, save → served (ms): {_list(r.edit_ms, '{:.0f}')}; serve's own "
                     f"rebuilds (ms): {_list(r.rebuild_ms, '{:.0f}')}.")
        if r.people:
            p = r.people
            lines.append(f"  With the fetch fields (bench/people.py), cold builds with topic and author pages (s): "
                         f"{_list(p.with_pages)}; CPU {_list(p.with_cpu)}; without them, each just before (s): "
                         f"{_list(p.without)}; CPU {_list(p.without_cpu)}; paired ratios "
                         f"{_list(p.ratios, '{:.3f}×')}. Rendered files by kind, with: "
                         + ", ".join(f"{k} {v:,}" for k, v in p.kinds.items())
                         + ("; without: " + ", ".join(f"{k} {v:,}" for k, v in p.kinds_without.items())
                            if p.kinds_without else "") + ".")
        lines += [f"  Note: {note}." for note in r.notes]
        if r.index_files is not None:
            lines.append(f"  Search index: {r.index_files} file(s), {_bytes(r.index_raw)} raw, "
                         f"{_bytes(r.index_gz)} gz.")
        if r.payloads:
            lines.append("  Query payload gz (files): " + ", ".join(
                f"`{q}` {_bytes(gz)} ({files})" for q, (files, _, gz) in r.payloads.items()) + ".")
    return "\n".join(lines)


def compare_table(r: SizeResult) -> str:
    """Per query: bytes (gzip) and time from navigation start to the first results, ours and Pagefind's, both
    measured in the same run on the same built pages; or why there are none."""
    if not r.compare:
        return f"- **{r.n:,} papers**: ours against Pagefind {r.compare_note or 'not run'}."
    by = {(q, engine): (gz, ms) for q, engine, gz, ms in r.compare}
    lines = [f"- **{r.n:,} papers** (Pagefind indexed the pages in {_s(r.pagefind_index_s, 1)} s):", "",
             "  | query | ours KB gz | ours ms | Pagefind KB gz | Pagefind ms |", "  |---|---:|---:|---:|---:|"]

    def cells(key: tuple[str, str]) -> str:
        v = by.get(key)
        if v is None:
            return "n/a | n/a"
        return "n/a | timed out" if v[1] is None else f"{v[0] / 1000:.1f} | {v[1]:.0f}"
    for q in dict.fromkeys(q for q, _, _, _ in r.compare):
        lines.append(f"  | {q} | {cells((q, 'ours'))} | {cells((q, 'pagefind'))} |")
    return "\n".join(lines + [""])


def markdown(results: list[SizeResult], machine_line: str, notes: list[str], title: str = "Benchmark") -> str:
    """The whole results.md."""
    parts = [f"## {title}", "", f"Machine: {machine_line}.", "", table(results), "",
             "Topic and author pages (the archive with the fields `papers fetch` adds, bench/people.py):", "",
             people_table(results), "", "Targets:", ""]
    parts += [f"- {name}: {value} — **{verdict}**" for name, value, verdict in targets(results)]
    parts += ["", "Details:", "", details(results)]
    parts += ["", "Search, ours against Pagefind on the same pages (bench/search_compare.py: headless Chromium, a "
              "cold browser context per query and engine, bytes gzip, ms from navigation start to the first "
              "results):", ""]
    parts += [compare_table(r) for r in results]
    if notes:
        parts += ["", "Notes:", ""] + [f"- {n}" for n in notes]
    return "\n".join(parts) + "\n"
