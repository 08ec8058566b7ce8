// The party page works without this script (the "load more" link opens the next page of the timeline);
// with htmx it loads the next entries in place and takes the keyboard to the first of them (marked with
// data-page-start), since the link that had it is gone.
"use strict";
document.addEventListener("htmx:load", function (event) {
  var element = event.detail.elt;
  if (element && element.hasAttribute && element.hasAttribute("data-page-start")) { element.focus(); }
});
