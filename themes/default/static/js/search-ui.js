/* paper-archive search: what both views share, and the search page (README, "Search"). Loaded by site.js
   after lunr.js, search.js and search-layer.js; fetches the manifest at once. The search page: results for
   ?q=&sort=&year=, the focus in the box, ↓/↑ through results and "show more", Back refocuses the result
   opened; results stay until the next are ready. Untrusted text only ever goes in via text nodes. */
(function (root) {
  "use strict";
  var PS = root.PaperSearch, doc = root.document;
  if (!doc || !PS || !PS.Searcher) return;
  var box = doc.getElementById("search-box");
  if (!box || box.getAttribute("data-search-ready")) return;
  box.setAttribute("data-search-ready", "1");

  var base = doc.body.getAttribute("data-base") || "/";
  var pageEl = doc.getElementById("search-page");
  var manifest = new URL(pageEl ? pageEl.getAttribute("data-index") : base + "search/manifest.json", root.location.href).href;
  var engine = new PS.Engine(manifest), searcher = new PS.Searcher(engine);
  engine.load().catch(function () {}); /* the manifest, now: the first query then needs only its shards */

  var MONTHS = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split(" ");
  var SYNTAX = "Syntax: \"a phrase\", year:2024 or year:2022..2024, +word must appear, -word must not, title:word searches one field, pre* matches a prefix, word~1 allows one typo.";

  function humanDate(iso) {
    if (!iso) return "undated";
    var p = iso.split("-");
    return MONTHS[+p[1] - 1] + " " + (+p[2]) + ", " + p[0];
  }

  function el(tag, className, text) {
    var e = doc.createElement(tag);
    if (className) e.className = className;
    if (text !== undefined) e.textContent = text;
    return e;
  }

  /* text with the tokens whose lunr term the query matched wrapped in <mark> */
  function appendMarked(parent, text, terms) {
    var re = /[^\s\-]+/g, pos = 0, m;
    while ((m = re.exec(text))) {
      var t = PS.termFor(m[0]);
      if (!t || !terms.has(t)) continue;
      var lead = /^\W*/.exec(m[0])[0].length, trail = /\W*$/.exec(m[0])[0].length;
      var s = m.index + lead, e = Math.max(s, m.index + m[0].length - trail);
      if (e === s) continue;
      if (s > pos) parent.appendChild(doc.createTextNode(text.slice(pos, s)));
      parent.appendChild(el("mark", null, text.slice(s, e)));
      pos = e;
    }
    if (pos < text.length) parent.appendChild(doc.createTextNode(text.slice(pos)));
  }

  function paperUrl(d) { return base + "papers/" + encodeURIComponent(d.slug) + "/"; }

  function meta(d, withOrgLink) {
    var p = el("p", "meta");
    function sep() { var s = el("span", "sep", " · "); s.setAttribute("aria-hidden", "true"); p.appendChild(s); }
    if (d.date) { var time = el("time", null, humanDate(d.date)); time.setAttribute("datetime", d.date); p.appendChild(time); }
    else p.appendChild(el("span", null, "undated"));
    sep();
    var up = el("span", "upvotes", "▲ " + (d.upvotes || 0));
    up.setAttribute("aria-label", (d.upvotes || 0) + (d.upvotes === 1 ? " upvote" : " upvotes"));
    p.appendChild(up);
    sep();
    if (d.organization && withOrgLink) {
      var org = el("a", "org", d.organization);
      org.href = base + "org/" + encodeURIComponent(d.orgSlug) + "/";
      p.appendChild(org);
    } else if (d.organization) {
      p.appendChild(el("span", "org", d.organization));
    } else {
      p.appendChild(el("span", "authors", d.authors ? d.authors + (d.authors === 1 ? " author" : " authors") : "authors unknown"));
    }
    return p;
  }

  function row(d, terms) {
    var li = el("li", "paper-row search-result"), main = el("div", "paper-main"), a = el("a", "paper-title");
    a.href = paperUrl(d);
    appendMarked(a, d.title, terms);
    main.appendChild(a);
    main.appendChild(meta(d, true));
    if (d.lead) { var p = el("p", "snippet"); appendMarked(p, d.lead, terms); main.appendChild(p); }
    li.appendChild(main);
    return li;
  }

  function say(node, text) { if (node.textContent !== text) node.textContent = text; }

  function message(err, q) {
    if (err && err.name === "QueryParseError") return "That query can’t be read (" + err.message + "). " + SYNTAX;
    if (err && err.name === "TooBroad") return "“" + q + "” matches too many different words to search in the browser; make it more specific (e.g. a longer prefix before the *).";
    if (err && err.name === "IndexUnavailable") return "Search is unavailable: its index could not be loaded. Check your connection and reload the page.";
    return "That query could not be searched (" + (err && err.message) + "). " + SYNTAX;
  }

  function noMatch(q) { return "No papers match “" + q + "”. Try fewer or shorter words, or a prefix such as diffu*."; }

  /* Runs searches one after another for a view; only the newest one's results are shown. */
  function Runner(options, show, fail) {
    var seq = 0, retried = false;
    this.run = function (q) {
      var my = ++seq, opts = options();
      return searcher.search(q, { sort: opts.sort, year: opts.year, partial: true }).then(function (res) {
        if (my !== seq) return null;
        return show(res, q, false).then(function () {
          if (my !== seq || !res.partial) return null;
          return searcher.finish(res).then(function (whole) { if (my === seq) return show(whole, q, true, res); });
        });
      }).catch(function (err) {
        if (my !== seq) return;
        if (err && err.name === "IndexUnavailable" && !retried) { retried = true; engine.reset(true); return this.run(q); }
        fail(err, q);
      }.bind(this));
    };
    this.cancel = function () { seq++; };
  }

  function sameTop(a, b, n) {
    for (var i = 0; i < n; i++) if ((a.results[i] || {}).doc !== (b.results[i] || {}).doc) return false;
    return true;
  }

  function label(res, rows, q) {
    var fixed = searcher.correctedText(res, rows);
    return fixed ? "No papers match “" + q + "”; showing results for “" + fixed + "” (one typo allowed)." : null;
  }

  /* ------------------------------------------------------------ the search page */
  function startPage() {
    var status = doc.getElementById("search-status"), list = doc.getElementById("search-results"),
        more = doc.getElementById("search-more"), sortSel = doc.getElementById("search-sort"),
        yearSel = doc.getElementById("search-year"), baseTitle = doc.title, PAGE = 10,
        current = null, typedEntry = false, restoreFocus = null;

    engine.load().then(function () {
      if (!yearSel || yearSel.options.length > 1) return;
      searcher.years().forEach(function (y) { yearSel.appendChild(new Option(y, y)); });
      yearSel.value = new URL(root.location.href).searchParams.get("year") || "";
    }).catch(function () {});

    function opts() { return { sort: sortSel ? sortSel.value : "relevance", year: yearSel ? yearSel.value : "" }; }

    function statusFor(res, q, shown, whole, rows) {
      var fixed = label(res, rows, q);
      if (fixed) return fixed;
      if (!whole && res.partial) return "Best matches for “" + q + "”…";
      var n = res.total;
      return (n === 1 ? "1 paper matches “" + q + "”" : n + " papers match “" + q + "”") +
        (res.allWords ? " (" + res.allWords + " with every word)" : "") + (shown < n ? "; showing " + shown + "." : ".");
    }

    function titles() { return Array.prototype.slice.call(list.querySelectorAll(".paper-title")); }

    /* A result focused when the list is replaced (↓ pressed while the next results were on their way):
       the focus goes to the same paper if it is still listed, else to the result in its place. */
    function focusedResult() {
      var links = titles(), i = links.indexOf(doc.activeElement);
      return i < 0 ? null : { href: links[i].getAttribute("href"), at: i };
    }
    function refocus(was) {
      var links = titles();
      var same = links.filter(function (a) { return a.getAttribute("href") === was.href; })[0];
      var to = same || links[Math.min(was.at, links.length - 1)];
      if (to) to.focus(); else box.focus();
    }

    function render(res, q, from) {
      var slice = res.results.slice(from, from + PAGE), terms = new Set(res.terms);
      return engine.docs(slice.map(function (r) { return r.doc; })).then(function (rows) {
        var was = from === 0 ? focusedResult() : null;
        if (from === 0) list.replaceChildren();
        rows.forEach(function (d) { list.appendChild(row(d, terms)); });
        if (was) refocus(was);
        return rows;
      });
    }

    var runner = new Runner(opts, function (res, q, whole, first) {
      if (!res.total) {
        if (!whole) { current = null; if (focusedResult()) box.focus(); list.replaceChildren(); if (more) more.hidden = true; say(status, res.empty ? help() : noMatch(q)); }
        return Promise.resolve();
      }
      var n = Math.max(PAGE, list.children.length), keep = whole && first && current && sameTop(first, res, n);
      var shown = keep ? list.children.length : Math.min(res.total, PAGE);
      current = { res: res, q: q };
      var done = keep ? engine.docs(res.results.slice(0, 1).map(function (r) { return r.doc; })) : render(res, q, 0);
      return done.then(function (rows) {
        if (more) more.hidden = shown >= res.total || (res.partial && !whole);
        say(status, statusFor(res, q, shown, whole || !res.partial, rows));
        if (restoreFocus !== null) {
          var links = titles();
          if (links[restoreFocus]) links[restoreFocus].focus();
          if (whole || !res.partial) restoreFocus = null;
        }
      });
    }, function (err, q) { current = null; list.replaceChildren(); if (more) more.hidden = true; say(status, message(err, q)); });

    function help() { return "Type to search the titles, abstracts and organisations of every paper. " + SYNTAX; }

    function run(q) {
      q = q.trim();
      doc.title = q ? "“" + q + "” · " + baseTitle : baseTitle;
      if (!q) { runner.cancel(); current = null; list.replaceChildren(); if (more) more.hidden = true; say(status, help()); return Promise.resolve(); }
      var slow = root.setTimeout(function () { if (!list.children.length) say(status, "Searching…"); }, 150);
      return runner.run(q).then(function () { root.clearTimeout(slow); });
    }

    function urlFor(q) {
      var u = new URL(root.location.href), o = opts();
      [["q", q], ["sort", o.sort === "relevance" ? "" : o.sort], ["year", o.year]].forEach(function (kv) {
        if (kv[1]) u.searchParams.set(kv[0], kv[1]); else u.searchParams.delete(kv[0]);
      });
      return u.href;
    }

    function fromLocation() {
      var u = new URL(root.location.href), st = root.history.state;
      box.value = u.searchParams.get("q") || "";
      if (sortSel) sortSel.value = u.searchParams.get("sort") || "relevance";
      if (yearSel && yearSel.options.length > 1) yearSel.value = u.searchParams.get("year") || "";
      typedEntry = false;
      restoreFocus = st && typeof st.focus === "number" ? st.focus : null;
      if (restoreFocus === null) box.focus();
      return run(box.value);
    }

    function commit(push) {
      var url = urlFor(box.value.trim());
      if (url === root.location.href) return;
      if (push) root.history.pushState({ q: box.value }, "", url);
      else root.history.replaceState({ q: box.value }, "", url);
    }

    /* History: typing makes one entry per burst (a pause of PAUSE ms or Enter ends it). */
    var timer = 0, lastInput = 0, PAUSE = 1000;
    box.addEventListener("input", function () {
      var now = Date.now(), sameBurst = typedEntry && now - lastInput < PAUSE;
      lastInput = now;
      root.clearTimeout(timer);
      timer = root.setTimeout(function () { commit(!sameBurst); typedEntry = true; run(box.value); }, 60);
    });
    box.form.addEventListener("submit", function (e) {
      e.preventDefault();
      root.clearTimeout(timer);
      commit(!typedEntry);
      typedEntry = false;
      run(box.value);
    });
    [sortSel, yearSel].forEach(function (sel) {
      if (sel) sel.addEventListener("change", function () { commit(true); typedEntry = false; run(box.value); });
    });
    root.addEventListener("popstate", fromLocation);
    root.addEventListener("pageshow", function (e) {
      var st = root.history.state;
      if (e.persisted && st && typeof st.focus === "number") {
        var links = titles();
        if (links[st.focus]) links[st.focus].focus();
      }
    });
    if (more) more.addEventListener("click", function () {
      if (!current) return;
      var from = list.children.length;
      render(current.res, current.q, from).then(function () {
        var shown = list.children.length;
        more.hidden = shown >= current.res.total;
        say(status, statusFor(current.res, current.q, shown, true, []));
        var links = titles();
        if (doc.activeElement === more || more.hidden) { if (links[from]) links[from].focus(); }
      });
    });

    /* keyboard: ↓ from the box to the first result, ↓/↑ through results and "show more", Escape back */
    function stops() {
      var all = titles();
      if (more && !more.hidden) all.push(more);
      return all;
    }
    box.addEventListener("keydown", function (e) {
      if (e.key === "ArrowDown" && stops().length) { e.preventDefault(); stops()[0].focus(); }
    });
    function onKey(e) {
      var all = stops(), i = all.indexOf(doc.activeElement);
      if (e.key === "ArrowDown" && i >= 0) { e.preventDefault(); if (i + 1 < all.length) all[i + 1].focus(); }
      else if (e.key === "ArrowUp" && i >= 0) { e.preventDefault(); if (i > 0) all[i - 1].focus(); else box.focus(); }
      else if (e.key === "Escape") { e.preventDefault(); box.focus(); }
    }
    list.addEventListener("keydown", onKey);
    if (more) more.addEventListener("keydown", onKey);
    /* remember which result was opened, so Back comes back to it */
    list.addEventListener("click", function (e) {
      var a = e.target.closest && e.target.closest("a.paper-title");
      if (!a) return;
      var i = titles().indexOf(a);
      root.history.replaceState({ q: box.value, focus: i }, "", root.location.href);
    });

    fromLocation();
  }

  PS.ui = { engine: engine, searcher: searcher, box: box, base: base, el: el, say: say, meta: meta,
            appendMarked: appendMarked, paperUrl: paperUrl, message: message, noMatch: noMatch, Runner: Runner,
            sameTop: sameTop, label: label };
  if (pageEl) startPage();
})(typeof window !== "undefined" ? window : globalThis);
