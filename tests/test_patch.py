"""serve's patch path (model/patch.py): an edit that leaves a paper where it is filed remakes only the pages
that show it, and those pages, the whole page list and the output are what a full rebuild makes.

Random edits over a small archive with organisations, topics, authors and undated papers: upvotes (which
move a paper within its day), abstracts, AI summaries, an organisation's spelling (same URL name), and
edits the patch does not take (a new title, a new date), which must fall back to the full path.
"""
from __future__ import annotations

import random
import re
from pathlib import Path

import pytest

from conftest import write_tree
from generator.build.changes import Changes
from generator.build.pipeline import Pipeline, build
from generator.build.state import scan_content
from generator.build.writers import InPlace
from generator.content.sources import Sources
from generator.build import pipeline as pipeline_module
from generator.model import site as site_module
from generator.model.site import build_model, pages
from test_pipeline import BASE, tree

DAYS = ["2025-03-03", "2025-03-04", "2025-03-05", "2025-03-11", "2025-04-01", None]
ORGS = ["Acme Lab", "Beta Org", None]


def _file(i: int) -> tuple[str, str]:
    slug, day = f"paper-{i:02d}", DAYS[i % len(DAYS)]
    path = f"content/{day[:4]}/{day[5:7]}/{day[8:]}/{slug}.md" if day else f"content/undated/p/{slug}.md"
    lines = ["---", "schema: 1", f"title: Paper number {i}", f"slug: {slug}", f"upvotes: {i * 7 % 23}"]
    if day:
        lines.append(f"date: {day}")
    else:
        lines.append("flags: [no-metadata]")
    if ORGS[i % 3]:
        lines.append(f"organization: {ORGS[i % 3]}")
    lines += ["keywords: [Diffusion, Agents, Topic " + str(i % 4) + "]",
              f"authors: [Ann Author{i % 3}, Bob Lee, Carl {i}]", "---", "", f"Abstract of paper {i}.", ""]
    return path, "\n".join(lines)


def _archive(root: Path, n: int = 36) -> Path:
    return write_tree(root, dict(_file(i) for i in range(n)))


def _edit(path: Path, rng: random.Random) -> str:
    text = path.read_text(encoding="utf-8")
    what = rng.choice(["upvotes", "upvotes", "abstract", "summary", "org", "title", "date"])
    if what == "upvotes":
        text = re.sub(r"(?m)^upvotes: .*$", f"upvotes: {rng.randrange(40)}", text)
    elif what == "abstract":
        text = text.rstrip("\n") + f" More words {rng.randrange(1000)}.\n"
    elif what == "summary":
        text = re.sub(r"(?m)^ai_summary: .*\n", "", text)
        text = text.replace("---\n\n", f"ai_summary: A summary {rng.randrange(100)}.\n---\n\n", 1)
    elif what == "org":
        text = text.replace("organization: Acme Lab", "organization: ACME Lab").replace(
            "organization: Beta Org", "organization: Beta org")
    elif what == "title":
        text = re.sub(r"(?m)^title: .*$", f"title: Renamed paper {rng.randrange(1000)}", text)
    else:  # a new date moves the file's page: the patch must not take it (and the file is then misplaced)
        text = re.sub(r"(?m)^date: .*$", "date: 2025-03-05", text)
    path.write_text(text, encoding="utf-8")
    return what


def _contexts(site_pages):
    return [(p.path, p.template, p.kind, p.date, p.context) for p in site_pages]


@pytest.mark.parametrize("seed, sitemap_urls", [(1, None), (2, None), (3, 10)])  # 10: a sitemap index of parts
def test_patched_pages_are_a_full_rebuilds(tmp_path: Path, seed: int, sitemap_urls: int | None, monkeypatch):
    if sitemap_urls:
        monkeypatch.setattr(site_module, "SITEMAP_URLS", sitemap_urls)
    rng = random.Random(seed)
    root = _archive(tmp_path)
    served = Pipeline(root / "content", root / "site", base_url=BASE, keep=True)
    served.run(writer=InPlace)
    full_runs = []
    real = pipeline_module.build_model

    def counting(*args, **kwargs):
        full_runs.append(1)
        return real(*args, **kwargs)
    monkeypatch.setattr(pipeline_module, "build_model", counting)
    files = sorted((root / "content").rglob("*.md"))
    kinds, took = [], []
    for step in range(14):
        batch = rng.sample(files, rng.choice([1, 1, 2]))
        kinds.append([_edit(f, rng) for f in batch])
        before = len(full_runs)
        result = served.run(Changes({"content"}, set(batch)), writer=InPlace)
        took.append(len(full_runs) == before)
        judged = Sources(root / "content", keep=False)  # read and judged anew, as `papers build` would
        judged.read_all(scan_content(root / "content")[0])
        papers, warnings = judged.papers()
        assert not judged._seen._found  # a one-shot build keeps none of serve's findings per paper
        assert all(p.seen == () for p in papers)  # nor what only the validator reads
        assert result.warnings == warnings, (step, kinds[-1])
        fresh = pages(build_model(papers), served.config)
        assert _contexts(served._pages) == _contexts(fresh), (step, kinds[-1])
        if step % 5 == 4:
            build(root / "content", root / "fresh", base_url=BASE)
            assert tree(root / "site") == tree(root / "fresh"), (step, kinds[-1])
    for ks, patched in zip(kinds, took):  # the patch path is taken for what it can do, and only for that
        assert patched == all(k in ("upvotes", "abstract", "summary", "org") for k in ks) or "date" in ks, kinds
    assert any(took) and not all(took), kinds


def test_an_upvote_edit_renders_the_pages_that_show_the_paper(tmp_path: Path):
    root = _archive(tmp_path)
    served = Pipeline(root / "content", root / "site", base_url=BASE, keep=True)
    served.run(writer=InPlace)
    edited = root / _file(7)[0]
    edited.write_text(re.sub(r"(?m)^upvotes: .*$", "upvotes: 99", edited.read_text(encoding="utf-8")),
                      encoding="utf-8")
    result = served.run(Changes({"content"}, {edited}), writer=InPlace)
    assert served.sources.replaced is not None
    # its page and those beside it before and after the move, its day, week, month, org, topic and author
    # pages, home and the feeds, the sitemap (paper pages moved): not the archive's 80-odd pages
    assert 0 < result.rendered <= 30, result.rendered
    build(root / "content", root / "fresh", base_url=BASE)
    assert tree(root / "site") == tree(root / "fresh")
