"""Daily Papers listing text → records (`parser`), records → content files (`merge`)."""
from __future__ import annotations

from .merge import ImportReport, import_listings
from .parser import Entry, Listing, parse_listing

__all__ = ["Entry", "Listing", "parse_listing", "ImportReport", "import_listings"]
