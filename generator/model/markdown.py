"""Abstracts → safe HTML with markdown-it-py: raw HTML off, URLs linkified, only absolute http(s)/mailto links.

Abstracts are untrusted text. Raw HTML is escaped, images are not rendered, and a link survives only when
its normalised target starts with `http://`, `https://` or `mailto:`; anything else (javascript:, data:,
vbscript:, file:, relative or protocol-relative paths) stays as the literal text the author wrote.
"""
from __future__ import annotations

import hashlib
import re
from functools import lru_cache
from typing import Iterable
from urllib.parse import urlsplit

from markdown_it import MarkdownIt

from ..util.parallel import fork_map, jobs, runs

__all__ = ["render_abstract", "prepare", "SAFE_SCHEMES", "is_safe_url", "link_kind"]

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
    pretest, test = md.linkify.pretest, md.linkify.test  # test(text) is True only where pretest(text) is
    md.linkify.pretest = lambda text: may_link(text) and pretest(text)
    md.linkify.test = lambda text: may_link(text) and test(text)
    return md


# linkify-it's pretest (a 1.5 kB regex, ~0.25 ms per abstract) matches one of: a schema (`http:`, `https:`,
# `ftp:`, `mailto:`, `//`), `localhost`, `www.`, `.` + 1-3 digits + `.`, `.` + a top-level domain (letters,
# `xn--`), or `@`, all case-insensitively. Each needs a substring `may_link` looks for, so a False here
# means a False there (tests/test_markdown.py checks the schema list and the implication).
_MAY_LINK = re.compile(r"(?:https?|ftp|mailto):|//|@|localhost|www\.|\.\d{1,3}\.|\.[^\W\d_]{2}", re.IGNORECASE)
_ASCII_DOT = re.compile(r"\.(?:\d{1,3}\.|[A-Za-z]{2})")


def may_link(text: str) -> bool:
    """False when linkify-it's pretest is sure to be False too (a cheap necessary condition for a link)."""
    if "@" in text or "//" in text:
        return True
    if not text.isascii():  # re.IGNORECASE folds some non-ASCII letters to ASCII ones (ſ → s, K → k)
        return _MAY_LINK.search(text) is not None
    low = text.lower()
    return ("http:" in low or "https:" in low or "ftp:" in low or "mailto:" in low or "localhost" in low
            or "www." in low or _ASCII_DOT.search(text) is not None)


# What the fast path leaves to markdown-it: emphasis, code spans and links (`*`, `_`, backticks, brackets);
# where a line starts, headings, block quotes, lists, fences, setext underlines; an entity or numeric
# character reference (`&amp;`, `&#38;`); an autolink (`<https:...>`; `<a@b>` needs `@`, which may_link
# sends there); a backslash escape (backslash + ASCII punctuation). Raw HTML is off, so any other `<`, `>`
# or `&` is text, as are `!` (images are off too) and `~` (no strikethrough in CommonMark).
_ASCII_PUNCT = r"[!-/:-@\[-`{-~]"  # what a backslash escapes
_SYNTAX = re.compile(r"[`*_\[\]]|&(?:#|[A-Za-z0-9]+;)|<[A-Za-z][A-Za-z0-9+.\-]{1,31}:|\\" + _ASCII_PUNCT)
_SYNTAX_CHARS = re.compile(r"[`*_\[\]&<\\]")  # a quick first look: most abstracts have none of these
_BLOCK_START = re.compile(r"[#>+=~-]|\d{1,9}[.)]")
# Two kinds of syntax that only ever give text: underscores with an ASCII letter or digit on both sides
# (`snake_case`, `x_1`: such a run neither opens nor closes emphasis), and backslash escapes (`\%`, `\_`:
# the punctuation character as text). At 10k papers, 381 of the 1,395 abstracts both fast paths gave up on.
_INNER_UNDERSCORES = re.compile(r"(?<=[A-Za-z0-9])_+(?=[A-Za-z0-9])")
_ESCAPED = re.compile(r"\\(" + _ASCII_PUNCT + ")")


