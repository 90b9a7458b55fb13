"""`papers check`: schema, duplicate identities, slug clashes, impossible dates."""
from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from conftest import ROOT, run_papers, write_tree
from generator.content.check import check_content

TODAY = dt.date(2025, 11, 20)


def md(title: str, slug: str, extra: str = "") -> str:
    return f"---\nschema: 1\ntitle: {title}\nslug: {slug}\n{extra}---\n\nAbstract.\n"


def errors(root: Path) -> list[str]:
    """`file:line: message` of every error, paths relative to root."""
    _, problems = check_content(root, TODAY)
    return [f"{Path(p.path).relative_to(root)}:{p.line}: {p.message}" for p in problems if p.severity == "error"]


def test_committed_archive_passes():
    proc = run_papers("check", "--content", str(ROOT / "content"), "--strict")
    assert proc.returncode == 0, proc.stderr
    assert "294 papers checked: 0 errors, 0 warnings, 2 flagged" in proc.stderr


def test_clean_archive_has_no_problems(tmp_path):
    write_tree(tmp_path, {"2025/03/11/a.md": md("A", "a", "date: 2025-03-11\n"), "undated/b/b.md": md("B", "b")})
    assert check_content(tmp_path, TODAY)[1] == []


def test_duplicate_identity_is_an_error(tmp_path):
    write_tree(tmp_path, {"undated/a/a.md": md("'Scaling Laws: A Survey'", "a"),
                          "undated/b/b.md": md("scaling laws — a survey", "b")})
    [err] = errors(tmp_path)
    assert err.startswith("undated/b/b.md:3: same paper as ") and "merge the two files" in err


def test_alias_that_is_another_papers_title_is_a_duplicate(tmp_path):
    write_tree(tmp_path, {"undated/a/a.md": md("A Paper", "a", "aliases:\n- Other Paper\n"),
                          "undated/o/other.md": md("Other Paper", "other")})
    assert len(errors(tmp_path)) == 1


def test_slug_clash_is_an_error(tmp_path):
    write_tree(tmp_path, {"undated/s/same.md": md("One", "same"), "x/same.md": md("Two", "same")})
    [err] = errors(tmp_path)
    assert re.match(r"x/same\.md:4: slug 'same' is also used by .*undated/s/same\.md; give one", err)


def test_impossible_dates_are_errors(tmp_path):
    write_tree(tmp_path, {
        "2025/02/30/feb.md": md("Feb", "feb", "date: 2025-02-30\n"),
        "1980/01/01/old.md": md("Old", "old", "date: 1980-01-01\n"),
        "2030/01/01/future.md": md("Future", "future", "date: 2030-01-01\n"),
        "2025/11/01/late.md": md("Late", "late",
                                 "date: 2025-11-01\nseen:\n- listing: a.txt\n  page_date: 2025-10-28\n"),
    })
    assert sorted(errors(tmp_path)) == [
        "1980/01/01/old.md:5: date 1980-01-01 is impossible (before arXiv or in the future); correct it or remove "
        "the `date` line",
        "2025/02/30/feb.md:5: impossible date (day is out of range for month); write a real day as YYYY-MM-DD",
        "2025/11/01/late.md:5: date 2025-11-01 is after the listing of 2025-10-28 that shows it; check the year",
        "2030/01/01/future.md:5: date 2030-01-01 is impossible (before arXiv or in the future); correct it or remove "
        "the `date` line",
    ]


def test_schema_errors_are_reported_per_file_and_do_not_stop_the_check(tmp_path):
    write_tree(tmp_path, {"undated/a/a.md": md("A", "Bad Slug"), "undated/b/b.md": "no front matter\n",
                          "undated/c/c.md": md("C", "c", "upvotes: many\n")})
    assert errors(tmp_path) == [
        "undated/a/a.md:4: slug 'Bad Slug' must be lower-case ASCII words joined by `-`",
        "undated/b/b.md:1: no front matter; the file must start with a `---` line",
        "undated/c/c.md:5: field `upvotes` must be int, not 'many'",
    ]


def test_warnings_for_misplaced_files_unknown_fields_and_flags(tmp_path):
    write_tree(tmp_path, {"elsewhere/a.md": md("A", "a", "date: 2025-03-11\nflags:\n- odd\nmood: x\n")})
    papers, problems = check_content(tmp_path, TODAY)
    assert {p.severity for p in problems} == {"warning"}
    text = "\n".join(str(p) for p in problems)
    assert "move it to" in text and "unknown flag(s) odd" in text and "unknown field `mood`" in text


def test_cli_exit_codes_and_message_format(tmp_path):
    write_tree(tmp_path, {"undated/s/same.md": md("One", "same"), "x/same.md": md("Two", "same")})
    proc = run_papers("check", "--content", str(tmp_path))
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert re.search(rf"^{re.escape(str(tmp_path))}/x/same\.md:4: error: slug 'same' is also used by .*; give one "
                     "of them a different slug$", proc.stderr, re.M)
    assert "2 papers checked: 1 error, 1 warning, 0 flagged" in proc.stderr  # x/same.md is misplaced
    (tmp_path / "x/same.md").unlink()
    assert run_papers("check", "--content", str(tmp_path)).returncode == 0


def test_strict_fails_on_warnings(tmp_path):
    write_tree(tmp_path, {"undated/a/a.md": md("A", "a", "mood: x\n")})
    assert run_papers("check", "--content", str(tmp_path)).returncode == 0
    assert run_papers("check", "--content", str(tmp_path), "--strict").returncode == 1


def test_missing_content_folder_is_an_error(tmp_path):
    proc = run_papers("check", "--content", str(tmp_path / "nope"))
    assert proc.returncode == 1 and "content folder does not exist" in proc.stderr
