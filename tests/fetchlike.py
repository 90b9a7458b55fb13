"""A content folder as `papers fetch` (issue 12) writes it, made from the recorded Daily Papers API responses in
../shared/fixtures/hf-api/: the fields that branch writes (arxiv_id, authors, github, github_stars, project_page,
keywords, ai_summary, organization, organization_name, num_comments, submitted_by, upvotes, date), so the pages
can be built and validated against real items before the two branches meet."""
from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from generator.content.files import Paper, content_path, dump_paper, write_text
from generator.content.slugs import disambiguate, identity, slugify

FIXTURES = Path(__file__).resolve().parent.parent.parent / "shared" / "fixtures" / "hf-api"


def fixture_items() -> list[tuple[dt.date, dict]]:
    """(Daily Papers day, item) for every recorded item, in file order."""
    out = []
    for path in sorted(FIXTURES.glob("*.json")):
        day = dt.date.fromisoformat(path.stem)
        out += [(day, item) for item in json.loads(path.read_text(encoding="utf-8"))]
    return out


def paper_from_item(day: dt.date, item: dict, slug: str) -> Paper:
    p = item["paper"]
    extra: dict = {"arxiv_id": p["id"], "authors": [a["name"] for a in p.get("authors") or [] if a.get("name")]}
    if p.get("githubRepo"):
        extra["github"] = p["githubRepo"]
        if isinstance(p.get("githubStars"), int):
            extra["github_stars"] = p["githubStars"]
    if p.get("projectPage"):
        extra["project_page"] = p["projectPage"]
    if p.get("ai_keywords"):
        extra["keywords"] = list(p["ai_keywords"])
    if p.get("ai_summary"):
        extra["ai_summary"] = p["ai_summary"]
    org = item.get("organization") or p.get("organization")
    if org:
        extra["organization_name"] = org["name"]
    if isinstance(item.get("numComments"), int):
        extra["num_comments"] = item["numComments"]
    by = item.get("submittedBy") or p.get("submittedOnDailyBy")
    if by and by.get("name"):
        extra["submitted_by"] = by["name"]
    return Paper(title=" ".join(p["title"].split()), slug=slug, body=p.get("summary") or "", date=day,
                 organization=(org.get("fullname") or org["name"]) if org else None,
                 upvotes=p.get("upvotes") or 0, extra=extra)


def write_fetch_content(root: Path) -> list[Paper]:
    """Write the fixture papers into `root` (one file per arXiv id, first day seen); returns them."""
    papers: dict[str, Paper] = {}
    slugs: set[str] = set()
    for day, item in fixture_items():
        arxiv_id = item["paper"]["id"]
        if arxiv_id in papers:
            continue
        title = " ".join(item["paper"]["title"].split())
        slug = slugify(title)
        if slug in slugs:
            slug = disambiguate(slug, identity(title), slugs)
        slugs.add(slug)
        papers[arxiv_id] = paper_from_item(day, item, slug)
    for p in papers.values():
        write_text(content_path(root, p), dump_paper(p))
    return list(papers.values())
