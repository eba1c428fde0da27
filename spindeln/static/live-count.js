// Keeps the response count of an open round up to date without reloading the page.
(function () {
  "use strict";
  var box = document.getElementById("live-count");
  var number = document.getElementById("live-count-number");
  if (!box || !number) { return; }
  var url = box.getAttribute("data-url");
  function refresh() {
    fetch(url, { credentials: "same-origin", cache: "no-store" })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (data && String(data.count) !== number.textContent) { number.textContent = String(data.count); }
      })
      .catch(function () { /* a missed update is fine; the next one comes in a few seconds */ });
  }
  window.setInterval(refresh, 3000);
})();
