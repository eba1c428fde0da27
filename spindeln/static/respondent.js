// A shared device: the form never shows the previous person's answers again. A page the browser
// keeps in its back-forward cache comes back as it was left, answers and all; load it afresh
// instead (a new, empty form with a new one-time key).
(function () {
  "use strict";
  window.addEventListener("pageshow", function (event) {
    if (event.persisted) { window.location.reload(); }
  });
})();
