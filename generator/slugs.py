"""Titles → identities and slugs.

Identity: Unicode NFKC, case-folded, punctuation dropped, whitespace collapsed — two listings of one paper
that differ only in those ways are one paper. Slug: ASCII, lower-case, hyphenated, at most SLUG_MAX
characters, never empty (a title with no Latin letters gets `paper-<hash>`).
"""
from __future__ import annotations

import hashlib
import re
import unicodedata

__all__ = ["identity", "slugify", "disambiguate", "SLUG_MAX"]

SLUG_MAX = 80
_NON_ALNUM = re.compile(r"[^a-z0-9]+")


def identity(title: str) -> str:
    """The normalised title that decides whether two entries are one paper."""
    text = unicodedata.normalize("NFKC", title).casefold()
    text = "".join(" " if unicodedata.category(ch).startswith("Z") else ch
                   for ch in text if not unicodedata.category(ch).startswith(("P", "C")))
    return " ".join(text.split())


def short_hash(text: str, n: int = 6) -> str:
    """A stable hex digest prefix of `text`."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:n]


def slugify(title: str) -> str:
    """A readable ASCII slug for `title`; never empty, at most SLUG_MAX characters."""
    ascii_text = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode("ascii").lower()
    slug = _NON_ALNUM.sub("-", ascii_text).strip("-")
    if len(slug) > SLUG_MAX:
        cut = slug[:SLUG_MAX + 1]
        slug = cut[:cut.rfind("-")] if "-" in cut[SLUG_MAX // 2:] else slug[:SLUG_MAX]
        slug = slug.strip("-")
    return slug or f"paper-{short_hash(identity(title) or title, 8)}"


def disambiguate(slug: str, key: str) -> str:
    """The slug made unique for identity `key`: `slug-<hash>`, the same whatever the import order."""
    base = slug[: SLUG_MAX - 7].rstrip("-")
    return f"{base}-{short_hash(key)}"
