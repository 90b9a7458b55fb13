/* paper-archive: site behaviour that needs no data. No inline scripts anywhere: works under a strict CSP.
   - `/` focuses the search box (unless typing in a field);
   - the search code (lunr.js + search.js) loads lazily, on first focus of a search box, or at once on /search/. */
(function () {
  "use strict";
  var body = document.body;
  var loading = null;

  function loadScript(src) {
    return new Promise(function (resolve, reject) {
      var s = document.createElement("script");
      s.src = src;
      s.onload = resolve;
      s.onerror = function () { reject(new Error("could not load " + src)); };
      document.head.appendChild(s);
    });
  }

  function loadSearch() {
    if (!loading) {
      loading = loadScript(body.getAttribute("data-lunr")).then(function () {
        return loadScript(body.getAttribute("data-search-js"));
      });
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
