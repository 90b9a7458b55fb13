"""content/ files ↔ Paper objects.

A content file is YAML front matter between `---` lines, then the abstract as Markdown. The schema is
declared in FIELDS: import owns some fields (it may update them on re-import); everything else — the body,
curator fields, and fields from later sources such as the Daily Papers API — is never touched by import.
Unknown keys are kept as they are and reported by `papers check` as warnings (errors with --strict).
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

import yaml

from .errors import ContentError, Problem
from .slugs import identity

try:  # libyaml when present: same output, several times faster
    from yaml import CSafeDumper as _Dumper
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover
    from yaml import SafeDumper as _Dumper  # type: ignore[assignment]
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

__all__ = ["Paper", "FIELDS", "IMPORT_OWNED", "read_paper", "write_text", "dump_paper", "iter_content_files",
           "load_papers", "content_path", "SCHEMA_VERSION"]

SCHEMA_VERSION = 1

# name -> (types allowed, what it is). Order here is the order in files.
FIELDS: dict[str, tuple[tuple[type, ...], str]] = {
    "schema": ((int,), "content format version; 1"),
    "title": ((str,), "the paper's title, as first seen"),
    "slug": ((str,), "URL name, /papers/<slug>/; set once, never changed by import"),
    "date": ((dt.date,), "publication day on Daily Papers (ISO); absent when unknown"),
    "authors_count": ((int,), "number of authors, from `• N authors`"),
    "organization": ((str,), "submitting organisation, shown instead of the authors count"),
    "upvotes": ((int,), "upvotes in the newest listing that shows the paper"),
    "flags": ((list,), "what import could not fully understand: no-metadata, no-abstract, bad-date, ..."),
    "seen": ((list,), "each listing the paper appeared in: {listing, page_date, line, upvotes}"),
    "aliases": ((list,), "other titles that are this paper (identity matches for import)"),
    # Fields for later sources (Daily Papers API) and curators: optional, never written by `papers import`.
    "arxiv_id": ((str,), "arXiv identifier, e.g. 2410.01234"),
    "authors": ((list,), "author names"),
    "github": ((str,), "code repository URL"),
    "project_page": ((str,), "project page URL"),
    "keywords": ((list,), "keywords"),
    "notes": ((str,), "curator's notes (not shown)"),
}
IMPORT_OWNED = ("schema", "title", "slug", "date", "authors_count", "organization", "upvotes", "flags", "seen")
REQUIRED = ("title", "slug")
SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
FRONT = "---\n"


@dataclass
class Paper:
    """One paper: front matter fields, the Markdown body, and where it lives."""

    title: str
    slug: str
    body: str = ""
    date: dt.date | None = None
    authors_count: int | None = None
    organization: str | None = None
    upvotes: int | None = None
    flags: list[str] = field(default_factory=list)
    seen: list[dict[str, Any]] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)  # every other key, kept in file order
    path: Path | None = None
    body_line: int = 1  # line in the file where the body starts

    @property
    def key(self) -> str:
        """Identity: the normalised title."""
        return identity(self.title)

    @property
    def keys(self) -> list[str]:
        """Identity of the title and of every alias."""
        aliases = self.extra.get("aliases") or []
        return [self.key] + [identity(str(a)) for a in aliases if isinstance(a, str)]

    def front_matter(self) -> dict[str, Any]:
        """The front matter mapping, in FIELDS order, then unknown keys in their own order."""
        values: dict[str, Any] = {
            "schema": SCHEMA_VERSION, "title": self.title, "slug": self.slug, "date": self.date,
            "authors_count": self.authors_count, "organization": self.organization, "upvotes": self.upvotes,
            "flags": sorted(set(self.flags)) or None, "seen": self.seen or None,
        }
        values.update(self.extra)
        ordered = {k: values[k] for k in FIELDS if values.get(k) is not None}
        ordered.update((k, v) for k, v in values.items() if k not in FIELDS and v is not None)
        return ordered


def dump_paper(paper: Paper) -> str:
    """The file text for `paper`: deterministic, round-trips any title."""
    fm = yaml.dump(paper.front_matter(), Dumper=_Dumper, sort_keys=False, allow_unicode=True,
                   default_flow_style=False, width=100000)
    body = paper.body.strip("\n")
    return f"{FRONT}{fm}{FRONT}\n{body}\n" if body else f"{FRONT}{fm}{FRONT}"


def write_text(path: Path, text: str) -> bool:
    """Write `text` to `path` atomically if it differs; True when the file changed."""
    data = text.encode("utf-8")
    try:
        if path.read_bytes() == data:
            return False
    except FileNotFoundError:
        path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_bytes(data)
    tmp.replace(path)
    return True


def content_path(root: Path, paper: Paper) -> Path:
    """Where a paper's file lives: content/YYYY/MM/DD/<slug>.md, or content/undated/<a>/<slug>.md.

    About 30 papers a day keeps every folder small at 100k papers."""
    if paper.date is not None:
        d = paper.date
        return root / f"{d.year:04d}" / f"{d.month:02d}" / f"{d.day:02d}" / f"{paper.slug}.md"
    return root / "undated" / paper.slug[:1] / f"{paper.slug}.md"


def _yaml_error_line(exc: yaml.YAMLError) -> int | None:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    return mark.line + 1 if mark is not None else None


def parse_paper_text(text: str, path: Path) -> tuple[Paper, list[Problem]]:
    """Parse a content file's text; raises ContentError for what cannot be read, returns warnings."""
    text = text.lstrip("\ufeff").replace("\r\n", "\n")
    if not text.startswith(FRONT):
        raise ContentError("no front matter; the file must start with a `---` line", path, 1)
    end = text.find("\n---\n", 3)
    if end == -1:
        end = text.find("\n---", 3)
        if end == -1 or text[end + 4:].strip():
            raise ContentError("front matter is not closed; add a `---` line after it", path, 1)
    head = text[4:end + 1]
    body = text[end + 5:]
    body_line = head.count("\n") + 3
    try:
        data = yaml.load(head, Loader=_Loader)  # noqa: S506 - a safe loader
    except yaml.YAMLError as exc:
        line = _yaml_error_line(exc)
        reason = getattr(exc, "problem", None) or "invalid YAML"
        raise ContentError(f"front matter is not valid YAML ({reason}); fix the syntax (quote titles with `:`)",
                           path, line + 1 if line else 2) from None
    if not isinstance(data, dict):
        raise ContentError("front matter must be a mapping of `key: value` lines", path, 2)
    return _paper_from(data, head, body.strip("\n"), body_line, path)


