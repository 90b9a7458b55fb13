"""The version of what turns content into output: a hash of the generator's own source and of the versions
of the libraries that shape the output. A build made by other code is never taken as up to date."""
from __future__ import annotations

import hashlib
import sys
from functools import lru_cache
from pathlib import Path

__all__ = ["code_hash"]

FORMAT = 1  # bump to make every saved build state and cache stale


@lru_cache(maxsize=1)
def code_hash() -> str:
    import jinja2
    import markdown_it

    h = hashlib.sha256(f"{FORMAT}\0{sys.version_info[:2]}\0{jinja2.__version__}\0{markdown_it.__version__}".encode())
    pkg = Path(__file__).resolve().parent.parent  # generator/
    for path in sorted(pkg.rglob("*.py")):
        h.update(path.relative_to(pkg).as_posix().encode() + b"\0" + path.read_bytes())
    return h.hexdigest()
