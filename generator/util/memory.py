"""Giving freed memory back to the system (glibc's malloc; both do nothing on other C libraries).

`give_back()` (malloc_trim): the heap's free pages go back now. A forked process starts with the RSS of its
parent, free pages included: SearchJob calls it before it forks. A build forks the search job once the papers
are read, when the main process held ~80 MB of the reading's freed memory at 100k papers; trimmed first, the
job, the main process and the render worker each peaked ~45 MB lower (8 ms).

`fixed_mmap_threshold()`: a large buffer freed goes back to the system at once.

glibc serves a request above its mmap threshold (128 KiB at start) with a mapping of its own, and gives it
back on free; but each such free raises the threshold to the buffer's size, so the next buffers of that
size come from the heap, where the small objects made between them pin the space. The search index counts
512 documents at a time in numpy (temporaries of ~1 MB each): with the sliding threshold, its process held
~50 MB more at 100k papers than the objects in it (tracemalloc: 269 MB; RSS: 303 MB after the index, a
peak of 789 MB against 751 MB with the threshold fixed).
"""
from __future__ import annotations

import ctypes
import sys
from typing import Any

__all__ = ["fixed_mmap_threshold", "give_back"]

M_MMAP_THRESHOLD = -3  # glibc's malloc.h; setting it also stops the threshold from sliding


def fixed_mmap_threshold(size: int = 128 * 1024) -> bool:
    """Fix the threshold at `size` for this process (the search job's; it stays set); False if not glibc."""
    mallopt = _libc("mallopt", [ctypes.c_int, ctypes.c_int])
    return mallopt is not None and mallopt(M_MMAP_THRESHOLD, size) == 1


def give_back() -> bool:
    """Return the heap's free pages to the system (glibc's malloc_trim); False if not glibc."""
    trim = _libc("malloc_trim", [ctypes.c_size_t])
    return trim is not None and bool(trim(0))


def _libc(name: str, argtypes: list) -> Any:
    """The C library's function `name` (returning an int) on Linux, if it has one; else None."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        fn = getattr(ctypes.CDLL(None), name)
    except (OSError, AttributeError):
        return None
    fn.argtypes, fn.restype = argtypes, ctypes.c_int
    return fn
