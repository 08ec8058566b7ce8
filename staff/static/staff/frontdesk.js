// The front desk screen: after a part of it is swapped in, take the keyboard there (its first error, else its
// heading), so a clerk goes on typing without reaching for the mouse. The screen works without this script.
"use strict";
document.addEventListener("htmx:afterSwap", function (event) {
  // event.target is the content swapped in (also when it replaced the old element, as the contact form does).
  var swapped = event.target;
  if (!(swapped instanceof Element) || !document.body.contains(swapped)) { return; }
  var invalid = swapped.querySelector("[aria-invalid='true']");
  var heading = swapped.matches("[data-focus]") ? swapped : swapped.querySelector("[data-focus]");
  var focus = invalid || heading;
  if (focus) { focus.focus(); }
});
