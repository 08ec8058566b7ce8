// The board works without this script (the counts are then as of the page's loading). With htmx the count
// sections poll every 30 seconds; a poll is skipped while the keyboard is inside the section it would replace,
// so nobody loses their place.
"use strict";
document.addEventListener("htmx:beforeRequest", function (event) {
  var element = event.detail.elt;
  if (element && element.hasAttribute("data-poll") && element.contains(document.activeElement)) {
    event.preventDefault();
  }
});