def plain_paragraph(text: str) -> str | None:
    """The HTML markdown-it renders for a one-line abstract with no Markdown, HTML or link syntax; else None.

    Most abstracts at 10k papers are such plain prose; for them the full parser (block rules, inline rules,
    linkify) finds one paragraph of text, which it escapes. `text.isprintable()` rules out newlines, tabs,
    NUL and Unicode spaces that markdown-it trims or changes. Syntax that can only give text counts as none:
    inner underscores, backslash escapes, delimiters and brackets that can open nothing (_inert), and names
    linkify-it links that render_full turns back into text (_links_nothing). tests/test_markdown.py checks
    fast == full on generated and corpus abstracts."""
    if not text or not text.isprintable() or text[0] == " " or text[-1] == " " or _BLOCK_START.match(text):
        return None
    linky = may_link(text)
    if _SYNTAX_CHARS.search(text) is not None:
        if linky and "\\" in text:  # an escape is a token of its own: linkify-it would see the text in pieces
            return None
        rest = _INNER_UNDERSCORES.sub("", text) if "_" in text else text  # in the text as written: what is
        rest = _ESCAPED.sub("", rest) if "\\" in rest else rest  # next to each underscore decides what it does
        if _SYNTAX.search(rest) and ("\\" in text or not _inert(text, rest)):
            return None
    # the paragraph is now one text token (no `://` for the inline linkify rule): linkify-it's own look at the
    # whole text says whether the core rule links anything ("training.We", "Phi.This" do not)
    if linky and ("://" in text or not _links_nothing(text)):
        return None
    return _plain_html(text)


_ACTIVE = re.compile(r"&(?:#|[A-Za-z0-9]+;)|<[A-Za-z][A-Za-z0-9+.\-]{1,31}:")  # _SYNTAX but for `*_[]
_RUNS = re.compile(r"\*+|_+|`+")
_PERCENT_XX = re.compile(r"%[0-9a-f]{2}")  # what mdurl.decode decodes (in a lowered text)


def _inert(text: str, rest: str) -> bool:
    """True when the only syntax in `text` (without backslashes; `rest`: its inner underscores dropped) is `*`,
    `_`, backticks and brackets that can make nothing, so markdown-it renders them as text. That is so with
    one run of `*` at most, and one of `_` (emphasis needs an opening run and a later closing one of the same
    character), no two runs of backticks of the same length (a code span ends at the next run as long as the
    one that opens it), no `](` (an inline link; a `[label]` alone is a reference, and a one-paragraph
    abstract defines none), and none of these first (a list item, a thematic break, a fence, a definition).
    At 10k papers, 370 abstracts markdown-it parsed for a `*`, a backtick, `_` or a bracket that made nothing."""
    if text[0] in "*_`[" or "](" in rest or _ACTIVE.search(rest):
        return False
    stars = lows = 0
    ticks: set[int] = set()
    for run in _RUNS.finditer(rest):
        mark = run.group()
        if mark[0] == "`":
            if len(mark) in ticks:
                return False
            ticks.add(len(mark))
        elif mark[0] == "*":
            stars += 1
        else:
            lows += 1
    return stars <= 1 and lows <= 1


def _links_nothing(text: str) -> bool:
    """True when markdown-it's core linkify rule (rules_core/linkify.py) leaves the text token `text` as it is
    once render_full has dropped bare names: linkify-it finds no link, or only names with no scheme, `www.`
    or path (`performance.In`, `train.py`: _drop_bare_names) labelled with their own text, or links
    validateLink refuses. An ASCII text with no `/`, `@`, `www.`, `xn--`, `mailto:` or `%` and two hex digits
    can hold no other (a path starts at a `/`, a scheme needs `//` or `mailto:`, an e-mail an `@`; a `%XX`
    escape and `xn--` are what make a label differ from its text, as normalizeLinkText decodes them), so
    linkify-it is not even asked: at 10k papers, 196 abstracts it scanned, 113 of which markdown-it then
    parsed for names like `model.By` alone, and 343 more texts for a `5%`."""
    if text.isascii():
        low = text.lower()
        if not ("/" in low or "@" in low or "www." in low or "xn--" in low or "mailto:" in low
                or ("%" in low and _PERCENT_XX.search(low))):
            return True
    md = _md()
    if not md.linkify.test(text):
        return True
    for link in md.linkify.match(text) or ():
        if not md.validateLink(md.normalizeLink(link.url)):
            continue
        if link.schema:
            return False
        label = md.normalizeLinkText("http://" + link.text).removeprefix("http://")
        if label != link.text or _is_link_worthy(label):
            return False
    return True


_SCHEME_TAIL = re.compile(r"(?:^|[^a-z0-9.+-])([a-z][a-z0-9.+-]*)$", re.IGNORECASE)  # markdown-it's SCHEME_RE


