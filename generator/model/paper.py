"""The paper page as plain data: outside links, authors, topics, the AI summary, and how to cite the paper.

Citation data is made here, once, as plain values: the BibTeX entry (shown in a copyable block and written as
`papers/<slug>/<slug>.bib`), the Highwire Press `citation_*` meta tags that Zotero's connector and Google
Scholar read, and the schema.org JSON-LD. Every URL from a content file passes `is_safe_url` (absolute
http(s) only), so a `javascript:` github or project page is never a link.
"""
from __future__ import annotations

import datetime as dt
import re
import unicodedata
from typing import Any, Protocol

from ..content.files import Paper
from .latex import clean_latex, clean_latex_html
from .markdown import is_safe_url, render_abstract
from .urls import arxiv_links, author_url, iso_week, month_key, name_slug, search_links, topic_url

__all__ = ["paper_context", "bibtex", "authors_of", "keywords_of", "valid_arxiv_id", "AUTHORS_SHOWN",
           "FLAG_TEXT"]

AUTHORS_SHOWN = 8  # more than this: the rest behind "Show all N authors" (a <details>, no script)
_ARXIV = re.compile(r"^(?:\d{4}\.\d{4,5}|[a-z][a-z.-]{1,20}/\d{7})(?:v\d{1,3})?$")

# What a reader is told about a paper import flagged (what a curator can do is `papers check`'s to say).
FLAG_TEXT = {
    "no-metadata": "The listing this paper came from gave no date and no authors, so both are missing here.",
    "no-abstract": "The listing this paper came from had no abstract.",
    "bad-date": "The listing gave a date that does not exist, so this paper is filed without a date.",
    "bad-metadata": "Some details in the listing this paper came from could not be read and are left out.",
}
FLAG_OTHER = "Some details of this paper may be missing."


class _Memo(Protocol):
    def card(self, p: Paper) -> dict[str, Any]: ...
    def text(self, p: Paper) -> str: ...


def valid_arxiv_id(value: Any) -> str | None:
    """The arXiv id when it looks like one (`2608.01234`, `2608.01234v2`, `hep-th/9901001`), else None."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        return None
    value = value.strip().removeprefix("arXiv:").removeprefix("arxiv:")
    return value if _ARXIV.match(value) else None


def authors_of(p: Paper) -> list[str]:
    """The author names of the paper (`authors:` as names or as {name: …} mappings), without blanks.

    Kept on the Paper (a new Paper is read whenever its file changes): listings, groups, the page and the
    BibTeX all ask. Never change the list."""
    found = p._authors
    if found is None:
        found = []
        for a in p.extra.get("authors") or ():
            name = a.get("name") if isinstance(a, dict) else a
            if isinstance(name, str) and name.strip():
                clean = " ".join(name.split())
                found.append(name if clean == name else clean)  # the file's own str when already clean
        p._authors = found
    return found


def keywords_of(p: Paper) -> list[str]:
    """The paper's keywords, each once (by URL name), in file order (kept on the Paper, as authors_of)."""
    found = p._keywords
    if found is None:
        seen: dict[str, str] = {}
        for k in p.extra.get("keywords") or ():
            if isinstance(k, str) and k.strip():
                clean = " ".join(k.split())
                seen.setdefault(name_slug(clean), k if clean == k else clean)
        found = p._keywords = list(seen.values())
    return found


def _url(value: Any) -> str | None:
    return value.strip() if isinstance(value, str) and is_safe_url(value) and not value.lower().startswith(
        "mailto:") else None


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None


