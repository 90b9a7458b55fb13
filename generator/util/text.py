"""Text helpers shared by the stages."""
from __future__ import annotations

__all__ = ["one_line", "plural"]


def plural(n: int, word: str, many: str | None = None) -> str:
    """`1 paper`, `3 papers`."""
    return f"{n} {word if n == 1 else (many or word + 's')}"


def one_line(text: str) -> str:
    """`" ".join(text.split())`: every run of whitespace one space, none at the ends; the text itself, not a
    new one, when it is already so (most abstracts: ~6 µs each saved, four times per paper in a build).

    A printable str has no whitespace but the ASCII space (str.isprintable is False for line breaks, tabs,
    the other control characters and every Unicode separator), so it is one line when it has no double
    space and no space at either end."""
    if text.isprintable() and "  " not in text and text[:1] != " " and text[-1:] != " ":
        return text
    return " ".join(text.split())