def _key_line(head: str, key: str) -> int:
    m = re.search(rf"^{re.escape(key)}:", head, re.MULTILINE)
    return head[: m.start()].count("\n") + 2 if m else 2


def _paper_from(data: dict, head: str, body: str, body_line: int, path: Path) -> tuple[Paper, list[Problem]]:
    problems: list[Problem] = []
    for key in REQUIRED:
        if not data.get(key):
            raise ContentError(f"missing required field `{key}`; add `{key}: ...` to the front matter", path, 2)
    for key, value in data.items():
        if not isinstance(key, str):
            raise ContentError(f"front matter key {key!r} is not a name", path, 2)
        spec = FIELDS.get(key)
        if spec is None:
            problems.append(Problem(str(path), _key_line(head, key), f"unknown field `{key}` (kept); known fields: "
                                    + ", ".join(FIELDS)))
            continue
        types = spec[0]
        if value is not None and (not isinstance(value, types) or (bool in types) != isinstance(value, bool)):
            want = " or ".join("date (YYYY-MM-DD)" if t is dt.date else t.__name__ for t in types)
            raise ContentError(f"field `{key}` must be {want}, not {value!r}", path, _key_line(head, key))
    slug = str(data["slug"])
    if not SLUG_RE.match(slug) or len(slug) > 100:
        raise ContentError(f"slug {slug!r} must be lower-case ASCII words joined by `-`", path, _key_line(head, "slug"))
    if isinstance(data.get("date"), dt.datetime):
        raise ContentError("field `date` must be a day (YYYY-MM-DD), not a time", path, _key_line(head, "date"))
    for key in ("authors_count", "upvotes"):
        if isinstance(data.get(key), int) and data[key] < 0:
            raise ContentError(f"field `{key}` cannot be negative", path, _key_line(head, key))
    owned = set(IMPORT_OWNED)
    paper = Paper(
        title=str(data["title"]), slug=slug, body=body, date=data.get("date"),
        authors_count=data.get("authors_count"), organization=data.get("organization"),
        upvotes=data.get("upvotes"), flags=list(data.get("flags") or []), seen=list(data.get("seen") or []),
        extra={k: v for k, v in data.items() if k not in owned}, path=path, body_line=body_line,
    )
    return paper, problems


def read_paper(path: Path) -> tuple[Paper, list[Problem]]:
    """Read one content file."""
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as e:
        raise ContentError(f"not UTF-8 text (byte {e.start}); re-save it as UTF-8", path) from None
    return parse_paper_text(text, path)


def iter_content_files(root: Path) -> Iterator[Path]:
    """Every `*.md` under `root`, in sorted order, skipping hidden files and folders."""
    if not root.is_dir():
        return
    for path in sorted(root.rglob("*.md")):
        rel = path.relative_to(root).parts
        if not any(p.startswith(".") for p in rel):
            yield path


def load_papers(root: Path) -> tuple[list[Paper], list[Problem], list[ContentError]]:
    """Read every content file: the papers, the warnings, and the files that could not be read."""
    papers: list[Paper] = []
    problems: list[Problem] = []
    errors: list[ContentError] = []
    for path in iter_content_files(root):
        try:
            paper, found = read_paper(path)
        except ContentError as exc:
            errors.append(exc)
            continue
        papers.append(paper)
        problems.extend(found)
    return papers, problems, errors
