"""Full disks: `papers import` and `papers build` on a small tmpfs (mounted here; CI runs as root). A disk that
fills at any point gives exit 1 and one line, never a truncated content file or a half site; the next run
after space is freed gives what an uninterrupted run gives. Skipped, with the reason, where mount is not
permitted."""
from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import Iterator

import pytest

from conftest import SEEDS, run_papers, tree
from generator.content.check import check_content

SIZE = 48 * 1024 * 1024



@pytest.fixture
def disk(tmp_path: Path) -> Iterator[Path]:
    """A tmpfs of SIZE bytes at tmp_path/disk."""
    mount = tmp_path / "disk"
    mount.mkdir()
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("mounting a tmpfs needs root (CI runs as root)")
    proc = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={SIZE}", "tmpfs", str(mount)], capture_output=True,
                          text=True)
    if proc.returncode != 0:
        pytest.skip(f"mount is not permitted here: {proc.stderr.strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def fill(disk: Path, leave: int) -> Path:
    """A ballast file that leaves about `leave` bytes free on `disk`."""
    ballast = disk / "ballast"
    ballast.unlink(missing_ok=True)
    st = os.statvfs(disk)
    free = st.f_bavail * st.f_frsize
    with open(ballast, "wb") as f:
        remaining = max(free - leave, 0)
        while remaining:
            chunk = min(remaining, 1 << 20)
            try:
                f.write(b"\0" * chunk)
                f.flush()
            except OSError:
                break
            remaining -= chunk
    return ballast


def one_line_error(proc: subprocess.CompletedProcess) -> None:
    assert proc.returncode == 1, proc.stderr
    assert "Traceback" not in proc.stderr
    errors = [line for line in proc.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and "No space left" in errors[0], proc.stderr


def test_import_onto_a_full_disk_fails_cleanly_and_resumes(disk, tmp_path):
    ref = tmp_path / "ref"
    run_papers("import", "-q", "--content", str(ref), "--year", "2025", *map(str, SEEDS), check=True)
    need = sum(p.stat().st_size for p in ref.rglob("*.md"))
    content = disk / "content"
    for leave in (0, need // 4, need // 2, need * 3 // 4):
        ballast = fill(disk, leave)
        proc = run_papers("import", "-q", "--content", str(content), "--year", "2025", *map(str, SEEDS))
        one_line_error(proc)
        if content.exists():
            names = [p.name for p in content.rglob("*") if p.is_file()]
            assert not [n for n in names if ".tmp-" in n]  # a failed write removes its temporary file
            papers, problems = check_content(content)
            assert not [p for p in problems if p.severity == "error"], problems[:3]
            assert all(p.stat().st_size > 0 for p in content.rglob("*.md"))
        ballast.unlink()
        run_papers("import", "-q", "--content", str(content), "--year", "2025", *map(str, SEEDS), check=True)
        assert tree(content) == tree(ref)
        shutil.rmtree(content)


def test_build_onto_a_full_disk_keeps_the_previous_site(disk, tmp_path):
    """Free space from none to just short of what the build needs, so the disk fills at every stage: while
    pages are staged, and after the last page is written (the search index, the cache files). Each failure is
    exit 1 with one line, site/ is a whole site, and no staging folder is left beside it."""
    old = tmp_path / "old"
    run_papers("import", "-q", "--content", str(old), "--year", "2025", *map(str, SEEDS), check=True)
    new = tmp_path / "new"
    shutil.copytree(old, new)
    edited = sorted(new.rglob("*.md"))[0]
    edited.write_text(edited.read_text(encoding="utf-8") + "An added sentence.\n", encoding="utf-8")
    ref = tmp_path / "ref"
    run_papers("build", "-q", "--content", str(new), "--out", str(ref / "site"), check=True)
    expected = tree(ref / "site")
    out = disk / "site"
    st = os.statvfs(disk)
    run_papers("build", "-q", "--content", str(old), "--out", str(out), check=True)
    previous = tree(out)
    site_bytes = (st.f_bavail - os.statvfs(disk).f_bavail) * st.f_frsize  # the old site and its cache
    outcomes = []
    for leave in [0, 16 << 10, 64 << 10, 256 << 10, site_bytes // 8, site_bytes // 4, site_bytes // 2,
                  site_bytes * 3 // 4, site_bytes * 2]:
        ballast = fill(disk, leave)
        proc = run_papers("build", "-q", "--content", str(new), "--out", str(out))
        ballast.unlink()
        assert not [p.name for p in disk.iterdir() if p.name.startswith("site.")]
        if proc.returncode == 0:
            assert tree(out) == expected
            outcomes.append("built")
        else:
            one_line_error(proc)
            now = tree(out)
            assert now in (previous, expected), f"a half site after a full disk with {leave} bytes free"
            outcomes.append("kept" if now == previous else "swapped, then failed")
            run_papers("build", "-q", "--content", str(new), "--out", str(out), check=True)  # space back: it builds
            assert tree(out) == expected
        run_papers("build", "-q", "--content", str(old), "--out", str(out), check=True)  # back to the old site
        assert tree(out) == previous
    assert "kept" in outcomes and outcomes[-1] == "built", outcomes
