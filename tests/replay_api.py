"""A local replay of the Daily Papers API on 127.0.0.1, serving recorded days, with faults on demand.

    api = ReplayAPI(days)            days: {"2026-08-03": [items...]}; other valid days answer []
    api.fault("2026-08-03", "503", "ok")   the next requests for that day get these, in order, then normal ones
    api.url, api.requests, api.close()

Faults: "ok", "503", "html502", "400", "429:T" (RateLimit r=0;t=T), "retry-after:T", "reset" (TCP reset, no
answer), "timeout:S" (answers after S seconds), "truncate" (half the body of its Content-Length, then close),
"notjson" (200 with an HTML page), "exhaust:T" (a normal answer whose RateLimit says r=0;t=T).
Like the API: `date=YYYY-MM-DD` (an impossible date gets 400), `p` from 0, `limit` 1–100 (default 50), a
`Link: <…>; rel="next"` header while pages remain, `[]` for a day with nothing.
"""
from __future__ import annotations

import datetime as dt
import json
import socket
import struct
import threading
import time
from collections import defaultdict, deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

FIXTURES = Path(__file__).resolve().parent.parent.parent / "shared" / "fixtures" / "hf-api"


def fixture_days() -> dict[str, list]:
    """The 15 recorded days, by date."""
    return {p.stem: json.loads(p.read_text(encoding="utf-8")) for p in sorted(FIXTURES.glob("*.json"))}


class ReplayAPI:
    def __init__(self, days: dict[str, list] | None = None):
        self.days = fixture_days() if days is None else days
        self.faults: dict[str, deque[str]] = defaultdict(deque)
        self.requests: list[dict] = []
        self.lock = threading.Lock()
        api = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:  # noqa: N802
                api.handle(self)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def fault(self, day: str, *actions: str) -> None:
        with self.lock:
            self.faults[day].extend(actions)

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def count(self, day: str) -> int:
        return sum(r["query"].get("date") == day for r in self.requests)

    def handle(self, h: BaseHTTPRequestHandler) -> None:
        parts = urlsplit(h.path)
        query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        with self.lock:
            self.requests.append({"path": parts.path, "query": query, "headers": dict(h.headers.items())})
            day = query.get("date", "")
            action = self.faults[day].popleft() if self.faults.get(day) else "ok"
        if parts.path != "/api/daily_papers":
            return self.send(h, 404, {"error": "Not Found"})
        kind, _, arg = action.partition(":")
        if kind == "reset":
            h.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            h.connection.close()
            h.close_connection = True
            return None
        if kind == "timeout":
            time.sleep(float(arg))
        if kind == "503":
            return self.send(h, 503, {"error": "Service Unavailable"})
        if kind == "html502":
            page = b"<html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1></body></html>"
            return self.send(h, 502, page, "text/html")
        if kind == "400":
            return self.send(h, 400, {"error": "Invalid date"})
        if kind == "429":
            return self.send(h, 429, {"error": "You have exceeded our rate limit"},
                             headers={"RateLimit": f'"api";r=0;t={arg}', "RateLimit-Policy": '"fixed window";"api";q=500;w=300'})
        if kind == "retry-after":
            return self.send(h, 429, {"error": "rate limited"}, headers={"Retry-After": arg})
        if kind == "notjson":
            return self.send(h, 200, b"<html><body>Sign in to continue</body></html>", "text/html")
        try:
            when = dt.date.fromisoformat(day) if len(day) == 10 else None
        except ValueError:
            when = None
        if when is None:
            return self.send(h, 400, {"error": f"Invalid date: {day!r}"})
        try:
            page, limit = int(query.get("p", "0")), int(query.get("limit", "50"))
        except ValueError:
            return self.send(h, 400, {"error": "p and limit must be numbers"})
        if not 1 <= limit <= 100 or page < 0:
            return self.send(h, 400, {"error": "limit must be between 1 and 100"})
        items = self.days.get(day, [])
        headers = {"RateLimit": f'"api";r={0 if kind == "exhaust" else 499};t={arg or 300}'}
        if (page + 1) * limit < len(items):
            nxt = urlencode({"date": day, "p": page + 1, "limit": limit})
            headers["Link"] = f'<{self.url}/api/daily_papers?{nxt}>; rel="next"'
        body = json.dumps(items[page * limit:(page + 1) * limit]).encode()
        if kind == "truncate":
            h.send_response(200)
            h.send_header("Content-Type", "application/json; charset=utf-8")
            h.send_header("Content-Length", str(len(body)))
            h.end_headers()
            h.wfile.write(body[: len(body) // 2])
            h.wfile.flush()
            h.connection.shutdown(socket.SHUT_RDWR)
            h.close_connection = True
            return None
        return self.send(h, 200, body, headers=headers)

    def send(self, h: BaseHTTPRequestHandler, status: int, body: object, ctype: str = "application/json",
             headers: dict[str, str] | None = None) -> None:
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        try:
            h.send_response(status)
            h.send_header("Content-Type", f"{ctype}; charset=utf-8")
            h.send_header("Content-Length", str(len(data)))
            for k, v in (headers or {}).items():
                h.send_header(k, v)
            h.end_headers()
            h.wfile.write(data)
        except OSError:  # the client gave up (a timeout test)
            h.close_connection = True
