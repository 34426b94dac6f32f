// "Copy" buttons beside read-only fields: <button class="copy" data-copy="FIELD-ID"
// data-copied="Copied" hidden>. The buttons stay hidden without JavaScript; the fields
// can still be selected and copied by hand.
(function () {
  "use strict";

  function copy(field) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(field.value);
    }
    field.focus();
    field.select();
    var done = false;
    try {
      done = document.execCommand("copy");
    } catch (error) {
      done = false;
    }
    return done ? Promise.resolve() : Promise.reject(new Error("copy refused"));
  }

  function init() {
    var buttons = document.querySelectorAll("button.copy[data-copy]");
    for (var i = 0; i < buttons.length; i++) {
      (function (button) {
        var field = document.getElementById(button.getAttribute("data-copy"));
        if (!field) return;
        var label = button.textContent;
        button.hidden = false;
        button.addEventListener("click", function () {
          copy(field).then(
            function () {
              button.textContent = button.getAttribute("data-copied") || label;
              window.setTimeout(function () { button.textContent = label; }, 2000);
            },
            function () {
              field.focus();
              field.select();
            }
          );
        });
      })(buttons[i]);
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
