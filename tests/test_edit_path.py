"""The work a one-paper edit does under `papers serve --watch` is the edited paper's, not the archive's.

Counted, not timed (timings belong in the bench): after an edit of one paper's upvotes in a 60-paper
archive, the kept pipeline makes the page context and BibTeX of that paper and its neighbours only,
validates that paper alone, and renders its page, its neighbours', its day, week and month and the
listings and feeds that show it; the output is still byte-identical to a fresh `papers build`.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from conftest import write_tree
from generator.build.cache import SIGNATURES, cache_dir
from generator.build.changes import Changes
from generator.build.pipeline import BuildResult, Pipeline, build
from generator.build.writers import InPlace
from generator.content import validate
from generator.model import memo
from test_pipeline import BASE, tree
from test_serve import content_path, paper

DAYS = ["2025-03-03", "2025-03-04", "2025-03-05", "2025-03-11", "2025-04-01", "2025-04-02"]


def archive(root: Path, n: int = 60) -> Path:
    files = {content_path(f"paper-{i:02d}", DAYS[i % len(DAYS)]):
             paper(f"paper-{i:02d}", f"Paper number {i}", DAYS[i % len(DAYS)], i * 7 % 50) for i in range(n)}
    return write_tree(root, files)


@pytest.fixture
def counted(monkeypatch):
    calls = {"context": 0, "bibtex": 0, "validated": 0}

    def counting(name, fn):
        def wrapper(*args, **kwargs):
            calls[name] += 1
            return fn(*args, **kwargs)
        return wrapper

    monkeypatch.setattr(memo, "paper_context", counting("context", memo.paper_context))
    monkeypatch.setattr(memo, "bibtex", counting("bibtex", memo.bibtex))
    monkeypatch.setattr(validate, "_own", counting("validated", validate._own))
    return calls


def test_one_edit_remakes_one_papers_contexts(tmp_path: Path, counted: dict[str, int]):
    root = archive(tmp_path)
    served = Pipeline(root / "content", root / "site", base_url=BASE, keep=True)
    served.run(writer=InPlace)
    assert counted["context"] == 60 and counted["validated"] == 60
    for key in counted:
        counted[key] = 0

    edited = root / content_path("paper-13", DAYS[13 % len(DAYS)])
    edited.write_text(re.sub(r"(?m)^upvotes: .*$", "upvotes: 99", edited.read_text(encoding="utf-8")),
                      encoding="utf-8")
    result = served.run(Changes({"content"}, {edited}), writer=InPlace)

    assert counted["validated"] == 1
    # the paper, and its neighbours before and after the edit moved it in the site order (by date, then
    # upvotes): their previous/next links show its card
    assert counted["context"] <= 5
    assert counted["bibtex"] <= 5 + 1  # those pages' BibTeX blocks, and the paper's .bib file
    assert 0 < result.rendered <= 16, result.rendered
    build(root / "content", root / "fresh", base_url=BASE)
    assert tree(root / "site") == tree(root / "fresh")


def serve_first_run(root: Path, counted: dict[str, int]) -> tuple[Pipeline, BuildResult, dict[str, bytes]]:
    """serve's pipeline on the up-to-date output `papers build` left, after its first run (counted from zero),
    and the output as it was before that run."""
    for key in counted:
        counted[key] = 0
    served = Pipeline(root / "content", root / "site", base_url=BASE, keep=True)
    assert served.up_to_date()
    before = tree(root / "site")
    return served, served.run(writer=InPlace), before


def test_serves_first_run_on_an_up_to_date_site_makes_no_page(tmp_path: Path, counted: dict[str, int]):
    """`papers serve --watch` on the output `papers build` made: the first run reads the files and makes the
    model and page list, but no page context and no search job; the first edit is then as exact as ever."""
    root = archive(tmp_path)
    (root / content_path("paper-00", DAYS[0])).write_text(  # an abstract for markdown-it, and its cache
        paper("paper-00", "Paper number 0", DAYS[0], 0, body="An *emphasised* abstract."), encoding="utf-8")
    build(root / "content", root / "site", base_url=BASE)
    cached = Pipeline(root / "content", root / "site").cache.abstracts()
    assert len(cached) == 1
    served, first, before = serve_first_run(root, counted)
    assert counted["context"] == 0 and counted["bibtex"] == 0
    assert (first.rendered, first.written, first.removed, first.search) == (0, 0, 0, False)
    assert not served.search_due and tree(root / "site") == before

    edited = root / content_path("paper-13", DAYS[13 % len(DAYS)])
    edited.write_text(re.sub(r"(?m)^upvotes: .*$", "upvotes: 99", edited.read_text(encoding="utf-8")),
                      encoding="utf-8")
    result = served.run(Changes({"content"}, {edited}), writer=InPlace, search=False)
    assert counted["context"] <= 5 and 0 < result.rendered <= 16, (counted, result.rendered)
    served.update_search()
    served.save()
    assert served.cache.abstracts() == cached  # the session kept markdown-it's results for the next build
    build(root / "content", root / "fresh", base_url=BASE)
    assert tree(root / "site") == tree(root / "fresh")


def test_serves_first_run_renders_as_usual_when_the_cache_lacks_a_signature(tmp_path: Path,
                                                                            counted: dict[str, int]):
    """The fallback of the test above: with no page signatures in the cache (a lost or unreadable file), the
    first run makes every page's context and compares, and still writes nothing and keeps the output's index."""
    root = archive(tmp_path)
    build(root / "content", root / "site", base_url=BASE)
    (cache_dir(root / "site") / SIGNATURES).unlink()
    served, first, before = serve_first_run(root, counted)
    assert counted["context"] == 60 and first.rendered == first.pages and (first.written, first.removed) == (0, 0)
    assert not served.search_due and tree(root / "site") == before
