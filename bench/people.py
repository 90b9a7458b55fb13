#!/usr/bin/env python3
"""What the reader's pages (issue 13) cost: cold builds of the standard corpus with the fields `papers fetch` adds.

enrich() gives every paper of an imported corpus the fetch fields (deterministic: an arXiv id, 3–12 authors drawn
from a pool with a long tail so that some authors have many papers, 5 keywords drawn the same way, code links, an
AI summary). measure() then times cold builds of that one archive in pairs, in turn:
  without  topic and author pages off: a launcher (NO_GROUPS) makes the model's grouping find no topic and no
           author, so there are no such pages, no grouping pass, and paper pages show names and keywords as
           plain text. Bench-only: the product has no switch for this.
  with     `papers build` as users run it: topic and author pages, and the paper pages linking to them.
Each build goes into a new folder with no cache and is timed from outside as a whole process (bench/measure.py).
The cost of topic and author pages is the median of the paired ratios with / without. bench/run.py calls
measure() for every size (pairs up to --people-max papers, above it one build with the pages).

    .venv/bin/python bench/people.py --sizes 10000 --pairs 5        # a Markdown table of every run
"""
from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.measure import papers_cmd, run  # noqa: E402

MAKE_CORPUS = ROOT.parent / "shared" / "bench" / "make_corpus.py"
SYLLABLES = "ka ri to mu sa ne lo vi da ze ha pe qu an el or in us".split()
# `papers build` with the grouping of topics and authors finding none (site.py imports the two functions by name)
NO_GROUPS = ("import sys; import generator.model.site as site; "
             "assert callable(site.group_topics) and callable(site.group_authors); "
             "site.group_topics = site.group_authors = lambda papers: {}; "
             "from generator.cli import main; sys.exit(main(sys.argv[1:]))")
KINDS = ("paper", "bib", "topic", "author", "day", "week", "month", "org", "other")


@dataclass
class PeopleResult:
    """The cold builds of one enriched archive, in run order, and the pages of a build with topic/author pages."""

    with_pages: list[float] = field(default_factory=list)  # wall s
    without: list[float] = field(default_factory=list)  # wall s, each run just before with_pages[i]
    with_cpu: list[float] = field(default_factory=list)
    without_cpu: list[float] = field(default_factory=list)
    kinds: dict[str, int] = field(default_factory=dict)  # output files by kind, of a build with the pages
    kinds_without: dict[str, int] = field(default_factory=dict)

    @property
    def ratios(self) -> list[float]:
        return [a / b for a, b in zip(self.with_pages, self.without) if b]

    @property
    def cost(self) -> float | None:
        """The median of the paired ratios − 1: what topic and author pages add to a cold build."""
        return statistics.median(self.ratios) - 1 if self.ratios else None


def name(rng: random.Random, words: int) -> str:
    return " ".join("".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 3))).title() for _ in range(words))


def long_tail(rng: random.Random, pool: list[str]) -> str:
    """Mostly rare names, a few very common ones (a Pareto-like draw over the pool)."""
    return pool[min(int(rng.paretovariate(0.9)) - 1, len(pool) - 1)] if rng.random() < 0.5 else rng.choice(pool)


