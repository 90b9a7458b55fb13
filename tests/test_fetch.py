"""`papers fetch` against a local replay of the Daily Papers API: day selection, paging, merging, re-fetching."""
from __future__ import annotations

import copy
import datetime as dt
import json
import os
from pathlib import Path

import pytest

from conftest import FETCH_DAYS, run_fetch, run_papers, tree
from generator.content.files import iter_content_files, read_paper
from generator.ingest import import_listings
from generator.ingest.hfitems import parse_item, unwrap
from replay_api import ReplayAPI, fixture_days
from test_parser import listing, paper

AVA = "2608.12313"  # on Daily Papers on 2026-08-13 (2 upvotes then) and 2026-08-19 (27)
AVA_TITLE = "AVA-Encoder: Towards Agent-Native Video Representation Learning"



def papers_in(root: Path) -> dict[str, object]:
    """arxiv_id → Paper for every content file."""
    out = {}
    for path in iter_content_files(root):
        p, _ = read_paper(path)
        out[p.extra.get("arxiv_id") or p.slug] = p
    return out


@pytest.fixture
def api():
    server = ReplayAPI()
    yield server
    server.close()


def ok(proc) -> str:
    assert proc.returncode == 0, proc.stderr
    return proc.stderr


def test_fetched_content_is_every_fixture_paper_once_and_checks_clean(fetched_content: Path):
    items = [i for day in fixture_days().values() for i in day]
    ids = {i["paper"]["id"] for i in items}
    assert len(items) == 333 and len(ids) == 331
    papers = papers_in(fetched_content)
    assert set(papers) == ids
    proc = run_papers("check", "--strict", "--content", str(fetched_content))
    assert proc.returncode == 0 and "331 papers checked: 0 errors, 0 warnings" in proc.stderr, proc.stderr
    p = papers["2607.23802"]
    assert p.title.startswith("From RLVR to RLSVR") and p.date == dt.date(2026, 8, 3)
    assert p.extra["github"] == "https://github.com/wangqinsi1/RLSVR" and p.extra["github_stars"] == 138
    assert p.extra["project_page"] == "https://github.com/wangqinsi1/RLSVR/tree/SpyRL"
    assert p.extra["authors"][:2] == ["Qinsi Wang", "Jing Shi"] and p.authors_count == len(p.extra["authors"])
    assert p.upvotes == 58 and p.extra["num_comments"] == 2 and p.extra["submitted_by"] == "Qinsi1"
    assert p.extra["fetched"] == [{"day": dt.date(2026, 8, 3), "fetched_on": dt.date(2026, 8, 21), "upvotes": 58}]
    with_org = [q for q in papers.values() if q.organization]
    assert len(with_org) > 100 and any(q.organization == "ByteDance" for q in with_org)
    summarised = {i["paper"]["id"] for i in items if i["paper"].get("ai_keywords") and i["paper"].get("ai_summary")}
    assert {k for k, q in papers.items() if "keywords" in q.extra and "ai_summary" in q.extra} == summarised
    assert len(summarised) == 169


def test_paper_on_two_days_is_one_file_dated_by_the_first_with_both_snapshots(fetched_content: Path):
    files = [p for p in iter_content_files(fetched_content) if AVA in p.read_text(encoding="utf-8")]
    assert [f.relative_to(fetched_content).as_posix() for f in files] == [
        "2026/08/13/ava-encoder-towards-agent-native-video-representation-learning.md"]
    p, _ = read_paper(files[0])
    assert p.date == dt.date(2026, 8, 13)
    assert p.upvotes == 27  # the newest snapshot: the later day of the same fetch
    assert [(s["day"], s["upvotes"]) for s in p.extra["fetched"]] == [(dt.date(2026, 8, 13), 2),
                                                                     (dt.date(2026, 8, 19), 27)]
    later = next(i for i in fixture_days()["2026-08-19"] if i["paper"]["id"] == AVA)
    assert p.extra["num_comments"] == later["numComments"]  # fields from the later day


