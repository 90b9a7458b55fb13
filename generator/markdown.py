"""Abstracts → safe HTML with markdown-it-py: raw HTML off, URLs linkified, only http(s)/mailto links."""
from __future__ import annotations

import re
from functools import lru_cache

from markdown_it import MarkdownIt

__all__ = ["render_abstract", "SAFE_SCHEMES"]

SAFE_SCHEMES = ("http:", "https:", "mailto:")
_SCHEME = re.compile(r"^\s*([a-zA-Z][a-zA-Z0-9+.-]*):")


def _validate_link(url: str) -> bool:
    """Only http, https and mailto links, or relative ones; never javascript:, data:, vbscript:, file:."""
    m = _SCHEME.match(url)
    return m is None or (m.group(1).lower() + ":") in SAFE_SCHEMES


@lru_cache(maxsize=1)
def _md() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": True, "typographer": False})
    md.enable(["linkify"])
    md.disable(["image"])  # an abstract has no business loading remote images
    md.validateLink = _validate_link
    return md


def _links(tokens: list) -> list[str]:
    out: list[str] = []
    for tok in tokens:
        for child in tok.children or []:
            if child.type == "link_open":
                href = str(child.attrGet("href") or "")
                if href.startswith(("http://", "https://")) and href not in out:
                    out.append(href)
    return out


def render_abstract(text: str) -> tuple[str, list[str]]:
    """The abstract's HTML and the http(s) links it holds, in order of appearance."""
    md = _md()
    tokens = md.parse(text)
    for tok in tokens:
        for child in tok.children or []:
            if child.type == "link_open":
                child.attrSet("rel", "nofollow noopener")
    html = md.renderer.render(tokens, md.options, {})
    return html, _links(tokens)
