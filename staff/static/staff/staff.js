// The staff pages work without this script; it only adds focus handling to htmx's partial updates.
"use strict";
document.addEventListener("htmx:afterSwap", function (event) {
  // After a refused form comes back, take the keyboard to its first error (screen readers announce it).
  var invalid = event.detail.target.querySelector("[aria-invalid='true']");
  if (invalid) { invalid.focus(); }
});
