/* paper-archive: site behaviour that needs no data. No inline scripts anywhere: works under a strict CSP.
   - `/` focuses the search box (unless typing in a field);
   - the search code (lunr.js, search.js, search-layer.js, search-ui.js and, but on /search/, search-box.js) loads lazily, on first focus of the
     search box, or at once on /search/; search-ui.js then fetches the index manifest;
   - a paper page's BibTeX block gets a "Copy" button (without JavaScript the block is selectable text and a .bib link). */
(function () {
  "use strict";
  var body = document.body;
  var loading = null;

  function loadScript(src) {
    return new Promise(function (resolve, reject) {
      var s = document.createElement("script");
      s.async = false; /* run in the order inserted, fetched in parallel */
      s.src = src;
      s.onload = resolve;
      s.onerror = function () { reject(new Error("could not load " + src)); };
      document.head.appendChild(s);
    });
  }

  function loadSearch() {
    if (!loading) {
      var scripts = ["data-lunr", "data-search-js", "data-search-layer", "data-search-ui"];
      if (!document.getElementById("search-page")) scripts.push("data-search-box");
      loading = Promise.all(scripts.map(function (a) {
        return loadScript(body.getAttribute(a));
      }));
    }
    return loading;
  }
  window.paperArchiveLoadSearch = loadSearch;

  document.addEventListener("keydown", function (e) {
    if (e.key !== "/" || e.ctrlKey || e.metaKey || e.altKey) return;
    var t = e.target;
    if (t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName))) return;
    var box = document.getElementById("search-box");
    if (box) { e.preventDefault(); box.focus(); box.select(); }
  });

  var box = document.getElementById("search-box");
  if (box) box.addEventListener("focus", function () { loadSearch().catch(function () {}); }, { once: true });
  if (document.getElementById("search-page")) loadSearch().catch(function () {});

  var bib = document.getElementById("bibtex");
  var where = bib && document.querySelector(".cite-links");
  if (where) {
    var button = document.createElement("button");
    button.type = "button";
    button.className = "copy-button";
    button.textContent = "Copy BibTeX";
    var said = document.createElement("span");
    said.setAttribute("role", "status");
    said.className = "copy-status";
    button.addEventListener("click", function () {
      var text = bib.textContent;
      var done = function () { said.textContent = "Copied"; };
      var select = function () {
        var range = document.createRange();
        range.selectNodeContents(bib);
        var sel = window.getSelection();
        sel.removeAllRanges();
        sel.addRange(range);
        said.textContent = "Selected: press Ctrl+C to copy";
      };
      if (navigator.clipboard && navigator.clipboard.writeText) {
        navigator.clipboard.writeText(text).then(done, select);
      } else {
        select();
      }
    });
    where.insertBefore(button, where.firstChild);
    where.appendChild(said);
  }
})();
