"""Search index building: lunr.js's text pipeline in Python, per-term postings, the manifest and its shards.

Ranking equality with lunr.js itself is tests/test_lunr_compat.py; the page is tests/test_search_browser.py.
"""
from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest

from conftest import run_papers
from generator.config import SiteConfig
from generator.content.files import Paper
from bench.search_payload import payload_for_query
from generator.search.files import FIELDS, documents, entries, index_files, search_files
from generator.search.index import Field, build_index, is_array_index
from generator.search.pack import DOCS_PER_SHARD, LEAD_CHARS, front_code, title_slug
from generator.search.text import Analyzer, js_sorted, stem, tokenize, trim
from generator.model.site import build_model


def model_of(*papers: Paper):
    return build_model(list(papers))


def paper(slug: str, title: str, body: str = "", day: int = 1, **kw) -> Paper:
    return Paper(title=title, slug=slug, body=body, date=dt.date(2025, 1, day), **kw)


def shards_of(files: dict[str, bytes]) -> dict[str, object]:
    return {rel: json.loads(data) for rel, data in files.items() if rel.startswith("search/shards/")}


# ---- the text pipeline: what lunr.js does, not what lunr.py does ----

def test_tokenizer_splits_on_javascript_whitespace_and_hyphens():
    assert tokenize("GLM-130B: An\u00a0Open\u2009Model\ufeffX") == ["glm", "130b:", "an", "open", "model", "x"]
    assert tokenize("  --  ") == []


def test_trimmer_strips_ascii_non_word_characters_only_at_the_ends():
    assert trim("(e.g.,") == "e.g"  # lunr.py keeps "(e.g.," unchanged
    assert trim("café") == "caf"  # JavaScript's \W is ASCII-only
    assert trim("(") == ""


@pytest.mark.parametrize("word,expected", [("try", "tri"), ("lay", "lay"), ("trying", "tri"), ("models", "model"),
                                           ("relational", "relat"), ("yes", "ye"), ("go", "go")])
def test_stemmer_is_lunr_js_not_lunr_py(word: str, expected: str):
    assert stem(word) == expected


def test_analyzer_drops_stop_words_keeps_empty_terms_and_counts_like_lunr_builder():
    a = Analyzer()
    counts, length = a.counts("The models, the MODELS and ( trying")
    assert counts == {"model": 2, "": 1, "tri": 1}
    assert list(counts) == ["model", "", "tri"]  # first-occurrence order gives lunr's term indexes
    assert length == 4
    assert a.terms("The models") == ["model"]


def test_javascript_string_order_is_utf16_order():
    assert js_sorted(["\U0001f600", "\uffe0", "a"]) == ["a", "\U0001f600", "\uffe0"]
    assert js_sorted(["b", "a", "ab"]) == ["a", "ab", "b"]


def test_front_coding_counts_utf16_code_units():
    assert front_code(["model", "modul", "mx"]).split("\n") == ["0model", "3ul", "1x"]
    assert front_code(["a\U0001f600b", "a\U0001f600c"]).split("\n") == ["0a\U0001f600b", "3c"]


# ---- the index ----

@pytest.fixture(params=[(512, 4096), (1, 1), (1, 2), (2, 3)], ids=["one-block", "block-1", "block-2", "block-3"])
def blocks(request, monkeypatch):
    """build_index counts BLOCK documents at a time (read CHUNK at a time): block boundaries change nothing."""
    import generator.search.index as index
    monkeypatch.setattr(index, "CHUNK", request.param[0])
    monkeypatch.setattr(index, "BLOCK", request.param[1])


def test_term_indexes_follow_first_occurrence_by_document_then_field(blocks):
    idx = build_index([("beta alpha", "gamma", None), ("delta", "alpha beta epsilon", "Org"),
                       ("the ... of", "", "zeta alpha")], FIELDS)
    order = sorted(idx.terms, key=lambda t: idx.terms[t].index)
    assert order == list(idx.terms) == ["beta", "alpha", "gamma", "delta", "epsilon", "org", "", "zeta"]
    assert idx.count == 3 and idx.length_sums == [4, 4, 3]  # "the", "of": stop words; "...": the empty term
    assert idx.terms["alpha"].docs(0) == [0] and idx.terms["alpha"].docs(1) == [1]
    assert idx.terms["alpha"].fields[2].tolist() == [2, 1, 2]


