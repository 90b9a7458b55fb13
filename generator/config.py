"""Site configuration: a declared schema with defaults, validated once, every problem reported together.

The config file is YAML (`papers.yml` beside content/ by default). Unknown keys are errors, naming the key.
"""
from __future__ import annotations

from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

import yaml

from .errors import ConfigError

__all__ = ["SiteConfig", "load_config", "DEFAULT_CONFIG_NAME"]

DEFAULT_CONFIG_NAME = "papers.yml"


@dataclass(frozen=True)
class SiteConfig:
    """Every setting, with its default. The docstring of each field is the comment after it."""

    title: str = "Paper Archive"  # site name, in every page's header and the feeds
    description: str = "Daily research papers, archived."  # meta description and feed subtitle
    base_url: str = "http://127.0.0.1:8000/"  # absolute URL of the site root; --base-url overrides it
    language: str = "en"  # <html lang>
    theme: str = "default"  # a theme name (themes/<name>/ beside the config, or a packaged theme) or a path
    overrides: str = "overrides"  # folder of site-local templates/ and static/ that win over the theme
    home_days: int = 7  # how many of the latest days with papers the home page shows
    feed_size: int = 50  # entries in feed.xml and feed.json
    root: Path = field(default=Path("."), compare=False)  # folder the config's relative paths start from

    @property
    def base_path(self) -> str:
        """The path part of base_url, e.g. `/` or `/archive/`: every internal link starts with it."""
        from urllib.parse import urlsplit

        path = urlsplit(self.base_url).path or "/"
        return path if path.endswith("/") else path + "/"


_TYPES: dict[str, type] = {"title": str, "description": str, "base_url": str, "language": str, "theme": str,
                           "overrides": str, "home_days": int, "feed_size": int}


def _validate(data: dict[str, Any], path: Path | None) -> list[str]:
    problems = []
    for key, value in data.items():
        if key not in _TYPES:
            problems.append(f"Config value '{key}': unknown key; known keys: {', '.join(_TYPES)}")
        elif not isinstance(value, _TYPES[key]) or isinstance(value, bool):
            problems.append(f"Config value '{key}': expected {_TYPES[key].__name__}, got {value!r}")
        elif key == "base_url" and not str(value).startswith(("http://", "https://")):
            problems.append(f"Config value 'base_url': must start with http:// or https://, got {value!r}")
        elif key in ("home_days", "feed_size") and value < 1:
            problems.append(f"Config value '{key}': must be at least 1")
    return problems


def load_config(path: Path | None, content: Path, base_url: str | None = None) -> SiteConfig:
    """Read and validate the config; `path` None means `papers.yml` beside content/ if it exists."""
    if path is None:
        candidate = content.parent / DEFAULT_CONFIG_NAME
        path = candidate if candidate.is_file() else None
    data: dict[str, Any] = {}
    root = content.parent
    if path is not None:
        try:
            loaded = yaml.safe_load(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ConfigError("config file not found; check --config", path) from None
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            raise ConfigError(f"not valid YAML ({getattr(exc, 'problem', exc)})", path,
                              mark.line + 1 if mark else None) from None
        if loaded is not None and not isinstance(loaded, dict):
            raise ConfigError("the config must be a mapping of `key: value` lines", path, 1)
        data = loaded or {}
        root = path.parent
    if base_url is not None:
        data["base_url"] = base_url
    problems = _validate(data, path)
    if problems:
        raise ConfigError("; ".join(problems), path)
    if not data.get("base_url", "/").endswith("/"):
        data["base_url"] += "/"
    known = {f.name for f in fields(SiteConfig)}
    return SiteConfig(root=root, **{k: v for k, v in data.items() if k in known})
