/* paper-archive search: the header box on every page but /search/, an ARIA combobox (loaded after
   search-ui.js). Typing shows the best matches in a listbox under the box; ↓/↑ move through them and the
   last option, "all results"; Enter opens the active one, or the results page when none is active; Escape
   closes. The matches on screen stay until the next ones are ready; typing clears the choice, and a choice
   made while the next matches were on their way stays if its paper is among them. */
(function (root) {
  "use strict";
  var PS = root.PaperSearch, doc = root.document;
  if (!doc || !PS || !PS.ui || doc.getElementById("search-page")) return;
  var ui = PS.ui, box = ui.box, engine = ui.engine, base = ui.base, el = ui.el, say = ui.say, meta = ui.meta,
      appendMarked = ui.appendMarked, paperUrl = ui.paperUrl, message = ui.message, noMatch = ui.noMatch,
      Runner = ui.Runner, sameTop = ui.sameTop, label = ui.label;
  function startCombobox() {
    var form = box.form, wrap = el("div", "search-popup"), note = el("p", "search-popup-note"),
        lb = el("ul", "search-options"), live = el("p", "visually-hidden"), active = -1, SHOW = 6, timer = 0, lastQ = null;
    wrap.hidden = true;
    lb.id = "search-options";
    lb.setAttribute("role", "listbox");
    lb.setAttribute("aria-label", "Matching papers");
    live.setAttribute("role", "status");
    note.hidden = true;
    wrap.appendChild(note);
    wrap.appendChild(lb);
    form.appendChild(wrap);
    form.appendChild(live);
    box.setAttribute("role", "combobox");
    box.setAttribute("aria-autocomplete", "list");
    box.setAttribute("aria-expanded", "false");
    box.setAttribute("aria-controls", lb.id);

    function options() { return Array.prototype.slice.call(lb.querySelectorAll("[role=option]")); }
    function setActive(i) {
      var all = options();
      active = all.length ? Math.max(-1, Math.min(i, all.length - 1)) : -1;
      all.forEach(function (o, k) { o.setAttribute("aria-selected", k === active ? "true" : "false"); });
      if (active >= 0) { box.setAttribute("aria-activedescendant", all[active].id); all[active].scrollIntoView({ block: "nearest" }); }
      else box.removeAttribute("aria-activedescendant");
    }
    function open(yes) {
      wrap.hidden = !yes;
      box.setAttribute("aria-expanded", yes ? "true" : "false");
      if (!yes) setActive(-1);
    }
    function option(id, href) {
      var li = el("li", "search-option");
      li.id = id;
      li.setAttribute("role", "option");
      li.setAttribute("aria-selected", "false");
      li.setAttribute("data-href", href);
      li.addEventListener("mousedown", function (e) { e.preventDefault(); });
      li.addEventListener("click", function () { root.location.href = href; });
      return li;
    }
    function allUrl(q) { return base + "search/?q=" + encodeURIComponent(q); }

    var runner = new Runner(function () { return {}; }, function (res, q, whole, first) {
      if (whole && first && sameTop(first, res, SHOW)) { updateAll(res, q); return Promise.resolve(); }
      return engine.docs(res.results.slice(0, SHOW).map(function (r) { return r.doc; })).then(function (rows) {
        var terms = new Set(res.terms), fixed = label(res, rows, q), was = options()[active],
            chosen = was ? was.getAttribute("data-href") : null;
        lb.replaceChildren();
        note.hidden = !fixed && res.total > 0;
        say(note, fixed || (res.total ? "" : noMatch(q)));
        rows.forEach(function (d, i) {
          var li = option("search-option-" + i, paperUrl(d)), t = el("span", "search-option-title");
          appendMarked(t, d.title, terms);
          li.appendChild(t);
          li.appendChild(meta(d, false));
          lb.appendChild(li);
        });
        if (res.total) lb.appendChild(option("search-option-all", allUrl(q)));
        updateAll(res, q);
        /* an option chosen since the last keystroke stays chosen if its paper is still shown */
        setActive(options().map(function (o) { return o.getAttribute("data-href"); }).indexOf(chosen));
        open(true);
        say(live, res.total ? res.total + " papers match; ↓ to choose" : noMatch(q));
      });
    }, function (err, q) { setActive(-1); lb.replaceChildren(); note.hidden = false; say(note, message(err, q)); open(true); });

    function updateAll(res, q) {
      var all = doc.getElementById("search-option-all");
      if (all) say(all, res.partial ? "All results for “" + q + "” →" : "All " + res.total + " results for “" + q + "” →");
    }

    box.addEventListener("input", function () {
      root.clearTimeout(timer);
      var q = box.value.trim();
      setActive(-1);
      if (!q) { runner.cancel(); lastQ = null; open(false); lb.replaceChildren(); return; }
      timer = root.setTimeout(function () { if (q !== lastQ) { lastQ = q; runner.run(q); } }, 60);
    });
    box.addEventListener("keydown", function (e) {
      var all = options();
      if (e.key === "ArrowDown") {
        if (wrap.hidden && lb.children.length) { open(true); return e.preventDefault(); }
        if (all.length) { e.preventDefault(); setActive(active + 1 < all.length ? active + 1 : 0); }
      } else if (e.key === "ArrowUp") {
        if (all.length && !wrap.hidden) { e.preventDefault(); setActive(active > 0 ? active - 1 : all.length - 1); }
      } else if (e.key === "Enter") {
        if (active >= 0 && !wrap.hidden) { e.preventDefault(); root.location.href = all[active].getAttribute("data-href"); }
      } else if (e.key === "Escape") {
        if (!wrap.hidden) { e.preventDefault(); open(false); }
      }
    });
    box.addEventListener("blur", function () { open(false); });
    box.addEventListener("focus", function () { if (box.value.trim() && lb.children.length) open(true); });
    if (box.value.trim()) box.dispatchEvent(new Event("input"));
  }

  startCombobox();
})(typeof window !== "undefined" ? window : globalThis);
