// The read receipt of the status page: posted once, when a person has the page in view. A link scanner
// that only fetches the page records nothing. Served as a static file: the CSP allows no inline script.
"use strict";
(function () {
  const page = document.querySelector("[data-read-receipt]");
  if (!page) {
    return;
  }
  let sent = false;
  function send() {
    if (sent || document.visibilityState !== "visible") {
      return;
    }
    sent = true;
    fetch(page.dataset.readReceipt, {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRFToken": page.dataset.csrfToken },
      keepalive: true,
    }).catch(function () {
      sent = false; // offline for a moment: the next time the page comes into view tries again
    });
  }
  document.addEventListener("visibilitychange", send);
  send();
})();
