"""`python -m generator` is the `papers` command."""
from __future__ import annotations

from .cli import run

run()
