#!/usr/bin/env python3
"""Benchmark papers against Hugo on synthetic archives of N papers; writes a Markdown table.

For each size: make the corpus (../shared/bench/make_corpus.py N), import it (timed), then time a cold build
(no output, no cache), a no-change rebuild, a one-paper edit until its page is on disk, the search index and
what a query fetches, the peak RSS of each build, and Hugo building the same papers cold.

    .venv/bin/python bench/run.py                        # 1k, 10k, 100k → bench/results.md
    .venv/bin/python bench/run.py --sizes 1000,10000 --out /tmp/bench --profile
"""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import hugo  # noqa: E402
from bench.edit import open_edit_path, time_edits  # noqa: E402
from bench.measure import Run, papers_cmd, run  # noqa: E402
from bench.report import SizeResult, machine, markdown  # noqa: E402
from bench.search_size import QUERIES, index_size, query_payloads  # noqa: E402

MAKE_CORPUS = ROOT.parent / "shared" / "bench" / "make_corpus.py"
BASE_URL = "http://127.0.0.1:8000/"
EDITS = 3  # one-paper edits timed per size (the median is reported)


def say(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def make_corpus(n: int, dest: Path) -> None:
    """The standard workload: a Daily Papers listing of `n` papers."""
    with dest.open("wb") as f:
        subprocess.run([sys.executable, str(MAKE_CORPUS), str(n)], stdout=f, check=True)


def count_files(root: Path) -> int:
    return sum(len(files) for _, _, files in os.walk(root))


def edit_targets(content: Path, site: Path, k: int) -> list[tuple[Path, Path]]:
    """`k` papers spread through the archive: (content file, its page in the site)."""
    files = sorted(p for p in content.rglob("*.md") if not p.name.startswith("."))
    picks = [files[len(files) * (i + 1) // (k + 1)] for i in range(k)]
    return [(f, site / "papers" / f.stem / "index.html") for f in picks]


def import_tries(corpus: Path, work: Path, repeat: int) -> list[Run]:
    """Import `corpus` `repeat` times, each into a new folder (work/import-1, -2, ...). The copies are
    removed when the size is done (remove_import_copies), not now: on ext4, creating files just after
    100k were deleted is slower, which would slow the builds measured next."""
    tries = [work / f"import-{i}" for i in range(1, repeat + 1)]
    for folder in tries:
        shutil.rmtree(folder, ignore_errors=True)
    return [run(papers_cmd() + ["import", "-q", "--year", "2025", "--content", str(folder), str(corpus)])
            for folder in tries]


def remove_import_copies(work: Path) -> None:
    for folder in work.glob("import-*"):
        shutil.rmtree(folder, ignore_errors=True)


def best(runs: list[Run]) -> Run:
    """The fastest of repeated runs: the one least disturbed by whatever else the machine was doing."""
    return min(runs, key=lambda r: r.wall)


def bench_size(res: SizeResult, work: Path, args: argparse.Namespace) -> None:
    """Every figure for one corpus size, filled into `res` as it is measured (a failure keeps what was)."""
    n = res.n
    work.mkdir(parents=True, exist_ok=True)
    corpus, content, site = work / f"papers-{n}.txt", work / "content", work / "site"
    cache = work / f".{site.name}-cache"
    build_args = ["--content", str(content), "--out", str(site), "--base-url", BASE_URL]

    say(f"[{n}] corpus")
    make_corpus(n, corpus)
    say(f"[{n}] import ×{args.repeat}")
    imports = import_tries(corpus, work, args.repeat)
    res.import_s, res.import_rss_mb = best(imports).wall, max(r.rss_mb for r in imports)
    shutil.rmtree(content, ignore_errors=True)
    os.replace(work / "import-1", content)
    res.papers = sum(1 for _ in content.rglob("*.md"))

    with_hugo = not args.no_hugo and hugo.hugo_version() is not None
    hsite = work / "hugo"
    if with_hugo:
        hugo.make_hugo_site(content, hsite)
    say(f"[{n}] cold builds ×{args.repeat}" + (", each followed by Hugo's" if with_hugo else ""))
    colds, hugos = [], []
    for _ in range(args.repeat):  # alternating, so both see the same machine
        shutil.rmtree(site, ignore_errors=True)
        shutil.rmtree(cache, ignore_errors=True)
        colds.append(run(papers_cmd() + ["build"] + build_args))
        if with_hugo:
            hugos.append(hugo.build_hugo(hsite))
    cold = best(colds)
    res.cold_s, res.cold_cpu_s, res.stages = cold.wall, cold.cpu, cold.stages
    res.search_s = cold.stages.get("search")
    res.site_files = count_files(site)
    res.pages = _pages_built(cold.stderr)
    if hugos:
        h = best(hugos)
        res.hugo_s, res.hugo_cpu_s, res.hugo_rss_mb = h.wall, h.cpu, h.rss_mb
        res.hugo_files = count_files(hsite / "public")
        if not args.keep:
            shutil.rmtree(hsite, ignore_errors=True)

    say(f"[{n}] no-change rebuild ×{args.repeat}")
    nochange = best([run(papers_cmd() + ["build"] + build_args) for _ in range(args.repeat)])
    res.nochange_s = nochange.wall
    res.peak_rss_mb = max(r.rss_mb for r in colds + [nochange])

    say(f"[{n}] search index")
    size = index_size(content, site, BASE_URL)
    if size is None:
        res.search_s = None  # the build has no search stage output yet
    else:
        res.index_files, res.index_raw, res.index_gz = size.files, size.raw, size.gz
        res.payloads = query_payloads(site, QUERIES)

    say(f"[{n}] one-paper edits")
    targets = edit_targets(content, site, EDITS + 1)
    path, why = open_edit_path(args.edit_mode, build_args, targets[0], cold.wall)
    if why:
        res.notes.append(f"the edit fell back to the full path: {why}")
    try:
        res.edit_path = path.name
        times = time_edits(path, targets[1:], timeout=10 + 3 * cold.wall)
        res.edit_ms = [t * 1000 for t in times] if times else []
        res.rebuild_ms = path.rebuild_ms(len(targets) - 1) if times else []
    finally:
        path.close()

    if args.profile:
        say(f"[{n}] profile of a cold build")
        profile_build(build_args, site, cache, work / f"profile-{n}")


def _pages_built(log: str) -> int | None:
    for line in log.splitlines():
        if line.startswith("built ") and " pages" in line:
            return int(line.split()[1])
    return None


def profile_build(build_args: list[str], site: Path, cache: Path, dest: Path) -> None:
    """A cold build and then a no-change rebuild under cProfile: dest-{cold,nochange}.prof, and .txt files with
    the top 30 entries by cumulative time."""
    import io
    import pstats

    shutil.rmtree(site, ignore_errors=True)
    shutil.rmtree(cache, ignore_errors=True)
    for kind in ("cold", "nochange"):
        prof = f"{dest}-{kind}.prof"
        run([sys.executable, "-m", "cProfile", "-o", prof, "-m", "generator", "build", "-q"] + build_args)
        buf = io.StringIO()
        pstats.Stats(prof, stream=buf).sort_stats("cumulative").print_stats(30)
        Path(f"{dest}-{kind}.txt").write_text(buf.getvalue(), encoding="utf-8")
        say(f"profile written to {dest}-{kind}.txt")


def write_results(dest: Path, results: list[SizeResult], machine_line: str, notes: list[str]) -> str:
    """Write the Markdown to `dest`; returns it."""
    text = markdown(results, machine_line, notes)
    dest.parent.mkdir(parents=True, exist_ok=True)
    dest.write_text(text, encoding="utf-8")
    return text


def parse_sizes(text: str) -> list[int]:
    try:
        sizes = [int(s.strip().lower().replace("k", "000").replace("_", "")) for s in text.split(",") if s.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a list of sizes like 1000,10000") from None
    if not sizes or any(s < 1 for s in sizes):
        raise argparse.ArgumentTypeError(f"{text!r}: sizes must be positive numbers")
    return sizes


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; 0 when every size was measured."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=parse_sizes, default=[1000, 10_000, 100_000],
                    help="corpus sizes, comma-separated (default: 1000,10000,100000; 10k works too)")
    ap.add_argument("--out", type=Path, default=None,
                    help="work folder for corpora and sites (default: a temporary folder, removed afterwards)")
    ap.add_argument("--results", type=Path, default=ROOT / "bench" / "results.md",
                    help="where to write the Markdown results (default: bench/results.md)")
    ap.add_argument("--repeat", type=int, default=1,
                    help="run each import and build this many times and keep the fastest")
    ap.add_argument("--edit-mode", choices=["auto", "watch", "full"], default="auto",
                    help="how the one-paper edit is rebuilt: serve --watch, papers build, or auto (watch if it works)")
    ap.add_argument("--no-hugo", action="store_true", help="skip the Hugo columns")
    ap.add_argument("--profile", action="store_true",
                    help="also profile a cold and a no-change build per size (profile-N-*.txt in the work folder)")
    ap.add_argument("--keep", action="store_true", help="keep the work folder (and the Hugo sites)")
    args = ap.parse_args(argv)
    if args.repeat < 1:
        ap.error("--repeat must be at least 1")
    if not MAKE_CORPUS.is_file():
        ap.error(f"the corpus generator is missing: {MAKE_CORPUS}")

    hugo_version = None if args.no_hugo else hugo.hugo_version()
    machine_line = machine(hugo_version)
    temp = args.out is None
    out = Path(tempfile.mkdtemp(prefix="papers-bench-")) if temp else args.out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    results: list[SizeResult] = []
    notes = [f"Imports and builds run as `papers` subprocesses (Python start-up included); each figure is the "
             f"fastest of {args.repeat} run(s), papers and Hugo alternating. Hugo runs `hugo --quiet` with an empty "
             "cache and no public/; it uses every core (compare its CPU and wall times below).",
             "Hugo makes a page per paper, per day and per organisation, the two term lists, a home page, RSS (newest "
             "50) and a sitemap (bench/hugo_site/); papers also makes week, month, archive pages, a JSON feed and the "
             "search index.",
             f"One-paper edit: median of {EDITS} edits, from saving a content file to its page showing the change "
             "on disk, through `papers serve --watch` (its debounce included); in brackets, the rebuild time "
             "serve itself logs (`rebuilt in N ms`)."]
    if not hugo_version and not args.no_hugo:
        notes.append("Hugo is not installed: Hugo columns are n/a.")
    started = time.perf_counter()
    failed = False
    try:
        for n in args.sizes:
            res = SizeResult(n)
            results.append(res)
            try:
                bench_size(res, out / f"n{n}", args)
            except Exception as exc:  # noqa: BLE001 - report what failed, keep the figures measured so far
                first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
                say(f"[{n}] failed: {exc}")
                notes.append(f"{n:,} papers: stopped early — {type(exc).__name__}: {first}")
                failed = True
            finally:
                remove_import_copies(out / f"n{n}")
                if not args.keep:
                    shutil.rmtree(out / f"n{n}" / "hugo", ignore_errors=True)
            write_results(args.results, results, machine_line, notes)  # after each size: long runs show progress
    finally:
        if temp and not args.keep:
            shutil.rmtree(out, ignore_errors=True)
    notes.append(f"Benchmark wall time {time.perf_counter() - started:.0f} s.")
    text = write_results(args.results, results, machine_line, notes)
    print(text)
    say(f"results written to {args.results}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
