"""The split index ranks exactly like one lunr.js 2.3.9 index over the same documents.

tests/js/compat.js builds the reference with lunr.js itself (node_modules/lunr, `lunr()` as its docs show)
and searches the files search_files() wrote with the site's own search.js engine. For every query the
top-10 refs, their order and their scores must be equal (scores to the last bit), and malformed queries
must fail with lunr's own QueryParseError message. Known exceptions: none. (search.js refuses queries
needing more than 64 postings files, such as a bare `*` on a large archive; the harness lifts that limit.)
"""
from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import ROOT, SHARED, run_papers
from generator.config import SiteConfig
from generator.content.files import Paper, load_papers
from generator.search.files import entries, fields_for, search_files, texts
from generator.search.text import STOP_WORDS, Analyzer, _SPLIT
from generator.model.site import build_model

LUNR = ROOT / "node_modules" / "lunr" / "lunr.js"
SEARCH_JS = ROOT / "themes" / "default" / "static" / "js" / "search.js"
HARNESS = ROOT / "tests" / "js" / "compat.js"

pytestmark = pytest.mark.skipif(shutil.which("node") is None or not LUNR.is_file(),
                                reason="needs node and node_modules/lunr (npm install)")

# Queries over the seed archive: plain words, phrases, every lunr operator, fields, boosts, wildcards in
# every position, fuzzy matches, negations, and queries lunr cannot parse.
SEED_QUERIES = [
    "GLM-130B", "diffusion", "pre*", "title:llama", "continual pre-training", "language model",
    "reinforcement learning", "+diffusion +video", "diffusion -image", "title:diffusion", "abstract:benchmark",
    "llama~1", "transformr~1", "gpt~2", "bench*", "*former", "pre*train*", "distil*", "+pre* +train*",
    "model^10 data", "title:large^5 language", "-model", "+model -language", "3d", "llm", "quantization",
    "multimodal reasoning", "retrieval augmented", "agent", "video generation", "diff", "*", "a*",
    "organization:*", "title:model abstract:model", "+title:vision -abstract:language", "the", "+the",
    "title:", "+", "-", "foo~", "nofield:x", "bar^", "a:b:c",
]

SYNTHETIC_QUERIES = [
    "diffusion", "pre*", "title:llama", "transformer", "language model", "reinforcement learning",
    "video generation", "agent", "benchmark", "3d", "llm", "retrieval augmented", "quantization",
    "multimodal reasoning", "diff", "llama~1", "*former", "bexa*", "kobe~1", "organization:somelab*", "xl 7b",
    "+model -language", "-model", "title:net", "title:bench^3 data", "+pre* +train*", "gpt~2",
]


def run_harness(site: Path, docs: list[dict], queries: list[str], check_index: bool = True) -> dict:
    fields = json.loads((site / "search" / "manifest.json").read_text())["fields"]
    job = {"lunr": str(LUNR), "searchJs": str(SEARCH_JS), "manifest": str(site / "search" / "manifest.json"),
           "docs": docs, "fields": fields, "queries": queries, "top": 10,
           "checkIndex": check_index}
    proc = subprocess.run(["node", str(HARNESS)], input=json.dumps(job), capture_output=True, text=True,
                          timeout=600)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def write_index(papers: list[Paper], out: Path) -> list[dict]:
    """search_files() for the papers, written under out/; the documents as lunr.js is given them."""
    model = build_model(papers)
    for rel, data in search_files(model, SiteConfig()).items():
        (out / rel).parent.mkdir(parents=True, exist_ok=True)
        (out / rel).write_bytes(data)
    docs = entries(model.papers)
    fields = fields_for(docs)
    return [{"ref": e.slug, **{f.name: text for f, text in zip(fields, texts(e, fields))}} for e in docs]


def assert_same(result: dict) -> None:
    diffs = []
    for q in result["queries"]:
        if q["lunr"] != q["ours"]:
            diffs.append(f"{q['query']!r}:\n  lunr.js {q['lunr']}\n  ours    {q['ours']}")
    assert not diffs, "\n".join(diffs)


def assert_index_equal(index: dict) -> None:
    assert index["onlyLunr"] == [] and index["onlyOurs"] == [], index
    assert index["badIndex"] == [], index["badIndex"][:5]
    assert index["badWeight"] == [], index["badWeight"][:5]
    assert index["postings"] > 0


@pytest.fixture(scope="module")
def seed_run(tmp_path_factory, seed_content: Path) -> dict:
    out = tmp_path_factory.mktemp("compat-seed")
    docs = write_index(load_papers(seed_content)[0], out)
    return run_harness(out, docs, SEED_QUERIES)