def linked_paragraph(text: str) -> Rendered | None:
    """What render_full gives for a one-line abstract whose only syntax is `scheme://` links; else None.

    Such abstracts (~16 % at 10k papers: "code at https://github.com/...") took markdown-it's full parse.
    This follows markdown-it's inline linkify rule (rules_inline/linkify.py) step for step with the same
    linkify-it calls: at each `://` the scheme that ends the text since the last link, match_at_start, the
    `*` trim, normalizeLink, validateLink, normalizeLinkText. It gives up (None) where the full parser
    could do more: another syntax character, `<` (an e-mail autolink), a link validateLink refuses, or a
    text between links in which the core linkify rule (rules_core/linkify.py) finds a link.
    tests/test_markdown.py checks linked == full on generated and corpus abstracts."""
    if (not text or "://" not in text or "<" in text or not text.isprintable() or text[0] == " "
            or text[-1] == " " or (_SYNTAX_CHARS.search(text) and _SYNTAX.search(text)) or _BLOCK_START.match(text)):
        return None
    md = _md()
    parts: list[str] = []
    links: list[str] = []
    last = 0  # where the text since the last link (markdown-it's `pending`) starts
    pos = text.find("://")
    while pos >= 0:
        scheme = _SCHEME_TAIL.search(text[last:pos])  # the slice: `^` is where markdown-it's pending starts
        found = md.linkify.match_at_start(text[pos - len(scheme.group(1)):]) if scheme else None
        if found is not None:
            start = pos - len(scheme.group(1))  # type: ignore[union-attr]
            url = found.url.rstrip("*")
            href = md.normalizeLink(url)
            if not md.validateLink(href) or not _links_nothing(text[last:start]):
                return None
            parts.append(_escape(text[last:start]))
            parts.append(f'<a href="{_escape(href)}" rel="nofollow noopener">{_escape(md.normalizeLinkText(url))}</a>')
            if href.lower().startswith(("http://", "https://")) and href not in links:
                links.append(href)
            last = start + len(url)
            pos = text.find("://", last)
        else:
            pos = text.find("://", pos + 1)
    if not links or not _links_nothing(text[last:]):
        return None
    parts.append(_escape(text[last:]))
    return "<p>" + "".join(parts) + "</p>\n", tuple(links)


def _escape(text: str) -> str:
    """markdown-it's escapeHtml."""
    if "&" in text:
        text = text.replace("&", "&amp;")
    return text.replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def _plain_html(text: str) -> str:
    """What markdown-it makes of a text plain_paragraph() takes: backslash escapes undone, escapeHtml, in a
    paragraph."""
    if "\\" in text:
        text = _ESCAPED.sub(r"\1", text)
    return "<p>" + _escape(text) + "</p>\n"


def _walk(tokens: list):
    for tok in tokens:
        yield tok
        if tok.children:
            yield from _walk(tok.children)


def render_abstract(text: str) -> tuple[str, list[str]]:
    """The abstract's HTML and the http(s) links it holds, in order of appearance, without repeats."""
    html, links = _render(text)
    return html, list(links)


Rendered = tuple[str, tuple[str, ...]]
_FULL: dict[str, Rendered] = {}  # text → what markdown-it made of it: each abstract is parsed once per process
_PLAIN: set[str] = set()  # texts prepare() found plain_paragraph() takes: not checked again


def _render(text: str) -> Rendered:
    if text in _PLAIN:
        return _plain_html(text), ()
    found = _FULL.get(text)  # only texts plain_paragraph() gave up on: not checked again (linkify-it's test)
    if found is not None:
        return found
    plain = plain_paragraph(text)
    if plain is not None:
        return plain, ()
    found = _FULL[text] = linked_paragraph(text) or render_full(text)
    return found


def text_key(text: str) -> str:
    """The key of an abstract in prepare()'s results."""
    return hashlib.sha1(text.encode("utf-8", "surrogatepass")).hexdigest()


def prepare(texts: Iterable[str], known: dict[str, Rendered]) -> dict[str, Rendered]:
    """Parse, over the CPUs, every abstract the fast path cannot take and `known` (a previous build's
    results) does not hold, so that page contexts find them ready; returns the results by text_key."""
    out: dict[str, Rendered] = {}
    todo: dict[str, str] = {}
    for text in texts:
        if text in todo or text in _PLAIN:
            continue
        if plain_paragraph(text) is not None:
            _PLAIN.add(text)
            continue
        linked = linked_paragraph(text)
        if linked is not None:  # as quick as a look-up: not worth a place in the results
            _FULL[text] = linked
            continue
        key = text_key(text)
        found = _FULL.get(text) or known.get(key)
        if found is None:
            todo[text] = key
        else:
            out[key] = _FULL[text] = found
    pending = list(todo)
    parts = runs(pending, jobs(len(pending), 100))
    for part, results in zip(parts, fork_map(lambda part: [render_full(t) for t in part], parts)):
        for text, found in zip(part, results):
            out[todo[text]] = _FULL[text] = found
    return out


def render_full(text: str) -> tuple[str, tuple[str, ...]]:
    """The abstract through markdown-it: its HTML and its http(s) links (no fast path, no memo)."""
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
