#!/usr/bin/env python3
"""Benchmark papers against Hugo on synthetic archives of N papers; writes a Markdown report.

For each size: make the corpus (../shared/bench/make_corpus.py N) and import it; then, in turn, our cold build
and the Hugo peer's (../shared/bench/hugo_peer.py) cold build, --pairs times (ABAB…), each into a new output
folder with no cache, each timed from outside as a whole process; then a no-change rebuild, `papers serve
--watch`'s start-up on the up-to-date site (process start → first HTTP response), one-paper edits under it
(save → new page served over HTTP), the search index's size and what typical queries fetch; on the last cold
build's pages, each query's bytes and time to first results for our search and for Pagefind, in Chromium
(bench/search_compare.py; `pagefind[bin]` from the `bench` extra); then the archive with the fields `papers
fetch` adds (bench/people.py): cold builds with and without topic and author pages, in pairs up to
--people-max papers, and the pages by kind.

    .venv/bin/python bench/run.py                          # 1k, 10k (both with Hugo) and 100k → bench/results.md
    .venv/bin/python bench/run.py --sizes 1k,10k --readme README.md
    .venv/bin/python bench/run.py --sizes 1k,100k --dry-run  # every step of those sizes on 200-paper corpora
"""
from __future__ import annotations

import argparse
import compileall
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import hugo, people  # noqa: E402
from bench.measure import BenchError, Run, papers_cmd, run  # noqa: E402
from bench.readme import update_readme  # noqa: E402
from bench.settle import Settle  # noqa: E402
from bench.report import SizeResult, load_average, machine, markdown  # noqa: E402
from bench.search_size import QUERIES, index_size, query_payloads  # noqa: E402
from bench.serve import start_serve, time_edits  # noqa: E402

MAKE_CORPUS = ROOT.parent / "shared" / "bench" / "make_corpus.py"
BASE_URL = "http://127.0.0.1:8000/"
DRY_PAPERS = 200  # the corpus size of every size in a dry run
BUILT_RE = re.compile(r"^built (\d+) pages \((\d+) rendered, (\d+) reused\)", re.MULTILINE)