def test_pipeline_gives_lunr_js_terms_for_every_token(tmp_path: Path, seed_content: Path):
    tokens = set()
    for p in load_papers(seed_content)[0]:
        for text in (p.title, p.body, p.organization or ""):
            tokens.update(t for t in _SPLIT.split(text.lower()) if t)
    tokens.update(["try", "lay", "yes", "y", "yy", "(e.g.,", "u.s.", "(llama's)", "café", "\U0001f600s",
                   "\U0001f600ational", "𝒪(n)", "i̇stanbul", "σας", "constructor", "__proto__", "(", "–"])
    tokens.update(STOP_WORDS)
    tokens = sorted(tokens)
    analyzer = Analyzer()
    script = ("const lunr = require(process.argv[1]); const toks = JSON.parse(require('fs').readFileSync(0, 'utf8'));"
              "const p = new lunr.Pipeline(); p.add(lunr.trimmer, lunr.stopWordFilter, lunr.stemmer);"
              "process.stdout.write(JSON.stringify(toks.map(t => { const r = p.run([new lunr.Token(t, {})]);"
              " return r.length ? r[0].toString() : null; })));")
    proc = subprocess.run(["node", "-e", script, str(LUNR)], input=json.dumps(tokens), capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    js = json.loads(proc.stdout)
    diffs = [(t, want, analyzer.term(t)) for t, want in zip(tokens, js) if analyzer.term(t) != want]
    assert not diffs, diffs[:20]
    assert len(tokens) > 3000


def test_stop_words_are_lunr_js_stop_words():
    source = LUNR.read_text(encoding="utf-8")
    block = source[source.index("lunr.stopWordFilter = lunr.generateStopWordFilter(["):]
    words = re.findall(r"'([a-z']+)'", block[: block.index("])")])
    assert len(words) > 100 and set(words) == STOP_WORDS


def test_seed_index_has_lunr_js_terms_term_indexes_and_weights(seed_run: dict):
    assert_index_equal(seed_run["index"])


def test_seed_queries_rank_exactly_like_lunr_js(seed_run: dict):
    assert len(SEED_QUERIES) >= 20
    assert_same(seed_run)
    by_query = {q["query"]: q for q in seed_run["queries"]}
    assert by_query["GLM-130B"]["ours"]["refs"][0].startswith("glm-130b")
    assert by_query["title:"]["ours"]["error"].startswith("QueryParseError")
    assert sum(1 for q in seed_run["queries"] if q["ours"]["total"] >= 10) >= 15  # the top 10 is really compared


def test_ties_and_integer_like_refs_keep_lunr_js_order(tmp_path: Path):
    """Identical documents score the same: their order is lunr's insertion order, where JavaScript lists
    integer-like keys ("7", "2048") first."""
    same = "Sparse attention for long documents."
    slugs = ["zeta", "2048", "alpha", "7", "0", "007", "beta-2", "10"]
    papers = [Paper(title=f"Tied paper {i}", slug=s, body=same, date=dt.date(2025, 1, 1 + i), authors_count=1)
              for i, s in enumerate(slugs)]
    papers.append(Paper(title="Other", slug="other", body="Dense attention.", date=dt.date(2025, 2, 1)))
    docs = write_index(papers, tmp_path)
    result = run_harness(tmp_path, docs, ["sparse", "attention", "tied", "-other", "document~1", "spar*"])
    assert_same(result)
    assert_index_equal(result["index"])
    assert result["queries"][0]["ours"]["refs"][:4] == ["0", "7", "10", "2048"]


def test_synthetic_archive_ranks_exactly_like_lunr_js(tmp_path: Path, monkeypatch):
    """800 papers from the benchmark's generator: rare tokens, many near-ties, a vocabulary split in many files,
    and frequent terms split into head and tail (HEAD_DOCS lowered so that 800 papers have such terms)."""
    import generator.search.pack as pack
    monkeypatch.setattr(pack, "HEAD_DOCS", 60)
    listing = tmp_path / "papers.txt"
    make = subprocess.run(["python3", str(SHARED / "bench" / "make_corpus.py"), "800"], capture_output=True,
                          text=True, check=True)
    listing.write_text(make.stdout, encoding="utf-8")
    content = tmp_path / "content"
    run_papers("import", "-q", "--year", "2025", "--content", str(content), str(listing), check=True)
    out = tmp_path / "site"
    docs = write_index(load_papers(content)[0], out)
    manifest = json.loads((out / "search" / "manifest.json").read_text())
    assert manifest["postings"].count("\n") > 5
    assert any(p.name.startswith("t") for p in (out / "search" / "shards" / manifest["key"]).iterdir())
    result = run_harness(out, docs, SYNTHETIC_QUERIES)
    assert_index_equal(result["index"])
    assert_same(result)


def test_authors_are_indexed_as_an_author_field_when_present(tmp_path: Path):
    papers = [Paper(title=f"Paper {i}", slug=f"p{i}", body="Attention again.", date=dt.date(2025, 1, 1 + i),
                    extra={"authors": names}) for i, names in
              enumerate([["Ada Lovelace", "Alan Turing"], [{"name": "Grace Hopper"}], []])]
    docs = write_index(papers, tmp_path)
    manifest = json.loads((tmp_path / "search" / "manifest.json").read_text())
    assert manifest["fields"][-1] == ["author", 1]
    result = run_harness(tmp_path, docs, ["author:turing", "author:hopper attention", "lovelace", "author:*"])
    assert_same(result)
    assert result["queries"][0]["ours"]["refs"] == ["p0"]
