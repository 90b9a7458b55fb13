"""`papers fetch` when the API misbehaves: rate limits, server errors, resets, timeouts, cut-off and foreign
bodies, refused requests. Retries are bounded; a day is written whole or not at all; a re-run finishes."""
from __future__ import annotations

import time
from pathlib import Path

import pytest

from conftest import run_fetch
from generator.content.files import iter_content_files
from replay_api import ReplayAPI

DAYS = ("--since", "2026-08-03", "--until", "2026-08-05", "--today", "2026-08-21")  # 22, 26 and 25 papers


@pytest.fixture
def api():
    server = ReplayAPI()
    yield server
    server.close()


def files(content: Path) -> list[str]:
    return [p.relative_to(content).as_posix() for p in iter_content_files(content)]


def days_written(content: Path) -> set[str]:
    return {f[:10] for f in files(content)}


@pytest.mark.parametrize("fault", ["503", "html502", "reset", "timeout:2", "truncate", "429:0", "retry-after:0"])
def test_a_passing_fault_is_retried_and_the_day_completes(api, tmp_path, fault):
    api.fault("2026-08-04", fault)
    content = tmp_path / "content"
    proc = run_fetch(api.url, content, *DAYS, "--timeout", "0.5")
    assert proc.returncode == 0, proc.stderr
    assert api.count("2026-08-04") == 2
    assert days_written(content) == {"2026/08/03", "2026/08/04", "2026/08/05"} and len(files(content)) == 73
    assert "3 days fetched (0 empty), 73 papers listed: 73 new" in proc.stderr


def test_429_waits_as_long_as_ratelimit_says(api, tmp_path):
    api.fault("2026-08-03", "429:1")
    start = time.monotonic()
    proc = run_fetch(api.url, tmp_path / "content", "--date", "2026-08-03", "--today", "2026-08-21", "--backoff", "0")
    assert proc.returncode == 0, proc.stderr
    assert time.monotonic() - start >= 1.0  # t=1 honoured, although the backoff is 0
    assert api.count("2026-08-03") == 2


def test_retry_after_is_honoured_and_a_used_up_window_pauses_the_next_request(api, tmp_path):
    api.fault("2026-08-03", "exhaust:1")  # a 200 saying r=0;t=1: no request left for a second
    start = time.monotonic()
    proc = run_fetch(api.url, tmp_path / "content", "--since", "2026-08-03", "--until", "2026-08-04", "--today",
                     "2026-08-21")
    assert proc.returncode == 0, proc.stderr
    assert time.monotonic() - start >= 1.0 and api.count("2026-08-04") == 1


def test_a_wait_longer_than_allowed_fails_the_day_at_once(api, tmp_path):
    api.fault("2026-08-03", "429:3600")
    proc = run_fetch(api.url, tmp_path / "content", "--date", "2026-08-03", "--today", "2026-08-21")
    assert proc.returncode == 1 and api.count("2026-08-03") == 1
    assert "2026-08-03: rate limited (HTTP 429); the server asks to wait 3600 s" in proc.stderr
    assert "set HF_TOKEN" in proc.stderr


@pytest.mark.parametrize("fault, message", [
    ("503", "server error (HTTP 503: Service Unavailable)"),
    ("html502", "server error (HTTP 502: an HTML page ('502 Bad Gateway'), not the API's JSON)"),
    ("reset", "cannot reach"),
    ("timeout:1", "no answer within 0.3 s (timeout)"),
    ("truncate", "the connection broke off mid-answer"),
])
def test_a_lasting_fault_fails_its_day_after_bounded_retries_and_a_rerun_finishes(api, tmp_path, fault, message):
    api.fault("2026-08-04", *[fault] * 3)
    content = tmp_path / "content"
    start = time.monotonic()
    proc = run_fetch(api.url, content, *DAYS, "--retries", "2", "--timeout", "0.3")
    assert proc.returncode == 1
    assert time.monotonic() - start < 20
    assert api.count("2026-08-04") == 3 and api.count("2026-08-05") == 0  # 1 + 2 retries, then stop
    line = [x for x in proc.stderr.splitlines() if x.startswith("error:")]
    assert len(line) == 1 and line[0].startswith(f"error: 2026-08-04: {message}"), proc.stderr
    assert "3 attempt(s)" in line[0] and "nothing of this day was written; re-run later" in line[0]
    assert "Traceback" not in proc.stderr
    assert days_written(content) == {"2026/08/03"}  # the day before is written, nothing of the failed one
    assert "1 days fetched (0 empty), 22 papers listed: 22 new" in proc.stderr
    again = run_fetch(api.url, content, *DAYS)
    assert again.returncode == 0, again.stderr
    assert "73 papers listed: 51 new, 0 updated, 22 unchanged" in again.stderr
    assert days_written(content) == {"2026/08/03", "2026/08/04", "2026/08/05"}


def test_a_page_that_fails_after_earlier_pages_arrived_writes_nothing_of_the_day(api, tmp_path):
    api.fault("2026-08-03", "ok", "ok", "truncate", "truncate")
    content = tmp_path / "content"
    proc = run_fetch(api.url, content, "--date", "2026-08-03", "--limit", "5", "--retries", "1", "--today",
                     "2026-08-21")
    assert proc.returncode == 1 and "error: 2026-08-03: the connection broke off" in proc.stderr
    assert [r["query"]["p"] for r in api.requests] == ["0", "1", "2", "2"]
    assert files(content) == []


@pytest.mark.parametrize("fault, message", [
    ("400", "the server refused the request (HTTP 400: Invalid date); check the date"),
    ("notjson", "the server answered 200 with an HTML page, not the API's JSON (not JSON)"),
])
def test_a_refused_request_or_a_foreign_body_fails_at_once(api, tmp_path, fault, message):
    api.fault("2026-08-04", fault)
    content = tmp_path / "content"
    proc = run_fetch(api.url, content, *DAYS)
    assert proc.returncode == 1 and api.count("2026-08-04") == 1  # no retry
    assert f"error: 2026-08-04: {message}" in proc.stderr, proc.stderr
    assert days_written(content) == {"2026/08/03"}


def test_a_wrong_endpoint_is_reported_with_the_status(tmp_path):
    server = ReplayAPI()
    try:
        proc = run_fetch(server.url + "/nope", tmp_path / "content", "--date", "2026-08-03", "--today", "2026-08-21")
    finally:
        server.close()
    assert proc.returncode == 1 and "(HTTP 404: Not Found); check --endpoint and HF_TOKEN" in proc.stderr
