"""paper-archive: a static site generator for a research-paper archive."""
from __future__ import annotations

__version__ = "0.1.0"
__all__ = ["__version__"]
