"""lunr.js 2.3.9's text pipeline in Python: tokenizer, trimmer, stop-word filter and Porter stemmer, bit for bit.

The browser runs lunr.js, so the index must hold exactly the terms lunr.js would make. lunr.py differs from
lunr.js in three places that change terms (its trimmer uses Unicode `\\W` and keeps tokens with inner
punctuation, its stemmer is Martin Porter's C port where lunr.js has its own: `try` → `try` vs `tri`, `lay` →
`lai` vs `lay`), so those three steps are ported here from lunr.js itself; the stop-word list is lunr.py's
(identical to lunr.js's). JavaScript strings are UTF-16: where that matters (length tests, `.` in the
stemmer) words with characters outside the BMP are processed as UTF-16 code units.

`Analyzer` runs the pipeline once per distinct token (`learn`) and then counts terms with a dict lookup per
token (`count`): a 10k-paper archive has ~1.9M tokens but ~60k distinct ones. tests/test_lunr_compat.py checks every term against lunr.js running in node.
"""
from __future__ import annotations

import re
from collections import Counter
from typing import Iterable, Iterator

from lunr.stop_word_filter import WORDS as LUNR_STOP_WORDS

__all__ = ["Analyzer", "tokenize", "trim", "stem", "STOP_WORDS", "js_sort_key", "js_sorted"]

# lunr.tokenizer.separator = /[\s\-]+/ ; JavaScript's \s is this set, not Python's.
JS_SPACE = "\t\n\v\f\r \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
_SPLIT = re.compile(f"[{JS_SPACE}\\-]+")
_PY_ONLY_SPACE = re.compile("[\x1c-\x1f]")  # str.split() whitespace that JavaScript's \s is not
# lunr.trimmer: s.replace(/^\W+/, '').replace(/\W+$/, '') with JavaScript's ASCII-only \W.
_TRIM = re.compile(r"^[^A-Za-z0-9_]+|[^A-Za-z0-9_]+\Z")
STOP_WORDS = frozenset(LUNR_STOP_WORDS)
DROP = object()  # memo value of tokens the pipeline drops


def tokenize(text: str) -> list[str]:
    """lunr.tokenizer: lower-case, split on whitespace and hyphens, drop empty pieces."""
    return [t for t in _SPLIT.split(text.lower()) if t]


def trim(token: str) -> str:
    """lunr.trimmer (may return '': lunr.js then indexes the empty term, and so do we)."""
    return _TRIM.sub("", token)


def js_sort_key(s: str) -> bytes:
    """Sort key matching JavaScript's string comparison (UTF-16 code units)."""
    return s.encode("utf-16-be", "surrogatepass")


def js_sorted(strings: Iterable[str]) -> list[str]:
    """Sorted as JavaScript's default sort would (code point order is the same unless a string leaves the BMP)."""
    out = list(strings)
    if any(not s.isascii() and max(s) > "\uffff" for s in out):
        out.sort(key=js_sort_key)
    else:
        out.sort()
    return out


def _to_units(s: str) -> str:
    return "".join(c if ord(c) <= 0xFFFF else chr(0xD7C0 + (ord(c) >> 10)) + chr(0xDC00 + (ord(c) & 0x3FF))
                   for c in s)


def _from_units(s: str) -> str:
    return s.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "surrogatepass")


# ---- lunr.stemmer (lunr.js 2.3.9), statement for statement ----
_STEP2 = {"ational": "ate", "tional": "tion", "enci": "ence", "anci": "ance", "izer": "ize", "bli": "ble",
          "alli": "al", "entli": "ent", "eli": "e", "ousli": "ous", "ization": "ize", "ation": "ate", "ator": "ate",
          "alism": "al", "iveness": "ive", "fulness": "ful", "ousness": "ous", "aliti": "al", "iviti": "ive",
          "biliti": "ble", "logi": "log"}
