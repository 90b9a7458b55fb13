"""bench/run.py at N=200: the table, the targets and the Hugo site it compares against."""
from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # bench/ is a folder of the repo, not part of the installed package

from bench.hugo import to_hugo  # noqa: E402
from bench.report import SizeResult, targets  # noqa: E402

HAVE_HUGO = shutil.which("hugo") is not None
COLUMNS = ["papers", "import s", "cold build s", "Hugo s", "ratio", "no-change rebuild s (× cold)",
           "one-paper edit ms", "search build s", "index raw / gz", "query payload gz (max)", "peak RSS MB"]


@pytest.fixture(scope="module")
def smoke(tmp_path_factory) -> tuple[subprocess.CompletedProcess, Path]:
    """One benchmark run at 200 papers, work folder kept."""
    out = tmp_path_factory.mktemp("bench")
    proc = subprocess.run([sys.executable, str(ROOT / "bench" / "run.py"), "--sizes", "200", "--out", str(out),
                           "--results", str(out / "results.md"), "--keep"],
                          capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return proc, out


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
    for col in ("import s", "cold build s", "peak RSS MB"):
        assert float(cells[col]) > 0, (col, cells)
    assert re.fullmatch(r"[\d.]+ \([\d.]+×\)", cells["no-change rebuild s (× cold)"]), cells
    assert re.fullmatch(r"\d+( \(full path\))?( \(rebuild \d+\))?", cells["one-paper edit ms"]), cells
    if HAVE_HUGO:
        assert float(cells["Hugo s"]) > 0 and cells["ratio"].endswith("×"), cells
    assert re.search(r"Machine: \d+ cores \(nproc\), .+ GB RAM, Python 3\.\d+", text)
    assert "- full build 10k ≤ 1.0× Hugo: n/a — **not measured**" in text  # no 10k run here


@pytest.mark.skipif(not HAVE_HUGO, reason="hugo not installed")
def test_hugo_makes_the_equivalent_pages(smoke):
    _, out = smoke
    content, public = out / "n200" / "content", out / "n200" / "hugo" / "public"
    papers = sorted(content.rglob("*.md"))
    assert len(papers) == 200
    for path in papers:
        assert (public / "papers" / path.stem / "index.html").is_file(), path.stem
    days = {p.parent.relative_to(content).as_posix().replace("/", "-") for p in papers}
    assert {d.name for d in (public / "days").iterdir() if d.is_dir()} == days
    assert (public / "index.html").is_file() and (public / "sitemap.xml").is_file()
    assert (public / "index.xml").read_text(encoding="utf-8").count("<item>") == 50


def test_to_hugo_adds_day_and_org_terms_that_yaml_reads():
    import yaml

    text = ("---\nschema: 1\ntitle: 'A: B'\nslug: a-b\ndate: 2025-11-13\norganization: 'Lab: X, \"Y\"'\n"
            "upvotes: 3\n---\n\nAbstract.\n")
    head = to_hugo(text).split("---\n")[1]
    data = yaml.safe_load(head)
    assert data["days"] == ["2025-11-13"] and data["orgs"] == ['Lab: X, "Y"'] and data["title"] == "A: B"
    assert to_hugo(text).endswith("---\n\nAbstract.\n")


def test_targets_say_met_or_not_met():
    r10 = SizeResult(10_000, cold_s=9.0, hugo_s=10.0, nochange_s=2.0, edit_ms=[250.0], edit_path="x",
                     search_s=3.5, payloads={"q": (2, 900_000, 200_000)})
    r100 = SizeResult(100_000, cold_s=120.0, peak_rss_mb=900.0, import_s=9.0)
    verdicts = {name: (value, verdict) for name, value, verdict in targets([r10, r100])}
    assert verdicts["full build 10k ≤ 1.0× Hugo"] == ("0.90×", "met")
    assert verdicts["no-change rebuild ≤ 0.15× full (10k)"] == ("0.22×", "NOT met")
    assert verdicts["one-paper edit ≤ 300 ms at 10k"] == ("250 ms", "met")
    assert verdicts["search index 10k built ≤ 3 s"] == ("3.50 s", "NOT met")
    assert verdicts["query payload ≤ 300 KB gz at 10k"] == ("195 KB", "met")
    assert verdicts["100k peak RSS ≤ 1 GB"] == ("900 MB", "met")
    assert verdicts["100k build ≤ 11× the 10k build"] == ("13.3×", "NOT met")
    assert verdicts["import 100k ≤ 10 s"] == ("9.00 s", "met")