def test_hard_wraps_leave_titles_and_abstracts(fetched_content: Path):
    raw = next(i for i in fixture_days()["2026-08-05"] if "\n  We introduce AURORA-LM" in i["paper"]["summary"])
    p = papers_in(fetched_content)[raw["paper"]["id"]]
    paragraphs = p.body.split("\n\n")
    assert len(paragraphs) == 3 and all("\n" not in para and "  " not in para for para in paragraphs)
    assert paragraphs[1].startswith("We introduce AURORA-LM")
    assert unwrap("A long\nline that\nwraps.\n  A new\nparagraph.\n") == "A long line that wraps.\n\nA new paragraph."
    item = {"paper": {"id": "2608.00001", "title": "A Title That\n  Wraps Twice\n"}}
    assert parse_item(item, dt.date(2026, 8, 3), "d", 1, []).title == "A Title That Wraps Twice"


def test_pagination_with_a_limit_below_the_day_follows_every_page(api, tmp_path, fetched_content):
    content = tmp_path / "content"
    ok(run_fetch(api.url, content, "--date", "2026-08-18", "--limit", "5", "--today", "2026-08-21"))
    pages = [r["query"] for r in api.requests]
    assert [(q["p"], q["limit"]) for q in pages] == [(str(n), "5") for n in range(6)]  # 29 papers: 6 pages
    assert tree(content / "2026/08/18") == tree(fetched_content / "2026/08/18")
    assert len(list(iter_content_files(content))) == 29


def test_week_month_since_and_latest_fetch_their_days(api, tmp_path):
    ok(run_fetch(api.url, tmp_path / "w", "--week", "2026-W33", "--today", "2026-08-21"))
    assert [r["query"]["date"] for r in api.requests] == [f"2026-08-{d}" for d in range(10, 17)]
    assert len(list(iter_content_files(tmp_path / "w"))) == 21 + 20 + 20 + 20 + 23
    api.requests.clear()
    err = ok(run_fetch(api.url, tmp_path / "m", "--month", "2026-08", "--today", "2026-08-21"))
    assert [r["query"]["date"] for r in api.requests] == [f"2026-08-{d:02d}" for d in range(1, 22)]  # not after today
    assert len(list(iter_content_files(tmp_path / "m"))) == 331
    assert "21 days fetched (6 empty), 333 papers listed: 331 new, 2 updated, 0 unchanged" in err
    api.requests.clear()
    ok(run_fetch(api.url, tmp_path / "s", "--since", "2026-08-19", "--today", "2026-08-21"))
    assert [r["query"]["date"] for r in api.requests] == ["2026-08-19", "2026-08-20", "2026-08-21"]
    api.requests.clear()
    ok(run_fetch(api.url, tmp_path / "l", "--latest", "2", "--today", "2026-08-21"))
    assert [r["query"]["date"] for r in api.requests] == ["2026-08-20", "2026-08-21"]
    assert len(list(iter_content_files(tmp_path / "l"))) == 15 + 17


def test_an_empty_day_is_fetched_and_writes_nothing(api, tmp_path):
    err = ok(run_fetch(api.url, tmp_path / "content", "--date", "2026-08-08", "--today", "2026-08-21"))
    assert "1 days fetched (1 empty), 0 papers listed" in err
    assert not (tmp_path / "content").exists() or not list((tmp_path / "content").rglob("*.md"))


