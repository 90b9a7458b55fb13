"""The results as Markdown: the machine, one table row per corpus size, the targets met or not, details."""
from __future__ import annotations

import os
import platform
import statistics
from dataclasses import dataclass, field

__all__ = ["SizeResult", "machine", "markdown", "targets"]


@dataclass
class SizeResult:
    """Everything measured for one corpus size; None where a figure could not be measured."""

    n: int
    papers: int = 0
    pages: int | None = None
    import_s: float | None = None
    import_rss_mb: float | None = None
    cold_s: float | None = None
    cold_cpu_s: float | None = None
    stages: dict[str, float] = field(default_factory=dict)
    hugo_s: float | None = None
    hugo_cpu_s: float | None = None
    hugo_rss_mb: float | None = None
    hugo_files: int | None = None
    nochange_s: float | None = None
    edit_ms: list[float] = field(default_factory=list)
    edit_path: str | None = None
    rebuild_ms: list[float] = field(default_factory=list)  # serve's own `rebuilt in N ms` for those edits
    notes: list[str] = field(default_factory=list)
    search_s: float | None = None
    index_files: int | None = None
    index_raw: int | None = None
    index_gz: int | None = None
    payloads: dict[str, tuple[int, int, int]] | None = None
    peak_rss_mb: float | None = None
    site_files: int | None = None

    @property
    def ratio(self) -> float | None:
        return self.cold_s / self.hugo_s if self.cold_s and self.hugo_s else None

    @property
    def nochange_ratio(self) -> float | None:
        return self.nochange_s / self.cold_s if self.nochange_s is not None and self.cold_s else None

    @property
    def edit_median_ms(self) -> float | None:
        return statistics.median(self.edit_ms) if self.edit_ms else None

    @property
    def rebuild_median_ms(self) -> float | None:
        return statistics.median(self.rebuild_ms) if self.rebuild_ms else None

    @property
    def payload_max_gz(self) -> int | None:
        return max(gz for _, _, gz in self.payloads.values()) if self.payloads else None


def _read(path: str) -> str:
    try:
        with open(path, encoding="utf-8") as f:
            return f.read()
    except OSError:
        return ""


def machine(hugo: str | None) -> str:
    """One line about where the figures come from."""
    cpu = next((line.split(":", 1)[1].strip() for line in _read("/proc/cpuinfo").splitlines()
                if line.startswith("model name")), platform.processor() or "unknown CPU")
    mem_kb = next((int(line.split()[1]) for line in _read("/proc/meminfo").splitlines()
                   if line.startswith("MemTotal:")), 0)
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    load = " / ".join(f"{x:.2f}" for x in os.getloadavg())
    return (f"{cores} cores (nproc), {cpu}, {mem_kb / 1024 / 1024:.1f} GB RAM, Python {platform.python_version()}, "
            f"{hugo or 'Hugo not installed'}, {platform.system()} {platform.release()}; load average at start {load}")


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


def table(results: list[SizeResult]) -> str:
    head = ("| papers | import s | cold build s | Hugo s | ratio | no-change rebuild s (× cold) | one-paper edit ms "
            "| search build s | index raw / gz | query payload gz (max) | peak RSS MB |")
    rows = [head, "|" + "---:|" * 11]
    for r in results:
        edit = _s(r.edit_median_ms, 0)
        if r.edit_median_ms is not None and r.edit_path and r.edit_path.startswith("full"):
            edit += " (full path)"
        if r.rebuild_median_ms is not None:
            edit += f" (rebuild {r.rebuild_median_ms:.0f})"
        nochange = "n/a" if r.nochange_s is None else f"{r.nochange_s:.2f} ({r.nochange_ratio:.2f}×)"
        index = "n/a" if r.index_raw is None else f"{_bytes(r.index_raw)} / {_bytes(r.index_gz)}"
        ratio = "n/a" if r.ratio is None else f"{r.ratio:.2f}×"
        rows.append(f"| {r.n:,} | {_s(r.import_s)} | {_s(r.cold_s)} | {_s(r.hugo_s)} | {ratio} | {nochange} | {edit} "
                    f"| {_s(r.search_s)} | {index} | {_bytes(r.payload_max_gz)} | {_s(r.peak_rss_mb, 0)} |")
    return "\n".join(rows)


def _by_n(results: list[SizeResult], n: int) -> SizeResult | None:
    return next((r for r in results if r.n == n), None)


