"""What a query costs a visitor: run the site's own search.js (and vendored lunr.js) in node against a built site.

`run_queries` starts one node process, gives each query a fresh engine (an empty cache, as a first visit
would have) and records every index file it reads, including the document shards of the first page of
results. Plain-word queries go through the query layer (search-layer.js) as the page runs them: first
results from the heads of frequent terms (`files`), then the whole ranking (`final_files`); a query in
lunr syntax is ranked by the engine alone, as the lunr.js equivalence test runs it (`lunr=True`).
`payload_for_query` adds what the search page itself loads (HTML, stylesheets, scripts) and
reports raw and gzip bytes. Needs `node` on PATH; it is a measuring tool, not part of a build.
"""
from __future__ import annotations

import gzip
import json
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

__all__ = ["QueryRun", "run_queries", "payload_for_query", "SearchPage"]

ORIGIN = "http://site.invalid"
PAGE_SIZE = 10

NODE_DRIVER = r"""
const fs = require("fs"), vm = require("vm");
const job = JSON.parse(fs.readFileSync(0, "utf8"));
globalThis.lunr = require(job.lunr);
for (const f of job.search) vm.runInThisContext(fs.readFileSync(f, "utf8"), { filename: f });
const origin = job.origin, base = job.base;
function rel(url) {
  const p = decodeURIComponent(new URL(url).pathname);
  if (!p.startsWith(base)) throw new Error("outside the site: " + url);
  return p.slice(base.length);
}
(async () => {
  const out = [];
  for (const q of job.queries) {
    const files = [];
    const fetchJson = async (url) => {
      const r = rel(url);
      if (!files.includes(r)) files.push(r);
      return JSON.parse(fs.readFileSync(job.site + "/" + r, "utf8"));
    };
    const engine = new PaperSearch.Engine(origin + base + job.manifest, { fetchJson, maxShards: job.maxShards });
    const searcher = new PaperSearch.Searcher(engine);
    try {
      let res = job.lunr_only ? await engine.search(q) : await searcher.search(q, { partial: true });
      let top = res.results.slice(0, job.top);
      let docs = await engine.docs(top.map((r) => r.doc));
      const first = { files: files.slice(), refs: docs.map((d) => d.slug) };
      if (!job.lunr_only) {
        res = await searcher.finish(res);
        top = res.results.slice(0, job.top);
        docs = await engine.docs(top.map((r) => r.doc));
      }
      out.push({ query: q, files: first.files, first_refs: first.refs, final_files: files, total: res.results.length,
                 refs: docs.map((d) => d.slug), scores: top.map((r) => r.score), terms: res.terms, error: null });
    } catch (e) {
      out.push({ query: q, files, first_refs: [], final_files: files, total: 0, refs: [], scores: [], terms: [],
                 error: e.name + ": " + e.message });
    }
  }
  process.stdout.write(JSON.stringify(out));
})().catch((e) => { console.error(e && e.stack || String(e)); process.exit(1); });
"""


@dataclass
class QueryRun:
    """One query run by search.js in node: files read (site-relative), result refs (slugs) and scores."""

    query: str
    files: list[str]  # read before the first results are shown
    first_refs: list[str]  # the first results (from heads of frequent terms)
    final_files: list[str]  # read once the ranking is whole
    total: int
    refs: list[str]
    scores: list[float]
    terms: list[str]
    error: str | None


class _PageParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.attrs: dict[str, str] = {}
        self.assets: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "body":
            self.attrs.update({k: a.get(k, "") for k in ("data-base", "data-lunr", "data-search-js",
                                                        "data-search-layer", "data-search-ui")})
        elif tag == "link" and "stylesheet" in a.get("rel", "").split():
            self.assets.append(a.get("href", ""))
        elif tag == "script" and a.get("src"):
            self.assets.append(a["src"])
        elif a.get("id") == "search-page":
            self.attrs["data-index"] = a.get("data-index", "")


@dataclass
class SearchPage:
    """The built search page: base path, and the site-relative files it names."""

    base: str
    lunr: str
    search_js: list[str]  # search.js, search-layer.js, search-ui.js
    manifest: str
    assets: list[str] = field(default_factory=list)

    @classmethod
    def read(cls, site: Path) -> "SearchPage":
        """Parse site/search/index.html."""
        p = _PageParser()
        p.feed((site / "search" / "index.html").read_text(encoding="utf-8"))
        base = p.attrs.get("data-base") or "/"

        def rel(url: str) -> str:
            path = re.sub(r"^[a-z]+://[^/]+", "", url)
            return path[len(base):] if path.startswith(base) else path.lstrip("/")
        scripts = [rel(p.attrs[k]) for k in ("data-search-js", "data-search-layer", "data-search-ui") if p.attrs.get(k)]
        return cls(base, rel(p.attrs["data-lunr"]), scripts, rel(p.attrs["data-index"]),
                   [rel(a) for a in p.assets])


def run_queries(site: Path, queries: list[str], top: int = PAGE_SIZE, max_shards: int | None = None,
                lunr: bool = False) -> list[QueryRun]:
    """Run each query through the site's search scripts in node, each with a cold cache (`lunr`: the engine alone)."""
    node = shutil.which("node")
    if node is None:
        raise RuntimeError("payload_for_query needs node (Node.js) on PATH")
    site = site.resolve()
    page = SearchPage.read(site)
    job: dict[str, Any] = {"site": str(site), "base": page.base, "origin": ORIGIN, "manifest": page.manifest,
                           "lunr": str(site / page.lunr), "search": [str(site / s) for s in page.search_js[:2]],
                           "queries": queries, "top": top, "lunr_only": lunr}
    if max_shards:
        job["maxShards"] = max_shards
    proc = subprocess.run([node, "-e", NODE_DRIVER], input=json.dumps(job), capture_output=True, text=True,
                          timeout=600)
    if proc.returncode != 0:
        raise RuntimeError(f"search.js failed in node: {proc.stderr.strip()}")
    return [QueryRun(**r) for r in json.loads(proc.stdout)]


def gz_size(data: bytes) -> int:
    """Bytes on the wire with gzip level 6."""
    return len(gzip.compress(data, compresslevel=6, mtime=0))


def payload_for_query(site: Path, query: str) -> tuple[list[str], int, int]:
    """Files a first visit to search/?q=<query> loads before showing results, with raw and gzip bytes.

    Counts the search page, its stylesheets and scripts, lunr.js, search.js, the manifest, the index
    shards the query reads and the document shards of the first 10 results.
    """
    page = SearchPage.read(site)
    run = run_queries(site, [query])[0]
    files = ["search/index.html"] + page.assets + [page.lunr, *page.search_js] + run.files
    files = list(dict.fromkeys(files))
    raw = gz = 0
    for rel in files:
        data = (site / rel).read_bytes()
        raw += len(data)
        gz += gz_size(data)
    return files, raw, gz