_STEP3 = {"icate": "ic", "ative": "", "alize": "al", "iciti": "ic", "ical": "ic", "ful": "", "ness": ""}
_c = "[^aeiou]"
_v = "[aeiouy]"
_C = _c + "[^aeiouy]*"
_V = _v + "[aeiou]*"
_DOT = "[^\n\r\u2028\u2029]"  # JavaScript's `.`
_re = re.compile
RE_MGR0 = _re("^(" + _C + ")?" + _V + _C)
RE_MEQ1 = _re("^(" + _C + ")?" + _V + _C + "(" + _V + ")?\\Z")
RE_MGR1 = _re("^(" + _C + ")?" + _V + _C + _V + _C)
RE_S_V = _re("^(" + _C + ")?" + _v)
RE_1A = _re(f"^({_DOT}+?)(ss|i)es\\Z")
RE2_1A = _re(f"^({_DOT}+?)([^s])s\\Z")
RE_1B = _re(f"^({_DOT}+?)eed\\Z")
RE2_1B = _re(f"^({_DOT}+?)(ed|ing)\\Z")
RE_1B_2 = _re(f"{_DOT}\\Z")
RE2_1B_2 = _re("(at|bl|iz)\\Z")
RE3_1B_2 = _re("([^aeiouylsz])\\1\\Z")
RE4_1B_2 = _re("^" + _C + _v + "[^aeiouwxy]\\Z")
RE_1C = _re(f"^({_DOT}+?[^aeiou])y\\Z")
RE_2 = _re(f"^({_DOT}+?)(ational|tional|enci|anci|izer|bli|alli|entli|eli|ousli|ization|ation|ator|alism|iveness|"
           "fulness|ousness|aliti|iviti|biliti|logi)\\Z")
RE_3 = _re(f"^({_DOT}+?)(icate|ative|alize|iciti|ical|ful|ness)\\Z")
RE_4 = _re(f"^({_DOT}+?)(al|ance|ence|er|ic|able|ible|ant|ement|ment|ent|ou|ism|ate|iti|ous|ive|ize)\\Z")
RE2_4 = _re(f"^({_DOT}+?)(s|t)(ion)\\Z")
RE_5 = _re(f"^({_DOT}+?)e\\Z")
RE_5_1 = _re("ll\\Z")
RE3_5 = _re("^" + _C + _v + "[^aeiouwxy]\\Z")


def _search(rx: re.Pattern, w: str) -> re.Match | None:
    # JavaScript RegExp.test/exec find a match anywhere; patterns anchored with ^ behave as re.match.
    return rx.search(w)


_S2 = tuple(_STEP2)
_S3 = tuple(_STEP3)
_S4 = ("al", "ance", "ence", "er", "ic", "able", "ible", "ant", "ement", "ment", "ent", "ou", "ism", "ate", "iti",
       "ous", "ive", "ize")


def _porter(w: str) -> str:
    # `w.endswith(...)` guards only skip regexes that cannot match; the steps are lunr.js's, in its order.
    if len(w) < 3:
        return w
    firstch = w[0]
    if firstch == "y":
        w = "Y" + w[1:]
    # Step 1a
    if w.endswith("s"):
        if _search(RE_1A, w):
            w = RE_1A.sub(r"\1\2", w, count=1)
        elif _search(RE2_1A, w):
            w = RE2_1A.sub(r"\1\2", w, count=1)
    # Step 1b
    fp = _search(RE_1B, w) if w.endswith("eed") else None
    if fp:
        if _search(RE_MGR0, fp.group(1)):
            w = RE_1B_2.sub("", w, count=1)
    else:
        fp = _search(RE2_1B, w) if w.endswith(("ed", "ing")) else None
        if fp:
            stem_ = fp.group(1)
            if _search(RE_S_V, stem_):
                w = stem_
                if _search(RE2_1B_2, w):
                    w = w + "e"
                elif _search(RE3_1B_2, w):
                    w = RE_1B_2.sub("", w, count=1)
                elif _search(RE4_1B_2, w):
                    w = w + "e"
    # Step 1c
    fp = _search(RE_1C, w) if w.endswith("y") else None
    if fp:
        w = fp.group(1) + "i"
    # Step 2
    fp = _search(RE_2, w) if w.endswith(_S2) else None
    if fp and _search(RE_MGR0, fp.group(1)):
        w = fp.group(1) + _STEP2[fp.group(2)]
    # Step 3
    fp = _search(RE_3, w) if w.endswith(_S3) else None
    if fp and _search(RE_MGR0, fp.group(1)):
        w = fp.group(1) + _STEP3[fp.group(2)]
    # Step 4
    fp = _search(RE_4, w) if w.endswith(_S4) else None
    if fp:
        if _search(RE_MGR1, fp.group(1)):
            w = fp.group(1)
    else:
        fp = _search(RE2_4, w) if w.endswith(("sion", "tion")) else None
        if fp:
            stem_ = fp.group(1) + fp.group(2)
            if _search(RE_MGR1, stem_):
                w = stem_
    # Step 5
    fp = _search(RE_5, w) if w.endswith("e") else None
    if fp:
        stem_ = fp.group(1)
        if _search(RE_MGR1, stem_) or (_search(RE_MEQ1, stem_) and not _search(RE3_5, stem_)):
            w = stem_
    if w.endswith("ll") and _search(RE_MGR1, w):
        w = RE_1B_2.sub("", w, count=1)
    if firstch == "y":
        w = "y" + w[1:]
    return w


