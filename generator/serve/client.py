"""The browser side of live reload: the script and stylesheet the dev server serves under /__papers__/.

Kept as text here (not in the theme) so they are never copied into site/. The script builds the error
overlay with DOM calls and textContent only: no inline script or style, no HTML from the server.
"""
from __future__ import annotations

__all__ = ["SCRIPT", "STYLE"]

SCRIPT = r"""/* papers serve --watch: reload after each rebuild; show a failed build over the page. */
(function () {
  "use strict";
  var me = document.currentScript;
  var generation = me ? me.getAttribute("data-generation") : "-1";
  var overlay = null;

  var sheet = document.createElement("link");
  sheet.rel = "stylesheet";
  sheet.href = "/__papers__/livereload.css";
  document.head.appendChild(sheet);

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) { node.className = cls; }
    if (text) { node.textContent = text; }
    return node;
  }

  function hide() {
    if (overlay) { overlay.remove(); overlay = null; }
  }

  function show(error) {
    hide();
    overlay = el("div", "papers-build-error");
    overlay.id = "papers-build-error";
    overlay.setAttribute("role", "alert");
    var box = el("div", "papers-build-error-box");
    box.appendChild(el("h2", "papers-build-error-title", "Build failed"));
    var where = error.file ? error.file + (error.line ? ":" + error.line : "") : "";
    if (where) { box.appendChild(el("p", "papers-build-error-file", where)); }
    box.appendChild(el("pre", "papers-build-error-message", error.message || "unknown error"));
    box.appendChild(el("p", "papers-build-error-hint",
      "Still serving the last good build. Fix the file and save: this page reloads."));
    var close = el("button", "papers-build-error-close", "Dismiss");
    close.type = "button";
    close.addEventListener("click", hide);
    box.appendChild(close);
    overlay.appendChild(box);
    document.body.appendChild(overlay);
  }

  var source = new EventSource("/__papers__/events?generation=" + encodeURIComponent(generation));
  source.addEventListener("reload", function () {
    source.close();
    window.location.reload();
  });
  source.addEventListener("search", function () {
    if (document.getElementById("search-page")) { source.close(); window.location.reload(); }
  });
  source.addEventListener("failed", function (event) {
    show(JSON.parse(event.data));
  });
  window.addEventListener("pagehide", function () { source.close(); });
})();
"""

STYLE = """/* papers serve --watch: the build error overlay. */
.papers-build-error {
  position: fixed; inset: 0; z-index: 2147483647; display: flex; align-items: flex-start; justify-content: center;
  padding: 8vh 1rem; background: rgba(20, 20, 24, 0.72); overflow: auto;
}
.papers-build-error-box {
  max-width: 60rem; width: 100%; padding: 1.25rem 1.5rem; border-radius: 8px; border-top: 6px solid #d33;
  background: #fff; color: #1b1b1f; font: 15px/1.5 system-ui, sans-serif; box-shadow: 0 10px 40px rgba(0, 0, 0, 0.4);
}
.papers-build-error-title { margin: 0 0 0.5rem; font-size: 1.25rem; color: #b00; }
.papers-build-error-file { margin: 0 0 0.5rem; font: 600 14px/1.4 ui-monospace, monospace; word-break: break-all; }
.papers-build-error-message {
  margin: 0 0 0.75rem; padding: 0.75rem; background: #fbeaea; border-radius: 4px; white-space: pre-wrap;
  font: 14px/1.45 ui-monospace, monospace; color: #1b1b1f;
}
.papers-build-error-hint { margin: 0 0 0.75rem; color: #555; }
.papers-build-error-close { font: inherit; padding: 0.25rem 0.75rem; cursor: pointer; }
"""
