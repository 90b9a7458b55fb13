/* paper-archive: site behaviour that needs no data. No inline scripts anywhere: works under a strict CSP.
   - `/` focuses the search box (unless typing in a field);
   - the search code (lunr.js, search.js, search-layer.js, search-ui.js and, but on /search/, search-box.js) loads lazily, on first focus of the
     search box, or at once on /search/; search-ui.js then fetches the index manifest. */
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
})();
