"""Progress lines (generator/util/progress.py): shown by `papers import` and `papers build` on a terminal (a real
pty), never when stderr is not a terminal, never with -q."""
from __future__ import annotations

import io
import os
import re
import subprocess
from pathlib import Path

from conftest import SEEDS, papers_bin

from generator.util import progress


def run_in_pty(args: list[str], timeout: float = 120) -> tuple[int, str]:
    """Run `papers ARGS` with stdin, stdout and stderr on a new pty; returns its exit code and all it wrote."""
    master, slave = os.openpty()
    proc = subprocess.Popen(papers_bin() + args, stdin=slave, stdout=slave, stderr=slave, close_fds=True,
                            env={**os.environ, "TERM": "xterm"})
    os.close(slave)
    chunks = []
    while True:
        try:
            data = os.read(master, 65536)
        except OSError:  # EIO: the child closed its end
            break
        if not data:
            break
        chunks.append(data)
    os.close(master)
    return proc.wait(timeout), b"".join(chunks).decode("utf-8", "replace")


def import_args(content: Path, *extra: str) -> list[str]:
    return ["import", *extra, "--year", "2025", "--content", str(content)] + [str(p) for p in SEEDS]


PROGRESS_RE = re.compile(r"\r[^\r\n]*\x1b\[K")  # one progress line drawn, or erased


def test_import_on_a_terminal_shows_each_step_and_the_same_log(tmp_path):
    code, out = run_in_pty(import_args(tmp_path / "a"))
    assert code == 0, out
    for step in ("import: reading listings", "import: merging entries 0/362", "import: writing 294 new files"):
        assert "\r" + step in out, (step, out)
    plain = subprocess.run(papers_bin() + import_args(tmp_path / "b"), capture_output=True, text=True, timeout=120)
    assert plain.returncode == 0, plain.stderr
    assert "362 entries read" in plain.stderr
    assert "\r" not in plain.stderr + plain.stdout and "import: merging" not in plain.stderr  # not a terminal
    # without the progress lines, the terminal got exactly the log a pipe gets: nothing left over, nothing mixed
    assert PROGRESS_RE.sub("", out).replace("\r\n", "\n") == plain.stderr


def test_import_with_q_on_a_terminal_shows_nothing(tmp_path):
    code, out = run_in_pty(import_args(tmp_path / "b", "-q"))
    assert code == 0 and out == "", out  # -q: errors only, on a terminal too


def test_build_on_a_terminal_shows_its_stages(seed_content, tmp_path):
    args = ["build", "--content", str(seed_content), "--out", str(tmp_path / "site")]
    code, out = run_in_pty(args)
    assert code == 0, out
    for name in ("content", "model", "render"):
        assert f"\rbuild: {name}…" in out, (name, out)
    assert re.search(r"built \d+ pages", out), out
    code, out = run_in_pty(args + ["-q"])
    assert code == 0 and out == "", out
    proc = subprocess.run(papers_bin() + args + ["--out", str(tmp_path / "other")], capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0 and "build:" not in proc.stderr and "\r" not in proc.stderr, proc.stderr


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_counts_redraws_and_forked_children_stay_silent(monkeypatch):
    monkeypatch.setenv("TERM", "xterm")
    screen = FakeTerminal()
    try:
        assert progress.configure(quiet=False, stream=screen)
        with progress.task("step", 4) as step:
            step.started -= 2  # two seconds in
            monkeypatch.setattr(progress, "INTERVAL", 0)
            progress.advance(3)
            pid = os.fork()
            if pid == 0:  # a forked worker: it must not draw on the parent's terminal
                progress.advance()
                os._exit(0 if not progress.enabled() else 1)
            assert os.waitpid(pid, 0)[1] == 0
        assert screen.getvalue() == "\rstep 0/4 (0%)\x1b[K\rstep 3/4 (75%) 2 s\x1b[K\r\x1b[K"
        assert not progress.configure(quiet=True, stream=screen)
        with progress.task("hidden"):
            progress.advance()
        assert "hidden" not in screen.getvalue()
    finally:
        progress.configure(quiet=True)