def enrich(content: Path, seed: int = 13) -> int:
    """Add fetch fields to every content file; returns how many files."""
    files = sorted(content.rglob("*.md"))
    rng = random.Random(seed)
    authors = [name(rng, 2) for _ in range(max(50, len(files) * 2))]
    keywords = [name(rng, rng.randint(1, 3)).lower() for _ in range(max(50, len(files) // 4))]
    for i, f in enumerate(files):
        text = f.read_text(encoding="utf-8")
        end = text.index("\n---", 3)
        people = list(dict.fromkeys(long_tail(rng, authors) for _ in range(rng.randint(3, 12))))
        kws = list(dict.fromkeys(long_tail(rng, keywords) for _ in range(5)))
        extra = [f"arxiv_id: '25{i // 100000 % 100:02d}.{i % 100000:05d}'", "authors:"] + [f"- {a}" for a in people]
        extra += ["keywords:"] + [f"- {k}" for k in kws]
        extra += [f"github: https://github.com/example/repo-{i}", f"github_stars: {rng.randint(0, 5000)}",
                  "ai_summary: A short machine-written summary of this paper for the listing rows."]
        f.write_text(text[:end] + "\n" + "\n".join(extra) + text[end:], encoding="utf-8")
    return len(files)


def kind_of(rel: str) -> str:
    """The page kind of an output file, from its path (`topic/x/index.html` → topic; the lists count as other)."""
    parts = rel.split("/")
    if parts[0] == "papers" and len(parts) == 3:
        return "bib" if parts[2].endswith(".bib") else "paper"
    if parts[0] == "date" and len(parts) == 3:
        return "day"
    if parts[0] in ("topic", "author", "week", "month", "org") and len(parts) == 3 and parts[2] == "index.html":
        return parts[0]
    return "other"


def pages_by_kind(site: Path) -> dict[str, int]:
    """Rendered files (.html, .bib, feeds, sitemap, robots.txt) of a built site by kind; assets left out."""
    counts = dict.fromkeys(KINDS, 0)
    for top, dirs, files in os.walk(site):
        rel_top = os.path.relpath(top, site)
        if rel_top.split(os.sep)[0] in ("static", "search-index", "search"):
            dirs[:] = []
            counts["other"] += sum(1 for f in files if f == "index.html")
            continue
        for f in files:
            if f.endswith((".html", ".bib", ".xml", ".json", ".txt")):
                counts[kind_of(f if rel_top == "." else f"{rel_top}/{f}".replace(os.sep, "/"))] += 1
    return counts


def cold(cmd: list[str], content: Path, out: Path, base_url: str):
    """One cold build into `out`: no output and no `.<out>-cache` left from before."""
    for stale in (out, out.with_name(f".{out.name}-cache")):
        shutil.rmtree(stale, ignore_errors=True)
    return run(cmd + ["build", "--content", str(content), "--out", str(out), "--base-url", base_url])


def measure(content: Path, work: Path, pairs: int, base_url: str = "http://127.0.0.1:8000/",
            say=lambda msg: None) -> PeopleResult:
    """`pairs` pairs of cold builds (without, then with topic and author pages) of the enriched archive `content`;
    with pairs = 0, one build with the pages. The outputs are removed once every build ran."""
    res = PeopleResult()
    outs = []
    for i in range(1, max(pairs, 1) + 1):
        if pairs:
            outs.append(work / f"people-off-{i}")
            r = cold([sys.executable, "-c", NO_GROUPS], content, outs[-1], base_url)
            res.without.append(r.wall)
            res.without_cpu.append(r.cpu)
        outs.append(work / f"people-on-{i}")
        r = cold(papers_cmd(), content, outs[-1], base_url)
        res.with_pages.append(r.wall)
        res.with_cpu.append(r.cpu)
        say(f"  people pair {i}: " + (f"without {res.without[-1]:.2f} s, " if pairs else "")
            + f"with topic/author pages {res.with_pages[-1]:.2f} s")
    res.kinds = pages_by_kind(outs[-1])
    if pairs:
        res.kinds_without = pages_by_kind(outs[-2])
    for out in outs:
        shutil.rmtree(out, ignore_errors=True)
        shutil.rmtree(out.with_name(f".{out.name}-cache"), ignore_errors=True)
    return res


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="10000")
    ap.add_argument("--pairs", type=int, default=5)
    args = ap.parse_args()
    print("| papers | without s (CPU), run order | with s (CPU), run order | paired ratios | median ratio | "
          "topic / author pages | files with / without |")
    print("|---:|---|---|---|---:|---:|---:|")
    for n in (int(s) for s in args.sizes.split(",")):
        with tempfile.TemporaryDirectory(prefix=f"people-{n}-") as tmp:
            work = Path(tmp)
            with (work / "corpus.txt").open("wb") as f:
                subprocess.run([sys.executable, str(MAKE_CORPUS), str(n)], stdout=f, check=True)
            content = work / "content"
            run(papers_cmd() + ["import", "-q", "--content", str(content), "--year", "2025", str(work / "corpus.txt")])
            enrich(content)
            r = measure(content, work, args.pairs, say=lambda m: print(m, file=sys.stderr, flush=True))

            def runs(wall: list[float], cpu: list[float]) -> str:
                return ", ".join(f"{w:.2f} ({c:.2f})" for w, c in zip(wall, cpu))
            ratio = "n/a" if r.cost is None else f"{r.cost + 1:.3f}× ({100 * r.cost:+.1f} %)"
            print(f"| {n:,} | {runs(r.without, r.without_cpu)} | {runs(r.with_pages, r.with_cpu)} | "
                  + ", ".join(f"{x:.3f}" for x in r.ratios) + f" | {ratio} | {r.kinds['topic']:,} / "
                  f"{r.kinds['author']:,} | {sum(r.kinds.values()):,} / {sum(r.kinds_without.values()):,} |",
                  flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
