/* Compatibility harness: one lunr.js 2.3.9 index built the usual way (lunr(), node_modules/lunr) versus
   the split index the site ships, searched by the site's own search.js engine.

   stdin: {lunr, searchJs, manifest, docs: [{ref, title, abstract, organization}], fields: [[name, boost]],
           queries: [...], top, checkIndex}
   stdout: {queries: [{query, lunr: {refs, scores, total, error}, ours: {...}}], index: {...}} */
"use strict";
const fs = require("fs"), path = require("path"), vm = require("vm");
const job = JSON.parse(fs.readFileSync(0, "utf8"));
const lunr = require(job.lunr);
globalThis.lunr = lunr;
vm.runInThisContext(fs.readFileSync(job.searchJs, "utf8"), { filename: job.searchJs });

const idx = lunr(function () {
  this.ref("ref");
  job.fields.forEach(([name, boost]) => this.field(name, boost === 1 ? undefined : { boost }));
  job.docs.forEach((d) => this.add(d));
});

const dir = path.dirname(job.manifest);
const readJson = (url) => JSON.parse(fs.readFileSync(path.join(dir, new URL(url).pathname.replace(/^\/search\//, "")), "utf8"));
const manifestUrl = "http://site.invalid/search/manifest.json";
const fetchJson = async (url) => readJson(url);

function checkIndex() {
  /* every term with its lunr term index, and every posting's weight, against lunr.js's own index */
  const manifest = readJson(manifestUrl);
  const engine = new PaperSearch.Engine(manifestUrl, { fetchJson, maxShards: 1e9 });
  const out = { terms: 0, postings: 0, onlyLunr: [], onlyOurs: [], badIndex: [], badWeight: [] };
  return engine.load().then(() => engine.loadPostings(engine.firsts.map((_, i) => i))).then(() => {
    const ours = new Map();
    engine.postings.forEach((p, t) => ours.set(t, p));
    return engine.complete(Array.from(ours.keys())).then(() => ours);
  }).then((ours) => {
    const theirs = idx.invertedIndex;
    Object.keys(theirs).forEach((t) => { if (!ours.has(t)) out.onlyLunr.push(t); });
    const vectors = new Map();
    function vectorOf(fieldRef) {
      if (!vectors.has(fieldRef)) {
        const m = new Map(), el = idx.fieldVectors[fieldRef].elements;
        for (let i = 0; i < el.length; i += 2) m.set(el[i], el[i + 1]);
        vectors.set(fieldRef, m);
      }
      return vectors.get(fieldRef);
    }
    ours.forEach((row, t) => {
      out.terms++;
      if (!(t in theirs)) { out.onlyOurs.push(t); return; }
      if (theirs[t]._index !== row.index) out.badIndex.push([t, theirs[t]._index, row.index]);
      const posting = row;
      if (posting.df !== posting.raw.reduce((a, f) => a + f.length / 3, 0)) out.badIndex.push([t, "df"]);
      engine.fields.forEach((field, f) => {
        const fp = engine.fieldPosting(posting, f);
        const refs = fp.docs.map((d) => job.docs[d].ref);
        const lunrRefs = Object.keys(theirs[t][field]);
        if (refs.join("\n") !== lunrRefs.join("\n")) out.badIndex.push([t, field, "document order"]);
        fp.docs.forEach((d, i) => {
          out.postings++;
          const w = engine.weight(posting, f, fp.tf[i], fp.len[i]);
          const lw = vectorOf(field + "/" + job.docs[d].ref).get(row.index);
          if (w !== lw && out.badWeight.length < 20) out.badWeight.push([t, field, job.docs[d].ref, lw, w]);
        });
      });
    });
    return out;
  });
}

(async () => {
  const results = [];
  for (const q of job.queries) {
    const entry = { query: q };
    try {
      const r = idx.search(q);
      entry.lunr = { refs: r.slice(0, job.top).map((x) => x.ref), scores: r.slice(0, job.top).map((x) => x.score), total: r.length, error: null };
    } catch (e) {
      entry.lunr = { refs: [], scores: [], total: 0, error: e.name + ": " + e.message };
    }
    try {
      const engine = new PaperSearch.Engine(manifestUrl, { fetchJson, maxShards: 1e9 });
      const r = await engine.search(q);
      const top = r.results.slice(0, job.top);
      const docs = await engine.docs(top.map((x) => x.doc));
      entry.ours = { refs: docs.map((d) => d.slug), scores: top.map((x) => x.score), total: r.results.length, error: null };
    } catch (e) {
      entry.ours = { refs: [], scores: [], total: 0, error: e.name + ": " + e.message };
    }
    results.push(entry);
  }
  const index = job.checkIndex ? await checkIndex() : null;
  process.stdout.write(JSON.stringify({ queries: results, index }));
})().catch((e) => { console.error(e && e.stack || String(e)); process.exit(1); });
