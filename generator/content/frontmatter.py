"""YAML front matter text ↔ dicts, with PyYAML's results and, for the shapes import writes, without its cost.

`dump(front)` writes what `yaml.dump(front, **DUMP_OPTIONS)` writes; `load(head)` returns what
`yaml.load(head)` returns. Both try a fast path first — one-line printable-ASCII strings, ints and days
in a flat mapping whose lists hold scalars or flat mappings, exactly what `papers import` writes — and
leave everything else (any other character, style, nesting, comments, anchors) to PyYAML. A scalar is
taken by the fast path only when PyYAML's own resolver agrees on how it reads; tests/test_content.py
checks both paths against PyYAML with generated input. They made a 100k-paper import five times faster.
"""
from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache
from typing import Any

import yaml

__all__ = ["dump", "load", "load_fast", "DUMP_OPTIONS", "Dumper", "Loader"]

try:  # libyaml when present: same output, several times faster
    from yaml import CSafeDumper as _BaseDumper
    from yaml import CSafeLoader as Loader
except ImportError:  # pragma: no cover
    from yaml import SafeDumper as _BaseDumper  # type: ignore[assignment]
    from yaml import SafeLoader as Loader  # type: ignore[assignment]


DUMP_OPTIONS: dict[str, Any] = {"sort_keys": False, "allow_unicode": True, "default_flow_style": False,
                                 "width": 100000}
_RESOLVER = yaml.resolver.Resolver()
_RESOLVED_BY_FIRST = frozenset(_RESOLVER.yaml_implicit_resolvers)  # first characters of non-str plain scalars
_STR_TAG = "tag:yaml.org,2002:str"
_PLAIN_OK = re.compile(r"[A-Za-z0-9]")  # a first character that is never a YAML indicator
_PLAIN_BREAKERS = re.compile(r": | #|:$")  # what stops a string being plain in block context
_KEY_VALUE = re.compile(r"([A-Za-z_][A-Za-z0-9_-]*): (.+)")
_KEY_ONLY = re.compile(r"([A-Za-z_][A-Za-z0-9_-]*):")
_INT = re.compile(r"-?(?:0|[1-9][0-9]*)")
_ISO_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_MISS = object()
SHORT = 64  # values up to this long are memoised: keys, listing names, numbers and days repeat in every file


