"""Our search against Pagefind on the same built pages, in headless Chromium, in one run.

For each query, with a cold cache (a new browser context):
  ours      /search/?q=<query>: until the first result row is on screen
  pagefind  a bench page that imports /pagefind/pagefind.js, searches and renders the first 10 results'
            titles (`pagefind.search(q)`, then `result.data()` for each), as Pagefind's own UI does
and reports the bytes fetched until then (gzip level 6, files already compressed counted as they are;
ours from the page's resource timing, Pagefind's from the network, as it fetches from a worker and
fetches nothing more after its results) and the time from navigation start. Pagefind indexes the built site (`python -m pagefind --site SITE`, pip
`pagefind[bin]`); its files go to SITE/pagefind/. The site is served by a plain loopback HTTP server (no
CSP: Pagefind needs 'wasm-unsafe-eval'; our own pages are tested under the CSP in tests/).

    .venv/bin/python bench/search_compare.py SITE [--queries q1,q2] [--no-index]
"""
from __future__ import annotations

import argparse
import functools
import gzip
import http.server
import json
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.search_size import QUERIES  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
TIMEOUT_MS = 120_000  # per query and engine
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run"]

BENCH_PAGE = """<!doctype html><meta charset="utf-8"><title>pagefind bench</title>
<ol id="r"></ol>
<script type="module">
const q = new URLSearchParams(location.search).get("q");
const pagefind = await import("/pagefind/pagefind.js");
await pagefind.init();
const search = await pagefind.search(q);
const data = await Promise.all(search.results.slice(0, 10).map((r) => r.data()));
const ol = document.getElementById("r");
for (const d of data) { const li = document.createElement("li"); li.textContent = d.meta.title || d.url; ol.appendChild(li); }
window.__total = search.results.length;
window.__first = performance.now();
</script>
"""

FIRST_ROW = """(() => { const mark = () => { if (window.__first === undefined && document.querySelector('#search-results > li'))
  window.__first = performance.now(); };
  document.addEventListener('DOMContentLoaded', () => new MutationObserver(mark).observe(document.body,
    {childList: true, subtree: true})); })()"""


@dataclass
class Measure:
    query: str
    engine: str
    files: int
    gz: int
    ms: float | None  # None: no first results within TIMEOUT_MS
    results: int


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


class _Server(http.server.ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        if not isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError)):  # a context closed mid-file
            super().handle_error(request, client_address)


