"""Site configuration: a declared schema with defaults, validated once, every problem reported together.

The config file is YAML (`papers.yml` beside content/ by default). Each setting is a field of SiteConfig;
its type and the comment after it are the schema. Unknown keys are errors naming the key (with the
nearest known key as a suggestion), and every message names the line it is about:

    papers.yml: Config value 'home_dayz' (line 3): unknown key; did you mean 'home_days'?
"""
from __future__ import annotations

import difflib
import typing
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

import yaml

from .errors import ConfigError

__all__ = ["SiteConfig", "load_config", "DEFAULT_CONFIG_NAME", "SCHEMA"]

DEFAULT_CONFIG_NAME = "papers.yml"


@dataclass(frozen=True)
class SiteConfig:
    """Every setting, with its default. The comment after each field is its documentation."""

    title: str = "Paper Archive"  # site name, in every page's header and the feeds
    description: str = "Daily research papers, archived."  # meta description and feed subtitle
    base_url: str = "http://127.0.0.1:8000/"  # absolute URL of the site root; --base-url overrides it
    language: str = "en"  # <html lang>
    theme: str = "default"  # a theme name (themes/<name>/ beside the config, or a packaged theme) or a path
    overrides: str = "overrides"  # folder of site-local templates/ and static/ that win over the theme
    home_papers: int = 30  # the home page shows whole latest days until it holds at least this many papers
    home_days: int = 30  # ... but never more than this many days
    feed_size: int = 50  # entries in feed.xml and feed.json
    root: Path = field(default=Path("."), compare=False)  # folder the config's relative paths start from

    @property
    def base_path(self) -> str:
        """The path part of base_url, e.g. `/` or `/archive/`: every internal link starts with it."""
        from urllib.parse import urlsplit

        path = urlsplit(self.base_url).path or "/"
        return path if path.endswith("/") else path + "/"


def _schema() -> dict[str, type]:
    hints = typing.get_type_hints(SiteConfig)
    return {f.name: hints[f.name] for f in fields(SiteConfig) if f.name != "root"}


SCHEMA: dict[str, type] = _schema()  # key -> type, in declaration order
POSITIVE = ("home_papers", "home_days", "feed_size")
NON_EMPTY = ("title", "base_url", "language", "theme")


def _check(key: str, value: Any) -> str | None:
    """What is wrong with one setting, or None."""
    if key not in SCHEMA:
        close = difflib.get_close_matches(key, list(SCHEMA), n=1)
        hint = f"did you mean '{close[0]}'?" if close else "known keys: " + ", ".join(SCHEMA)
        return f"unknown key; {hint}"
    want = SCHEMA[key]
    if not isinstance(value, want) or isinstance(value, bool):
        return f"expected {'a number' if want is int else 'text'}, got {value!r}"
    if key in NON_EMPTY and not str(value).strip():
        return "must not be empty"
    if key == "base_url" and not str(value).startswith(("http://", "https://")):
        return f"must be an absolute URL starting with http:// or https://, got {value!r}"
    if key in POSITIVE and value < 1:
        return f"must be at least 1, got {value}"
    return None


def _key_lines(text: str) -> dict[str, int]:
    """Line (1-based) of each top-level key in the YAML text."""
    try:
        node = yaml.compose(text)
    except yaml.YAMLError:
        return {}
    if not isinstance(node, yaml.MappingNode):
        return {}
    return {str(k.value): k.start_mark.line + 1 for k, _ in node.value}


def _read(path: Path) -> tuple[dict[str, Any], dict[str, int]]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError("config file not found; check --config", path) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read the config ({exc}); save it as UTF-8 text", path) from None
    try:
        loaded = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise ConfigError(f"not valid YAML ({getattr(exc, 'problem', None) or exc}); fix the syntax", path,
                          mark.line + 1 if mark else None) from None
    if loaded is not None and not isinstance(loaded, dict):
        raise ConfigError("the config must be a mapping of `key: value` lines", path, 1)
    return loaded or {}, _key_lines(text)


def load_config(path: Path | None, content: Path, base_url: str | None = None) -> SiteConfig:
    """Read and validate the config; `path` None means `papers.yml` beside content/ if it exists."""
    if path is None:
        candidate = content.parent / DEFAULT_CONFIG_NAME
        path = candidate if candidate.is_file() else None
    data: dict[str, Any] = {}
    lines: dict[str, int] = {}
    root = content.parent
    if path is not None:
        data, lines = _read(path)
        root = path.parent
    problems: list[tuple[str, int | None]] = []  # (message, line)
    for key, value in data.items():
        reason = _check(str(key), value)
        if reason:
            problems.append((f"Config value '{key}': {reason}", lines.get(str(key))))
    if base_url is not None:
        reason = _check("base_url", base_url)
        if reason:
            problems.append((f"--base-url: {reason}", None))
        data["base_url"] = base_url
    if len(problems) == 1:
        raise ConfigError(problems[0][0], path, problems[0][1])
    if problems:
        raise ConfigError("; ".join(m.replace(":", f" (line {n}):", 1) if n else m for m, n in problems), path)
    if not data.get("base_url", "/").endswith("/"):
        data["base_url"] += "/"
    return SiteConfig(root=root, **data)
