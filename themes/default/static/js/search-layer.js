/* paper-archive search: the query layer over search.js's lunr engine (README, "Search": the layer).
   filters (year:, date:, the year menu) → document ranges; "phrases" → their words, then an order check on
   the stored row; lunr syntax (an operator: + - : * ~ ^) → lunr.QueryParser as written, ranked as lunr.js;
   plain words → one clause each (index pipeline), the last also a prefix while typed; all words first;
   nothing found → one typo per word, labelled. First results may score the heads of frequent terms
   (partial); finish() ranks again over whole postings. */
(function (root) {
  "use strict";
  var lunr = root.lunr, PS = root.PaperSearch;
  var OPTIONAL = lunr.Query.presence.OPTIONAL, REQUIRED = lunr.Query.presence.REQUIRED;
  var PHRASE_CHECK = 20; /* candidates whose rows are read to check a phrase */

  var indexPipeline = new lunr.Pipeline();
  indexPipeline.add(lunr.trimmer, lunr.stopWordFilter, lunr.stemmer);
  var termOf = new Map();
  /* the term lunr indexes for one token, or null (stop word, punctuation) */
  function termFor(token) {
    if (!termOf.has(token)) {
      var out = indexPipeline.run([new lunr.Token(token.toLowerCase(), {})]);
      termOf.set(token, out.length && out[0].toString() ? out[0].toString() : null);
    }
    return termOf.get(token);
  }
  function termsOf(text) {
    return (text || "").split(/[\s\-]+/).map(termFor).filter(function (t) { return t; });
  }

  var FILTER = /(^|\s)(year|date):(\S*)/g, LUNR_SYNTAX = /(^|[\s])[+\-]|[:*~^]/;

  function monthRange(spec, kind) {
    var m = /^(\d{4})(?:-(\d{2}))?(?:(?:\.\.|–)(\d{4})(?:-(\d{2}))?)?$/.exec(spec);
    if (!m) return null;
    var lo = m[1] + "-" + (m[2] || "01"), hiY = m[3] || m[1], hi = hiY + "-" + (m[4] || (m[3] ? "12" : (m[2] || "12")));
    if (kind === "year" && (m[2] || m[4])) return null;
    return lo <= hi ? [lo, hi] : [hi, lo];
  }

  /* The parts of a query string (see the header). */
  function read(input) {
    var out = { text: input, range: null, phrases: [], bad: null };
    var rest = input.replace(FILTER, function (all, lead, kind, spec) {
      var r = monthRange(spec, kind);
      if (!r) out.bad = kind + ":" + spec;
      else out.range = r;
      return lead;
    });
    rest = rest.replace(/"([^"]*)("|$)/g, function (all, words) {
      var terms = termsOf(words);
      if (terms.length) out.phrases.push({ text: words.trim(), terms: terms });
      return " ";
    });
    out.rest = rest.trim();
    out.lunr = LUNR_SYNTAX.test(out.rest);
    out.words = out.lunr ? [] : out.rest.split(/[\s\-]+/).filter(function (w) { return w && termFor(w); });
    out.open = !out.lunr && out.rest.length > 0 && !/\s$/.test(input) && !/"$/.test(input.trim());
    return out;
  }

  function Searcher(engine) { this.engine = engine; }

  Searcher.prototype.docRange = function (range) {
    var m = this.engine.manifest, months = m.months, lo = m.undated, hi = m.undated;
    for (var i = 0; i < months.length; i++) {
      if (lo === m.undated && months[i][0] >= range[0]) lo = months[i][1];
      if (months[i][0] > range[1]) { hi = months[i][1]; break; }
    }
    if (lo > hi) lo = hi;
    return [lo, hi];
  };

  /* The years that have papers (for the page's year menu). */
  Searcher.prototype.years = function () {
    var out = [];
    this.engine.manifest.months.forEach(function (m) { var y = m[0].slice(0, 4); if (out.indexOf(y) === -1) out.push(y); });
    return out.reverse();
  };

  /* The lunr query and its word groups for plain words (`fuzzy` for the one-typo retry). */
  Searcher.prototype.build = function (parts, prefix, fuzzy) {
    var engine = this.engine, query = new lunr.Query(engine.fields), groups = [];
    function add(term, extra) {
      var c = { term: term, fields: engine.fields.slice(), usePipeline: false, presence: OPTIONAL, boost: 1 };
      for (var k in extra) c[k] = extra[k];
      query.clause(c);
      return query.clauses.length - 1;
    }
    parts.words.forEach(function (w, i) {
      var t = termFor(w), g = [];
      if (fuzzy && t.length >= 3) g.push(add(t, { editDistance: 1 }));
      else g.push(add(t, {}));
      if (i === parts.words.length - 1 && prefix) {
        if (prefix.prefix) g.push(add(prefix.prefix, { wildcard: lunr.Query.wildcard.TRAILING, boost: 0.5 }));
        prefix.stems.forEach(function (s) { if (s !== t) g.push(add(s, { boost: 0.5 })); });
      }
      groups.push(g);
    });
    parts.phrases.forEach(function (p) {
      p.terms.forEach(function (t) { groups.push([add(t, parts.lunr ? { presence: REQUIRED } : {})]); });
    });
    return { query: query, groups: groups };
  };

  /* How the last word, still being typed, can match: `prefix` (itself, when some index term starts with
     it) and `stems`, index terms it starts with that are at most 3 letters shorter ("diffusio" → "diffus",
     the stem of "diffusion"), so a word that matches once complete matches on the way there. */
  Searcher.prototype.prefixFor = function (parts) {
    if (!parts.open || !parts.words.length) return Promise.resolve(null);
    var engine = this.engine, word = parts.words[parts.words.length - 1].toLowerCase().replace(/^\W+|\W+$/g, "");
    if (word.length < 2) return Promise.resolve(null);
    var shorter = [], whole = termFor(word);
    for (var n = word.length - 1; n >= Math.max(3, word.length - 3); n--) shorter.push(word.slice(0, n));
    return Promise.all([engine.prefixTerms(word), engine.loadPostings([engine.shardOf(whole)])]).then(function (found) {
      var prefix = found[0].length ? word : null;
      if (engine.postings.has(whole)) return { prefix: prefix, stems: [] }; /* the word matches as it is */
      return engine.loadPostings(shorter.map(function (t) { return engine.shardOf(t); })).then(function () {
        return { prefix: prefix, stems: shorter.filter(function (t) { return engine.postings.has(t); }) };
      });
    });
  };

  /* Search `input`: {results: [{doc, score}], total, terms, partial, corrected, parts}.
     options: sort ("relevance" | "date" | "upvotes"), year ("2024" or "2022..2024"), partial (allow head-only first results). */
  Searcher.prototype.search = function (input, options) {
    options = options || {};
    var self = this, engine = this.engine, parts = read(input);
    if (options.year) { var r = monthRange(options.year, "year"); if (r) parts.range = parts.range || r; }
    if (parts.bad) return Promise.reject(PS.namedError("QueryParseError", "a filter must look like year:2024, year:2022..2024 or date:2024-03, not " + parts.bad));
    var sort = options.sort || "relevance", partial = !!options.partial && sort === "relevance" && !parts.range && !parts.phrases.length;
    return engine.load().then(function () {
      if (parts.lunr) {
        var q = new lunr.Query(engine.fields);
        new lunr.QueryParser(parts.rest, q).parse();
        var extra = self.build({ words: [], phrases: parts.phrases, lunr: true }, null, false);
        extra.query.clauses.forEach(function (c) { q.clauses.push(c); });
        return engine.searchQuery(q, { partial: false }).then(function (res) { return self.finishOrder(res, [], parts, sort); });
      }
      if (!parts.words.length && !parts.phrases.length) return { results: [], total: 0, terms: [], parts: parts, empty: true };
      return self.prefixFor(parts).then(function (prefix) {
        return self.words(parts, prefix, false, partial, sort);
      }).then(function (res) {
        if (res.total || !parts.words.some(function (w) { return termFor(w).length >= 3; })) return res;
        return self.words(parts, null, true, false, sort).then(function (fz) {
          fz.corrected = fz.total ? self.corrections(parts, fz) : null;
          return fz.corrected ? fz : res;
        });
      });
    });
  };

  Searcher.prototype.words = function (parts, prefix, fuzzy, partial, sort) {
    var self = this, built = this.build(parts, prefix, fuzzy);
    return this.engine.searchQuery(built.query, { partial: partial }).then(function (res) {
      res.groups = built.groups.map(function (clauses) {
        var terms = [];
        clauses.forEach(function (c) { res.expanded[c].forEach(function (ts) { terms.push.apply(terms, ts); }); });
        return terms;
      });
      return self.finishOrder(res, res.groups, parts, sort);
    }).then(function (res) { res.built = built; res.prefix = prefix; res.fuzzy = fuzzy; return res; });
  };

  /* All-words first, the filters, phrases, then the sort. */
  Searcher.prototype.finishOrder = function (res, groups, parts, sort) {
    var self = this, engine = this.engine, results = res.results;
    if (parts.range) {
      var span = this.docRange(parts.range);
      results = results.filter(function (r) { return r.doc >= span[0] && r.doc < span[1]; });
    }
    if (groups.length > 1) {
      var sets = groups.map(function (ts) { return engine.docsWith(ts); });
      var all = results.filter(function (r) { return sets.every(function (s) { return s.has(r.doc); }); });
      var allSet = new Set(all.map(function (r) { return r.doc; }));
      res.allWords = all.length;
      results = all.concat(results.filter(function (r) { return !allSet.has(r.doc); }));
    }
    res.results = results;
    res.total = results.length;
    res.parts = parts;
    var next = Promise.resolve(res);
    if (parts.phrases.length) next = next.then(function () { return self.phrases(res); });
    return next.then(function () { return sort ? self.sortBy(res, sort) : res; });
  };

  Searcher.prototype.phrases = function (res) {
    var head = res.results.slice(0, PHRASE_CHECK), parts = res.parts;
    return this.engine.docs(head.map(function (r) { return r.doc; })).then(function (rows) {
      var hit = new Set();
      rows.forEach(function (row) {
        var seq = termsOf(row.title).concat(["\u0000"], termsOf(row.lead)).join(" ");
        if (parts.phrases.every(function (p) { return (" " + seq + " ").indexOf(" " + p.terms.join(" ") + " ") !== -1; })) hit.add(row.doc);
      });
      res.phraseMatches = hit.size;
      res.results = res.results.filter(function (r) { return hit.has(r.doc); })
        .concat(res.results.filter(function (r) { return !hit.has(r.doc); }));
      return res;
    });
  };

  Searcher.prototype.sortBy = function (res, sort) {
    var undated = this.engine.manifest.undated;
    if (sort === "date") {
      res.results = res.results.slice().sort(function (a, b) {
        var ua = a.doc >= undated, ub = b.doc >= undated;
        return ua !== ub ? (ua ? 1 : -1) : b.doc - a.doc;
      });
      return res;
    }
    if (sort !== "upvotes") return res;
    var order = new Map();
    res.results.forEach(function (r, i) { order.set(r.doc, i); });
    return this.engine.upvotes(res.results.map(function (r) { return r.doc; })).then(function (up) {
      res.results = res.results.slice().sort(function (a, b) { return (up.get(b.doc) - up.get(a.doc)) || (order.get(a.doc) - order.get(b.doc)); });
      return res;
    });
  };

  /* After first results from heads: the same search over whole postings. */
  Searcher.prototype.finish = function (res) {
    if (!res.partial) return Promise.resolve(res);
    var self = this, terms = this.engine.expandedTerms(res.expanded);
    return this.engine.complete(terms).then(function () {
      var again = self.engine.score(res.built.query, res.expanded);
      again.expanded = res.expanded;
      again.partial = false;
      return self.finishOrder(again, res.groups, res.parts, "relevance").then(function (r) {
        r.built = res.built; r.prefix = res.prefix; r.corrected = res.corrected;
        return r;
      });
    });
  };

  /* For the one-typo retry: each word and the word it was read as (from the top result's title and row). */
  Searcher.prototype.corrections = function (parts, res) {
    var map = [];
    parts.words.forEach(function (w, i) {
      var matched = res.groups[i] || [];
      map.push({ word: w, terms: matched });
    });
    return map;
  };

  Searcher.prototype.correctedText = function (res, rows) {
    if (!res.corrected) return null;
    var words = [];
    res.corrected.forEach(function (c) {
      var found = null;
      rows.forEach(function (row) {
        if (found) return;
        ((row.title || "") + " " + (row.lead || "")).split(/[\s\-]+/).some(function (tok) {
          var t = termFor(tok);
          if (t && c.terms.indexOf(t) !== -1) { found = tok.replace(/^\W+|\W+$/g, "").toLowerCase(); return true; }
          return false;
        });
      });
      words.push(found || c.word);
    });
    return words.join(" ");
  };

  PS.Searcher = Searcher;
  PS.read = read;
  PS.termFor = termFor;
})(typeof window !== "undefined" ? window : globalThis);