def test_items_missing_optional_fields_or_with_unknown_ones_are_kept_and_odd_ones_skipped(tmp_path):
    bare = {"paper": {"id": "2608.00001", "title": "Bare Minimum"}}  # no summary, date, authors, upvotes, ...
    odd = {"paper": {"id": "2608.00002", "title": "Odd Types", "summary": "Text.", "githubRepo": 5,
                     "authors": "Someone", "upvotes": "many", "projectPage": "javascript:alert(1)",
                     "ai_keywords": [1, "kw", None], "submittedOnDailyAt": "yesterday", "mediaUrl": ["x"],
                     "brandNewField": {"deep": [1, 2]}},
           "organization": [], "numComments": -3, "title": None, "somethingElse": True}
    no_id = {"paper": {"title": "No Id"}}
    no_title = {"paper": {"id": "2608.00003"}}
    server = ReplayAPI({"2026-08-03": [bare, "not an object", odd, no_id, no_title, {"paper": []}]})
    try:
        err = ok(run_fetch(server.url, tmp_path / "content", "--date", "2026-08-03", "--today", "2026-08-21"))
    finally:
        server.close()
    assert "2 papers listed: 2 new, 0 updated, 0 unchanged, 4 skipped" in err
    assert "2026-08-03:4: warning: item has no arXiv id" in err and "2026-08-03:5: warning: paper 2608.00003 has no " \
           "title; skipped" in err
    papers = papers_in(tmp_path / "content")
    b, o = papers["2608.00001"], papers["2608.00002"]
    assert (b.title, b.date, b.body, b.upvotes) == ("Bare Minimum", dt.date(2026, 8, 3), "", None)
    assert b.extra == {"arxiv_id": "2608.00001", "fetched": [{"day": dt.date(2026, 8, 3),
                                                             "fetched_on": dt.date(2026, 8, 21)}]}
    assert o.date == dt.date(2026, 8, 3) and o.body == "Text." and o.extra["keywords"] == ["kw"]
    for absent in ("github", "authors", "project_page", "num_comments", "mediaUrl", "brandNewField"):
        assert absent not in o.extra
    assert run_papers("check", "--strict", "--content", str(tmp_path / "content")).returncode == 0


def test_a_paper_imported_from_a_listing_then_fetched_is_one_enriched_file(api, tmp_path):
    item = next(i for i in fixture_days()["2026-08-13"] if i["paper"]["id"] == AVA)
    abstract = " ".join(item["paper"]["summary"].split())
    text = paper(AVA_TITLE.upper(), abstract, "  • 10 authors", "Aug 13 2")  # as a listing shows it, another case
    content = tmp_path / "content"
    import_listings([listing(tmp_path, text, page="Aug 14", name="saved.txt")], content, 2026)
    [before] = list(iter_content_files(content))
    ok(run_fetch(api.url, content, "--date", "2026-08-13", "--today", "2026-08-21"))
    [after] = [p for p in iter_content_files(content) if AVA_TITLE.upper() in p.read_text(encoding="utf-8")]
    assert after == before and len(list(iter_content_files(content))) == 20
    p, _ = read_paper(after)
    assert p.title == AVA_TITLE.upper() and p.body == abstract  # the first title and abstract stay
    assert p.seen[0]["listing"] == "saved.txt" and p.authors_count == 10
    assert p.extra["arxiv_id"] == AVA and p.extra["keywords"][0] == "Agentic Video Auto-Encoder"
    assert p.extra["authors"][0] == "Chuyue Li" and p.upvotes == 2 and len(p.extra["fetched"]) == 1
    # importing the listing again keeps the API's upvotes and every fetched field
    import_listings([tmp_path / "saved.txt"], content, 2026)
    assert read_paper(after)[0].extra == p.extra and read_paper(after)[0].upvotes == p.upvotes


def test_refetch_is_byte_identical_and_new_upvotes_change_only_what_they_change(tmp_path, fetched_content):
    content = tmp_path / "content"
    days = fixture_days()
    server = ReplayAPI(days)
    try:
        ok(run_fetch(server.url, content, *FETCH_DAYS))
        assert tree(content) == tree(fetched_content)
        stamps = {p: p.stat().st_mtime_ns for p in content.rglob("*.md")}
        err = ok(run_fetch(server.url, content, "--since", "2026-08-03", "--until", "2026-08-21", "--today",
                           "2026-08-28"))  # a week later, the same answers
        assert "0 new, 0 updated, 333 unchanged" in err
        assert tree(content) == tree(fetched_content)
        assert {p: p.stat().st_mtime_ns for p in content.rglob("*.md")} == stamps  # not even rewritten
        target = next(i for i in days["2026-08-03"] if i["paper"]["id"] == "2607.23802")
        target["paper"]["upvotes"] = 75
        err = ok(run_fetch(server.url, content, "--date", "2026-08-03", "--today", "2026-08-28"))
        assert "0 new, 1 updated, 21 unchanged" in err
    finally:
        server.close()
    changed = {k for k, v in tree(content).items() if tree(fetched_content).get(k) != v}
    assert changed == {"2026/08/03/from-rlvr-to-rlsvr-task-transformation-induces-self-verifiable-rewards-for-open.md"}
    [path] = [content / c for c in changed]
    p, _ = read_paper(path)
    assert p.upvotes == 75
    assert p.extra["fetched"] == [{"day": dt.date(2026, 8, 3), "fetched_on": dt.date(2026, 8, 21), "upvotes": 58},
                                  {"day": dt.date(2026, 8, 3), "fetched_on": dt.date(2026, 8, 28), "upvotes": 75}]
    old = (fetched_content / path.relative_to(content)).read_text(encoding="utf-8").splitlines()
    new = path.read_text(encoding="utf-8").splitlines()
    assert [line for line in new if line not in old] == ["upvotes: 75", "  fetched_on: 2026-08-28", "  upvotes: 75"]