def serve(site: Path) -> tuple[http.server.ThreadingHTTPServer, str]:
    handler = functools.partial(_Quiet, directory=str(site))
    server = _Server(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


def wire_bytes(data: bytes, path: str) -> int:
    """Bytes on the wire: gzip level 6, or the file itself when it is already compressed (Pagefind's)."""
    if data[:2] == b"\x1f\x8b" or path.endswith((".pf_fragment", ".pf_index", ".pf_meta", ".pagefind")):
        return len(data)
    return min(len(data), len(gzip.compress(data, compresslevel=6, mtime=0)))


def unavailable() -> str | None:
    """Why the comparison cannot run here (Pagefind, Playwright or Chromium missing), or None when it can."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright is not installed (pip install playwright)"
    if not Path(CHROMIUM).exists():
        return f"Chromium is not installed ({CHROMIUM})"
    try:
        proc = subprocess.run([sys.executable, "-m", "pagefind", "--version"], capture_output=True, text=True,
                              timeout=60)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"Pagefind does not run: {exc}"
    if proc.returncode != 0:
        last = (proc.stderr.strip().splitlines() or ["no output"])[-1]
        return f"Pagefind is not installed (pip install 'pagefind[bin]'): {last}"
    return None


def index_with_pagefind(site: Path) -> float:
    """Run Pagefind over the built site; seconds taken."""
    t = time.perf_counter()
    subprocess.run([sys.executable, "-m", "pagefind", "--site", str(site)], check=True, capture_output=True,
                   timeout=3600)
    return time.perf_counter() - t


def measure(site: Path, queries: list[str], engines: tuple[str, ...] = ("ours", "pagefind"),
            browser: Any = None) -> list[Measure]:
    """Bytes and time to first results per query and engine (cold cache each); `browser`: a Playwright
    Chromium to use (else one is launched)."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    if browser is None:
        from playwright.sync_api import sync_playwright

        with sync_playwright() as pw:
            b = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
            try:
                return measure(site, queries, engines, b)
            finally:
                b.close()
    (site / "pagefind-bench.html").write_text(BENCH_PAGE, encoding="utf-8")
    server, origin = serve(site)
    out: list[Measure] = []
    try:
        for q in queries:
            for engine in engines:
                context = browser.new_context()
                page = context.new_page()
                page.add_init_script(FIRST_ROW)
                finished: list[str] = []
                page.on("requestfinished", lambda r: finished.append(r.url))
                url = (f"{origin}/search/?q={quote(q)}" if engine == "ours"
                       else f"{origin}/pagefind-bench.html?q={quote(q)}")
                page.goto(url)
                try:
                    page.wait_for_function("window.__first !== undefined", timeout=TIMEOUT_MS)
                except PlaywrightTimeout:  # reported as such (Pagefind at 100k papers can take this long)
                    out.append(Measure(q, engine, len(finished), 0, None, 0))
                    context.close()
                    continue
                first = page.evaluate("window.__first")
                if engine == "ours":  # resource timing: what had arrived when the first row showed
                    entries = page.evaluate("""(t) => [location.href].concat(performance.getEntriesByType('resource')
                        .filter((e) => e.responseEnd <= t + 0.5).map((e) => e.name))""", first)
                else:  # Pagefind fetches from a worker (not in the page's resource timing), and only for this
                    entries = finished
                if engine == "ours":
                    rows = page.locator("#search-results > li").count()
                else:
                    rows = page.evaluate("window.__total")
                total = 0
                seen = set()
                for u in entries:
                    path = unquote(urlparse(u).path)
                    if path in seen:
                        continue
                    seen.add(path)
                    f = site / path.lstrip("/")
                    if f.is_dir():
                        f = f / "index.html"
                    if f.is_file():
                        total += wire_bytes(f.read_bytes(), path)
                out.append(Measure(q, engine, len(seen), total, round(first, 1), rows))
                context.close()
    finally:
        server.shutdown()
        server.server_close()
        (site / "pagefind-bench.html").unlink(missing_ok=True)
    return out


def cells(m: Measure | None) -> str:
    """'KB | ms' for a table; a timeout shows as such."""
    if m is None:
        return " | "
    if m.ms is None:
        return f"n/a | timed out ({TIMEOUT_MS // 1000} s)"
    return f"{m.gz / 1000:.1f} | {m.ms:.0f}"


def report(rows: list[Measure]) -> str:
    """A Markdown table: per query, KB and ms to first results, ours and Pagefind's."""
    by = {(m.query, m.engine): m for m in rows}
    lines = ["| query | ours KB gz | ours ms | Pagefind KB | Pagefind ms |", "|---|---:|---:|---:|---:|"]
    for q in dict.fromkeys(m.query for m in rows):
        o, p = by.get((q, "ours")), by.get((q, "pagefind"))
        lines.append(f"| {q} | {cells(o)} | {cells(p)} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("site", type=Path)
    ap.add_argument("--queries", default=",".join(QUERIES))
    ap.add_argument("--no-index", action="store_true", help="the site already has pagefind/")
    ap.add_argument("--json", type=Path, help="also write the figures here")
    args = ap.parse_args(argv)
    why = unavailable()
    if why:
        print(f"cannot compare: {why}", file=sys.stderr)
        return 2
    if not args.no_index:
        print(f"pagefind index: {index_with_pagefind(args.site):.1f} s", flush=True)
    rows = measure(args.site, args.queries.split(","))
    print(report(rows))
    if args.json:
        args.json.write_text(json.dumps([m.__dict__ for m in rows], indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
