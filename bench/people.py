#!/usr/bin/env python3
"""What the reader's pages (issue 13) cost: cold builds of the standard corpus with the fields `papers fetch` adds.

For each size: make the corpus (../shared/bench/make_corpus.py N), import it, then give every paper the fetch
fields (deterministic: an arXiv id, 3–12 authors drawn from a pool with a long tail so that some authors have
many papers, 5 keywords drawn the same way, an AI summary) and time cold builds (no output, no cache, fastest of
--repeat) of:
  base    the archive before the fetch fields (the same build code: paper pages, .bib files, listings);
  fetched the archive with the fetch fields, topic and author pages off (people.MAX_PAGES = 0);
  people  the archive with the fetch fields and its topic and author pages.
`people` against `fetched` is what topic and author pages cost. Prints a Markdown table.

    .venv/bin/python bench/people.py --sizes 10000 --repeat 3
"""
from __future__ import annotations

import argparse
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MAKE_CORPUS = ROOT.parent / "shared" / "bench" / "make_corpus.py"
SYLLABLES = "ka ri to mu sa ne lo vi da ze ha pe qu an el or in us".split()
BUILD = ("import sys; import generator.model.people as people; people.MAX_PAGES = int(sys.argv[1]); "
         "from generator.cli import main; sys.exit(main(sys.argv[2:]))")


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


def cold_build(content: Path, work: Path, max_pages: int, repeat: int) -> tuple[float, int]:
    best, pages = float("inf"), 0
    for _ in range(repeat):
        out = work / "site"
        shutil.rmtree(out, ignore_errors=True)
        shutil.rmtree(work / ".site-cache", ignore_errors=True)
        for stale in work.glob("site.*"):
            shutil.rmtree(stale, ignore_errors=True)
        t = time.perf_counter()
        proc = subprocess.run([sys.executable, "-c", BUILD, str(max_pages), "build", "--content", str(content),
                               "--out", str(out), "--base-url", "http://127.0.0.1:8000/"],
                              capture_output=True, text=True, check=True, cwd=ROOT)
        best = min(best, time.perf_counter() - t)
        line = [ln for ln in proc.stderr.splitlines() if ln.startswith("built ")][-1]
        pages = int(line.split()[1])
    return best, pages


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="10000")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    print("| papers | build | pages | cold build s | topic pages | author pages |")
    print("|---:|---|---:|---:|---:|---:|")
    for n in (int(s) for s in args.sizes.split(",")):
        with tempfile.TemporaryDirectory(prefix=f"people-{n}-") as tmp:
            work = Path(tmp)
            with (work / "corpus.txt").open("wb") as f:
                subprocess.run([sys.executable, str(MAKE_CORPUS), str(n)], stdout=f, check=True)
            content = work / "content"
            subprocess.run([sys.executable, "-m", "generator", "import", "-q", "--content", str(content), "--year",
                            "2025", str(work / "corpus.txt")], check=True, cwd=ROOT)
            base = cold_build(content, work, 5000, args.repeat)
            print(f"| {n:,} | base (no fetch fields) | {base[1]:,} | {base[0]:.2f} | 0 | 0 |", flush=True)
            enrich(content)
            fetched = cold_build(content, work, 0, args.repeat)
            print(f"| {n:,} | fetch fields, no topic/author pages | {fetched[1]:,} | {fetched[0]:.2f} | 0 | 0 |",
                  flush=True)
            people = cold_build(content, work, 5000, args.repeat)
            topics = sum(1 for _ in (work / "site" / "topic").iterdir()) - 1
            authors = sum(1 for _ in (work / "site" / "author").iterdir()) - 1
            print(f"| {n:,} | fetch fields + topic/author pages | {people[1]:,} | {people[0]:.2f} | {topics:,} | "
                  f"{authors:,} |", flush=True)
            print(f"\ntopic and author pages: {100 * (people[0] / fetched[0] - 1):+.1f} % build time at {n:,}\n",
                  flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
