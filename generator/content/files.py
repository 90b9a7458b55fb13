"""content/ files ↔ Paper objects.

A content file is YAML front matter between `---` lines, then the abstract as Markdown. The schema is
declared in FIELDS: import owns some fields (it may update them on re-import); everything else — the body,
curator fields, and fields from later sources such as the Daily Papers API — is never touched by import.
Unknown keys are kept as they are and reported by `papers check` as warnings (errors with --strict).
"""
from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Iterator

import yaml

from . import fetched, frontmatter
from ..errors import ContentError, Problem
from .diskio import NotRegularFile, TEMP_RE, read_content_bytes, remove_stale_temps, temp_name, write_text
from .slugs import identity

__all__ = ["Paper", "FIELDS", "IMPORT_OWNED", "FETCH_OWNED", "SCHEMA_VERSION", "read_paper", "parse_paper_text", "dump_paper",
           "normal_body", "write_text", "iter_content_files", "sort_content_paths", "load_papers",
           "decode_paper", "decode_papers", "content_path", "content_relpath", "read_content_bytes", "NotRegularFile",
           "temp_name", "remove_stale_temps"]

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
    "seen": ((list,), "each listing the paper appeared in: {listing, page_date, line, upvotes}, and `digest` (of "
                      "the listing's bytes) when two different listings share a file name and page date"),
    "other_abstracts": ((list,), "abstracts other listings gave the paper, after the body's; never dropped"),
    "aliases": ((list,), "other titles that are this paper (identity matches for import)"),
    # Fields `papers fetch` owns (the Daily Papers API; see content/fetched.py), never written by import.
    "arxiv_id": ((str,), "arXiv identifier, e.g. 2410.01234; fetch's identity for the paper"),
    "authors": ((list,), "author names"),
    "github": ((str,), "code repository URL (http/https)"),
    "github_stars": ((int,), "stars of the code repository when fetched"),
    "project_page": ((str,), "project page URL (http/https)"),
    "keywords": ((list,), "keywords (the API's ai_keywords)"),
    "ai_summary": ((str,), "the API's one-paragraph machine summary"),
    "num_comments": ((int,), "comments on the paper's Daily Papers page"),
    "submitted_by": ((str,), "Hugging Face user who submitted it to Daily Papers"),
    "fetched": ((list,), "upvote snapshots: {day, fetched_on, upvotes}, one more each time a day's count changes"),
    "organization_name": ((str,), "the organisation's account name on Hugging Face"),
    # Curator fields.
    "notes": ((str,), "curator's notes (not shown)"),
}
IMPORT_OWNED = ("schema", "title", "slug", "date", "authors_count", "organization", "upvotes", "flags", "seen",
                "other_abstracts")
FETCH_OWNED = ("arxiv_id", "authors", "github", "github_stars", "project_page", "keywords", "ai_summary",
               "num_comments", "submitted_by", "fetched")
REQUIRED = ("title", "slug")
LIST_FIELDS = tuple(k for k, (types, _) in FIELDS.items() if types == (list,))
SLUG_RE = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")  # always fullmatch: `$` would let a trailing newline in
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
    other_abstracts: list[str] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)  # every other key, kept in file order
    path: str | None = None  # a str, not a Path: at 100k papers a PosixPath's parts cost ~47 MB more
    body_line: int = 1  # line in the file where the body starts
    # model/paper.py's authors_of and keywords_of keep their results here. Fields, not keys added to the
    # instance's __dict__ later, which made Python give each Paper a dict of its own (~730 bytes a paper).
    _authors: list[str] | None = field(default=None, repr=False, compare=False)
    _keywords: list[str] | None = field(default=None, repr=False, compare=False)

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
            "other_abstracts": self.other_abstracts or None,
        }
        values.update(self.extra)  # fields import does not own are kept as written, even when empty
        ordered = {k: values[k] for k in FIELDS if k in self.extra or values.get(k) is not None}
        ordered.update((k, v) for k, v in values.items() if k not in FIELDS and (k in self.extra or v is not None))
        return ordered