def test_postings_are_document_deltas_with_tf_and_field_length(blocks):
    idx = build_index([("x",), ("y",), ("x x y",), ("x",)], [Field("title")])
    assert idx.terms["x"].fields[0].tolist() == [0, 1, 1, 2, 2, 3, 1, 1, 1]  # an array of C ints
    assert idx.terms["x"].docs(0) == [0, 2, 3]
    assert idx.terms["y"].fields[0].tolist() == [1, 1, 1, 1, 1, 3]


def test_integer_like_refs_are_recorded_for_javascript_key_order():
    assert is_array_index("0") and is_array_index("2048")
    assert not is_array_index("007") and not is_array_index("2048-games") and not is_array_index("99999999999")
    files = search_files(model_of(paper("word", "Word one", day=1), paper("2048", "Word two", day=2),
                                  paper("10", "Word three", day=3)), SiteConfig())
    manifest = json.loads(files["search/manifest.json"])
    assert manifest["intRefs"] == [[2, 10], [1, 2048]]


# ---- files on disk ----

def shard(files: dict, manifest: dict, name: str):
    return json.loads(files[f"search/shards/{manifest['key']}/{name}.json"])


def test_manifest_and_shards_live_in_one_folder_named_by_what_they_are_made_from():
    ps = [paper(f"p{i}", f"Paper {i} on diffusion", f"Abstract {i} about models.", day=1 + i % 28) for i in range(40)]
    files = search_files(model_of(*ps), SiteConfig())
    manifest = json.loads(files["search/manifest.json"])
    folders = {rel.split("/")[2] for rel in files if rel.startswith("search/shards/")}
    assert folders == {manifest["key"]} and len(manifest["key"]) == 16
    kinds = {rel.split("/")[-1][0] for rel in files if rel.startswith("search/shards/")}
    assert kinds == {"p", "v", "d", "u"}
    assert len(manifest["postings"].split("\n")) == sum(1 for r in files if r.split("/")[-1].startswith("p"))
    assert manifest["fields"] == [["title", 10], ["abstract", 1], ["organization", 1]]
    assert manifest["count"] == 40
    assert sum(1 for r in files if r.split("/")[-1].startswith("d")) == -(-40 // DOCS_PER_SHARD)
    changed = search_files(model_of(*ps[:-1], paper("p39", "Paper 39 changed", "Other.", day=1 + 39 % 28)),
                           SiteConfig())
    assert json.loads(changed["search/manifest.json"])["key"] != manifest["key"]


def test_document_store_holds_what_a_result_row_shows():
    long = "An open\n\nbilingual model. " + "More words follow here. " * 20
    p = paper("glm", "GLM <b>130B</b>", long, organization="Tsinghua University", authors_count=9)
    q = paper("plain-title", "Plain title", "Short.", day=2, upvotes=7)
    files = search_files(model_of(p, q), SiteConfig())
    manifest = json.loads(files["search/manifest.json"])
    rows = shard(files, manifest, "d0")
    assert rows[0][:7] == ["glm", "GLM <b>130B</b>", "2025-01-01", None, "Tsinghua University", "tsinghua-university", 9]
    assert rows[0][7].startswith("An open bilingual model. More words") and rows[0][7].endswith("…")
    assert len(rows[0][7]) <= LEAD_CHARS + 1
    assert rows[1] == ["", "Plain title", "2025-01-02", 7, None, None, None, "Short."]  # slug made from the title
    assert title_slug("Plain title") == "plain-title" and title_slug("Café") is None
    assert shard(files, manifest, "u0") == [0, 7]


def test_postings_shards_cover_all_terms_in_javascript_order_and_frequent_terms_are_split(monkeypatch):
    import generator.search.pack as pack
    monkeypatch.setattr(pack, "HEAD_DOCS", 10)
    ps = [paper(f"p{i}", f"Title {i} token{i}", " ".join(f"w{i}x{j}" for j in range(300)) + " common" * (i % 3 + 1))
          for i in range(60)]
    files = search_files(model_of(*ps), SiteConfig())
    manifest = json.loads(files["search/manifest.json"])
    seps = []
    for line in manifest["postings"].split("\n"):
        seps.append((seps[-1] if seps else "")[: ord(line[0]) - 48] + line[1:])
    assert len(seps) > 1  # big enough to split
    terms = []
    for n, sep in enumerate(seps):
        rows = shard(files, manifest, f"p{n}")
        # the separator: the shortest prefix of the shard's first term that sorts after the previous shard's last
        first = rows[0][0]
        assert first.startswith(sep) and (n == 0 and sep == first or terms[-1] < sep), (sep, first)
        assert n == 0 or not terms[-1] < sep[:-1]  # and no shorter prefix does
        terms += [r[0] for r in rows]
        for r in rows:
            if r[0] in ("common", "titl"):
                df, h, bound = r[2]
                head, tail = shard(files, manifest, f"h{h}"), shard(files, manifest, f"t{h}")
                assert df == 60 and sum(len(f) // 3 for f in head) == 10
                assert sum(len(f) // 3 for f in head + tail) == 60 and bound > 0
    assert terms == js_sorted(terms) and len(terms) == len(set(terms))
    vocab = []
    for n, (lo, hi) in enumerate(manifest["vocab"]):
        prev = ""
        for line in shard(files, manifest, f"v{n}").split("\n"):
            prev = prev[: ord(line[0]) - 48] + line[1:]
            assert lo <= len(prev) <= hi
            vocab.append(prev)
    assert sorted(vocab) == sorted(terms)


def _split_by_loops(index, fields, head_docs):
    """What pack._split computes, as the Python loops it replaced: the reference for its numpy version."""
    import math
    from itertools import accumulate
    from generator.search.pack import B, K1
    df = sum(len(f) // 3 for f in fields)
    idf = math.log(1 + abs((index.count - df + 0.5) / (df + 0.5)))
    acc, decoded = {}, []
    for fi, flat in enumerate(fields):
        docs, tfs, lens = list(accumulate(flat[0::3])), flat[1::3], flat[2::3]
        decoded.append((docs, tfs, lens))
        c, k = B / (index.length_sums[fi] / index.count), idf * (K1 + 1) * index.fields[fi].boost
        for d, tf, n in zip(docs, tfs, lens):
            acc[d] = acc.get(d, 0.0) + k * tf / (K1 * (1 - B + c * n) + tf)
    if len(acc) <= head_docs * 2:
        return None
    top = sorted(sorted(acc), key=acc.__getitem__, reverse=True)[:head_docs + 1]
    heads, tails = [], []
    for docs, tfs, lens in decoded:
        for into, keep in ((heads, True), (tails, False)):
            out, prev = [], 0
            for d, tf, n in zip(docs, tfs, lens):
                if (d in top[:head_docs]) == keep:
                    out += [d - prev, tf, n]
                    prev = d
            into.append(out)
    bound = acc[top[head_docs]] + 0.0005 * len(fields) + 1e-6
    return heads, tails, df, math.ceil(bound * 1000) / 1000


def test_a_frequent_terms_head_is_its_best_documents_ties_to_the_lower_one(monkeypatch):
    import random
    from array import array
    import generator.search.pack as pack
    from generator.search.index import LunrIndex, TermPostings
    monkeypatch.setattr(pack, "HEAD_DOCS", 8)
    rng = random.Random(5)
    for case in range(40):
        count = rng.randint(10, 80)
        fields = []
        for _ in range(rng.randint(1, 3)):
            docs = sorted(rng.sample(range(count), rng.randint(0, count)))
            flat, prev = array("i"), 0
            for d in docs:  # few distinct (tf, length) pairs: many documents tie
                flat.extend((d - prev, rng.randint(1, 2), rng.choice((20, 40))))
                prev = d
            fields.append(flat)
        index = LunrIndex([Field(f"f{i}", 1 + i) for i in range(len(fields))], count,
                          [rng.randint(count, 50 * count)] * len(fields), {"t": TermPostings(0, fields)})
        assert pack._split(index, fields) == _split_by_loops(index, fields, 8), case


def test_months_give_document_ranges_for_date_filters():
    ps = [paper("a", "A", "x", day=3), paper("b", "B", "x", day=1), Paper(title="C", slug="c", body="x"),
          Paper(title="D", slug="d", body="x", date=dt.date(2025, 2, 2))]
    manifest = json.loads(search_files(model_of(*ps), SiteConfig())["search/manifest.json"])
    assert manifest["months"] == [["2025-01", 0], ["2025-02", 2]] and manifest["undated"] == 3


def test_same_papers_give_byte_identical_files():
    ps = [paper(f"p{i}", f"Paper {i}", f"Text {i} of a paper.") for i in range(20)]
    assert search_files(model_of(*ps), SiteConfig()) == search_files(model_of(*reversed(ps)), SiteConfig())


def test_an_empty_archive_still_has_a_manifest():
    files = search_files(model_of(), SiteConfig())
    assert json.loads(files["search/manifest.json"])["count"] == 0


# ---- through `papers build` ----

def test_build_writes_the_index_and_pages_never_name_shards(seed_site: Path, seed_content: Path):
    manifest = json.loads((seed_site / "search" / "manifest.json").read_text())
    assert manifest["count"] == len(documents(build_model(_papers(seed_content))))
    shard_names = {p.stem for p in (seed_site / "search" / "shards").iterdir()}
    assert len(shard_names) < 100  # hundreds at most, not one per paper
    page = (seed_site / "search" / "index.html").read_text()
    assert 'data-index="/search/manifest.json"' in page
    assert not any(name in page for name in shard_names)


def test_changing_an_abstract_changes_the_manifest_but_not_the_search_page(tmp_path: Path, seed_content: Path):
    content = tmp_path / "content"
    shutil.copytree(seed_content, content)
    out = tmp_path / "site"
    run_papers("build", "--content", str(content), "--out", str(out), "-q", check=True)
    before = {p: (out / "search" / p).read_bytes() for p in ("index.html", "manifest.json")}
    target = sorted(content.rglob("*.md"))[0]
    target.write_text(target.read_text(encoding="utf-8") + "\nZyzzyva quokka.\n", encoding="utf-8")
    run_papers("build", "--content", str(content), "--out", str(out), "-q", check=True)
    assert (out / "search" / "index.html").read_bytes() == before["index.html"]
    assert (out / "search" / "manifest.json").read_bytes() != before["manifest.json"]


def test_the_index_is_made_from_entries_in_the_models_order_and_lets_each_one_go(seed_content: Path):
    """The search job is fed the papers in file order; entries() puts them in the model's, and index_files drops
    each entry once indexed (at 100k papers the abstracts are ~120 MB the postings can take over)."""
    papers = _papers(seed_content)
    model = build_model(papers)
    docs = entries(reversed(papers))
    assert [e.slug for e in docs] == [p.slug for p in model.papers]
    assert index_files(docs) == search_files(model, SiteConfig())
    assert docs == [None] * len(papers)


def _papers(content: Path) -> list[Paper]:
    from generator.content.files import load_papers

    return load_papers(content)[0]


@pytest.mark.skipif(shutil.which("node") is None, reason="node is needed to run search.js")
def test_payload_for_query_lists_the_files_a_query_reads(seed_site: Path):
    files, raw, gz = payload_for_query(seed_site, "diffusion")
    assert files[0] == "search/index.html" and "search/manifest.json" in files
    assert any(f.startswith("static/vendor/lunr-2.3.9") for f in files)
    shards = [f for f in files if f.startswith("search/shards/")]
    assert 2 <= len(shards) < len(list((seed_site / "search" / "shards").glob("*/*.json")))
    assert raw == sum((seed_site / f).stat().st_size for f in files)
    assert 0 < gz < raw
    none_files, _, none_gz = payload_for_query(seed_site, "zzzyxq")
    assert len(none_files) < len(files)  # no results: no document shards (but the one-typo retry's word lists)


@pytest.mark.skipif(shutil.which("node") is None, reason="node is needed to run search.js")
def test_engine_refuses_queries_needing_too_many_files_and_reports_parse_errors(seed_site: Path):
    from bench.search_payload import run_queries

    broad, bad, ok = run_queries(seed_site, ["*", "title:", "diffusion"], max_shards=2)
    assert broad.error.startswith("TooBroad") and broad.refs == []
    assert bad.error == "QueryParseError: expecting term, found nothing"
    assert ok.error is None and ok.total > 10 and len(ok.refs) == 10 and ok.scores == sorted(ok.scores, reverse=True)


@pytest.mark.skipif(shutil.which("node") is None, reason="node is needed to run search.js")
def test_payload_for_query_under_a_base_path(tmp_path: Path, seed_content: Path):
    out = tmp_path / "site"
    run_papers("build", "--content", str(seed_content), "--out", str(out), "-q", "--base-url",
               "https://example.org/papers-archive/", check=True)
    assert 'data-index="/papers-archive/search/manifest.json"' in (out / "search" / "index.html").read_text()
    files, raw, gz = payload_for_query(out, "GLM-130B")
    assert "search/manifest.json" in files and all((out / f).is_file() for f in files)


def test_a_separator_is_the_shortest_prefix_after_the_previous_shards_last_term():
    from generator.search.pack import separator
    assert separator(None, "diffus") == "diffus"
    assert separator("dictionari", "diffus") == "dif"
    assert separator("diff", "diffus") == "diffu"  # the last term is a prefix of the first
    assert separator("a", "b") == "b"
    # JavaScript order (UTF-16 code units): U+FF5E sorts after U+1F600's high surrogate, code points say otherwise
    assert separator("x\U0001F600", "x\uff5e") == "x\uff5e"
