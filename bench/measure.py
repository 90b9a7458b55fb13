"""Running one command as a child process and measuring it: wall time, CPU time and that child's peak RSS."""
from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["Run", "run", "papers_cmd", "stage_timings", "BenchError"]

STAGE_RE = re.compile(r"^(\w+)\s+(\d+) ms$")


class BenchError(Exception):
    """A benchmarked command failed; the message says which and shows its last lines of output."""


@dataclass
class Run:
    """One finished child process: wall seconds, CPU seconds (user+sys), peak RSS in MB, its output."""

    cmd: list[str]
    wall: float
    cpu: float
    rss_mb: float
    returncode: int
    stdout: str = ""
    stderr: str = ""
    stages: dict[str, float] = field(default_factory=dict)  # seconds per build stage, from the INFO log


def papers_cmd() -> list[str]:
    """The installed `papers` console script beside this Python, as users run it."""
    exe = Path(sys.executable).with_name("papers")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "generator"]


def stage_timings(log: str) -> dict[str, float]:
    """`search      412 ms` lines of a build's INFO log → {"search": 0.412, ...}."""
    found: dict[str, float] = {}
    for line in log.splitlines():
        m = STAGE_RE.match(line.strip())
        if m:
            found[m.group(1)] = int(m.group(2)) / 1000
    return found


def run(cmd: list[str], cwd: Path | None = None, check: bool = True, timeout: float = 3600) -> Run:
    """Run `cmd` to the end; os.wait4 gives this child's own rusage, so peak RSS is per command."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=cwd, stdout=out, stderr=err)
        killer = threading.Timer(timeout, proc.kill)
        killer.start()
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        finally:
            killer.cancel()
        wall = time.perf_counter() - t0
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout = out.read().decode("utf-8", "replace")
        stderr = err.read().decode("utf-8", "replace")
    # ru_maxrss is in kilobytes on Linux
    result = Run(cmd, wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, proc.returncode, stdout, stderr,
                 stage_timings(stderr))
    if check and proc.returncode != 0:
        lines = (stderr or stdout).strip().splitlines() or ["(no output)"]
        head = f"`{' '.join(cmd[:2])} ...` exited with {proc.returncode}: {lines[-1]}"
        raise BenchError(head + "\n" + "\n".join(lines[-15:]))
    return result