def dump_paper(paper: Paper) -> str:
    """The file text for `paper`: deterministic, round-trips any title."""
    fm = frontmatter.dump(paper.front_matter())
    body = normal_body(paper.body)
    return f"{FRONT}{fm}{FRONT}\n{body}\n" if body else f"{FRONT}{fm}{FRONT}"


def normal_body(body: str) -> str:
    """The body as files hold it: `\n` line ends, no blank lines before or after."""
    if "\r" in body:
        body = body.replace("\r\n", "\n").replace("\r", "\n")
    return body.strip("\n")


def content_path(root: Path, paper: Paper) -> Path:
    """Where a paper's file lives: content/YYYY/MM/DD/<slug>.md, or content/undated/<a>/<slug>.md.

    About 30 papers a day keeps every folder small at 100k papers."""
    return Path(root, content_relpath(paper))


def content_relpath(paper: Paper) -> str:
    """content_path() relative to the content folder, as a string."""
    d = paper.date
    if d is not None:
        return f"{d.year:04d}/{d.month:02d}/{d.day:02d}/{paper.slug}.md"
    return f"undated/{paper.slug[:1]}/{paper.slug}.md"


def _yaml_error_line(exc: yaml.YAMLError) -> int | None:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    return mark.line + 1 if mark is not None else None


def parse_paper_text(text: str, path: Path | str) -> tuple[Paper, list[Problem]]:
    """Parse a content file's text; raises ContentError for what cannot be read, returns warnings."""
    text = text.lstrip("\ufeff")
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.startswith(FRONT):
        raise ContentError("no front matter; the file must start with a `---` line", path, 1)
    end = text.find("\n---\n", 3)
    if end == -1:
        end = text.find("\n---", 3)
        if end == -1 or text[end + 4:].strip():
            raise ContentError("front matter is not closed; add a `---` line after it", path, 1)
    head = text[4:end + 1]
    body = text[end + 5:]
    if "*" in head:
        _refuse_aliases(head, path)
    body_line = head.count("\n") + 3
    data = frontmatter.load_fast(head)
    if data is None:
        data = _load_yaml(head, path)
    return _paper_from(data, head, body.strip("\n"), body_line, path)


def _refuse_aliases(head: str, path: Path) -> None:
    """YAML aliases (`*name`) are refused: a few hundred bytes of nested aliases expand to gigabytes."""
    try:
        for token in yaml.scan(head, Loader=frontmatter.Loader):
            if isinstance(token, yaml.AliasToken):
                raise ContentError("front matter uses a YAML alias (`*name`), which papers does not expand; write "
                                   "the value out in full", path, token.start_mark.line + 2)
    except yaml.YAMLError:
        return  # _load_yaml reports the syntax error with its line


def _load_yaml(head: str, path: Path) -> dict[str, Any]:
    """Front matter that is not in import's own shape: PyYAML, with its errors as ContentErrors."""
    try:
        data = frontmatter.load(head)
    except yaml.YAMLError as exc:
        line = _yaml_error_line(exc)
        reason = getattr(exc, "problem", None) or "invalid YAML"
        raise ContentError(f"front matter is not valid YAML ({reason}); fix the syntax (quote titles with `:`)",
                           path, line + 1 if line else 2) from None
    except ValueError as exc:  # a timestamp that is not a real day, e.g. `date: 2025-02-30`
        raise ContentError(f"impossible date ({exc}); write a real day as YYYY-MM-DD", path,
                           _date_line(head)) from None
    if not isinstance(data, dict):
        raise ContentError("front matter must be a mapping of `key: value` lines", path, 2)
    dup = _duplicate_key(head)
    if dup is not None:
        raise ContentError(f"field `{dup[0]}` is given twice; keep one of them", path, dup[1])
    return data


