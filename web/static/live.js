// Keeps a running campaign's progress bar live:
// <div data-live="/campaigns/SLUG/progress?lang=LANG"> (the page's language: the fetch
// carries no cookie, so the server could not tell a language chosen on the site).
// Every 30 seconds while the page is shown, the figures are fetched again (without
// cookies, so every visitor shares the server's cached copy) and swapped in when they
// changed; a screen reader hears the new figures once. Without JavaScript, the figures
// are those of the moment the page was served.
(function () {
  "use strict";
  var EVERY_MS = 30000;

  // The last fragment each box showed, as the server sent it: the browser's own
  // innerHTML would spell it differently (&nbsp;, quotes), and every round would
  // look like a change to announce.
  var shown = new WeakMap();

  function refresh(box) {
    return fetch(box.getAttribute("data-live"), { credentials: "omit", cache: "no-store" })
      .then(function (response) {
        return response.ok ? response.text() : null;
      })
      .then(function (html) {
        if (html === null || html === shown.get(box)) return;
        if (shown.has(box)) box.innerHTML = html; // the first round only learns the figures
        shown.set(box, html);
      })
      .catch(function () {
        // Offline for a moment: the figures shown stay, the next round tries again.
      });
  }

  function refreshAll() {
    var boxes = document.querySelectorAll("[data-live]");
    var rounds = [];
    for (var i = 0; i < boxes.length; i++) rounds.push(refresh(boxes[i]));
    return Promise.all(rounds);
  }

  function init() {
    var boxes = document.querySelectorAll("[data-live]");
    if (!boxes.length || !window.fetch) return;
    for (var i = 0; i < boxes.length; i++) boxes[i].setAttribute("aria-live", "polite");
    refreshAll(); // learn the figures as served, to compare the next rounds with
    window.setInterval(function () {
      if (!document.hidden) refreshAll();
    }, EVERY_MS);
    document.addEventListener("visibilitychange", function () {
      if (!document.hidden) refreshAll();
    });
    window.fedimobLiveRefresh = refreshAll; // for the browser tests
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
