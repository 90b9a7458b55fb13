"""LaTeX leftovers in titles and abstracts, cleaned for readers at render time (content files keep their text).

Daily Papers listings (and the API) carry abstracts whose LaTeX lost its backslashes or was never rendered:
`4times`, `64times64`, `4timesRTX 3090`, `10^{19}`, `T^3`, `\\mathbf{x}`, `\\url{https://…}`. The model cleans
what every page shows (titles, teasers, the abstract's HTML, AI summaries, feeds): `×` for a `times` glued to a
number, Unicode superscripts for `^` followed by digits, and the argument of a formatting command. Cleaning at
render rather than at import keeps content files as the sources wrote them (import never rewrites a body) and
applies to fields `papers fetch` writes too; the search index keeps the raw text.
"""
from __future__ import annotations

import re

__all__ = ["clean_latex", "clean_latex_html"]

_TIMES = re.compile(r"(?<=\d)(?:\s?\\times|times)(?![a-z])")  # 4times, 64times64, 4timesRTX, 3.5 \times
_SUP_MAP = str.maketrans("0123456789+-=()ni", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ⁿⁱ")
_SUP = re.compile(r"\^(?:\{([0-9+\-=()ni]{1,8})\}|([0-9]{1,4}|[ni])(?![A-Za-z0-9]))")
_SUP_OTHER = re.compile(r"\^\{([^{}\\]{1,24})\}")  # ^{abc}: no Unicode form; keep `^abc`
_COMMAND = re.compile(r"\\(?:mathbf|mathrm|mathit|mathcal|mathbb|textbf|textit|text|emph|boldsymbol|operatorname)"
                      r"\s*\{([^{}]{0,80})\}")
_URL = re.compile(r"\\url\s*\{([^{}\s]{1,300})\}")
_TAG = re.compile(r"(<[^>]*>)")


def _needs(text: str) -> bool:
    return "times" in text or "^" in text or "\\" in text


def clean_latex(text: str) -> str:
    """`4timesRTX` → `4×RTX`, `10^{19}` → `10¹⁹`, `\\mathbf{x}` → `x`, `X\\url{https://a}` → `X https://a`."""
    if not text or not _needs(text):
        return text
    text = _TIMES.sub("×", text)
    text = _SUP.sub(lambda m: (m.group(1) or m.group(2)).translate(_SUP_MAP), text)
    text = _SUP_OTHER.sub(r"^\1", text)
    text = _URL.sub(r" \1", text)
    for _ in range(2):  # \mathbf{\mathrm{x}}
        text = _COMMAND.sub(r"\1", text)
    return text


def clean_latex_html(html: str) -> str:
    """clean_latex on the text of an HTML fragment, never inside a tag (so links and attributes stay as they were)."""
    if not html or not _needs(html):
        return html
    parts = _TAG.split(html)
    return "".join(part if i % 2 else clean_latex(part) for i, part in enumerate(parts))