def _key_line(head: str, key: str) -> int:
    m = re.search(rf"^{re.escape(key)}:", head, re.MULTILINE)
    return head[: m.start()].count("\n") + 2 if m else 2


_TOP_KEY = re.compile(r"^([A-Za-z_][\w-]*):", re.MULTILINE)
_BAD_DATE = re.compile(r"\b\d{4}-\d{1,2}-\d{1,2}\b")


def _duplicate_key(head: str) -> tuple[str, int] | None:
    """The first top-level key written twice (YAML would silently keep the last), with its line."""
    seen: set[str] = set()
    for m in _TOP_KEY.finditer(head):
        if m.group(1) in seen:
            return m.group(1), head[: m.start()].count("\n") + 2
        seen.add(m.group(1))
    return None


def _date_line(head: str) -> int:
    """The line of the first thing that looks like a date (for an impossible-date error)."""
    for n, line in enumerate(head.split("\n"), 2):
        for m in _BAD_DATE.finditer(line):
            try:
                dt.date.fromisoformat(m.group(0))
            except ValueError:
                return n
    return 2


def _check_items(key: str, value: list, head: str, path: Path) -> None:
    """Lists hold what the schema says: strings, or for `seen` mappings with a `listing` name."""
    line = _key_line(head, key)
    if key == "seen":
        for item in value:
            if not isinstance(item, dict) or not isinstance(item.get("listing"), str):
                raise ContentError(f"each `seen` item must be a mapping with a `listing:` name, not {item!r}; "
                                   "fix it or delete the item (import re-creates it)", path, line)
            page_date = item.get("page_date")
            if page_date is not None and (not isinstance(page_date, dt.date) or isinstance(page_date, dt.datetime)):
                raise ContentError(f"`seen` page_date must be a day (YYYY-MM-DD), not {page_date!r}", path, line)
            for name in ("line", "upvotes"):
                v = item.get(name)
                if v is not None and (not isinstance(v, int) or isinstance(v, bool) or v < 0):
                    raise ContentError(f"`seen` {name} must be a whole number, not {v!r}", path, line)
        return
    if key == "fetched":
        problem = fetched.fetched_problem(value)
        if problem:
            raise ContentError(problem, path, line)
        return
    for item in value:
        if key == "authors" and isinstance(item, dict) and isinstance(item.get("name"), str):
            continue  # the Daily Papers API gives authors as {name: ...}
        if not isinstance(item, str):
            raise ContentError(f"each item of `{key}` must be text, not {item!r}; quote it", path, line)


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
    if isinstance(data.get("schema"), int) and not 1 <= data["schema"] <= SCHEMA_VERSION:
        raise ContentError(f"content format `schema: {data['schema']}` is not one this version of papers reads "
                           f"(1 to {SCHEMA_VERSION}); upgrade papers", path, _key_line(head, "schema"))
    slug = str(data["slug"])
    if any(not ch.isprintable() for ch in slug):
        raise ContentError(f"slug {slug!r} contains a control character (a line break?); write it on one line as "
                           "lower-case ASCII words joined by `-`", path, _key_line(head, "slug"))
    if not SLUG_RE.fullmatch(slug) or len(slug) > 100:
        raise ContentError(f"slug {slug!r} must be lower-case ASCII words joined by `-`", path, _key_line(head, "slug"))
    if isinstance(data.get("date"), dt.datetime):
        raise ContentError("field `date` must be a day (YYYY-MM-DD), not a time", path, _key_line(head, "date"))
    for key in LIST_FIELDS:
        if isinstance(data.get(key), list):
            _check_items(key, data[key], head, path)
    for key in ("authors_count", "upvotes"):
        if isinstance(data.get(key), int) and data[key] < 0:
            raise ContentError(f"field `{key}` cannot be negative", path, _key_line(head, key))
    for key in FETCH_OWNED:  # a value that cannot be what it claims is kept, warned about, never used
        problem = fetched.value_problem(key, data.get(key)) if key != "fetched" else None
        if problem:
            problems.append(Problem(str(path), _key_line(head, key), f"{problem}; the site ignores it"))
    owned = set(IMPORT_OWNED)
    paper = Paper(
        title=str(data["title"]), slug=slug, body=body, date=data.get("date"),
        authors_count=data.get("authors_count"), organization=data.get("organization"),
        upvotes=data.get("upvotes"), flags=list(data.get("flags") or []), seen=list(data.get("seen") or []),
        other_abstracts=list(data.get("other_abstracts") or []),
        extra={k: v for k, v in data.items() if k not in owned}, path=os.fspath(path), body_line=body_line,
    )
    return paper, problems


