// The inbox and the case page work without this script; it adds a "choose every case on this page" box.
"use strict";
(function () {
  function addChooseAll() {
    var header = document.querySelector(".inbox-table thead th.choose");
    if (!header || header.querySelector("input")) { return; }
    var box = document.createElement("input");
    box.type = "checkbox";
    box.id = "choose-all";
    box.setAttribute("aria-label", header.getAttribute("data-label"));
    box.addEventListener("change", function () {
      document.querySelectorAll(".inbox-table tbody input[name='cases']").forEach(function (each) {
        each.checked = box.checked;
      });
    });
    header.appendChild(box);
  }
  document.addEventListener("DOMContentLoaded", addChooseAll);
  document.addEventListener("htmx:afterSettle", addChooseAll);
})();
