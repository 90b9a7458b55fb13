"""util.memory: with the mmap threshold fixed, large buffers freed between kept objects go back to the system."""
import platform
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# 200 buffers of 1 MB, each followed by a small object that stays: freed, how many MB does the process give back?
PROBE = textwrap.dedent("""
    import sys
    from generator.util.memory import fixed_mmap_threshold
    def rss():
        return int(next(l for l in open("/proc/self/status") if l.startswith("VmRSS")).split()[1]) // 1024
    if sys.argv[1] == "fixed":
        assert fixed_mmap_threshold()
    first = bytearray(8 << 20)
    del first  # a mapping freed: glibc's threshold slides up to 8 MB unless it was fixed
    big, small = [], []
    for i in range(200):
        big.append(bytearray(1 << 20))
        small.append(bytes(2000) + bytes([i % 256]))
    before = rss()
    del big
    print(before - rss())
""")


def _given_back(mode: str) -> int:
    run = subprocess.run([sys.executable, "-c", PROBE, mode], capture_output=True, text=True, cwd=ROOT, check=True)
    return int(run.stdout)


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="not glibc's malloc")
def test_fixed_threshold_gives_freed_buffers_back():
    assert _given_back("fixed") >= 150
    assert _given_back("sliding") < 50  # the control: what the search index's process did before
