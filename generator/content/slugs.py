"""Titles → identities and slugs.

Identity: Unicode NFKC, case-folded, punctuation and control characters dropped (but not the few marks
that change what a title names: `#`, `*`, `@`, `%`, `&`; symbols such as `+` always stay), every kind of
whitespace collapsed to one space — two listings of one paper that differ only in those ways are one
paper, and `C`, `C#` and `C++` are three. Slug: ASCII, lower-case, hyphenated, at most SLUG_MAX characters, never empty (a title with no
Latin letters or digits gets `paper-<hash>`).
"""
from __future__ import annotations

import hashlib
import re
import unicodedata
from functools import lru_cache

__all__ = ["identity", "slugify", "disambiguate", "short_hash", "SLUG_MAX", "MEANINGFUL"]

SLUG_MAX = 80
# Punctuation that changes what a title names, kept in the identity: C vs C# (F#), A* search, Pass@k, 99%, R&D.
# Symbols (`+` of C++, `=`, `<`, currency, ♯) are not punctuation and are always kept.
MEANINGFUL = frozenset("#*@%&")
_NON_ALNUM = re.compile(r"[^a-z0-9]+")
# Latin letters that NFKD does not decompose into an ASCII base letter.
_LATIN = str.maketrans({"ß": "ss", "ẞ": "SS", "æ": "ae", "Æ": "AE", "ø": "o", "Ø": "O", "œ": "oe", "Œ": "OE",
                        "đ": "d", "Đ": "D", "ð": "d", "Ð": "D", "ł": "l", "Ł": "L", "þ": "th", "Þ": "TH",
                        "ı": "i", "ħ": "h", "Ħ": "H"})


class _IdentityTable(dict):
    """str.translate table built on demand: whitespace → space, punctuation/control → dropped."""

    def __missing__(self, code: int) -> int | None:
        ch = chr(code)
        major = unicodedata.category(ch)[0]
        value: int | None
        if ch.isspace() or major == "Z":
            value = 32
        elif ch in MEANINGFUL:
            value = code
        elif major in ("P", "C"):
            value = None
        else:
            value = code
        self[code] = value
        return value


_IDENTITY_TABLE = _IdentityTable()


@lru_cache(maxsize=1 << 18)
def identity(title: str) -> str:
    """The normalised title that decides whether two entries are one paper."""
    text = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", title).casefold())
    # normalised again once the punctuation is out: "C:̧" leaves a c beside a combining cedilla, which NFKC
    # makes one ç, so the key of the key would not be the key
    key = unicodedata.normalize("NFKC", " ".join(text.translate(_IDENTITY_TABLE).split()))
    return key or " ".join(text.split())  # a title of punctuation only is still itself


def short_hash(text: str, n: int = 6) -> str:
    """A stable hex digest prefix of `text`."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:n]


def slugify(title: str) -> str:
    """A readable ASCII slug for `title`; never empty, at most SLUG_MAX characters."""
    text = title if title.isascii() else unicodedata.normalize("NFKD", title.translate(_LATIN))
    ascii_text = text.encode("ascii", "ignore").decode("ascii").lower()
    slug = _NON_ALNUM.sub("-", ascii_text).strip("-")
    if len(slug) > SLUG_MAX:
        cut = slug[:SLUG_MAX + 1]
        slug = cut[:cut.rfind("-")] if "-" in cut[SLUG_MAX // 2:] else slug[:SLUG_MAX]
        slug = slug.strip("-")
    return slug or f"paper-{short_hash(identity(title) or title, 8)}"


def disambiguate(slug: str, key: str, taken: object = ()) -> str:
    """`slug-<hash of identity key>`: unique for `key`, lengthening the hash while it is in `taken`."""
    for n in range(6, 65, 2):
        base = slug[: SLUG_MAX - n - 1].rstrip("-")
        candidate = f"{base}-{short_hash(key, n)}"
        if candidate not in taken:  # type: ignore[operator]
            return candidate
    raise ValueError(f"cannot find a free slug for {slug!r}")  # pragma: no cover - needs a sha256 collision
