"""`papers import` and `papers check` as users run them: the installed console script."""
from __future__ import annotations

import re
import subprocess
import sys

from conftest import SEEDS, papers_bin, run_papers, write_tree
from test_import import tree
from test_parser import listing, paper


def test_runs_the_installed_console_script():
    assert papers_bin()[0].endswith("/papers")
    proc = run_papers("--version")
    assert proc.returncode == 0 and proc.stdout.startswith("papers ")


def test_every_line_reaches_a_pipe_and_the_exit_code_is_kept(tmp_path):
    """The command leaves without tearing the interpreter down (cli.run: os._exit): what it printed to a pipe,
    its last line included, must still arrive, with its exit code, by the console script and `-m generator`."""
    content = write_tree(tmp_path / "content", {
        "2025/01/02/a.md": "---\ntitle: A\nslug: a\ndate: 2025-01-02\n---\n\nAbstract.\n",
        "2025/01/02/b.md": "---\ntitle: [unclosed\n---\n"})
    for cmd in (papers_bin(), [sys.executable, "-m", "generator"]):
        proc = subprocess.run(cmd + ["check", "--content", str(content)], capture_output=True, text=True, timeout=60)
        assert proc.returncode == 1, proc.stderr
        assert "2025/01/02/b.md" in proc.stderr  # b.md is no paper: one paper checked, one error
        assert proc.stderr.endswith("\n1 paper checked: 1 error, 0 warnings, 0 flagged\n"), proc.stderr


def test_import_seeds_reports_summary_and_problems(tmp_path):
    content = tmp_path / "content"
    proc = run_papers("import", "--year", "2025", "--content", str(content), *map(str, SEEDS))
    assert proc.returncode == 0, proc.stderr
    lines = proc.stderr.splitlines()
    assert lines[-1] == "362 entries read: 294 new, 0 updated, 0 unchanged, 2 flagged"
    flagged = [line for line in lines if "has no metadata block" in line]
    assert len(flagged) == 3
    assert all(re.match(r"^/\S+/seeds/\d{3}_[0-9a-f]+\.txt:\d+: warning: paper '", line) for line in flagged)
    before = tree(content)
    again = run_papers("import", "--year", "2025", "--content", str(content), *map(str, SEEDS), check=True)
    assert again.stderr.splitlines()[-1] == "362 entries read: 0 new, 0 updated, 294 unchanged, 2 flagged"
    assert tree(content) == before
    assert run_papers("check", "--content", str(content)).returncode == 0


def test_default_content_folder_is_relative_to_the_working_directory(tmp_path):
    src = listing(tmp_path, paper())
    run_papers("import", "-q", "--year", "2025", str(src), cwd=tmp_path, check=True)
    assert (tmp_path / "content/2025/03/11/a-paper-on-things.md").exists()
    assert run_papers("check", cwd=tmp_path).returncode == 0


def test_missing_year_is_a_one_line_error(tmp_path):
    src = listing(tmp_path, paper())
    proc = run_papers("import", "--content", str(tmp_path / "c"), str(src))
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert proc.stderr.strip() == (f"error: {src}:11: date 'Oct 28' has no year and the file does not say which "
                                   "year it was saved in; pass --year YYYY (the year of the snapshot)")
    assert not (tmp_path / "c").exists()


def test_inferred_year_is_printed(tmp_path):
    src = listing(tmp_path, paper(), page="Oct 28, 2024")
    proc = run_papers("import", "--content", str(tmp_path / "c"), str(src), check=True)
    assert f"{src}: no --year given; the file says it was saved in 2024" in proc.stderr
    assert (tmp_path / "c/2024/03/11").is_dir()


def test_feb_29_problem_is_reported_with_file_and_line(tmp_path):
    src = listing(tmp_path, paper("Leap", date="Feb 29"))
    proc = run_papers("import", "--year", "2025", "--content", str(tmp_path / "c"), str(src), check=True)
    assert f"{src}:19: warning: date 'Feb 29' does not exist in 2025; paper kept undated and flagged" in proc.stderr
    assert proc.stderr.splitlines()[-1] == "1 entries read: 1 new, 0 updated, 0 unchanged, 1 flagged"


def test_bad_arguments_are_usage_errors(tmp_path):
    proc = run_papers("import", "--year", "25", "x.txt")
    assert proc.returncode == 2 and "is not a year like 2025" in proc.stderr
    assert run_papers("import").returncode == 2


def test_input_problems_are_one_line_errors(tmp_path):
    missing = run_papers("import", "--year", "2025", "--content", str(tmp_path / "c"), str(tmp_path / "nope.txt"))
    assert missing.returncode == 1 and missing.stderr.strip() == f"error: {tmp_path / 'nope.txt'}: no such file; " \
                                                                 "check the path"
    (tmp_path / "file").write_text("x", encoding="utf-8")
    src = listing(tmp_path, paper())
    proc = run_papers("import", "--year", "2025", "--content", str(tmp_path / "file"), str(src))
    assert proc.returncode == 1 and "Traceback" not in proc.stderr and "content folder is a file" in proc.stderr
    blocked = tmp_path / "blocked"
    blocked.mkdir()
    (blocked / "2025").write_text("a file where a folder must go", encoding="utf-8")
    proc = run_papers("import", "--year", "2025", "--content", str(blocked), str(src))
    assert proc.returncode == 1 and "Traceback" not in proc.stderr and len(proc.stderr.strip().splitlines()) == 1


def test_quiet_prints_nothing_on_success(tmp_path):
    proc = run_papers("import", "-q", "--year", "2025", "--content", str(tmp_path / "c"), str(SEEDS[0]), check=True)
    assert proc.stderr == "" and proc.stdout == ""