def paper_context(p: Paper, prev_p: Paper | None, next_p: Paper | None, memo: _Memo,
                  pages_for: frozenset[str] = frozenset()) -> dict[str, Any]:
    """Everything the paper page shows; `pages_for` holds the `topic/…` and `author/…` URLs that have pages."""
    html, links = render_abstract(p.body)
    ctx = memo.card(p).as_dict()
    arxiv_id = valid_arxiv_id(p.extra.get("arxiv_id"))
    authors = authors_of(p)
    github, project = _url(p.extra.get("github")), _url(p.extra.get("project_page"))
    summary = p.extra.get("ai_summary")
    summary = clean_latex(" ".join(summary.split())) if isinstance(summary, str) and summary.strip() else None
    people = [{"name": a, "link": author_url(name_slug(a)) if author_url(name_slug(a)) in pages_for else None}
              for a in authors]
    topics = [{"name": k, "link": topic_url(name_slug(k)) if topic_url(name_slug(k)) in pages_for else None}
              for k in keywords_of(p)]
    arxiv = arxiv_links(arxiv_id) if arxiv_id else None
    ctx.update({
        "abstract_html": clean_latex_html(html), "abstract_text": clean_latex(memo.text(p)),
        "links": [u for u in links if u not in (github, project)],
        "week": iso_week(p.date) if p.date else None, "month": month_key(p.date) if p.date else None,
        "prev": memo.card(prev_p) if prev_p else None, "next": memo.card(next_p) if next_p else None,
        "arxiv_id": arxiv_id, "arxiv": arxiv, "search_links": None if arxiv else search_links(p.title),
        "github": github, "github_stars": _int(p.extra.get("github_stars")) if github else None,
        "project_page": project, "ai_summary": summary,
        "people": people[:AUTHORS_SHOWN], "more_people": people[AUTHORS_SHOWN:], "topics": topics,
        "flag_text": [FLAG_TEXT.get(f, FLAG_OTHER) for f in dict.fromkeys(p.flags) if f != "no-abstract"],
        "bibtex": bibtex(p, arxiv_id, authors),
        "citation": citation_tags(p, arxiv, authors),
        "ld_authors": ([{"@type": "Person", "name": a} for a in authors] or
                       ([{"@type": "Organization", "name": p.organization}] if p.organization else None)),
        "same_as": [arxiv["abs"], arxiv["hf"]] if arxiv else None,
    })
    return ctx


def citation_tags(p: Paper, arxiv: dict[str, str] | None, authors: list[str]) -> list[tuple[str, str]]:
    """Highwire Press tags, in the order Zotero and Google Scholar expect: title, authors, date, then ids."""
    tags = [("citation_title", clean_latex(p.title))]
    tags += [("citation_author", a) for a in authors]
    if p.date:  # strftime("%Y/%m/%d"), which does not pad years before 1000
        day = p.date.isoformat().replace("-", "/") if p.date.year >= 1000 else p.date.strftime("%Y/%m/%d")
        tags += [("citation_date", day), ("citation_publication_date", day)]
    if arxiv:
        tags += [("citation_arxiv_id", arxiv["abs"].rsplit("/abs/", 1)[1]), ("citation_pdf_url", arxiv["pdf"]),
                 ("citation_abstract_html_url", arxiv["abs"])]
    return tags


_BIB_SPECIAL = str.maketrans({"{": "(", "}": ")", "\\": "/", "&": r"\&", "%": r"\%", "#": r"\#", "$": r"\$",
                              "_": r"\_", "~": r"\~{}", "^": r"\^{}", "@": "@"})


def _bib(text: str) -> str:
    """A BibTeX field value: one line, special characters escaped, braces never unbalanced."""
    return " ".join(str(text).split()).translate(_BIB_SPECIAL)


def _ascii_word(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]", "", folded.lower())


_DULL = frozenset({"the", "and", "for", "with", "from", "via", "towards", "toward"})


def bibtex_key(p: Paper, authors: list[str]) -> str:
    """`lastname` + year + first title word, as arXiv-style keys read (`wang2026rlvr`); the slug when empty."""
    last = _ascii_word(authors[0].split()[-1]) if authors else ""
    year = str(p.date.year) if p.date else ""
    first = next((w for w in map(_ascii_word, p.title.split()[:12]) if len(w) > 2 and w not in _DULL), "")
    key = last + year + first
    return key if last and key else p.slug.replace("-", "")[:40] + year


def bibtex(p: Paper, arxiv_id: str | None, authors: list[str], today: dt.date | None = None) -> str:
    """The paper's BibTeX entry (@misc, as arXiv exports it), deterministic."""
    fields: list[tuple[str, str]] = [("title", "{" + _bib(clean_latex(p.title)) + "}")]
    if authors:
        fields.append(("author", " and ".join(_bib(a) for a in authors)))
    elif p.organization:
        fields.append(("author", "{" + _bib(p.organization) + "}"))
    if p.date:
        fields.append(("year", str(p.date.year)))
    if arxiv_id:
        fields += [("eprint", _bib(arxiv_id)), ("archivePrefix", "arXiv"),
                   ("url", "https://arxiv.org/abs/" + _bib(arxiv_id))]
    lines = [f"@misc{{{bibtex_key(p, authors)},"] + [f"  {k} = {{{v}}}," for k, v in fields] + ["}"]
    return "\n".join(lines) + "\n"
