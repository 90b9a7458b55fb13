"""Abstracts → safe HTML with markdown-it-py: raw HTML off, URLs linkified, only absolute http(s)/mailto links.

Abstracts are untrusted text. Raw HTML is escaped, images are not rendered, and a link survives only when
its normalised target starts with `http://`, `https://` or `mailto:`; anything else (javascript:, data:,
vbscript:, file:, relative or protocol-relative paths) stays as the literal text the author wrote.
"""
from __future__ import annotations

from functools import lru_cache
from urllib.parse import urlsplit

from markdown_it import MarkdownIt

__all__ = ["render_abstract", "SAFE_SCHEMES", "is_safe_url", "link_kind"]

SAFE_SCHEMES = ("http://", "https://", "mailto:")


def is_safe_url(url: str) -> bool:
    """True for absolute http(s) URLs with a host, and mailto: addresses; nothing else becomes a link."""
    lowered = url.strip().lower()
    if lowered.startswith("mailto:"):
        return len(lowered) > len("mailto:")
    if not lowered.startswith(("http://", "https://")):
        return False
    return bool(urlsplit(url.strip()).netloc)


@lru_cache(maxsize=1)
def _md() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": True, "typographer": False})
    md.enable(["linkify"])
    md.disable(["image"])  # an abstract has no business loading remote images
    md.validateLink = is_safe_url
    return md


def _walk(tokens: list):
    for tok in tokens:
        yield tok
        if tok.children:
            yield from _walk(tok.children)


def render_abstract(text: str) -> tuple[str, list[str]]:
    """The abstract's HTML and the http(s) links it holds, in order of appearance, without repeats."""
    html, links = _render(text)
    return html, list(links)


@lru_cache(maxsize=None)  # `papers serve --watch` rebuilds the site model often; each abstract renders once
def _render(text: str) -> tuple[str, tuple[str, ...]]:
    md = _md()
    tokens = md.parse(text)
    links: list[str] = []
    for tok in tokens:
        if tok.children:
            tok.children = _drop_bare_names(tok.children)
    for tok in _walk(tokens):
        if tok.type == "link_open":
            tok.attrSet("rel", "nofollow noopener")
            href = str(tok.attrGet("href") or "")
            if href.lower().startswith(("http://", "https://")) and href not in links:
                links.append(href)
    return md.renderer.render(tokens, md.options, {}), tuple(links)


def _is_link_worthy(label: str) -> bool:
    """A linkified name without a scheme is a link only with `www.` or a path: `github.com/a/b` is, `train.py`,
    `README.md` and `model.pt` (all valid domain names) are not."""
    lowered = label.lower()
    if "://" in lowered or lowered.startswith(("mailto:", "www.")) or "@" in lowered:
        return True
    host, slash, path = lowered.partition("/")
    return bool(slash and path.strip("/"))


def _drop_bare_names(children: list) -> list:
    """Turn autolinked bare file-like names back into text (link_open, text, link_close → text)."""
    out: list = []
    i = 0
    while i < len(children):
        tok = children[i]
        if (tok.type == "link_open" and tok.markup == "linkify" and i + 2 < len(children)
                and children[i + 1].type == "text" and children[i + 2].type == "link_close"
                and not _is_link_worthy(children[i + 1].content)):
            out.append(children[i + 1])
            i += 3
            continue
        out.append(tok)
        i += 1
    return out


_KINDS = {"github.com": "Code", "gitlab.com": "Code", "huggingface.co": "Hugging Face", "arxiv.org": "arXiv",
          "github.io": "Project page"}


def link_kind(url: str) -> str:
    """A short label for a link pulled from an abstract: Code, Hugging Face, arXiv, Project page or Link."""
    host = urlsplit(url).netloc.lower().removeprefix("www.")
    for suffix, kind in _KINDS.items():
        if host == suffix or host.endswith("." + suffix):
            return kind
    return "Link"
