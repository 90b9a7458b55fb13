"""Every URL shape of the site, relative to its root (pages end in `/`), and the outside links a paper has."""
from __future__ import annotations

import datetime as dt
from urllib.parse import quote

from ..content.slugs import slugify

__all__ = ["paper_url", "org_slug", "org_url", "iso_week", "month_key", "topic_url", "author_url", "name_slug",
           "arxiv_links", "search_links"]


def paper_url(slug: str) -> str:
    """`papers/<slug>/`."""
    return f"papers/{slug}/"


def org_slug(name: str) -> str:
    """The URL name of an organisation."""
    return slugify(name)


def org_url(slug: str) -> str:
    """`org/<slug>/`."""
    return f"org/{slug}/"


_SLUGS: dict[str, str] = {}


def name_slug(name: str) -> str:
    """The URL name of a topic or an author (ASCII; `paper-<hash>` for a name with no Latin letters), memoised:
    the same few thousand names come back for every paper that has them."""
    found = _SLUGS.get(name)
    if found is None:
        if len(_SLUGS) > 500_000:
            _SLUGS.clear()
        found = _SLUGS[name] = slugify(name)
    return found


def topic_url(slug: str) -> str:
    return f"topic/{slug}/"


def author_url(slug: str) -> str:
    return f"author/{slug}/"


def iso_week(d: dt.date) -> str:
    """`2021-W01` style ISO week key (the ISO year, which may differ from the calendar year)."""
    y, w, _ = d.isocalendar()
    return f"{y:04d}-W{w:02d}"


def month_key(d: dt.date) -> str:
    """`2025-03`, as d.strftime("%Y-%m") writes it (which does not pad years before 1000)."""
    return d.isoformat()[:7] if d.year >= 1000 else d.strftime("%Y-%m")


def arxiv_links(arxiv_id: str) -> dict[str, str]:
    """The arXiv abstract and PDF and the Hugging Face paper page of an arXiv id."""
    q = quote(arxiv_id, safe="./")
    return {"abs": f"https://arxiv.org/abs/{q}", "pdf": f"https://arxiv.org/pdf/{q}",
            "hf": f"https://huggingface.co/papers/{q}"}


# urllib.parse.quote(text, safe="") as one str.translate of the UTF-8 bytes read as Latin-1: quote's loop
# over the bytes of a title with spaces took 3-4 µs of a paper page's 47 µs context (10k, no arXiv ids)
_PERCENT = {b: chr(b) if chr(b) in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-~" else f"%{b:02X}"
            for b in range(256)}


def quote_all(text: str) -> str:
    """quote(text, safe=""): every byte but letters, digits and `_.-~` percent-encoded (UnicodeEncodeError
    for a lone surrogate, as quote)."""
    return text.encode("utf-8").decode("latin-1").translate(_PERCENT)


def search_links(title: str) -> list[dict[str, str]]:
    """Searches for a paper by its title, for a paper without an arXiv id."""
    q = quote_all(title)
    return [{"label": "Search arXiv", "url": f"https://arxiv.org/search/?query={q}&searchtype=title"},
            {"label": "Search Hugging Face", "url": f"https://huggingface.co/papers?q={q}"},
            {"label": "Search Semantic Scholar", "url": f"https://www.semanticscholar.org/search?q={q}"}]
