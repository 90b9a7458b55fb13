"""Kills and SIGTERM: `papers import` of 10k papers and `papers build` SIGKILLed at 20 moments each. After each
kill no process of the command is left, `papers check` passes, no content file is empty or truncated, and the
next run gives the byte-identical result of an uninterrupted run. SIGTERM cleans up as Ctrl-C does.

These are real processes on real files (the benchmark corpus, ../shared/bench/make_corpus.py); marked slow."""
from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from generator.content.check import check_content
from conftest import SHARED, papers_bin, run_papers
from generator.build.cache import cache_dir
from generator.content.files import decode_papers, iter_content_files
from generator.content.validate import validate

pytestmark = pytest.mark.slow

MOMENTS = 20
IMPORT_PAPERS = int(os.environ.get("PAPERS_KILL_PAPERS", "10000"))  # the size; smaller for a quick look


def tree(root: Path) -> dict[str, str]:
    """Every file under `root` (hidden ones too) → sha256 of its bytes."""
    out = {}
    for folder, _, files in os.walk(root):
        for name in files:
            path = os.path.join(folder, name)
            with open(path, "rb") as f:
                out[os.path.relpath(path, root)] = hashlib.sha256(f.read()).hexdigest()
    return out


def corpus(n: int, dest: Path) -> Path:
    path = dest / f"corpus-{n}.txt"
    text = subprocess.run([sys.executable, str(SHARED / "bench" / "make_corpus.py"), str(n)], check=True,
                          capture_output=True, text=True).stdout
    path.write_text(text, encoding="utf-8")
    return path


def alive_in_group(pgid: int) -> list[int]:
    """Processes of the process group `pgid` that still run (zombies are dead: only not yet reaped)."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2:].split()
        if int(fields[2]) == pgid and fields[0] != "Z":
            found.append(int(entry))
    return found


def kill_at(args: list[str], delay: float, cwd: Path) -> None:
    """Start `papers ARGS` in its own process group, SIGKILL the command (its process only, as the OOM killer
    or a `kill -9` would) after `delay` seconds, and check that none of its workers live on."""
    proc = subprocess.Popen(papers_bin() + args, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    time.sleep(delay)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    deadline = time.monotonic() + 5
    while alive_in_group(proc.pid) and time.monotonic() < deadline:
        time.sleep(0.02)
    assert alive_in_group(proc.pid) == [], f"workers of the killed command still run ({args}, {delay:.2f} s)"


def timed(args: list[str], cwd: Path) -> float:
    t0 = time.perf_counter()
    run_papers(*args, cwd=cwd, check=True)
    return time.perf_counter() - t0


def assert_archive_whole(content: Path) -> None:
    """No content file is empty or truncated (each ends as import writes it), and `papers check` passes: its
    two steps (content.files.decode_papers, content.validate.validate) on the bytes read once here."""
    if not content.exists():
        return  # killed before the first write
    files = []
    for path in iter_content_files(content):
        data = path.read_bytes()
        assert data.startswith(b"---\n") and data.endswith(b"\n") and b"\n---\n" in data[3:], path
        files.append((path, data))
    papers, problems, errors = decode_papers(files)
    found = [p for p in validate(content, papers, problems, errors) if p.severity == "error"]
    assert found == [], found[:3]


def test_import_killed_at_20_moments_leaves_a_whole_archive(tmp_path):
    listing = corpus(IMPORT_PAPERS, tmp_path)
    ref = tmp_path / "ref"
    ref.mkdir()
    args = ["import", "-q", "--year", "2025", str(listing)]
    duration = timed(args, ref)
    expected = tree(ref / "content")
    assert len(expected) == IMPORT_PAPERS
    work = tmp_path / "work"
    work.mkdir()
    for i in range(MOMENTS):
        delay = duration * (0.05 + 0.9 * i / (MOMENTS - 1))
        kill_at(args, delay, work)
        assert_archive_whole(work / "content")
        run_papers(*args, cwd=work, check=True)  # the next run: removes a dead writer's temporaries too
        assert tree(work / "content") == expected, f"after a kill at {delay:.2f} s"
        if i % 2:  # start half the moments from an empty archive, half from a whole one (re-import)
            for path in iter_content_files(work / "content"):
                path.unlink()


def test_build_killed_at_20_moments_leaves_the_site_whole(tmp_path):
    listing = corpus(1000, tmp_path)
    run_papers("import", "-q", "--year", "2025", str(listing), cwd=tmp_path, check=True)
    before = tree(tmp_path / "content")
    args = ["build", "-q", "--out", "site", "--base-url", "http://127.0.0.1/"]
    duration = timed(args, tmp_path)
    expected = tree(tmp_path / "site")
    state = cache_dir(tmp_path / "site") / "build-state.pickle"
    for i in range(MOMENTS):
        if i % 2:  # a full rebuild over a previous site (pages reused, the swap) ...
            state.unlink(missing_ok=True)
        else:  # ... or a cold build
            run_papers("build", "-q", "--out", "site", cwd=tmp_path)  # make sure a site exists to remove
            subprocess.run(["rm", "-rf", str(tmp_path / "site"), str(cache_dir(tmp_path / "site"))], check=True)
        delay = duration * (0.05 + 0.9 * i / (MOMENTS - 1))
        kill_at(args, delay, tmp_path)
        assert tree(tmp_path / "content") == before
        run_papers(*args, cwd=tmp_path, check=True)
        assert tree(tmp_path / "site") == expected, f"after a kill at {delay:.2f} s"
        assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("site.")) == []
        leftovers = [p.name for p in cache_dir(tmp_path / "site").iterdir() if "tmp-" in p.name or "staging-" in p.name]
        assert leftovers == []
    papers, problems = check_content(tmp_path / "content")
    assert not [p for p in problems if p.severity == "error"]


def test_sigterm_cleans_up_like_ctrl_c(tmp_path):
    listing = corpus(1000, tmp_path)
    run_papers("import", "-q", "--year", "2025", str(listing), cwd=tmp_path, check=True)
    args = ["build", "-q", "--out", "site", "--base-url", "http://127.0.0.1/"]
    duration = timed(args, tmp_path)
    expected = tree(tmp_path / "site")
    for fraction in (0.3, 0.6, 0.85):
        cache_dir(tmp_path / "site").joinpath("build-state.pickle").unlink(missing_ok=True)
        proc = subprocess.Popen(papers_bin() + args, cwd=tmp_path, stdout=subprocess.DEVNULL,
                                stderr=subprocess.PIPE, text=True, start_new_session=True)
        time.sleep(duration * fraction)
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=60)
        assert proc.returncode in (0, 130), err  # finished first, or interrupted
        if proc.returncode == 130:
            assert "interrupted" in err and "Traceback" not in err
        assert alive_in_group(proc.pid) == []
        # cleaned up by the command itself, not by the next run: no staging folder, no old site
        assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("site.")) == []
        assert tree(tmp_path / "site") == expected