def read_paper(path: Path) -> tuple[Paper, list[Problem]]:
    """Read one content file (NotRegularFile when it is a FIFO, a device or a socket)."""
    return decode_paper(read_content_bytes(path), path)


def decode_paper(data: bytes, path: Path | str) -> tuple[Paper, list[Problem]]:
    """Parse the bytes of the content file at `path` (read_paper, for bytes read elsewhere)."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise ContentError(f"not UTF-8 text (byte {e.start}); re-save it as UTF-8", path) from None
    return parse_paper_text(text, path)


def is_content_file(rel: str | Path) -> bool:
    """The one rule for what a content file is: a `*.md` file, neither it nor a folder above it hidden
    (`rel` is relative to the content folder). Editors' `.x.md.swp` and `.git/` are not content."""
    parts = Path(rel).parts
    return bool(parts) and parts[-1].endswith(".md") and not any(part.startswith(".") for part in parts)


def walk_content(root: Path, temps: list[str] | None = None) -> Iterator[str]:
    """The path of every content file under `root` (see is_content_file), in no particular order; `temps`,
    when given, collects the paths of write_text's temporary files on the way (for remove_stale_temps)."""
    for folder, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        for name in files:
            if name.endswith(".md") and not name.startswith("."):
                yield os.path.join(folder, name)
            elif temps is not None and name.startswith(".") and TEMP_RE.search(name):
                temps.append(os.path.join(folder, name))


def iter_content_files(root: Path, temps: list[str] | None = None) -> Iterator[Path]:
    """Every content file under `root`, in sorted order (`temps`: see walk_content)."""
    if not root.is_dir():
        return
    for path in sort_content_paths(walk_content(root, temps)):
        yield Path(path)


def sort_content_paths(paths: Iterable[str]) -> list[str]:
    """Content file paths (all relative to one folder, or all under it) in iter_content_files' order."""
    return sorted(paths, key=lambda p: p.split(os.sep))


def _read_all(paths: Iterable[Path]) -> Iterator[tuple[Path, bytes | NotRegularFile]]:
    for path in paths:
        try:
            yield path, read_content_bytes(path)
        except NotRegularFile as exc:
            yield path, exc


def load_papers(root: Path, temps: list[str] | None = None) -> tuple[list[Paper], list[Problem], list[ContentError]]:
    """Read every content file: the papers, the warnings, and the files that could not be read."""
    return decode_papers(_read_all(iter_content_files(root, temps)))


def decode_papers(files: Iterable[tuple[Path | str, bytes | NotRegularFile]]
                  ) -> tuple[list[Paper], list[Problem], list[ContentError]]:
    """decode_paper for each (path, bytes): the papers, the warnings, and the files that could not be read
    (a NotRegularFile in place of the bytes is a warning: the file is skipped)."""
    papers: list[Paper] = []
    problems: list[Problem] = []
    errors: list[ContentError] = []
    for path, data in files:
        if isinstance(data, NotRegularFile):
            problems.append(data.problem)
            continue
        try:
            paper, found = decode_paper(data, path)
        except ContentError as exc:
            errors.append(exc)
            continue
        papers.append(paper)
        problems.extend(found)
    return papers, problems, errors
