"""Every timed run starts from the same file-system state: the inputs in the page cache, no earlier output.

    Settle(probe_root)       a tiny archive on tmpfs, built and imported to load the code of `papers`
    settle.papers(inputs)    before one of our timed runs: sync, drop the caches, read `inputs` back, run the probe
    settle.hugo(peer)        before one of Hugo's: the same, with the peer's sources and the hugo binary read back

Without it each run met the caches the runs before it had left. At 100k papers, three builds in a row into
new folders (nothing deleted between them) took 49.7, 60.5 and 58.8 s, with 9.2, 18.9 and 17.0 s of system
time spent in ext4's inode allocator looking up the buffer cache (ext4 recently_deleted, from ext4_create
and ext4_mkdir); a fourth, after `echo 3 > /proc/sys/vm/drop_caches` and the content read back, took 47.3 s
(8.3 s). The bench's five builds of a size come one after another, and the bigger the size the more the
earlier outputs weigh, so the 100k figure stood for the bench's order more than for a build. hyperfine
documents the same step (`--prepare 'sync; echo 3 | sudo tee /proc/sys/vm/drop_caches'`).

The caches are dropped only where this process may write drop_caches (root); elsewhere `dropped` is False
and the report says so. Both generators are settled the same way, with their inputs and their programs in the
cache and nothing else: the content (or the peer site's sources) and, for papers, a probe build and import on
tmpfs, which reads the interpreter, every module and the theme; for Hugo, its binary.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from .measure import papers_cmd, run

__all__ = ["Settle", "read_tree", "DROP_CACHES"]

# the tests point this at a file of their own: a test run must not empty the machine's caches
DROP_CACHES = Path(os.environ.get("PAPERS_BENCH_DROP_CACHES", "/proc/sys/vm/drop_caches"))
PROBE_PAPERS = 20


def read_tree(root: Path, skip: tuple[str, ...] = ()) -> int:
    """Read every regular file under `root` (or `root` itself), leaving out folders named with a prefix in
    `skip`; returns the bytes read."""
    if root.is_file():
        return len(root.read_bytes())
    total = 0
    for base, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if not d.startswith(skip)] if skip else dirs
        for name in files:
            try:
                with open(os.path.join(base, name), "rb") as f:
                    while chunk := f.read(1 << 20):
                        total += len(chunk)
            except OSError:
                pass
    return total


class Settle:
    """See the module's docstring. `probe_root`: a folder on tmpfs (its pages are not dropped)."""

    def __init__(self, probe_root: Path, make_corpus: Path, hugo: str):
        self.root, self.hugo_bin = probe_root, hugo
        self.dropped: bool | None = None  # None until the first settle; then whether the caches were dropped
        self.count = 0  # timed runs settled
        probe_root.mkdir(parents=True, exist_ok=True)
        listing = probe_root / "probe.txt"
        with listing.open("wb") as f:
            subprocess.run([sys.executable, str(make_corpus), str(PROBE_PAPERS)], stdout=f, check=True)
        self.listing = listing

    def _drop(self) -> None:
        os.sync()
        try:
            DROP_CACHES.write_text("3\n")
            dropped = True
        except OSError:
            dropped = False
        self.dropped = dropped if self.dropped is None else self.dropped and dropped
        self.count += 1

    def papers(self, *inputs: Path) -> None:
        """Before one of our timed runs (a build or an import) that reads `inputs`."""
        self._drop()
        for path in inputs:
            read_tree(path)
        content, site = self.root / "content", self.root / "site"
        for old in (content, site, self.root / ".site-cache"):
            shutil.rmtree(old, ignore_errors=True)
        run(papers_cmd() + ["import", "-q", "--year", "2025", "--content", str(content), str(self.listing)])
        run(papers_cmd() + ["build", "-q", "--content", str(content), "--out", str(site),
                            "--base-url", "http://127.0.0.1:8000/"])

    def hugo(self, peer: Path) -> None:
        """Before one of Hugo's timed builds in `peer` (its outputs and caches are not read back)."""
        self._drop()
        read_tree(peer, skip=("public-", ".cache-", "resources"))
        read_tree(Path(self.hugo_bin))
