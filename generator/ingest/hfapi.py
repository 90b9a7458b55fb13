"""The Hugging Face Daily Papers API over HTTP: one day's items, every page, with retries.

    DailyPapersAPI(endpoint, token=None, policy=RetryPolicy())
        .day(date) -> list of raw items      GET {endpoint}/api/daily_papers?date=YYYY-MM-DD&limit=N&p=K,
                                             following `Link: <…>; rel="next"` to the last page

What is retried, at most `policy.attempts` times per request and `policy.max_wait` seconds of waiting:
429 (waiting what `RateLimit: "api";r=0;t=S` or `Retry-After` asks), 5xx, connection failures and resets,
timeouts and bodies cut off before their end. Any other 4xx fails at once with the status and the server's
message. A 200 whose body is not a JSON list fails at once too (a proxy's HTML page, a changed API).
Every failure is a FetchError naming the day, what happened and what to do. HF_TOKEN, when given, is sent
as a bearer token and never appears in a message, a log line or a file.
"""
from __future__ import annotations

import datetime as dt
import json
import logging
import re
import time
from dataclasses import dataclass
from typing import Any, Callable
from urllib.parse import urljoin, urlsplit

import httpx

from .. import __version__
from ..errors import FetchError

__all__ = ["DailyPapersAPI", "RetryPolicy", "DEFAULT_ENDPOINT", "USER_AGENT", "rate_limit_wait"]

log = logging.getLogger("papers")