def stem(word: str) -> str:
    """lunr.stemmer on one word (UTF-16 semantics for characters outside the BMP)."""
    if word.isascii() or max(word) <= "\uffff":
        return _porter(word)
    return _from_units(_porter(_to_units(word)))


class Analyzer:
    """The lunr.js index pipeline (trimmer → stopWordFilter → stemmer), memoised per distinct token."""

    def __init__(self) -> None:
        self._memo: dict[str, object] = {"": DROP}  # '' pieces come from split(), not from the text

    @staticmethod
    def term(token: str) -> str | None:
        """The term lunr.js indexes for one token, or None when the stop-word filter drops it."""
        t = trim(token)
        if t in STOP_WORDS:
            return None
        return stem(t)

    def split(self, text: str | None) -> list[str]:
        """lunr.tokenizer's pieces of a field's text (may include '' pieces, which count for nothing).

        For ASCII text, str.split() splits where JavaScript's \\s does, except at \\x1c-\\x1f, and is several
        times quicker than the regular expression (it drops the '' pieces, which count for nothing)."""
        if not text:
            return []
        low = text.lower()
        if low.isascii() and _PY_ONLY_SPACE.search(low) is None:
            return low.replace("-", " ").split()
        return _SPLIT.split(low)

    def learn(self, tokens: Iterable[str]) -> None:
        """Run the pipeline once for each token not seen before (and the stemmer once per trimmed word)."""
        memo = self._memo
        for tok, term in self.run(set(tokens).difference(memo)):
            memo[tok] = DROP if term is None else term

    @staticmethod
    def run(tokens: Iterable[str]) -> Iterator[tuple[str, str | None]]:
        """Each of `tokens` with its term (None: dropped), not memoised (the stemmer once per trimmed word)."""
        stems: dict[str, str] = {}
        for tok in tokens:
            t = _TRIM.sub("", tok)
            if t in STOP_WORDS:
                yield tok, None
                continue
            s = stems.get(t)
            if s is None:
                s = stems[t] = stem(t)
            yield tok, s

    def count(self, toks: list[str]) -> tuple[dict[str, int], int]:
        """Term frequencies of learned tokens (in first-occurrence order) and the field length lunr counts."""
        cnt = Counter(map(self._memo.__getitem__, toks))
        cnt.pop(DROP, None)
        return cnt, sum(cnt.values())

    def counts(self, text: str | None) -> tuple[dict[str, int], int]:
        """A field's term frequencies (in first-occurrence order) and its length, as lunr.Builder.add counts."""
        toks = self.split(text)
        self.learn(toks)
        return self.count(toks)

    def terms(self, text: str | None) -> list[str]:
        """Terms of a field's text, in order."""
        return [t for t in (self.term(tok) for tok in tokenize(text or "")) if t is not None]