def say(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def make_corpus(n: int, dest: Path) -> None:
    """The standard workload: a Daily Papers listing of `n` papers."""
    with dest.open("wb") as f:
        subprocess.run([sys.executable, str(MAKE_CORPUS), str(n)], stdout=f, check=True)


def count_files(root: Path) -> int:
    return sum(len(files) for _, _, files in os.walk(root))


def remove(*paths: Path) -> None:
    for path in paths:
        shutil.rmtree(path, ignore_errors=True)


def edit_targets(content: Path, k: int) -> list[tuple[Path, str]]:
    """`k` papers spread through the archive: (content file, its page's URL path)."""
    files = sorted(p for p in content.rglob("*.md") if not p.name.startswith("."))
    picks = [files[len(files) * (i + 1) // (k + 1)] for i in range(k)]
    return [(f, f"papers/{f.stem}/") for f in picks]


def build_args(content: Path, out: Path) -> list[str]:
    return ["--content", str(content), "--out", str(out), "--base-url", BASE_URL]


def cache_of(out: Path) -> Path:
    return out.with_name(f".{out.name}-cache")


def cold_build(content: Path, out: Path, settle: Settle | None = None) -> Run:
    """Our cold build into `out`, a folder no build has used (so there is no output and no `.<out>-cache`);
    with `settle`, from the same file-system state as every other timed run (bench/settle.py)."""
    remove(out, cache_of(out))
    if settle is not None:
        settle.papers(content)
    result = run(papers_cmd() + ["build"] + build_args(content, out))
    m = BUILT_RE.search(result.stderr)
    if m and int(m.group(3)):  # a page reused means something survived: the build was not cold
        raise BenchError(f"the cold build into {out} reused {m.group(3)} pages")
    return result


def bench_size(res: SizeResult, work: Path, args: argparse.Namespace) -> None:
    """Every figure for one corpus size, filled into `res` as it is measured (a failure keeps what was)."""
    n = min(res.n, DRY_PAPERS) if args.dry_run else res.n
    work.mkdir(parents=True, exist_ok=True)
    corpus, content, site = work / f"papers-{n}.txt", work / "content", work / "site"
    load0 = load_average()

    say(f"[{res.n}] corpus of {n} papers; import ×{args.repeat}")
    make_corpus(n, corpus)
    # each import into a new folder, and nothing deleted until all ran (ext4 creates files more slowly just
    # after many were deleted); the first copy becomes the content folder
    imports = []
    for i in range(1, args.repeat + 1):
        if args.settle is not None:
            args.settle.papers(corpus)
        imports.append(run(papers_cmd() + ["import", "-q", "--year", "2025", "--content", str(work / f"import-{i}"),
                                           str(corpus)]))
    remove(content)
    os.replace(work / "import-1", content)
    remove(*(work / f"import-{i}" for i in range(2, args.repeat + 1)))
    res.imports = [r.wall for r in imports]
    res.import_rss_mb = max(r.rss_mb for r in imports)
    res.papers = sum(1 for _ in content.rglob("*.md"))

    with_hugo = args.hugo_version is not None and res.n <= args.hugo_max
    peer = work / "hugo"
    if with_hugo:
        say(f"[{res.n}] Hugo peer site")
        hugo.make_peer(corpus, peer)
    say(f"[{res.n}] cold builds ×{args.pairs}" + (", each followed by the Hugo peer's" if with_hugo else ""))
    colds: list[Run] = []
    for i in range(1, args.pairs + 1):
        out = work / f"cold-{i}"
        colds.append(cold_build(content, out, args.settle))
        res.cold.append(colds[-1].wall)
        res.cold_cpu.append(colds[-1].cpu)
        res.cold_rss_mb.append(colds[-1].rss_mb)
        if with_hugo:
            h = hugo.build_peer(peer, f"public-{i}", args.settle)
            res.hugo.append(h.wall)
            res.hugo_cpu.append(h.cpu)
            res.hugo_rss_mb.append(h.rss_mb)
            res.hugo_files = count_files(peer / f"public-{i}")
        say(f"[{res.n}]   pair {i}: ours {res.cold[-1]:.2f} s" + (f", Hugo {res.hugo[-1]:.2f} s" if with_hugo else ""))
    # the outputs go once every pair has run, so no build runs just after a big delete; the last cold output
    # stays for the search comparison (and, with --keep, afterwards)
    for i in range(1, args.pairs + (0 if args.keep else 1)):
        remove(peer / f"public-{i}", peer / f".cache-public-{i}")
    for i in range(1, args.pairs):
        remove(work / f"cold-{i}", cache_of(work / f"cold-{i}"))
    median = sorted(colds, key=lambda r: r.wall)[(len(colds) - 1) // 2]
    res.stages = median.stages
    res.search_s = median.stages.get("search")

    last = work / f"cold-{args.pairs}"
    if args.compare_queries:
        compare_search(res, last, args.compare_queries)
    if not args.keep:
        remove(last, cache_of(last))

    say(f"[{res.n}] the site for what follows, then no-change rebuilds ×{args.repeat}")
    first = cold_build(content, site)
    res.site_files = count_files(site)
    m = BUILT_RE.search(first.stderr)
    res.pages = int(m.group(1)) if m else None
    res.nochange = [run(papers_cmd() + ["build"] + build_args(content, site)).wall for _ in range(args.repeat)]

    say(f"[{res.n}] search index")
    size = index_size(site)
    if size is not None:
        res.index_files, res.index_raw, res.index_gz = size.files, size.raw, size.gz
        res.payloads = query_payloads(site, QUERIES)

    say(f"[{res.n}] serve --watch start-up ×{args.repeat}, then {args.edits} one-paper edits")
    timeout = 30 + 3 * (statistics.median(res.cold) if res.cold else 60)
    serve = None
    try:
        for i in range(args.repeat):
            if serve is not None:
                serve.close()
            serve = start_serve(build_args(content, site), timeout)
            res.startup.append(serve.startup)
            first_build = serve.first_build()
            if first_build:
                res.startup_rendered.append(f"{first_build[0]:,} of {first_build[1]:,}")
        assert serve is not None
        times = time_edits(serve, edit_targets(content, args.edits), timeout)
        if times is None:
            res.notes.append("an edit never showed on the page served: " + serve.tail())
        else:
            res.edit_ms = [t * 1000 for t in times]
            res.rebuild_ms = serve.rebuild_ms(len(times))
    finally:
        if serve is not None:
            serve.close()

    pairs = args.pairs if res.n <= args.people_max else 0
    say(f"[{res.n}] topic and author pages: the archive with the fetch fields, "
        + (f"{pairs} pairs of cold builds without and with them" if pairs else "one cold build with them"))
    fetched = work / "content-fetched"
    remove(fetched)
    shutil.copytree(content, fetched)
    people.enrich(fetched)
    res.people = people.measure(fetched, work, pairs, BASE_URL, lambda msg: say(f"[{res.n}] {msg}"))

    if args.profile:
        say(f"[{res.n}] profile of a cold build")
        profile_build(content, work / "profiled", work / f"profile-{res.n}")
    res.load = f"{load0} before, {load_average()} after"


def compare_search(res: SizeResult, site: Path, queries: list[str]) -> None:
    """Our search and Pagefind's on the same built pages, in this run (bench/search_compare.py): Pagefind
    indexes `site`, then each query runs once per engine in a cold browser context. When Pagefind, Playwright
    or Chromium is missing, or the comparison fails, a note says so and the benchmark goes on."""
    from bench import search_compare

    why = search_compare.unavailable()
    if why:
        res.compare_note = f"not run: {why}"
        say(f"[{res.n}] search comparison {res.compare_note}")
        return
    try:
        say(f"[{res.n}] Pagefind indexes a cold build's pages")
        res.pagefind_index_s = search_compare.index_with_pagefind(site)
        say(f"[{res.n}] first results of {len(queries)} queries, ours and Pagefind's, in Chromium")
        res.compare = [(m.query, m.engine, m.gz, m.ms) for m in search_compare.measure(site, queries)]
    except Exception as exc:  # noqa: BLE001 - a comparison that fails is reported, the rest is still measured
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
        res.compare_note = f"failed: {type(exc).__name__}: {first}"
        say(f"[{res.n}] search comparison {res.compare_note}")


def profile_build(content: Path, out: Path, dest: Path) -> None:
    """A cold build and then a no-change rebuild under cProfile: dest-{cold,nochange}.prof, and .txt files with
    the top 30 entries by cumulative time."""
    import io
    import pstats

    remove(out, cache_of(out))
    for kind in ("cold", "nochange"):
        prof = f"{dest}-{kind}.prof"
        run([sys.executable, "-m", "cProfile", "-o", prof, "-m", "generator", "build", "-q"]
            + build_args(content, out))
        buf = io.StringIO()
        pstats.Stats(prof, stream=buf).sort_stats("cumulative").print_stats(30)
        Path(f"{dest}-{kind}.txt").write_text(buf.getvalue(), encoding="utf-8")
        say(f"profile written to {dest}-{kind}.txt")


def parse_sizes(text: str) -> list[int]:
    try:
        sizes = [int(s.strip().lower().replace("k", "000").replace("_", "")) for s in text.split(",") if s.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a list of sizes like 1000,10000") from None
    if not sizes or any(s < 1 for s in sizes):
        raise argparse.ArgumentTypeError(f"{text!r}: sizes must be positive numbers")
    return sizes


def notes_for(args: argparse.Namespace) -> list[str]:
    notes = [f"Cold builds: {args.pairs} pairs, ours then the Hugo peer's, in turn; each run builds into a new "
             "output folder (ours with no `.<out>-cache`, Hugo with `-d` a new folder and an empty `--cacheDir`), "
             "and is timed from outside as a whole process (wall clock around the child; CPU and peak RSS from "
             "wait4's rusage, so the largest process among its workers). Figures are medians; the ratio is the "
             "median of the paired ratios.",
             f"Hugo runs at sizes up to {args.hugo_max:,} (`hugo --quiet`, on every core). It makes a page per "
             "paper, per day and per organisation with their RSS, the term lists, a home page, RSS and a sitemap; "
             "papers also makes week, month and archive pages, a JSON feed and the search index.",
             "papers runs from bytecode, as an installed package does: the bench byte-compiles generator/ first "
             "(compileall; this machine sets PYTHONDONTWRITEBYTECODE=1, so no run would have written it).",
             f"Imports, no-change rebuilds and serve start-ups: medians of {args.repeat}. serve start-up: "
             "`papers serve --watch` on the site and cache the no-change rebuild left, from starting the process "
             "to the first HTTP 200 of `/`.",
             f"Topic and author pages: the imported archive with the fields `papers fetch` adds (bench/people.py), "
             f"{args.pairs} pairs of cold builds up to {args.people_max:,} papers, without the pages (a bench-only "
             "launcher makes the grouping find no topic and no author) then `papers build`; the cost is the median "
             "of the paired ratios. Above that size, one cold build with the pages.",
             f"One-paper edit: median of {args.edits} edits in the last serve process, from saving a content "
             "file to its page served over HTTP with the change (the watcher's debounce included); in brackets "
             "the median of the rebuild times serve logs (`rebuilt in N ms`)."]
    notes += args.note
    return notes


def settle_note(settle: Settle | None) -> str:
    if settle is None or not settle.dropped:
        why = "--no-settle" if settle is None else "writing /proc/sys/vm/drop_caches needs root"
        return (f"The kernel's caches were not dropped between runs ({why}): each timed run met the caches "
                "the runs before it left, which at 100k papers made a build up to 1.3x slower.")
    return (f"Before each timed import and cold build, ours and Hugo's ({settle.count} runs): `sync`, the kernel's page, dentry and inode "
            "caches dropped (`echo 3 > /proc/sys/vm/drop_caches`), then the run's inputs read back (the content, "
            "or the peer site's sources and the hugo binary) and, for papers, a 20-paper import and build on tmpfs "
            "to load its code; so each run starts with its inputs and program in the cache and no earlier "
            "output (bench/settle.py). Not before the no-change rebuilds, serve start-ups and edits, which "
            "measure a warm machine, nor the topic and author pairs.")


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; 0 when every size was measured."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=parse_sizes, default=[1000, 10_000, 100_000],
                    help="corpus sizes, comma-separated (default: 1000,10000,100000; 10k works too)")
    ap.add_argument("--out", type=Path, default=None,
                    help="work folder for corpora and sites (default: a temporary folder, removed afterwards)")
    ap.add_argument("--results", type=Path, default=None,
                    help="where to write the Markdown report (default: bench/results.md; none in a dry run)")
    ap.add_argument("--readme", type=Path, default=None,
                    help="also put the table and the targets into this README, between its bench markers")
    ap.add_argument("--pairs", type=int, default=5, help="cold builds, ours and Hugo's in turn (default 5)")
    ap.add_argument("--repeat", type=int, default=3,
                    help="imports, no-change rebuilds and serve start-ups per size (default 3)")
    ap.add_argument("--edits", type=int, default=5, help="one-paper edits timed under serve --watch (default 5)")
    ap.add_argument("--hugo-max", type=int, default=10_000, help="largest size Hugo builds too (default 10000)")
    ap.add_argument("--no-hugo", action="store_true", help="skip Hugo")
    ap.add_argument("--people-max", type=int, default=10_000,
                    help="largest size whose topic and author pages are timed in pairs, with and without them; "
                         "above it, one cold build with them (default 10000)")
    ap.add_argument("--dry-run", action="store_true",
                    help=f"every step of each size, but on {DRY_PAPERS}-paper corpora, 2 pairs, 1 repeat, 2 edits: "
                         "checks the path of a long run in a minute; the figures mean nothing")
    ap.add_argument("--compare-queries", type=lambda t: [q for q in t.split(",") if q.strip()], default=None,
                    help="queries for the comparison with Pagefind, comma-separated (default: bench/search_size.py's "
                         "QUERIES; in a dry run its first 3; '' to skip it)")
    ap.add_argument("--note", action="append", default=[], help="a note for the report (repeatable)")
    ap.add_argument("--profile", action="store_true",
                    help="also profile a cold and a no-change build per size (profile-N-*.txt in the work folder)")
    ap.add_argument("--keep", action="store_true", help="keep the work folder and the last cold outputs")
    ap.add_argument("--no-settle", action="store_true",
                    help="do not drop the kernel's caches before each timed import and cold build (bench/settle.py)")
    args = ap.parse_args(argv)
    if min(args.pairs, args.repeat, args.edits) < 1:
        ap.error("--pairs, --repeat and --edits must be at least 1")
    if not MAKE_CORPUS.is_file():
        ap.error(f"the corpus generator is missing: {MAKE_CORPUS}")
    if args.dry_run:
        if args.readme:
            ap.error("--dry-run figures mean nothing: it does not write --readme")
        args.pairs, args.repeat, args.edits = min(args.pairs, 2), 1, min(args.edits, 2)
    elif args.results is None:
        args.results = ROOT / "bench" / "results.md"
    if args.compare_queries is None:
        args.compare_queries = QUERIES[:3] if args.dry_run else list(QUERIES)

    # the package as an install has it: byte-compiled (pip compiles what it installs; an editable install
    # writes __pycache__ on the first run, unless PYTHONDONTWRITEBYTECODE is set, as on this machine, where
    # each process compiled ~8k lines again: ~40 ms of a 1k build)
    compileall.compile_dir(str(ROOT / "generator"), quiet=1)
    args.hugo_version = None if args.no_hugo else hugo.hugo_version()
    machine_line = machine(args.hugo_version)
    temp = args.out is None
    out = Path(tempfile.mkdtemp(prefix="papers-bench-")) if temp else args.out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    title = f"Benchmark (DRY RUN: every corpus cut to {DRY_PAPERS} papers; the figures mean nothing)" \
        if args.dry_run else "Benchmark"
    notes = notes_for(args)
    if args.hugo_version is None and not args.no_hugo:
        notes.append(f"Hugo (or {hugo.PEER}) is not installed: the Hugo columns are n/a.")
    results: list[SizeResult] = []
    started = time.perf_counter()
    probe = Path(tempfile.mkdtemp(prefix="papers-bench-probe-", dir="/dev/shm" if os.path.isdir("/dev/shm") else None))
    args.settle = None if args.no_settle else Settle(probe, MAKE_CORPUS, hugo.HUGO)
    failed = False

    def write() -> str:
        text = markdown(results, machine_line, notes, title)
        if args.results:
            args.results.parent.mkdir(parents=True, exist_ok=True)
            args.results.write_text(text, encoding="utf-8")
        return text

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
                if not args.keep:
                    remove(out / f"n{n}")
            write()  # after each size: a long run shows its progress in the report
    finally:
        remove(probe)
        if temp and not args.keep:
            remove(out)
    notes.append(settle_note(args.settle))
    notes.append(f"Benchmark wall time {time.perf_counter() - started:.0f} s.")
    text = write()
    if args.readme:
        update_readme(args.readme, results)
        say(f"table written into {args.readme}")
    print(text)
    if args.results:
        say(f"results written to {args.results}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
