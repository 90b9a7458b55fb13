"""Rendering over several processes: the same bytes as one process, and the same clear errors."""
from __future__ import annotations

import os
import shutil
import signal
import time
from pathlib import Path

import pytest

from conftest import tree, write_tree
from generator.build.pipeline import build
from generator.errors import BuildError, ContentError
from generator.util.parallel import Background, fork_map, jobs



def test_forked_workers_write_the_same_site_as_one_process(tmp_path: Path, seed_content: Path,
                                                         monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("PAPERS_JOBS", "1")
    one = build(seed_content, tmp_path / "one" / "site")
    monkeypatch.setenv("PAPERS_JOBS", "3")
    three = build(seed_content, tmp_path / "three" / "site")
    assert three.rendered == one.rendered == one.pages
    assert tree(tmp_path / "three" / "site") == tree(tmp_path / "one" / "site")


def test_an_error_in_a_worker_is_the_one_line_error_of_its_template(tmp_path: Path, seed_content: Path,
                                                                   monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("PAPERS_JOBS", "2")
    content, out = tmp_path / "content", tmp_path / "site"
    shutil.copytree(seed_content, content)
    build(content, out)
    before = tree(out)
    # only week pages use week.html: they come after the paper pages, in the second worker's share
    write_tree(tmp_path, {"overrides/templates/week.html": "{% extends 'base.html' %}\n"
                                                           "{% block content %}\n{{ days.no_such }}\n{% endblock %}\n"})
    with pytest.raises(BuildError) as exc:
        build(content, out)
    assert str(exc.value.path).endswith("overrides/templates/week.html") and exc.value.line == 3
    assert "rendering week/" in exc.value.message
    assert tree(out) == before
    assert sorted(p.name for p in out.parent.iterdir() if p.name.startswith("site")) == ["site"]


def test_fork_map_and_background_return_results_and_raise_errors():
    assert fork_map(lambda x: (x, os.getpid()), [1, 2, 3])[0] == (1, os.getpid())
    assert [r[0] for r in fork_map(lambda x: (x * 2, 0), [1, 2, 3])] == [2, 4, 6]
    assert len({r[1] for r in fork_map(lambda x: (x, os.getpid()), [1, 2])}) == 2  # a child did one
    job = Background(lambda: sum(range(10)))
    assert job.result() == 45

    def fail() -> None:
        raise ContentError("bad front matter", "content/x.md", 3)

    with pytest.raises(ContentError) as exc:
        Background(fail).result()
    assert (exc.value.message, str(exc.value.path), exc.value.line) == ("bad front matter", "content/x.md", 3)
    slow = Background(lambda: __import__("time").sleep(30))
    assert not slow.wait(0.05)
    slow.cancel()  # killed and reaped, not waited for


def test_a_worker_that_dies_is_a_build_error_not_a_hang():
    with pytest.raises(BuildError, match="exit status 3"):
        Background(lambda: os._exit(3)).result()
    with pytest.raises(BuildError, match="signal 9"):
        Background(lambda: os.kill(os.getpid(), signal.SIGKILL)).result()


def test_with_one_job_nothing_is_forked(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("PAPERS_JOBS", "1")
    assert {pid for pid in fork_map(lambda x: os.getpid(), [1, 2, 3])} == {os.getpid()}
    job = Background(os.getpid)
    assert job.wait(0) and job.result() == os.getpid()


def test_jobs_follows_papers_jobs_and_stays_single_for_small_work(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv("PAPERS_JOBS", raising=False)
    assert jobs(10) == 1
    assert jobs(10_000) == min(len(os.sched_getaffinity(0)), 8)
    monkeypatch.setenv("PAPERS_JOBS", "3")
    assert jobs(10) == 3


def test_the_builder_search_gives_way_to_a_newer_change(tmp_path: Path, seed_content: Path):
    from generator.build.pipeline import Pipeline
    from test_serve import run_in_place

    content, out = tmp_path / "content", tmp_path / "site"
    shutil.copytree(seed_content, content)
    builder = Pipeline(content, out, keep=True)
    run_in_place(builder)
    manifest = (out / "search/manifest.json").read_bytes()
    path = next(content.rglob("*.md"))
    path.write_text(path.read_text().rstrip("\n") + " Zyzzogeton.\n")
    run_in_place(builder, ["content"], [path], search=False)
    assert builder.search_due
    result = builder.update_search(cancelled=lambda: True)  # a newer change is waiting: give up
    assert not result.search and builder.search_due
    assert (out / "search/manifest.json").read_bytes() == manifest  # the previous, whole index still served
    assert builder.update_search(cancelled=lambda: False).search and not builder.search_due
    assert (out / "search/manifest.json").read_bytes() != manifest
    assert any(b"zyzzogeton" in p.read_bytes() for p in (out / "search/shards").glob("*/*.json"))


def test_runs_cut_work_into_consecutive_nonempty_parts():
    from generator.util.parallel import runs

    for n in (1, 2, 3, 8):
        for k in (0, 1, 5, 100):
            parts = runs(list(range(k)), n)
            assert sum(parts, []) == list(range(k)) and all(parts) and len(parts) <= n
    assert [len(p) for p in runs(list(range(10)), 3)] == [4, 4, 2]


def test_a_fed_background_is_forked_first_and_gets_every_item_in_order():
    """The search job's pattern: forked while the process is small, given its input later, over a pipe."""
    job = Background(lambda items: (items[:3], len(items), sum(items), os.getpid()), fed=True)
    job.feed(range(5000))  # several pickled chunks of FEED_CHUNK
    head, n, total, pid = job.result()
    assert (head, n, total) == ([0, 1, 2], 5000, sum(range(5000))) and pid != os.getpid()


def test_a_fed_background_never_fed_fails_instead_of_waiting_for_ever():
    job = Background(lambda items: len(items), fed=True)
    with pytest.raises(EOFError):  # its input ended before the end mark: an error, never a shorter list
        job.result()
    cancelled = Background(lambda items: len(items), fed=True)
    cancelled.cancel()  # killed and reaped while it waits for its input


def test_a_fed_background_with_one_job_runs_here(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("PAPERS_JOBS", "1")
    job = Background(lambda items: (list(items), os.getpid()), fed=True)
    job.feed([3, 1, 2])
    assert job.result() == ([3, 1, 2], os.getpid())


@pytest.mark.parametrize("jobs", ["2", "1"])
def test_a_fed_backgrounds_ready_runs_first_where_fn_runs(jobs: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """ready() (the search job's numpy import) runs before fn, in fn's process: the child, before its input has
    come (here the parent feeds it only once ready() has left its mark), or this process with PAPERS_JOBS=1."""
    monkeypatch.setenv("PAPERS_JOBS", jobs)
    mark = tmp_path / "ready"
    job = Background(lambda items: (mark.read_text(), len(items)), fed=True,
                     ready=lambda: mark.write_text(str(os.getpid())))
    if jobs == "2":
        for _ in range(500):  # the child is waiting for its input: ready() has run there already
            if mark.exists():
                break
            time.sleep(0.01)
        assert mark.read_text() != str(os.getpid())
    job.feed([1, 2, 3])
    pid, n = job.result()
    assert n == 3 and (pid == str(os.getpid())) == (jobs == "1")
