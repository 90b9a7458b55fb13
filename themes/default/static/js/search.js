/* Placeholder until the search issue lands: the search page explains itself. */
(function () {
  "use strict";
})();
