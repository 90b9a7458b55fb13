"""One content validator (content/validate.py): `papers check`, `papers build`, serve's Builder and import
give the same file the same verdict — `file:line: what, what to do` — for duplicate slugs, slugs with
control characters, future dates, YAML aliases, and FIFOs (skipped with a warning, never a hang)."""
from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from conftest import run_papers, write_tree
from generator.build.pipeline import Pipeline
from generator.build.writers import InPlace
from generator.content.check import check_content
from generator.errors import PapersError
from generator.ingest import import_listings
from test_parser import listing, paper as listing_paper
from test_serve import ARCHIVE, content_path, paper

ALPHA = content_path("alpha-paper")


def verdicts(tmp_path: Path) -> dict[str, str]:
    """What each command says about tmp_path/content: 'ok', or the first error line (file:line: message)."""
    content = tmp_path / "content"
    out: dict[str, str] = {}
    _, problems = check_content(content)
    errors = [p for p in problems if p.severity == "error"]
    out["check"] = f"{errors[0].path}:{errors[0].line}: {errors[0].message}" if errors else "ok"
    proc = run_papers("build", "--content", str(content), "--out", str(tmp_path / "site"), "-q")
    assert "Traceback" not in proc.stderr
    out["build"] = proc.stderr.strip().removeprefix("error: ") if proc.returncode else "ok"
    assert proc.returncode in (0, 1)
    try:
        Pipeline(content, tmp_path / "served", keep=True).run(writer=InPlace)
        out["serve"] = "ok"
    except PapersError as exc:
        out["serve"] = str(exc)
    try:
        import_listings([listing(tmp_path, listing_paper("Some Unrelated Paper"))], content, 2025)
        out["import"] = "ok"
    except PapersError as exc:
        out["import"] = str(exc).removesuffix(" (fix it first; `papers check` shows every problem)")
    return out


def same_error(found: dict[str, str], where: str, what: str) -> None:
    assert all(v.startswith(where) and what in v for v in found.values()), found
    assert len(set(found.values())) == 1, found  # the very same line from every command


def test_duplicate_slug_is_an_error_everywhere(tmp_path):
    other = content_path("alpha-paper", "2025-03-05")
    write_tree(tmp_path, {**ARCHIVE, other: paper("alpha-paper", "Another Title Entirely", "2025-03-05")})
    same_error(verdicts(tmp_path), str(tmp_path / other) + ":4", "slug 'alpha-paper' is also used by")


def test_future_date_is_an_error_everywhere(tmp_path):
    path = content_path("beta-paper", "2999-01-01")
    write_tree(tmp_path, {**ARCHIVE, path: paper("beta-paper", "Beta Paper", "2999-01-01")})
    del_ = tmp_path / content_path("beta-paper")
    del_.unlink()
    same_error(verdicts(tmp_path), str(tmp_path / path) + ":5", "date 2999-01-01 is impossible")


def test_slug_with_a_line_break_is_an_error_everywhere(tmp_path):
    text = paper("alpha-paper", "Alpha Paper").replace("slug: alpha-paper", 'slug: "alpha-paper\\n"')
    write_tree(tmp_path, {**ARCHIVE, ALPHA: text})
    same_error(verdicts(tmp_path), str(tmp_path / ALPHA) + ":4", "contains a control character")


def test_yaml_alias_bomb_is_refused_quickly_everywhere(tmp_path):
    bomb = ['a: &a ["x","x","x","x","x","x","x","x","x"]']
    for n in range(1, 9):
        bomb.append(f"{chr(97 + n)}: &{chr(97 + n)} [" + ",".join([f"*{chr(96 + n)}"] * 9) + "]")
    text = paper("alpha-paper", "Alpha Paper").replace("upvotes: 5\n", "upvotes: 5\n" + "\n".join(bomb) + "\n"
                                                      "keywords: *i\n")
    assert len(text) < 1200
    write_tree(tmp_path, {**ARCHIVE, ALPHA: text})
    t0 = time.perf_counter()
    found = verdicts(tmp_path)
    assert time.perf_counter() - t0 < 60  # the old code ran for minutes and ended in a MemoryError
    same_error(found, str(tmp_path / ALPHA) + ":8", "YAML alias")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this system")
def test_fifo_is_skipped_with_a_warning_everywhere(tmp_path):
    write_tree(tmp_path, ARCHIVE)
    fifo = tmp_path / "content" / "2025" / "x.md"
    os.mkfifo(fifo)
    proc = run_papers("check", "--content", str(tmp_path / "content"))
    assert proc.returncode == 0 and f"{fifo}: warning: not a regular file" in proc.stderr
    proc = run_papers("build", "--content", str(tmp_path / "content"), "--out", str(tmp_path / "site"))
    assert proc.returncode == 0 and f"{fifo}: warning: not a regular file" in proc.stderr
    result = Pipeline(tmp_path / "content", tmp_path / "served", keep=True).run(writer=InPlace)
    assert any("not a regular file" in w for w in result.warnings)
    report = import_listings([listing(tmp_path, listing_paper("Some Unrelated Paper"))], tmp_path / "content", 2025)
    assert any("not a regular file" in str(p) for p in report.problems) and report.new == 1
    assert fifo.exists()  # skipped, not removed


def test_strict_fails_on_the_same_warnings_in_check_and_build(tmp_path):
    misplaced = "content/2025/elsewhere/alpha-paper.md"
    files = {k: v for k, v in ARCHIVE.items() if k != ALPHA}
    write_tree(tmp_path, {**files, misplaced: ARCHIVE[ALPHA]})
    check = run_papers("check", "--content", str(tmp_path / "content"), "--strict")
    build = run_papers("build", "--content", str(tmp_path / "content"), "--out", str(tmp_path / "site"), "--strict")
    assert check.returncode == 1 and build.returncode == 1
    assert "is not where its date and slug put it" in check.stderr and "is not where" in build.stderr
