"""The Hugo side of the comparison: our content files → a minimal Hugo site (bench/hugo_site/), built cold.

Each content file is copied under content/papers/ with two taxonomy keys added to its front matter —
`days: [<date>]` and `orgs: [<organization>]` — so Hugo makes a page per paper, per day and per organisation.
The front matter is otherwise ours: Hugo reads title, slug and date; the rest become .Params.
"""
from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

from .measure import Run, run

__all__ = ["HUGO", "hugo_version", "make_hugo_site", "build_hugo"]

HUGO = shutil.which("hugo") or "/usr/bin/hugo"
TEMPLATE_SITE = Path(__file__).resolve().parent / "hugo_site"
THEME_CSS = Path(__file__).resolve().parent.parent / "themes" / "default" / "static" / "css" / "site.css"
DATE_RE = re.compile(r"^date: (\S+)$", re.MULTILINE)
ORG_RE = re.compile(r"^organization: (.+)$", re.MULTILINE)


def hugo_version() -> str | None:
    """`hugo version`'s first words, or None when Hugo is not installed."""
    try:
        out = subprocess.run([HUGO, "version"], capture_output=True, text=True, timeout=30, check=True).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    return " ".join(out.split()[:2])


def to_hugo(text: str) -> str:
    """One of our content files with the `days` and `orgs` taxonomy keys added to its front matter."""
    end = text.index("\n---\n", 3)
    head, rest = text[:end + 1], text[end + 1:]
    extra = ""
    if m := DATE_RE.search(head):
        extra += f"days:\n- '{m.group(1)}'\n"
    if m := ORG_RE.search(head):
        extra += f"orgs:\n- {m.group(1)}\n"  # the YAML scalar as we wrote it: valid as a block-sequence item too
    return head + extra + rest


def make_hugo_site(content: Path, dest: Path) -> int:
    """Write the Hugo site for `content` into `dest` (replacing it); returns the number of papers."""
    if dest.exists():
        shutil.rmtree(dest)
    shutil.copytree(TEMPLATE_SITE, dest)
    (dest / "static" / "css").mkdir(parents=True)
    shutil.copy(THEME_CSS, dest / "static" / "css" / "site.css")
    papers = dest / "content" / "papers"
    count = 0
    for src in sorted(content.rglob("*.md")):
        rel = src.relative_to(content)
        if any(part.startswith(".") for part in rel.parts):
            continue
        dst = papers / rel
        dst.parent.mkdir(parents=True, exist_ok=True)
        dst.write_text(to_hugo(src.read_text(encoding="utf-8")), encoding="utf-8")
        count += 1
    return count


def build_hugo(site: Path) -> Run:
    """`hugo --quiet` cold: no public/, no resources/ and an empty cache folder."""
    for name in ("public", "resources", ".hugo-cache"):
        shutil.rmtree(site / name, ignore_errors=True)
    return run([HUGO, "--quiet", "--source", str(site), "--destination", "public",
                "--cacheDir", str(site / ".hugo-cache")], cwd=site)
