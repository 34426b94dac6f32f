// Makes the campaign page's "Ends in 3 days" tick: <time datetime="..." data-countdown
// data-label="Time left:" data-ended="The deadline has passed.">. Without JavaScript the
// server's text stays, which is right to the minute the page was served.
(function () {
  "use strict";
  var lang = document.documentElement.lang || "en";

  function unit(name, value) {
    try {
      return new Intl.NumberFormat(lang, { style: "unit", unit: name, unitDisplay: "short" })
        .format(value);
    } catch (error) {
      return value + " " + name;
    }
  }

  function describe(ms) {
    var seconds = Math.floor(ms / 1000);
    var days = Math.floor(seconds / 86400);
    var hours = Math.floor((seconds % 86400) / 3600);
    var minutes = Math.floor((seconds % 3600) / 60);
    var parts = [];
    if (days) parts.push(unit("day", days));
    if (days || hours) parts.push(unit("hour", hours));
    parts.push(unit("minute", minutes));
    parts.push(unit("second", seconds % 60));
    return parts.join(" ");
  }

  function start(element) {
    var deadline = Date.parse(element.getAttribute("datetime"));
    if (isNaN(deadline)) return;
    var label = element.getAttribute("data-label") || "";
    var ended = element.getAttribute("data-ended") || "";
    var timer = null;
    function tick() {
      var left = deadline - Date.now();
      if (left <= 0) {
        element.textContent = ended;
        if (timer !== null) window.clearInterval(timer);
        return;
      }
      element.textContent = (label ? label + " " : "") + describe(left);
    }
    tick();
    timer = window.setInterval(tick, 1000);
  }

  function init() {
    var found = document.querySelectorAll("time[data-countdown]");
    for (var i = 0; i < found.length; i++) start(found[i]);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
