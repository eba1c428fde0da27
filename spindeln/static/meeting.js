// Meeting mode: the arrow keys, Page Up/Down and space move between screens, as with a slide clicker.
(function () {
  "use strict";
  var screen = document.getElementById("meeting");
  if (!screen) { return; }
  document.addEventListener("keydown", function (event) {
    if (event.altKey || event.ctrlKey || event.metaKey) { return; }
    var tag = (event.target && event.target.tagName) || "";
    if (tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || tag === "BUTTON") { return; }
    var forward = ["ArrowRight", "PageDown", " "].indexOf(event.key) >= 0;
    var back = ["ArrowLeft", "PageUp"].indexOf(event.key) >= 0;
    var target = forward ? screen.getAttribute("data-next") : back ? screen.getAttribute("data-previous") : "";
    if (target) {
      event.preventDefault();
      window.location.assign(target);
    }
  });
})();
