// Goldsmith console: the pipeline wizard's schedule step. As an
// expression is typed it asks the console (debounced) for the next runs,
// computed by the scheduler's own parser, and lists them, or the parser's
// message. Text is set with textContent only.
"use strict";
(function () {
  var expr = document.getElementById("expression");
  if (!expr || !expr.dataset.preview) return;
  var tz = document.getElementById("timezone");
  var state = document.getElementById("schedulestate");
  var list = document.getElementById("nextruns");
  var fields = document.getElementById("cronfields");
  var modes = document.querySelectorAll("input[name=scheduleMode]");
  var timer = null;
  var seq = 0;

  function mode() {
    var m = "manual";
    modes.forEach(function (r) { if (r.checked) m = r.value; });
    return m;
  }

  function show(res) {
    list.replaceChildren();
    if (res.error) {
      state.textContent = res.error;
      return;
    }
    state.textContent = "Next runs:";
    res.next.forEach(function (t) {
      var li = document.createElement("li");
      li.textContent = t;
      list.appendChild(li);
    });
  }

  function preview() {
    var mine = ++seq;
    if (expr.value.trim() === "") {
      list.replaceChildren();
      state.textContent = "Type an expression such as cron(0 3 * * ? *) to see its next runs.";
      return;
    }
    var q = new URLSearchParams({ expression: expr.value, timezone: tz.value });
    fetch(expr.dataset.preview + "?" + q.toString(), { credentials: "same-origin" })
      .then(function (r) {
        if (!r.ok || r.redirected) throw new Error("refused");
        return r.json();
      })
      .then(function (res) { if (mine === seq) show(res); })
      .catch(function () {
        if (mine === seq) state.textContent = "Could not check the expression: reload the page (your session may have ended).";
      });
  }

  function later() {
    clearTimeout(timer);
    timer = setTimeout(preview, 300);
  }

  function toggle() {
    var on = mode() === "cron";
    fields.hidden = !on;
    state.parentElement.hidden = !on;
  }

  expr.addEventListener("input", later);
  tz.addEventListener("input", later);
  modes.forEach(function (r) { r.addEventListener("change", toggle); });
  toggle();
})();