def test_hand_edits_and_curator_fields_survive_a_fetch(api, tmp_path, fetched_content):
    content = tmp_path / "content"
    import shutil
    shutil.copytree(fetched_content, content)
    path = content / "2026/08/13/ava-encoder-towards-agent-native-video-representation-learning.md"
    text = path.read_text(encoding="utf-8")
    text = text.replace("title: 'AVA-Encoder: Towards", "title: 'AVA Encoder: Towards")  # a corrected title
    text = text.replace("fetched:\n", "notes: checked by hand\naliases:\n- AVA-Encoder\nfetched:\n")
    text = text.replace("Creative agents still", "Creative agents (edited) still")
    path.write_text(text, encoding="utf-8")
    days = fixture_days()
    for day in ("2026-08-13", "2026-08-19"):
        next(i for i in days[day] if i["paper"]["id"] == AVA)["paper"]["upvotes"] = 99
    server = ReplayAPI(days)
    try:
        ok(run_fetch(server.url, content, "--since", "2026-08-13", "--until", "2026-08-19", "--today", "2026-08-30"))
    finally:
        server.close()
    assert len(list(content.rglob("ava-encoder*.md"))) == 1
    p, _ = read_paper(path)
    assert p.title.startswith("AVA Encoder: Towards") and "Creative agents (edited) still" in p.body
    assert p.extra["notes"] == "checked by hand" and p.extra["aliases"] == ["AVA-Encoder"]
    assert p.upvotes == 99 and len(p.extra["fetched"]) == 4


def test_hf_token_is_sent_but_never_printed_or_written(api, tmp_path):
    token = "hf_SeCrEt0123456789abcdefTOKEN"
    api.fault("2026-08-04", "503", "400")
    content = tmp_path / "content"
    proc = run_fetch(api.url, content, "--since", "2026-08-03", "--until", "2026-08-05", "--today", "2026-08-21",
                     "-v", env={"HF_TOKEN": token})
    assert proc.returncode == 1 and "2026-08-04: the server refused the request (HTTP 400: Invalid date)" in proc.stderr
    assert all(r["headers"].get("Authorization") == f"Bearer {token}" for r in api.requests)
    assert all(r["headers"]["User-Agent"].startswith("paper-archive/") for r in api.requests)
    assert token not in proc.stdout + proc.stderr
    assert token not in repr([r["path"] + json.dumps(r["query"]) for r in api.requests])
    for f in tmp_path.rglob("*"):
        if f.is_file():
            assert token.encode() not in f.read_bytes(), f
    assert len(list(iter_content_files(content))) == 22  # the day before the failure is written


