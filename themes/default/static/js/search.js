/* paper-archive search: lunr.js 2.3.9 over a split index, fetched as a query needs it.

   search/manifest.json names content-hashed shards (see generator/search_pack.py):
     postings  consecutive terms with, per field, [Δdocument, tf, field length, ...]
     vocab     every term of some lengths, front-coded: for fuzzy (~n) and inner/leading (*) wildcards
     docs      what a result row shows, DOCS_PER_SHARD documents per file
   A query is parsed by lunr.QueryParser, its terms go through the index's search pipeline (lunr.stemmer),
   wildcard and fuzzy terms are expanded with lunr.TokenSet exactly as lunr.Index.prototype.query does,
   and the scoring below is that function's, step for step (query vectors, lunr.Vector similarity,
   required/prohibited sets, insertion order for ties), with the field-vector weights computed by
   lunr.Builder's own expression. The result: the same ranking as one monolithic lunr index
   (tests/test_lunr_compat.py), without downloading it.

   UI (only on the search page): results for ?q=, live as you type; the URL follows the query
   (pushState/replaceState, popstate); ↓/↑ move through results, Enter opens one. Untrusted text is only
   ever set with textContent / text nodes. */
(function (root) {
  "use strict";
  var lunr = root.lunr;
  var K1 = 1.2, B = 0.75; /* lunr.Builder defaults */
  var MAX_SHARDS = 64; /* a query needing more postings files than this is refused as too broad */
  var REQUIRED = lunr.Query.presence.REQUIRED, PROHIBITED = lunr.Query.presence.PROHIBITED;

  function namedError(name, message) {
    var e = new Error(message);
    e.name = name;
    return e;
  }

  function defaultFetch(url, reload) {
    function unavailable(why) { throw namedError("IndexUnavailable", why + " (" + url + ")"); }
    return root.fetch(url, reload ? { cache: "reload" } : {}).then(function (r) {
      if (!r.ok) unavailable("HTTP " + r.status);
      return r.json().catch(function () { unavailable("not JSON"); });
    }, function () { unavailable("network error"); });
  }

  /* ---------------------------------------------------------------- engine */

  function Engine(manifestUrl, options) {
    options = options || {};
    this.url = manifestUrl;
    this.fetchJson = options.fetchJson || defaultFetch;
    this.maxShards = options.maxShards || MAX_SHARDS;
    this.pipeline = new lunr.Pipeline();
    this.pipeline.add(lunr.stemmer); /* the search pipeline of lunr()'s default builder */
    this.reset(false);
  }

  Engine.prototype.reset = function (reload) {
    this.reload = reload;
    this.files = new Map(); /* url → Promise of parsed JSON */
    this.postings = new Map(); /* term → {index, raw, df, dec} */
    this.shardTerms = new Map(); /* postings shard number → its terms, sorted */
    this.vocab = new Map(); /* vocab bucket number → its terms, sorted */
    this.ready = null;
  };

  Engine.prototype.file = function (name) {
    var url = new URL("shards/" + name + ".json", this.url).href;
    if (!this.files.has(url)) this.files.set(url, this.fetchJson(url, this.reload));
    return this.files.get(url);
  };

  Engine.prototype.load = function () {
    var self = this;
    if (!this.ready) {
      this.ready = this.fetchJson(this.url, this.reload).then(function (m) {
        if (m.format !== 1) throw namedError("IndexUnavailable", "unknown index format " + m.format);
        self.manifest = m;
        self.fields = m.fields.map(function (f) { return f[0]; });
        self.boosts = m.fields.map(function (f) { return f[1] || 1; });
        self.fieldIndex = Object.create(null);
        self.fields.forEach(function (f, i) { self.fieldIndex[f] = i; });
        self.count = m.count;
        /* lunr.Builder.calculateAverageFieldLengths: total length / documents with the field */
        self.avgLength = m.lengths.map(function (sum) { return sum / m.count; });
        self.firsts = m.postings.map(function (s) { return s[0]; });
        self.intRank = null;
        if (m.intRefs && m.intRefs.length) {
          self.intRank = new Map();
          m.intRefs.forEach(function (r, i) { self.intRank.set(r[0], i); });
        }
        return m;
      });
    }
    return this.ready;
  };

  /* postings shard holding `term` (by the first term of each shard), or -1 */
  Engine.prototype.shardOf = function (term) {
    var a = this.firsts, lo = 0, hi = a.length - 1;
    if (!a.length || term < a[0]) return -1;
    while (lo < hi) {
      var mid = (lo + hi + 1) >> 1;
      if (a[mid] <= term) lo = mid; else hi = mid - 1;
    }
    return lo;
  };

  Engine.prototype.prefixShards = function (prefix) {
    var first = Math.max(0, this.shardOf(prefix)), out = [first];
    for (var i = first + 1; i < this.firsts.length && this.firsts[i].slice(0, prefix.length) === prefix; i++) out.push(i);
    return out;
  };

  Engine.prototype.loadPostings = function (shards) {
    var self = this;
    shards = shards.filter(function (s, i) { return s >= 0 && shards.indexOf(s) === i && !self.shardTerms.has(s); });
    if (shards.length > this.maxShards) {
      return Promise.reject(namedError("TooBroad", "this query needs " + shards.length + " index files"));
    }
    return Promise.all(shards.map(function (s) {
      return self.file(self.manifest.postings[s][1]).then(function (rows) {
        if (self.shardTerms.has(s)) return;
        var terms = new Array(rows.length);
        for (var i = 0; i < rows.length; i++) {
          var row = rows[i], df = 0;
          for (var f = 2; f < row.length; f++) df += row[f].length / 3;
          terms[i] = row[0];
          self.postings.set(row[0], { index: row[1], raw: row.slice(2), df: df, dec: [] });
        }
        self.shardTerms.set(s, terms);
      });
    }));
  };

  Engine.prototype.loadVocab = function (buckets) {
    var self = this;
    return Promise.all(buckets.map(function (b) {
      if (self.vocab.has(b)) return null;
      return self.file(self.manifest.vocab[b][2]).then(function (text) {
        var lines = text.split("\n"), out = new Array(lines.length), prev = "";
        for (var i = 0; i < lines.length; i++) {
          prev = prev.slice(0, lines[i].charCodeAt(0) - 48) + lines[i].slice(1);
          out[i] = prev;
        }
        self.vocab.set(b, out);
      });
    }));
  };

  function termKind(clause, term) {
    if ("editDistance" in clause) return "fuzzy";
    var star = term.indexOf("*");
    if (star === -1) return "exact";
    if (star > 0 && star === term.length - 1) return "prefix";
    return "pattern";
  }

  /* Parse with lunr's own parser (throws lunr.QueryParseError), run the search pipeline; list the
     (clause, term) pairs lunr.Index.prototype.query will look up. */
  Engine.prototype.parse = function (queryString) {
    var query = new lunr.Query(this.fields);
    new lunr.QueryParser(queryString, query).parse();
    var items = query.clauses.map(function (clause) {
      var terms = clause.usePipeline ? this.pipeline.runString(clause.term, { fields: clause.fields }) : [clause.term];
      return terms.map(function (term) { return { clause: clause, term: term, kind: termKind(clause, term) }; });
    }, this);
    return { query: query, items: items };
  };

  Engine.prototype.firstFetch = function (items) {
    var shards = [], buckets = [], vocab = this.manifest.vocab, self = this;
    items.forEach(function (list) {
      list.forEach(function (it) {
        if (it.kind === "exact") shards.push(self.shardOf(it.term));
        else if (it.kind === "prefix") shards.push.apply(shards, self.prefixShards(it.term.slice(0, -1)));
        else {
          var lo = 0, hi = Infinity;
          if (it.kind === "fuzzy") { lo = it.term.length - it.clause.editDistance; hi = it.term.length + it.clause.editDistance; }
          vocab.forEach(function (v, b) { if (v[1] >= lo && v[0] <= hi && buckets.indexOf(b) === -1) buckets.push(b); });
        }
      });
    });
    return Promise.all([this.loadPostings(shards), this.loadVocab(buckets)]);
  };

  /* lunr.TokenSet.fromArray(candidates).intersect(TokenSet.fromClause(clause)).toArray(): candidates hold
     every index term the clause can match, in sorted order, so the result (and its order) is the one
     the whole index's TokenSet gives. */
  Engine.prototype.expand = function (it) {
    var term = it.term, candidates;
    if (it.kind === "exact") return this.postings.has(term) ? [term] : [];
    if (it.kind === "prefix") {
      var prefix = term.slice(0, -1), self = this;
      candidates = [];
      this.prefixShards(prefix).forEach(function (s) {
        (self.shardTerms.get(s) || []).forEach(function (t) { if (t.slice(0, prefix.length) === prefix) candidates.push(t); });
      });
    } else {
      var lo = 0, hi = Infinity, head = "";
      if (it.kind === "fuzzy") { lo = term.length - it.clause.editDistance; hi = term.length + it.clause.editDistance; }
      else head = term.slice(0, term.indexOf("*"));
      candidates = [];
      this.vocab.forEach(function (terms) {
        terms.forEach(function (t) {
          if (t.length >= lo && t.length <= hi && t.slice(0, head.length) === head) candidates.push(t);
        });
      });
      candidates.sort();
    }
    var clause = { term: term };
    if ("editDistance" in it.clause) clause.editDistance = it.clause.editDistance;
    return lunr.TokenSet.fromArray(candidates).intersect(lunr.TokenSet.fromClause(clause)).toArray();
  };

  /* One field of a posting: documents in lunr's iteration order (Object.keys of the posting), tf, length. */
  Engine.prototype.fieldPosting = function (posting, f) {
    if (posting.dec[f]) return posting.dec[f];
    var flat = posting.raw[f], n = flat.length / 3, docs = new Array(n), tf = new Array(n), len = new Array(n), d = 0;
    for (var i = 0; i < n; i++) { d += flat[3 * i]; docs[i] = d; tf[i] = flat[3 * i + 1]; len[i] = flat[3 * i + 2]; }
    if (this.intRank) { /* integer-like refs come first in Object.keys, in numeric order */
      var rank = this.intRank, perm = docs.map(function (_, i) { return i; });
      perm.sort(function (a, b) {
        var ra = rank.has(docs[a]) ? rank.get(docs[a]) : Infinity, rb = rank.has(docs[b]) ? rank.get(docs[b]) : Infinity;
        return ra === rb ? a - b : (ra < rb ? -1 : 1);
      });
      docs = perm.map(function (i) { return docs[i]; });
      tf = perm.map(function (i) { return tf[i]; });
      len = perm.map(function (i) { return len[i]; });
    }
    return (posting.dec[f] = { docs: docs, tf: tf, len: len });
  };

  /* lunr.Builder.createFieldVectors for one (term, field, document) */
  Engine.prototype.weight = function (posting, f, tf, fieldLength) {
    if (posting.idf === undefined) { /* lunr.idf */
      var documentsWithTerm = posting.df, documentCount = this.count;
      var x = (documentCount - documentsWithTerm + 0.5) / (documentsWithTerm + 0.5);
      posting.idf = Math.log(1 + Math.abs(x));
    }
    var score = posting.idf * ((K1 + 1) * tf) / (K1 * (1 - B + B * (fieldLength / this.avgLength[f])) + tf);
    score *= this.boosts[f]; /* the document boost is 1 */
    return Math.round(score * 1000) / 1000;
  };

  Engine.prototype.search = function (queryString) {
    var self = this, parsed;
    return this.load().then(function () {
      parsed = self.parse(queryString);
      return self.firstFetch(parsed.items);
    }).then(function () {
      parsed.expanded = parsed.items.map(function (list) { return list.map(self.expand, self); });
      var shards = [];
      parsed.expanded.forEach(function (l) { l.forEach(function (ts) { ts.forEach(function (t) { shards.push(self.shardOf(t)); }); }); });
      return self.loadPostings(shards);
    }).then(function () {
      return self.score(parsed.query, parsed.expanded);
    });
  };

  /* lunr.Index.prototype.query from "for each clause" on, over the fetched postings. */
  Engine.prototype.score = function (query, expanded) {
    var fields = this.fields, self = this,
        queryVectors = Object.create(null), matchingFields = new Map(), termFieldCache = Object.create(null),
        requiredMatches = Object.create(null), prohibitedMatches = Object.create(null), positive = new Set();
    fields.forEach(function (f) { queryVectors[f] = new lunr.Vector(); });
    function add(a, b) { return a + b; }

    for (var i = 0; i < query.clauses.length; i++) {
      var clause = query.clauses[i], clauseMatches = lunr.Set.empty;
      for (var m = 0; m < expanded[i].length; m++) {
        var expandedTerms = expanded[i][m];
        if (expandedTerms.length === 0 && clause.presence === REQUIRED) {
          for (var k = 0; k < clause.fields.length; k++) requiredMatches[clause.fields[k]] = lunr.Set.empty;
          break;
        }
        for (var j = 0; j < expandedTerms.length; j++) {
          var expandedTerm = expandedTerms[j], posting = this.postings.get(expandedTerm), termIndex = posting.index;
          for (k = 0; k < clause.fields.length; k++) {
            var field = clause.fields[k], f = this.fieldIndex[field], fp = this.fieldPosting(posting, f),
                termField = expandedTerm + "/" + field;
            if (clause.presence === REQUIRED) {
              clauseMatches = clauseMatches.union(new lunr.Set(fp.docs));
              if (requiredMatches[field] === undefined) requiredMatches[field] = lunr.Set.complete;
            }
            if (clause.presence === PROHIBITED) {
              if (prohibitedMatches[field] === undefined) prohibitedMatches[field] = lunr.Set.empty;
              prohibitedMatches[field] = prohibitedMatches[field].union(new lunr.Set(fp.docs));
              continue;
            }
            queryVectors[field].upsert(termIndex, clause.boost, add);
            positive.add(expandedTerm);
            if (termFieldCache[termField]) continue;
            for (var l = 0; l < fp.docs.length; l++) {
              var key = f + "/" + fp.docs[l], match = matchingFields.get(key);
              if (match === undefined) matchingFields.set(key, (match = { doc: fp.docs[l], field: field, elements: [] }));
              match.elements.push(termIndex, this.weight(posting, f, fp.tf[l], fp.len[l]));
            }
            termFieldCache[termField] = true;
          }
        }
      }
      if (clause.presence === REQUIRED) {
        for (k = 0; k < clause.fields.length; k++) {
          requiredMatches[clause.fields[k]] = requiredMatches[clause.fields[k]].intersect(clauseMatches);
        }
      }
    }

    var allRequiredMatches = lunr.Set.complete, allProhibitedMatches = lunr.Set.empty;
    fields.forEach(function (f) {
      if (requiredMatches[f]) allRequiredMatches = allRequiredMatches.intersect(requiredMatches[f]);
      if (prohibitedMatches[f]) allProhibitedMatches = allProhibitedMatches.union(prohibitedMatches[f]);
    });

    var fieldMatches = Array.from(matchingFields.values());
    if (query.isNegated()) { /* every field of every document, in insertion order, none with terms */
      fieldMatches = [];
      for (var d = 0; d < this.count; d++) fields.forEach(function (f) { fieldMatches.push({ doc: d, field: f, elements: [] }); });
    }
    var results = [], matches = new Map();
    fieldMatches.forEach(function (fm) {
      if (!allRequiredMatches.contains(fm.doc) || allProhibitedMatches.contains(fm.doc)) return;
      var score = queryVectors[fm.field].similarity(new lunr.Vector(sortedPairs(fm.elements))), docMatch = matches.get(fm.doc);
      if (docMatch !== undefined) docMatch.score += score;
      else { docMatch = { doc: fm.doc, score: score }; matches.set(fm.doc, docMatch); results.push(docMatch); }
    });
    results.sort(function (a, b) { return b.score - a.score; });
    return { results: results, terms: Array.from(positive) };
  };

  function sortedPairs(flat) {
    if (flat.length <= 2) return flat;
    var pairs = [];
    for (var i = 0; i < flat.length; i += 2) pairs.push([flat[i], flat[i + 1]]);
    pairs.sort(function (a, b) { return a[0] - b[0]; });
    var out = [];
    pairs.forEach(function (p) { out.push(p[0], p[1]); });
    return out;
  }

  /* The stored rows of documents `docs` (numbers), in that order. */
  Engine.prototype.docs = function (docs) {
    var self = this, per = this.manifest.docs[0], names = this.manifest.docs[1];
    return Promise.all(docs.map(function (d) {
      return self.file(names[Math.floor(d / per)]).then(function (rows) {
        var r = rows[d % per];
        return { doc: d, slug: r[0], title: r[1], date: r[2], organization: r[3], orgSlug: r[4], authors: r[5], abstract: r[6] };
      });
    }));
  };

  root.PaperSearch = { Engine: Engine, version: 1 };

  /* ---------------------------------------------------------------- page */

  if (!root.document) return;
  var doc = root.document;

  var MONTHS = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split(" ");
  var PAGE = 10;
  var SYNTAX = "Syntax: +word must appear, -word must not, title:word searches one field, pre* matches a prefix, word~1 allows one typo.";

  function humanDate(iso) {
    if (!iso) return "undated";
    var p = iso.split("-");
    return MONTHS[+p[1] - 1] + " " + (+p[2]) + ", " + p[0];
  }

  /* Highlighting: split text as lunr.tokenizer does, send each token through the index pipeline, mark
     tokens whose term the query matched. */
  var indexPipeline = new lunr.Pipeline();
  indexPipeline.add(lunr.trimmer, lunr.stopWordFilter, lunr.stemmer);
  var termOf = new Map();
  function tokenTerm(token) {
    if (!termOf.has(token)) {
      var out = indexPipeline.run([new lunr.Token(token.toLowerCase(), {})]);
      termOf.set(token, out.length ? out[0].toString() : null);
    }
    return termOf.get(token);
  }

  function tokens(text, terms) {
    var re = /[^\s\-]+/g, out = [], m;
    while ((m = re.exec(text))) {
      var t = tokenTerm(m[0]), lead = /^\W*/.exec(m[0])[0].length, trail = /\W*$/.exec(m[0])[0].length;
      out.push({ start: m.index, end: m.index + m[0].length, match: t !== null && t !== "" && terms.has(t),
                 markStart: m.index + lead, markEnd: Math.max(m.index + lead, m.index + m[0].length - trail) });
    }
    return out;
  }

  function appendMarked(parent, text, toks, from, to) {
    var pos = from;
    toks.forEach(function (t) {
      if (!t.match || t.markStart < from || t.markEnd > to || t.markEnd === t.markStart) return;
      if (t.markStart > pos) parent.appendChild(doc.createTextNode(text.slice(pos, t.markStart)));
      var mark = doc.createElement("mark");
      mark.textContent = text.slice(t.markStart, t.markEnd);
      parent.appendChild(mark);
      pos = t.markEnd;
    });
    if (pos < to) parent.appendChild(doc.createTextNode(text.slice(pos, to)));
  }

  /* About 240 characters of the abstract around its first matching word. */
  function snippet(parent, text, terms) {
    var toks = tokens(text, terms), first = 0;
    for (var i = 0; i < toks.length; i++) if (toks[i].match) { first = i; break; }
    var startTok = Math.max(0, first - 8), start = toks.length ? toks[startTok].start : 0, end = start, last = startTok;
    while (last < toks.length && toks[last].end - start <= 240) end = toks[last++].end;
    if (end === start && toks.length) end = Math.min(text.length, start + 240);
    if (start > 0) parent.appendChild(doc.createTextNode("… "));
    appendMarked(parent, text, toks, start, end);
    if (end < text.length) parent.appendChild(doc.createTextNode(" …"));
  }

  function el(tag, className, text) {
    var e = doc.createElement(tag);
    if (className) e.className = className;
    if (text !== undefined) e.textContent = text;
    return e;
  }

  function row(d, terms, base) {
    var li = el("li", "paper-row search-result"), main = el("div", "paper-main");
    var a = el("a", "paper-title");
    a.href = base + "papers/" + encodeURIComponent(d.slug) + "/";
    appendMarked(a, d.title, tokens(d.title, terms), 0, d.title.length);
    main.appendChild(a);
    var meta = el("p", "meta");
    if (d.date) {
      var time = el("time", null, humanDate(d.date));
      time.setAttribute("datetime", d.date);
      meta.appendChild(time);
    } else {
      meta.appendChild(el("span", null, "undated"));
    }
    var sep = el("span", "sep", " · ");
    sep.setAttribute("aria-hidden", "true");
    meta.appendChild(sep);
    if (d.organization) {
      var org = el("a", "org", d.organization);
      org.href = base + "org/" + encodeURIComponent(d.orgSlug) + "/";
      meta.appendChild(org);
    } else {
      meta.appendChild(el("span", "authors", d.authors ? d.authors + (d.authors === 1 ? " author" : " authors") : "authors unknown"));
    }
    main.appendChild(meta);
    if (d.abstract) {
      var p = el("p", "snippet");
      snippet(p, d.abstract, terms);
      main.appendChild(p);
    }
    li.appendChild(main);
    return li;
  }

  function startPage() {
    var page = doc.getElementById("search-page"), box = doc.getElementById("search-box");
    if (!page || !box) return;
    var status = doc.getElementById("search-status"), list = doc.getElementById("search-results"),
        more = doc.getElementById("search-more"), base = doc.body.getAttribute("data-base") || "/",
        engine = new Engine(new URL(page.getAttribute("data-index"), root.location.href).href),
        baseTitle = doc.title, seq = 0, current = null, typedEntry = false, retried = false;

    function say(text) { status.textContent = text; }

    function show(res, q, from) {
      var slice = res.results.slice(from, from + PAGE), terms = new Set(res.terms), my = seq;
      return engine.docs(slice.map(function (r) { return r.doc; })).then(function (docs) {
        if (my !== seq) return;
        if (from === 0) list.replaceChildren();
        docs.forEach(function (d) { list.appendChild(row(d, terms, base)); });
        var n = res.results.length, shown = Math.min(n, from + PAGE);
        say(n === 1 ? "1 paper matches “" + q + "”." :
            n + " papers match “" + q + "”" + (shown < n ? "; showing " + shown + "." : "."));
        if (more) more.hidden = shown >= n;
      });
    }

    function run(q) {
      var my = ++seq;
      q = q.trim();
      current = null;
      if (more) more.hidden = true;
      doc.title = q ? "“" + q + "” · " + baseTitle : baseTitle;
      if (!q) {
        list.replaceChildren();
        say("Type to search the titles, abstracts and organisations of every paper. " + SYNTAX);
        return Promise.resolve();
      }
      var slow = root.setTimeout(function () { if (my === seq) say("Searching…"); }, 150);
      return engine.search(q).then(function (res) {
        if (my !== seq) return;
        current = { res: res, q: q };
        if (!res.results.length) {
          list.replaceChildren();
          say("No papers match “" + q + "”. Try fewer or shorter words, a prefix such as diffu*, or a typo-tolerant word~1.");
          return;
        }
        return show(res, q, 0);
      }).catch(function (err) {
        if (my !== seq) return;
        list.replaceChildren();
        if (err && err.name === "QueryParseError") {
          say("That query can’t be read (" + err.message + "). " + SYNTAX);
        } else if (err && err.name === "TooBroad") {
          say("“" + q + "” matches too many different words to search in the browser; make it more specific (e.g. a longer prefix before the *).");
        } else if (err && err.name === "IndexUnavailable" && !retried) {
          retried = true; /* the index may have been rebuilt since the manifest was cached */
          engine.reset(true);
          return run(q);
        } else if (err && err.name === "IndexUnavailable") {
          say("Search is unavailable: its index could not be loaded. Check your connection and reload the page.");
        } else {
          say("That query could not be searched (" + (err && err.message) + "). " + SYNTAX);
        }
      }).then(function () { root.clearTimeout(slow); });
    }

    function urlFor(q) {
      var u = new URL(root.location.href);
      if (q) u.searchParams.set("q", q); else u.searchParams.delete("q");
      return u.href;
    }

    function fromLocation() {
      var q = new URL(root.location.href).searchParams.get("q") || "";
      box.value = q;
      typedEntry = false;
      return run(q);
    }
    if (!new URL(root.location.href).searchParams.get("q")) box.focus();

    /* History: typing makes one entry per burst (a pause of PAUSE ms or Enter ends it), so Back returns to
       the query shown before, not to every prefix typed on the way. */
    var timer = 0, lastInput = 0, PAUSE = 1000;
    box.addEventListener("input", function () {
      var now = Date.now(), sameBurst = typedEntry && now - lastInput < PAUSE;
      lastInput = now;
      root.clearTimeout(timer);
      timer = root.setTimeout(function () {
        var q = box.value, url = urlFor(q.trim());
        if (url !== root.location.href) {
          if (sameBurst) root.history.replaceState({ q: q }, "", url);
          else root.history.pushState({ q: q }, "", url);
        }
        typedEntry = true;
        run(q);
      }, 120);
    });
    box.form.addEventListener("submit", function (e) {
      e.preventDefault();
      root.clearTimeout(timer);
      var url = urlFor(box.value.trim());
      if (url !== root.location.href) {
        if (typedEntry) root.history.replaceState({ q: box.value }, "", url);
        else root.history.pushState({ q: box.value }, "", url);
      }
      typedEntry = false;
      run(box.value);
    });
    root.addEventListener("popstate", fromLocation);
    if (more) more.addEventListener("click", function () {
      if (current) show(current.res, current.q, list.children.length);
    });

    /* keyboard: ↓ from the box to the first result, ↓/↑ between results, Escape back; Enter follows the link */
    function links() { return Array.prototype.slice.call(list.querySelectorAll(".paper-title")); }
    box.addEventListener("keydown", function (e) {
      if (e.key === "ArrowDown" && links().length) { e.preventDefault(); links()[0].focus(); }
    });
    list.addEventListener("keydown", function (e) {
      var all = links(), i = all.indexOf(doc.activeElement);
      if (e.key === "ArrowDown" && i >= 0) { e.preventDefault(); if (i + 1 < all.length) all[i + 1].focus(); }
      else if (e.key === "ArrowUp" && i >= 0) { e.preventDefault(); if (i > 0) all[i - 1].focus(); else box.focus(); }
      else if (e.key === "Escape") { e.preventDefault(); box.focus(); }
    });

    fromLocation();
  }

  if (doc.readyState === "loading") doc.addEventListener("DOMContentLoaded", startPage);
  else startPage();
})(typeof window !== "undefined" ? window : globalThis);