class Dumper(_BaseDumper):  # type: ignore[misc,valid-type]
    """The safe dumper, without `&id001` anchors when two fields hold the same object (e.g. one date)."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def dump(front: dict[str, Any]) -> str:
    """`front` as YAML block-style text, exactly as yaml.dump(front, Dumper, **DUMP_OPTIONS) writes it."""
    text = _fast_yaml(front)
    return text if text is not None else yaml.dump(front, Dumper=Dumper, **DUMP_OPTIONS)


def load(head: str) -> Any:
    """yaml.load(head) with the safe loader; raises what it raises (yaml.YAMLError, ValueError)."""
    data = _fast_load(head)
    return data if data is not None else yaml.load(head, Loader=Loader)  # noqa: S506 - a safe loader


def load_fast(head: str) -> dict[str, Any] | None:
    """load(head) when the fast path can read it (so a mapping with no repeated key), else None."""
    return _fast_load(head)



def _fast_str(value: str) -> str | None:
    """How yaml.dump writes a printable ASCII str in a block mapping, or None when unsure."""
    if len(value) > 4000 or not value.isascii() or not value.isprintable() or not value:
        return None
    if value[0] == " " or value[-1] == " ":
        return "'" + value.replace("'", "''") + "'"
    if _PLAIN_OK.match(value) is None:  # starts with an indicator, `---`, `...`: leave it to yaml
        return None
    if _PLAIN_BREAKERS.search(value) or (value[0] in _RESOLVED_BY_FIRST and _RESOLVER.resolve(
            yaml.ScalarNode, value, (True, False)) != _STR_TAG):
        return "'" + value.replace("'", "''") + "'"
    return value


def _fast_scalar(value: Any) -> str | None:
    """How yaml.dump writes a simple scalar (printable ASCII str, int, date), or None when unsure."""
    kind = type(value)
    if kind is str:
        return _fast_str(value) if len(value) > SHORT else _short_str(value)
    if kind is int:
        return str(value)
    if kind is dt.date:
        return value.isoformat()
    return None


# Keys written in every file; checked once here instead of for every paper.
_PLAIN_KEYS = frozenset(k for k in ("schema", "title", "slug", "date", "authors_count", "organization", "upvotes",
                                    "flags", "seen", "aliases", "listing", "page_date", "line") if _fast_str(k) == k)


def _fast_yaml(front: dict[str, Any]) -> str | None:
    """The front matter as yaml.dump(**DUMP_OPTIONS) writes it, for the shapes import writes; else None.

    yaml.dump is most of the cost of an import; tests/test_content.py checks both agree."""
    out: list[str] = []
    scalar = _fast_scalar
    for key, value in front.items():
        if key not in _PLAIN_KEYS and (type(key) is not str or scalar(key) != key):
            return None
        if type(value) is list:
            if not value:
                return None
            out.append(f"{key}:\n")
            for item in value:
                if type(item) is dict:
                    if not item:
                        return None
                    lead = "- "
                    for k, v in item.items():
                        vs = scalar(v)
                        if vs is None or (k not in _PLAIN_KEYS and (type(k) is not str or scalar(k) != k)):
                            return None
                        out.append(f"{lead}{k}: {vs}\n")
                        lead = "  "
                else:
                    vs = scalar(item)
                    if vs is None:
                        return None
                    out.append(f"- {vs}\n")
        else:
            vs = scalar(value)
            if vs is None:
                return None
            out.append(f"{key}: {vs}\n")
    return "".join(out)



def _fast_value(text: str) -> Any:
    """The value of a one-line scalar as yaml.load reads it, or _MISS when it is not one _fast_yaml writes."""
    if not text:
        return _MISS
    if "0" <= text[0] <= "9" or text[0] == "-":
        return _fast_number_or_day(text) if len(text) > SHORT else _short_number_or_day(text)
    if text[0] == "'":
        inner = text[1:-1]
        if len(text) < 2 or text[-1] != "'" or "'" in inner.replace("''", ""):
            return _MISS
        value = inner.replace("''", "'")
        return value if _fast_str(value) == text else _MISS
    return text if _fast_str(text) == text else _MISS


def _fast_number_or_day(text: str) -> Any:
    """_fast_value of a scalar that starts with a digit or `-`."""
    if _INT.fullmatch(text):
        return int(text) if str(int(text)) == text else _MISS
    if _ISO_DAY.fullmatch(text):
        try:
            day = dt.date.fromisoformat(text)
        except ValueError:
            return _MISS  # yaml.load reports it
        return day if day.isoformat() == text else _MISS
    return text if _fast_str(text) == text else _MISS  # a name such as `000_b19c.txt`


def _fast_key(text: str, into: dict) -> bool:
    return text not in into and (text in _PLAIN_KEYS or _fast_scalar(text) == text)


def _fast_load(head: str) -> dict[str, Any] | None:
    """yaml.load of front matter written by _fast_yaml, without the cost of the YAML library; None for
    anything else (comments, other styles, nesting, hand formatting), which yaml.load then reads.

    Every scalar is accepted only if _fast_yaml writes it back the same, and _fast_yaml agrees with
    yaml.dump, so the result is the one yaml.load gives (tests/test_content.py checks it)."""
    lines = head.split("\n")
    if lines[-1] == "":
        lines.pop()
    data: dict[str, Any] = {}
    i, n = 0, len(lines)
    while i < n:
        m = _KEY_VALUE.fullmatch(lines[i])
        if m is not None:
            key, value = m.group(1), _fast_value(m.group(2))
            if value is _MISS or not _fast_key(key, data):
                return None
            data[key] = value
            i += 1
            continue
        m = _KEY_ONLY.fullmatch(lines[i])
        if m is None or not _fast_key(m.group(1), data):
            return None
        items: list[Any] = []
        i += 1
        while i < n and lines[i].startswith("- "):
            first = _KEY_VALUE.fullmatch(lines[i], 2)
            i += 1
            if first is None:
                value = _fast_value(lines[i - 1][2:])
                if value is _MISS:
                    return None
                items.append(value)
                continue
            item: dict[str, Any] = {}
            pair: re.Match[str] | None = first
            while pair is not None:
                key, value = pair.group(1), _fast_value(pair.group(2))
                if value is _MISS or not _fast_key(key, item):
                    return None
                item[key] = value
                pair = None
                if i < n and lines[i].startswith("  "):
                    pair = _KEY_VALUE.fullmatch(lines[i], 2)
                    if pair is None:
                        return None
                    i += 1
            items.append(item)
        if not items:
            return None
        data[m.group(1)] = items
    return data or None  # an empty front matter is yaml's None, an error


# Bounded memos of the two pure scalar conversions (their results are immutable: str, int, date or None).
_short_str = lru_cache(maxsize=10000)(_fast_str)
_short_number_or_day = lru_cache(maxsize=10000)(_fast_number_or_day)
