/* paper-archive search: lunr.js 2.3.9 over a split index, fetched as a query needs it (the layout:
   generator/search/pack.py). Queries are parsed by lunr.QueryParser, run through the search pipeline,
   expanded with lunr.TokenSet and scored step for step as lunr.Index.prototype.query, with lunr.Builder's
   weight expression: the ranking of one monolithic lunr index (tests/test_lunr_compat.py). search() fetches
   a frequent term's head and tail before scoring; searchQuery(q, {partial}) may score heads only (the
   first results of search-layer.js, which then finishes the ranking). The page: search-ui.js. */
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

  Engine.prototype.file = function (kind, n) {
    var url = new URL("shards/" + this.manifest.key + "/" + kind + n + ".json", this.url).href;
    if (!this.files.has(url)) this.files.set(url, this.fetchJson(url, this.reload));
    return this.files.get(url);
  };

  Engine.prototype.load = function () {
    var self = this;
    if (!this.ready) {
      this.ready = this.fetchJson(this.url, this.reload).then(function (m) {
        if (m.format !== 2) throw namedError("IndexUnavailable", "unknown index format " + m.format);
        self.manifest = m;
        self.fields = m.fields.map(function (f) { return f[0]; });
        self.boosts = m.fields.map(function (f) { return f[1] || 1; });
        self.fieldIndex = Object.create(null);
        self.fields.forEach(function (f, i) { self.fieldIndex[f] = i; });
        self.count = m.count;
        /* lunr.Builder.calculateAverageFieldLengths: total length / documents with the field */
        self.avgLength = m.lengths.map(function (sum) { return sum / m.count; });
        self.firsts = frontDecode(m.postings); /* each postings shard's separator */
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

  /* postings shard that can hold `term`, or -1: the last whose separator (pack.py's separator, a prefix of
     its first term that sorts after the previous shard's last) is <= term */
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
      return self.file("p", s).then(function (rows) {
        if (self.shardTerms.has(s)) return;
        var terms = new Array(rows.length), nf = self.fields.length;
        for (var i = 0; i < rows.length; i++) {
          var row = rows[i], df = 0, p = { index: row[1], raw: null, dec: [] };
          if (row.length === 3) { df = row[2][0]; p.head = p.tail = row[2][1]; p.bound = row[2][2]; }
          else { p.raw = row.slice(2, 2 + nf); for (var f = 0; f < nf; f++) df += p.raw[f].length / 3; }
          p.df = df;
          terms[i] = row[0];
          self.postings.set(row[0], p);
        }
        self.shardTerms.set(s, terms);
      });
    }));
  };

  Engine.prototype.loadVocab = function (buckets) {
    var self = this;
    return Promise.all(buckets.map(function (b) {
      if (self.vocab.has(b)) return null;
      return self.file("v", b).then(function (text) { self.vocab.set(b, frontDecode(text)); });
    }));
  };

  /* pack.py's front_code: lines of chr(48 + shared prefix length) + the rest */
  function frontDecode(text) {
    if (!text) return [];
    var lines = text.split("\n"), out = new Array(lines.length), prev = "";
    for (var i = 0; i < lines.length; i++) {
      prev = prev.slice(0, lines[i].charCodeAt(0) - 48) + lines[i].slice(1);
      out[i] = prev;
    }
    return out;
  }

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
    return { query: query, items: this.items(query) };
  };

  Engine.prototype.items = function (query) {
    return query.clauses.map(function (clause) {
      var terms = clause.usePipeline ? this.pipeline.runString(clause.term, { fields: clause.fields }) : [clause.term];
      return terms.map(function (term) { return { clause: clause, term: term, kind: termKind(clause, term) }; });
    }, this);
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

  /* A lunr query string, ranked exactly as lunr.js 2.3.9 ranks it over one index. */
  Engine.prototype.search = function (queryString) {
    var self = this;
    return this.load().then(function () {
      return self.searchQuery(self.parse(queryString).query, {});
    });
  };

  /* A lunr.Query (from the parser or built by search-layer.js). With options.partial, frequent terms are
     scored over their heads only and the result says `partial: true`. */
  Engine.prototype.searchQuery = function (query, options) {
    var self = this, parsed = { query: query };
    return this.load().then(function () {
      parsed.items = self.items(query);
      return self.firstFetch(parsed.items);
    }).then(function () {
      parsed.expanded = parsed.items.map(function (list) { return list.map(self.expand, self); });
      var shards = [];
      parsed.expanded.forEach(function (l) { l.forEach(function (ts) { ts.forEach(function (t) { shards.push(self.shardOf(t)); }); }); });
      return self.loadPostings(shards);
    }).then(function () {
      var terms = self.expandedTerms(parsed.expanded);
      return options && options.partial ? self.loadHeads(terms) : self.complete(terms);
    }).then(function () {
      var res = self.score(parsed.query, parsed.expanded);
      res.expanded = parsed.expanded;
      res.partial = self.expandedTerms(parsed.expanded).some(function (t) { return self.postings.get(t).tail !== undefined; });
      return res;
    });
  };

  Engine.prototype.expandedTerms = function (expanded) {
    var out = [];
    expanded.forEach(function (l) { l.forEach(function (ts) { ts.forEach(function (t) { if (out.indexOf(t) === -1) out.push(t); }); }); });
    return out;
  };

  /* Fetch the heads of the frequent terms among `terms`. */
  Engine.prototype.loadHeads = function (terms) {
    var self = this, todo = terms.map(function (t) { return self.postings.get(t); })
      .filter(function (p) { return p && p.raw === null; });
    if (todo.length > this.maxShards) return Promise.reject(namedError("TooBroad", "this query needs " + todo.length + " index files"));
    return Promise.all(todo.map(function (p) {
      return self.file("h", p.head).then(function (head) { if (p.raw === null) p.raw = head; });
    }));
  };

  /* Fetch the heads and tails of `terms` and merge each tail into its head (documents ascending per field). */
  Engine.prototype.complete = function (terms) {
    var self = this, todo = terms.map(function (t) { return self.postings.get(t); })
      .filter(function (p) { return p && p.tail !== undefined; });
    if (todo.length > this.maxShards) return Promise.reject(namedError("TooBroad", "this query needs " + todo.length + " index files"));
    return this.loadHeads(terms).then(function () {
      return Promise.all(todo.map(function (p) {
        return self.file("t", p.tail).then(function (tail) {
          if (p.tail === undefined) return;
          p.raw = p.raw.map(function (head, f) { return mergeFlat(head, tail[f]); });
          p.dec = [];
          delete p.tail;
        });
      }));
    });
  };

  function mergeFlat(a, b) {
    var out = [], i = 0, j = 0, da = a.length ? a[0] : Infinity, db = b.length ? b[0] : Infinity, prev = 0, d;
    while (i < a.length || j < b.length) {
      if (da <= db) { d = da; out.push(d - prev, a[i + 1], a[i + 2]); i += 3; da = i < a.length ? da + a[i] : Infinity; }
      else { d = db; out.push(d - prev, b[j + 1], b[j + 2]); j += 3; db = j < b.length ? db + b[j] : Infinity; }
      prev = d;
    }
    return out;
  }

  /* Documents holding any of `terms` in any field, with the postings fetched so far. */
  Engine.prototype.docsWith = function (terms) {
    var out = new Set(), self = this;
    terms.forEach(function (t) {
      var p = self.postings.get(t);
      if (!p || !p.raw) return;
      self.fields.forEach(function (_, f) { self.fieldPosting(p, f).docs.forEach(function (d) { out.add(d); }); });
    });
    return out;
  };

  /* Index terms starting with `prefix` (fetches the postings shards that hold them). */
  Engine.prototype.prefixTerms = function (prefix) {
    var self = this;
    return this.load().then(function () {
      var shards = self.prefixShards(prefix);
      return self.loadPostings(shards).then(function () {
        var out = [];
        shards.forEach(function (s) {
          (self.shardTerms.get(s) || []).forEach(function (t) { if (t.slice(0, prefix.length) === prefix) out.push(t); });
        });
        return out;
      });
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
    return { results: results, terms: Array.from(positive), queryVectors: queryVectors };
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
    var self = this, per = this.manifest.docs;
    return Promise.all(docs.map(function (d) {
      return self.file("d", Math.floor(d / per)).then(function (rows) {
        var r = rows[d % per];
        return { doc: d, slug: r[0] || titleSlug(r[1]), title: r[1], date: r[2], upvotes: r[3], organization: r[4], orgSlug: r[5],
                 authors: r[6], lead: r[7] };
      });
    }));
  };

  /* pack.py's title_slug: a row stores "" for a slug made from an ASCII title this way */
  function titleSlug(title) {
    var slug = title.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "");
    if (slug.length > 80) {
      var cut = slug.slice(0, 81);
      slug = (cut.indexOf("-", 40) !== -1 ? cut.slice(0, cut.lastIndexOf("-")) : slug.slice(0, 80)).replace(/^-+|-+$/g, "");
    }
    return slug;
  }

  /* Upvotes of documents `docs`, as a Map. */
  Engine.prototype.upvotes = function (docs) {
    var self = this, per = this.manifest.upvotes, chunks = [];
    docs.forEach(function (d) { var c = Math.floor(d / per); if (chunks.indexOf(c) === -1) chunks.push(c); });
    return Promise.all(chunks.map(function (c) { return self.file("u", c); })).then(function (lists) {
      var out = new Map();
      docs.forEach(function (d) { out.set(d, lists[chunks.indexOf(Math.floor(d / per))][d % per]); });
      return out;
    });
  };

  root.PaperSearch = { Engine: Engine, namedError: namedError, version: 2 };
})(typeof window !== "undefined" ? window : globalThis);