def _verdict(ok: bool | None) -> str:
    return "not measured" if ok is None else "met" if ok else "NOT met"


def targets(results: list[SizeResult]) -> list[tuple[str, str, str]]:
    """(target, measured, verdict) for each target of the issue; targets are stated for 10k and 100k papers."""
    r10, r100 = _by_n(results, 10_000), _by_n(results, 100_000)
    out: list[tuple[str, str, str]] = []

    def add(name: str, value: float | None, limit: float, fmt: str, extra_ok: bool = True) -> None:
        ok = None if value is None else (value <= limit and extra_ok)
        out.append((name, "n/a" if value is None else fmt.format(value), _verdict(ok)))

    add("full build 10k ≤ 1.0× Hugo", r10 and r10.ratio, 1.0, "{:.2f}×")
    add("no-change rebuild ≤ 0.15× full (10k)", r10 and r10.nochange_ratio, 0.15, "{:.2f}×")
    edit = r10 and r10.edit_median_ms
    full = bool(r10 and r10.edit_path and r10.edit_path.startswith("full"))
    rebuild = r10 and r10.rebuild_median_ms
    add("one-paper edit ≤ 300 ms at 10k" + (" (measured on the full path)" if full else ""), edit, 300,
        "{:.0f} ms" + (f" (serve's rebuild alone {rebuild:.0f} ms)" if rebuild else ""))
    add("search index 10k built ≤ 3 s", r10 and r10.search_s, 3.0, "{:.2f} s")
    payload = r10 and r10.payload_max_gz
    add("query payload ≤ 300 KB gz at 10k", payload / 1024 if payload else None, 300, "{:.0f} KB")
    add("100k peak RSS ≤ 1 GB", r100 and r100.peak_rss_mb, 1024, "{:.0f} MB")
    growth = r100.cold_s / r10.cold_s if r100 and r10 and r100.cold_s and r10.cold_s else None
    add("100k build ≤ 11× the 10k build", growth, 11, "{:.1f}×")
    add("import 100k ≤ 10 s", r100 and r100.import_s, 10, "{:.2f} s")
    return out


def details(results: list[SizeResult]) -> str:
    """Per-size stage times, Hugo's figures and per-query payloads."""
    lines = []
    for r in results:
        stages = ", ".join(f"{k} {v:.2f}" for k, v in r.stages.items()) or "n/a"
        lines.append(f"- **{r.n:,} papers** ({r.papers:,} imported, {r.pages or 'n/a'} pages, "
                     f"{r.site_files or 'n/a'} files): cold build stages (s): {stages}; cold build CPU "
                     f"{_s(r.cold_cpu_s)} s; import peak RSS {_s(r.import_rss_mb, 0)} MB.")
        lines.append(f"  Hugo: {_s(r.hugo_s)} s wall, {_s(r.hugo_cpu_s)} s CPU, peak RSS {_s(r.hugo_rss_mb, 0)} MB, "
                     f"{r.hugo_files or 'n/a'} files.")
        if r.edit_ms:
            lines.append(f"  One-paper edit via {r.edit_path}: " + ", ".join(f"{t:.0f}" for t in r.edit_ms) + " ms.")
        if r.rebuild_ms:
            lines.append("  serve's own rebuild times for those edits: " + ", ".join(f"{t:.0f}" for t in r.rebuild_ms)
                         + " ms.")
        lines += [f"  Note: {note}." for note in r.notes]
        if r.index_files is not None:
            lines.append(f"  Search index: {r.index_files} file(s), {_bytes(r.index_raw)} raw, "
                         f"{_bytes(r.index_gz)} gz.")
        if r.payloads:
            lines.append("  Query payload gz (files): " + ", ".join(
                f"`{q}` {_bytes(gz)} ({files})" for q, (files, _, gz) in r.payloads.items()) + ".")
    return "\n".join(lines)


def markdown(results: list[SizeResult], machine_line: str, notes: list[str]) -> str:
    """The whole results.md."""
    parts = ["## Benchmark", "", f"Machine: {machine_line}.", "", table(results), "",
             "Targets:", ""]
    parts += [f"- {name}: {value} — **{verdict}**" for name, value, verdict in targets(results)]
    parts += ["", "Details:", "", details(results)]
    if notes:
        parts += ["", "Notes:", ""] + [f"- {n}" for n in notes]
    return "\n".join(parts) + "\n"