DEFAULT_ENDPOINT = "https://huggingface.co"
USER_AGENT = f"paper-archive/{__version__} (papers fetch; a static Daily Papers archive) httpx/{httpx.__version__}"
MAX_PAGES = 200  # a day has a few dozen papers; more pages than this is a server that never stops paging
_RATE_T = re.compile(r"(?:^|;)\s*t=(\d+)")
_RATE_R = re.compile(r"(?:^|;)\s*r=(\d+)")
_TITLE = re.compile(r"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)


@dataclass(frozen=True)
class RetryPolicy:
    """How hard to try: attempts per request, the first backoff (doubled each time, capped), the longest a
    server may ask us to wait, the most waiting in all for one request, and the timeout of one request."""

    attempts: int = 5
    backoff: float = 2.0
    max_backoff: float = 60.0
    max_wait: float = 330.0  # the anonymous limit is 500 requests per 5 minutes: one window and a bit
    timeout: float = 30.0


def rate_limit_wait(headers: httpx.Headers) -> float | None:
    """Seconds the server asks us to wait: `RateLimit: "api";r=0;t=S` (IETF draft), else `Retry-After`."""
    rate = headers.get("ratelimit")
    if rate:
        m = _RATE_T.search(rate)
        if m:
            return float(m.group(1))
    after = headers.get("retry-after", "").strip()
    if after.isdigit():
        return float(after)
    return None


def _exhausted(headers: httpx.Headers) -> bool:
    """True when a successful response says no request is left in this window (`r=0`)."""
    m = _RATE_R.search(headers.get("ratelimit", ""))
    return m is not None and int(m.group(1)) == 0


def _server_message(resp: httpx.Response) -> str:
    """The server's own words for an error: a JSON `error`/`message`, an HTML page's title, or the text."""
    text = resp.text.strip()
    try:
        data = json.loads(text)
    except ValueError:
        data = None
    if isinstance(data, dict):
        for key in ("error", "message", "detail"):
            if isinstance(data.get(key), str):
                return data[key][:200]
    if "<html" in text[:500].lower():
        m = _TITLE.search(text)
        title = " ".join(m.group(1).split()) if m else ""
        return f"an HTML page{f' ({title[:100]!r})' if title else ''}, not the API's JSON"
    return " ".join(text.split())[:200] or "no message"


class _Retry(Exception):
    """One attempt failed in a way worth trying again; `wait` is what the server asked for, if anything."""

    def __init__(self, what: str, wait: float | None = None):
        super().__init__(what)
        self.what = what
        self.wait = wait


class DailyPapersAPI:
    """A client of one Daily Papers endpoint; use as a context manager (it holds a connection pool)."""

    def __init__(self, endpoint: str = DEFAULT_ENDPOINT, token: str | None = None,
                 policy: RetryPolicy = RetryPolicy(), limit: int = 100,
                 sleep: Callable[[float], None] = time.sleep):
        if not 1 <= limit <= 100:
            raise ValueError("limit must be between 1 and 100")
        self.endpoint = endpoint.rstrip("/")
        self.policy = policy
        self.limit = limit
        self.sleep = sleep
        self.requests = 0
        headers = {"User-Agent": USER_AGENT, "Accept": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        self._origin = urlsplit(self.endpoint)[:2]
        self._pause = 0.0  # seconds to wait before the next request (the window is used up)
        self._client = httpx.Client(headers=headers, timeout=policy.timeout, follow_redirects=False)

    def __enter__(self) -> DailyPapersAPI:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the connection pool."""
        self._client.close()

    def day(self, day: dt.date) -> list[Any]:
        """Every item the API lists for `day`, all pages; raises FetchError."""
        url: str | None = f"{self.endpoint}/api/daily_papers"
        params: dict[str, Any] | None = {"date": day.isoformat(), "limit": self.limit, "p": 0}
        items: list[Any] = []
        seen: set[str] = set()
        while url is not None:
            if len(seen) >= MAX_PAGES:
                raise FetchError(f"the server kept sending `rel=\"next\"` after {MAX_PAGES} pages; "
                                 "report it, or fetch with a larger --limit", day)
            resp = self._get(day, url, params)
            seen.add(str(resp.url))
            page = self._decode(day, resp)
            items.extend(page)
            url = self._next(day, resp, seen) if page else None
            params = None  # the next link carries its own query
        return items

    def _next(self, day: dt.date, resp: httpx.Response, seen: set[str]) -> str | None:
        link = resp.links.get("next")
        if not link or not link.get("url"):
            return None
        url = urljoin(str(resp.url), link["url"])
        if urlsplit(url)[:2] != self._origin:  # never send the token elsewhere
            raise FetchError(f"the next page is on another site ({urlsplit(url).netloc}); refusing to follow it", day)
        return None if url in seen else url

    def _decode(self, day: dt.date, resp: httpx.Response) -> list[Any]:
        try:
            data = json.loads(resp.content)
        except ValueError:
            raise FetchError(f"the server answered 200 with {_server_message(resp)} (not JSON); "
                             "nothing of this day was written; re-run later", day) from None
        if not isinstance(data, list):
            raise FetchError(f"the server answered with a JSON {type(data).__name__}, not a list of papers; "
                             "the API may have changed; nothing of this day was written", day)
        return data  # items are checked one by one (hfitems.parse_item): one odd item never stops a day

    def _get(self, day: dt.date, url: str, params: dict[str, Any] | None) -> httpx.Response:
        """One GET with the retry policy; raises FetchError when it runs out."""
        policy = self.policy
        waited = 0.0
        backoff = policy.backoff
        last = ""
        for attempt in range(1, policy.attempts + 1):
            if self._pause:
                self.sleep(self._pause)
                waited += self._pause
                self._pause = 0.0
            try:
                return self._attempt(day, url, params)
            except _Retry as r:
                last = r.what
                if r.wait is not None and r.wait > policy.max_wait:
                    raise FetchError(f"{r.what}; the server asks to wait {r.wait:.0f} s, longer than "
                                     f"{policy.max_wait:.0f} s; re-run later (or set HF_TOKEN for a higher limit)",
                                     day) from None
                delay = r.wait if r.wait is not None else backoff
                backoff = min(backoff * 2, policy.max_backoff)
                if attempt == policy.attempts or waited + delay > policy.max_wait:
                    break
                log.info("%s: %s; retrying in %.3g s (attempt %d of %d)", day, r.what, delay, attempt + 1,
                         policy.attempts)
                self.sleep(delay)
                waited += delay
        raise FetchError(f"{last}, {attempt} attempt(s) in {waited:.3g} s of waiting; nothing of this day was "
                         "written; re-run later (days already fetched are kept)", day)

    def _attempt(self, day: dt.date, url: str, params: dict[str, Any] | None) -> httpx.Response:
        self.requests += 1
        try:
            resp = self._client.get(url, params=params)
        except httpx.TimeoutException:
            raise _Retry(f"no answer within {self.policy.timeout:g} s (timeout)") from None
        except httpx.RemoteProtocolError as exc:  # reset mid-answer, a body cut short of its Content-Length
            raise _Retry(f"the connection broke off mid-answer ({_short(exc)})") from None
        except httpx.TransportError as exc:  # refused, reset, DNS
            raise _Retry(f"cannot reach {self.endpoint} ({_short(exc)})") from None
        status = resp.status_code
        if status == 200:
            if _exhausted(resp.headers):
                self._pause = min(rate_limit_wait(resp.headers) or 0.0, self.policy.max_wait)
            return resp
        if status == 429:
            raise _Retry("rate limited (HTTP 429)", rate_limit_wait(resp.headers))
        if status >= 500:
            raise _Retry(f"server error (HTTP {status}: {_server_message(resp)})", rate_limit_wait(resp.headers))
        hint = "check the date" if status == 400 else "check --endpoint and HF_TOKEN"
        raise FetchError(f"the server refused the request (HTTP {status}: {_server_message(resp)}); {hint}", day)


def _short(exc: Exception) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text[:160]
