"""bench/run.py at N=200: the table, the paired cold builds, the Hugo peer, serve over HTTP, topic and author
pages with and without, the targets; and the 100k path as a dry run."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # bench/ is a folder of the repo, not part of the installed package

from bench.readme import BEGIN, END, update_readme  # noqa: E402
from bench import search_compare  # noqa: E402
from bench.people import PeopleResult, kind_of  # noqa: E402
from bench.report import COLUMNS, PEOPLE_COLUMNS, SizeResult, compare_table, targets  # noqa: E402
from bench.run import compare_search  # noqa: E402
from bench.search_size import QUERIES  # noqa: E402

HAVE_HUGO = shutil.which("hugo") is not None


def bench(out: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    proc = subprocess.run([sys.executable, str(ROOT / "bench" / "run.py"), "--out", str(out), "--keep", *args],
                          capture_output=True, text=True, timeout=180, cwd=ROOT, env=env)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return proc


@pytest.fixture(scope="module")
def smoke(tmp_path_factory) -> tuple[subprocess.CompletedProcess, Path]:
    """One real benchmark run at 200 papers (2 pairs), work folder kept."""
    out = tmp_path_factory.mktemp("bench")
    return bench(out, "--sizes", "200", "--results", str(out / "results.md"), "--pairs", "2", "--repeat", "2",
                 "--edits", "2", "--compare-queries", "diffusion", "--no-settle"), out


def row_cells(text: str, first: str) -> list[str]:
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if cells and cells[0] == first:
            return cells
    raise AssertionError(f"no table row starting with {first!r} in:\n{text}")


def test_table_has_the_columns_and_a_measured_row(smoke):
    proc, out = smoke
    text = (out / "results.md").read_text(encoding="utf-8")
    assert text in proc.stdout  # the same Markdown goes to stdout
    assert row_cells(text, "papers") == COLUMNS
    cells = dict(zip(COLUMNS, row_cells(text, "200")))
    for col in ("import s", "serve start-up s", "peak RSS MB"):
        assert float(cells[col]) > 0, (col, cells)
    assert re.fullmatch(r"[\d.]+ \([\d.]+\)", cells["cold build s (CPU)"]), cells
    assert re.fullmatch(r"[\d.]+ \([\d.]+×\)", cells["no-change rebuild s (× cold)"]), cells
    assert re.fullmatch(r"\d+ \(\d+\)", cells["one-paper edit ms (serve's rebuild)"]), cells  # measured over HTTP
    if HAVE_HUGO:
        assert re.fullmatch(r"[\d.]+ \([\d.]+\)", cells["Hugo s (CPU)"]), cells
        assert cells["ratio (median of pairs)"].endswith("×"), cells
        assert re.search(r"Paired ratios: [\d.]+×, [\d.]+×\.", text)  # one ratio per pair
    assert re.search(r"Our cold builds in run order \(s\): [\d.]+, [\d.]+;", text)
    assert re.search(r"serve --watch start-ups \(s\): [\d.]+, [\d.]+", text)
    assert re.search(r"Machine: \d+ cores \(nproc\), .+ GB RAM, Python 3\.\d+", text)
    assert "- 10k cold build ≤ 0.7× the Hugo peer: n/a — **not measured**" in text  # no 10k run here
    assert "papers runs from bytecode" in text and any((ROOT / "generator" / "build" / "__pycache__").glob("*.pyc"))


def test_each_cold_build_had_its_own_new_folder(smoke):
    _, out = smoke
    work = out / "n200"
    # --keep keeps only the last pair's outputs: the others were removed, and no cache survived between them
    assert (work / "cold-2" / "index.html").is_file() and not (work / "cold-1").exists()
    assert not (work / ".cold-1-cache").exists()
    if HAVE_HUGO:
        assert (work / "hugo" / "public-2" / "index.html").is_file() and not (work / "hugo" / "public-1").exists()


@pytest.mark.skipif(not HAVE_HUGO, reason="hugo not installed")
def test_hugo_builds_the_shared_peer_site(smoke):
    _, out = smoke
    peer = out / "n200" / "hugo"
    sources = sorted((peer / "content" / "papers").glob("*.md"))
    assert len(sources) == 200  # the peer script's site for the same listing
    public = peer / "public-2"
    for src in sources:
        assert (public / "papers" / src.stem / "index.html").is_file(), src.stem
    assert any((public / "days").iterdir()) and (public / "organizations").is_dir()
    assert (public / "sitemap.xml").is_file() and "<item>" in (public / "index.xml").read_text(encoding="utf-8")


def test_the_100k_path_in_a_dry_run(tmp_path):
    drop = tmp_path / "drop_caches"  # in place of /proc/sys/vm/drop_caches: a test leaves the machine's caches alone
    drop.write_text("0\n")
    proc = bench(tmp_path, "--sizes", "100k", "--dry-run", env={**os.environ, "PAPERS_BENCH_DROP_CACHES": str(drop)})
    text = proc.stdout
    assert drop.read_text() == "3\n"
    # one import (a dry run repeats once) and two cold builds (no Hugo above 10k), each settled first
    assert "Before each timed import and cold build, ours and Hugo's (3 runs): `sync`" in text
    assert "DRY RUN" in text and "(200 imported" in text
    cells = dict(zip(COLUMNS, row_cells(text, "100,000")))
    assert cells["Hugo s (CPU)"] == "n/a"  # Hugo only up to --hugo-max (10k)
    assert float(cells["serve start-up s"]) > 0 and float(cells["peak RSS MB"]) > 0
    assert re.search(r"- 100k peak RSS \(largest process\) ≤ 600 MB: \d+ MB — \*\*met\*\*", text)
    assert not (ROOT / "bench" / "results.md").read_text(encoding="utf-8").startswith("## Benchmark (DRY")
    people = dict(zip(PEOPLE_COLUMNS, row_cells(text.split("Topic and author pages")[1], "100,000")))
    assert re.fullmatch(r"[\d.]+ \([\d.]+\)", people["cold build s with topic/author pages (CPU)"]), people
    assert people["without s (CPU)"] == "n/a"  # pairs only up to --people-max (10k): one build with the pages
    assert int(people["topic pages"]) > 0 and int(people["author pages"]) > 0 and people["paper pages"] == "200"
    # ours against Pagefind on a cold build's pages, per query, in the same run (or why not)
    section = text[text.index("Search, ours against Pagefind"):]
    if search_compare.unavailable() is None:
        assert re.search(r"- \*\*100,000 papers\*\* \(Pagefind indexed the pages in [\d.]+ s\)", section), section
        for q in QUERIES[:3]:  # a dry run compares the first three queries
            assert re.search(rf"\| {q} \| [\d.]+ \| \d+ \| [\d.]+ \| \d+ \|", section), (q, section)
    else:
        assert "ours against Pagefind not run: " in section, section


def test_topic_and_author_pages_are_timed_in_pairs_with_and_without_them(smoke):
    proc, out = smoke
    text = (out / "results.md").read_text(encoding="utf-8")
    people = dict(zip(PEOPLE_COLUMNS, row_cells(text.split("Topic and author pages")[1], "200")))
    assert re.fullmatch(r"[+-][\d.]+ %", people["cost (median of pairs)"]), people
    assert re.fullmatch(r"[\d.]+ \([\d.]+\)", people["without s (CPU)"]), people
    # the build without them really has none, and the two builds differ by exactly those pages
    m = re.search(r"with: (.+); without: (.+)\.\n", text)
    with_, without = (dict(kv.rsplit(" ", 1) for kv in part.split(", ")) for part in m.groups())
    assert int(with_["topic"]) > 0 and int(with_["author"]) > 0 and without["topic"] == without["author"] == "0"
    assert {k: v for k, v in with_.items() if k not in ("topic", "author")} == \
        {k: v for k, v in without.items() if k not in ("topic", "author")}
    assert re.search(r"paired ratios [\d.]+×, [\d.]+×\.", text)


def test_page_kinds_by_path():
    assert [kind_of(p) for p in ("papers/a/index.html", "papers/a/a.bib", "topic/x/index.html", "topic/index.html",
                                 "author/y/index.html", "date/2025-01-02/index.html", "feed.xml", "index.html")] == \
        ["paper", "bib", "topic", "other", "author", "day", "other", "other"]


def test_a_missing_pagefind_is_a_note_not_a_failure(monkeypatch, tmp_path):
    monkeypatch.setattr(search_compare, "unavailable", lambda: "Pagefind is not installed (pip install 'pagefind[bin]')")
    res = SizeResult(10_000)
    compare_search(res, tmp_path, ["diffusion"])
    assert res.compare == [] and res.compare_note.startswith("not run: Pagefind is not installed")
    assert "- **10,000 papers**: ours against Pagefind not run: Pagefind is not installed" in compare_table(res)

    def broken(site):
        raise RuntimeError("pagefind exited with 1\nmore")
    monkeypatch.setattr(search_compare, "unavailable", lambda: None)
    monkeypatch.setattr(search_compare, "index_with_pagefind", broken)
    compare_search(res, tmp_path, ["diffusion"])
    assert res.compare_note == "failed: RuntimeError: pagefind exited with 1"


def test_the_compare_table_lists_each_query_for_both_engines():
    res = SizeResult(10_000, compare=[("llm", "ours", 43_400, 1008.2), ("llm", "pagefind", 201_900, 2042.0),
                                      ("3d", "ours", 43_100, 514.0)], pagefind_index_s=126.04)
    text = compare_table(res)
    assert "(Pagefind indexed the pages in 126.0 s)" in text
    assert "  | llm | 43.4 | 1008 | 201.9 | 2042 |" in text and "  | 3d | 43.1 | 514 | n/a | n/a |" in text
    res.compare.append(("3d", "pagefind", 0, None))
    assert "  | 3d | 43.1 | 514 | n/a | timed out |" in compare_table(res)


def test_targets_say_met_or_not_met():
    r1 = SizeResult(1_000, cold=[1.0, 1.2, 0.9], hugo=[1.0, 1.0, 1.0])
    r10 = SizeResult(10_000, cold=[3.0, 6.0, 4.0], hugo=[5.0, 5.0, 10.0], nochange=[0.5], edit_ms=[90, 120, 80],
                     startup=[1.5], people=PeopleResult(with_pages=[10.4, 12.0, 9.0], without=[10.0, 10.0, 10.0]),
                     payloads={"a": (20, 150_000, 44_000), "b": (23, 160_000, 49_900)})
    r100 = SizeResult(100_000, cold=[45.0], cold_rss_mb=[500.0, 650.0], nochange=[1.0], edit_ms=[250],
                      startup=[4.0], startup_rendered=["0 of 103,981"], payloads={"a": (30, 200_000, 80_100)})
    verdicts = {name: (value, verdict) for name, value, verdict in targets([r1, r10, r100])}
    assert verdicts["1k cold build ≤ 1.0× the Hugo peer"] == ("1.00× (pairs 0.90–1.20×)", "met")
    # the median of the paired ratios (0.6, 1.2, 0.4 → 0.6), not the ratio of the medians (4.0 / 5.0 = 0.8)
    assert verdicts["10k cold build ≤ 0.7× the Hugo peer"] == ("0.60× (pairs 0.40–1.20×)", "met")
    assert verdicts["100k cold build ≤ 10× our 10k build"] == ("11.2×", "NOT met")
    assert verdicts["100k peak RSS (largest process) ≤ 600 MB"] == ("650 MB", "NOT met")
    # the median of the paired ratios (1.04, 1.2, 0.9 → 1.04)
    assert verdicts["topic and author pages cost ≤ 10 % more cold build time (10k)"] == \
        ("+4.0 % (pairs -10.0 to +20.0 %)", "met")
    slow = SizeResult(10_000, people=PeopleResult(with_pages=[11.5, 11.2], without=[10.0, 10.0]))
    assert targets([slow])[4] == ("topic and author pages cost ≤ 10 % more cold build time (10k)",
                                  "+13.5 % (pairs +12.0 to +15.0 %)", "NOT met")
    assert verdicts["no-change rebuild ≤ 0.1× cold (10k)"] == ("0.12×", "NOT met")
    assert verdicts["search: first results ≤ 50 KB gz for every bench query (10k, the largest)"] == ("49.9 KB", "met")
    assert verdicts["search: first results ≤ 80 KB gz for every bench query (100k, the largest)"] == \
        ("80.1 KB", "NOT met")
    assert verdicts["no-change rebuild ≤ 0.1× cold (100k)"] == ("0.02×", "met")
    assert verdicts["one-paper edit under serve --watch, save → served ≤ 100 ms (10k)"] == ("90 ms", "met")
    assert verdicts["one-paper edit under serve --watch, save → served ≤ 300 ms (100k)"] == ("250 ms", "met")
    assert verdicts["serve --watch start-up, up-to-date site → first HTTP response ≤ 1 s (10k)"] == \
        ("1.50 s", "NOT met")
    assert verdicts["serve --watch start-up, up-to-date site → first HTTP response ≤ 5 s (100k)"] == \
        ("4.00 s, first build rendered 0 of 103,981 pages", "met")


def test_the_readme_table_is_replaced_between_its_markers(tmp_path):
    readme = tmp_path / "README.md"
    readme.write_text(f"# x\n\nbefore\n{BEGIN}\nold table\n{END}\nafter\n", encoding="utf-8")
    update_readme(readme, [SizeResult(1_000, cold=[1.0], hugo=[2.0])])
    text = readme.read_text(encoding="utf-8")
    assert "old table" not in text and text.startswith("# x\n\nbefore\n") and text.endswith(f"{END}\nafter\n")
    assert "| 1,000 |" in text and "| 1k cold build ≤ 1.0× the Hugo peer | 0.50× (pairs 0.50–0.50×) | met |" in text
    real = (ROOT / "README.md").read_text(encoding="utf-8")
    assert real.count(BEGIN) == 1 and real.count(END) == 1  # `make bench --readme README.md` has its place


def test_a_settle_drops_the_caches_and_reads_back_only_the_inputs(tmp_path, monkeypatch):
    from bench import settle as settle_mod
    from bench.run import MAKE_CORPUS, settle_note
    drop = tmp_path / "drop_caches"
    monkeypatch.setattr(settle_mod, "DROP_CACHES", drop)
    settle = settle_mod.Settle(tmp_path / "probe", MAKE_CORPUS, "/bin/true")
    content = tmp_path / "content"
    content.mkdir()
    (content / "a.md").write_bytes(b"x" * 1000)
    settle.papers(content)
    assert drop.read_text() == "3\n" and settle.dropped is True and settle.count == 1
    assert (tmp_path / "probe" / "site" / "index.html").is_file()  # the probe build loaded papers' code
    peer = tmp_path / "peer"
    for rel in ("content/p.md", "public-1/index.html", ".cache-public-1/x", "resources/y"):
        (peer / rel).parent.mkdir(parents=True, exist_ok=True)
        (peer / rel).write_bytes(b"y" * 10)
    # the peer's sources, not the outputs and caches of earlier runs
    assert settle_mod.read_tree(peer, skip=("public-", ".cache-", "resources")) == 10
    settle.hugo(peer)
    assert settle.count == 2 and "(2 runs)" in settle_note(settle)
    monkeypatch.setattr(settle_mod, "DROP_CACHES", tmp_path / "no-such-folder" / "drop_caches")  # not root
    settle.papers(content)
    assert settle.dropped is False and "were not dropped" in settle_note(settle)
    assert "--no-settle" in settle_note(None)
