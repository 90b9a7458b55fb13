"""The Hugo side of the comparison: the lean peer site of ../shared/bench/hugo_peer.py, built cold.

`make_peer(listing, dest)` runs the shared peer script on the same listing our import reads, so both generators
start from the same papers: Hugo makes a page per paper, a taxonomy page per day and per organisation (each with
its RSS), the term lists, a home page, RSS and a sitemap. `build_peer(dest, name)` times `hugo --quiet -d name`
in `dest` as a whole process, into a new output folder and with an empty cache folder, so no run sees another's
output or cache.
"""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from .measure import Run, run

if TYPE_CHECKING:
    from .settle import Settle

__all__ = ["HUGO", "PEER", "hugo_version", "make_peer", "build_peer"]

HUGO = shutil.which("hugo") or "/usr/bin/hugo"
PEER = Path(__file__).resolve().parent.parent.parent / "shared" / "bench" / "hugo_peer.py"


def hugo_version() -> str | None:
    """`hugo version`'s first words, or None when Hugo (or the peer script) is not there."""
    if not PEER.is_file():
        return None
    try:
        out = subprocess.run([HUGO, "version"], capture_output=True, text=True, timeout=30, check=True).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    return " ".join(out.split()[:2])


def make_peer(listing: Path, dest: Path, year: int = 2025) -> None:
    """Write the peer site for `listing` into `dest` (replacing it)."""
    shutil.rmtree(dest, ignore_errors=True)
    run([sys.executable, str(PEER), str(listing), str(dest), "--year", str(year)])


def build_peer(dest: Path, name: str, settle: Settle | None = None) -> Run:
    """`hugo --quiet -d <name>` in `dest`: a new output folder, a new cache folder, no resources/ left over;
    with `settle`, from the same file-system state as every other timed run (bench/settle.py)."""
    for stale in (name, "resources", f".cache-{name}"):
        shutil.rmtree(dest / stale, ignore_errors=True)
    if settle is not None:
        settle.hugo(dest)
    return run([HUGO, "--quiet", "-d", name, "--cacheDir", str(dest / f".cache-{name}")], cwd=dest)