def test_the_endpoint_comes_from_hf_endpoint(api, tmp_path):
    content = tmp_path / "content"
    proc = run_fetch("http://127.0.0.1:9/", content, "--date", "2026-08-03", "--today", "2026-08-21",
                     env={"HF_ENDPOINT": api.url})
    assert proc.returncode == 1  # --endpoint wins over HF_ENDPOINT: the port that refuses
    args = ["fetch", "--content", str(content), "--date", "2026-08-03", "--today", "2026-08-21"]
    import subprocess
    from conftest import papers_bin
    env = {k: v for k, v in os.environ.items() if k != "HF_TOKEN"} | {"HF_ENDPOINT": api.url}
    proc = subprocess.run(papers_bin() + args, capture_output=True, text=True, env=env, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert len(list(iter_content_files(content))) == 22


def test_usage_errors(tmp_path):
    for args, code, message in [
        (["--date", "2026-02-30"], 2, "'2026-02-30' is not a day like 2026-08-03"),
        (["--week", "2026-W54"], 2, "is not an ISO week"),
        (["--month", "2026-13"], 2, "is not a month"),
        (["--date", "2026-08-03", "--limit", "101"], 2, "is not a number from 1 to 100"),
        (["--until", "2026-08-03", "--latest", "2"], 1, "--until needs --since"),
        (["--since", "2026-08-05", "--until", "2026-08-03"], 1, "--since 2026-08-05 is after --until 2026-08-03"),
        (["--date", "2026-08-03", "--endpoint", "ftp://example.org"], 1, "is not an http(s) URL"),
        ([], 2, "one of the arguments --date --week --month --since --latest is required"),
    ]:
        proc = run_papers("fetch", "--content", str(tmp_path / "c"), *args)
        assert proc.returncode == code and message in proc.stderr, (args, proc.stderr)
        assert "Traceback" not in proc.stderr
    assert not (tmp_path / "c").exists()


def test_check_rejects_bad_fetch_fields(tmp_path):
    base = "---\ntitle: T\nslug: t\ndate: 2026-08-03\n{}---\n"
    for n, (field, message) in enumerate([
        ("github: javascript:alert(1)\n", "`github` must be an absolute http(s) URL"),
        ("project_page: //evil.example\n", "`project_page` must be an absolute http(s) URL"),
        ("arxiv_id: not-an-id\n", "`arxiv_id` 'not-an-id' is not an arXiv id"),
        ("github_stars: -1\n", "`github_stars` must be a whole number"),
        ("fetched:\n- upvotes: 3\n", "each `fetched` item must be a mapping with a `day: YYYY-MM-DD`"),
        ("fetched:\n- day: 2026-08-03\n  upvotes: many\n", "`fetched` upvotes must be a whole number"),
        ("authors: Someone\n", "field `authors` must be list"),
    ]):
        root = tmp_path / str(n) / "content"
        (root / "2026/08/03").mkdir(parents=True)
        (root / "2026/08/03/t.md").write_text(base.format(field), encoding="utf-8")
        proc = run_papers("check", "--strict", "--content", str(root))  # a bad link or id is a warning
        assert proc.returncode == 1 and message in proc.stderr, (field, proc.stderr)


def test_same_title_with_another_arxiv_id_is_another_paper(tmp_path):
    one = {"paper": {"id": "2608.00001", "title": "Attention Is All You Need"}}
    two = copy.deepcopy(one)
    two["paper"]["id"] = "2608.00002"
    server = ReplayAPI({"2026-08-03": [one], "2026-08-04": [two]})
    try:
        ok(run_fetch(server.url, tmp_path / "content", "--since", "2026-08-03", "--until", "2026-08-04",
                     "--today", "2026-08-21"))
    finally:
        server.close()
    files = {read_paper(p)[0].extra["arxiv_id"]: p.name for p in iter_content_files(tmp_path / "content")}
    assert files["2608.00001"] == "attention-is-all-you-need.md"
    assert files["2608.00002"].startswith("attention-is-all-you-need-")
    assert run_papers("check", "--strict", "--content", str(tmp_path / "content")).returncode == 0


def test_on_a_terminal_each_day_is_reported(api, tmp_path):
    import pty
    import subprocess
    from conftest import papers_bin
    leader, follower = pty.openpty()
    args = ["fetch", "--content", str(tmp_path / "content"), "--endpoint", api.url, "--since", "2026-08-07",
            "--until", "2026-08-10", "--today", "2026-08-21"]
    env = {k: v for k, v in os.environ.items() if k != "HF_TOKEN"}
    proc = subprocess.run(papers_bin() + args, stderr=follower, stdout=subprocess.DEVNULL, timeout=60, env=env)
    os.close(follower)
    out = b""
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:
            break
        if not chunk:
            break
        out += chunk
    os.close(leader)
    text = out.decode().replace("\r\n", "\n")
    assert proc.returncode == 0, text
    assert "2026-08-07: 20 papers listed (1 requests)\n2026-08-08: 0 papers listed (1 requests)\n" in text
    assert "4 days fetched (2 empty), 41 papers listed: 41 new, 0 updated, 0 unchanged" in text
