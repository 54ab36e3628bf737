// Goldsmith console: the live build view. It polls the console's
// /images/progress endpoint and updates the steps, the status and the log
// with textContent only, so nothing the build prints becomes HTML.
"use strict";
(function () {
  var live = document.getElementById("live");
  if (!live || live.dataset.done === "true") return;
  var arn = live.dataset.arn;
  var offset = Number(live.dataset.offset) || 0;
  var logEl = document.getElementById("log");

  function cell(tr, text) {
    var td = document.createElement("td");
    td.textContent = text;
    tr.appendChild(td);
    return td;
  }

  function statusSpan(status) {
    var span = document.createElement("span");
    span.className = "status s-" + status;
    span.textContent = status;
    return span;
  }

  function show(p) {
    var st = document.getElementById("status");
    st.className = "status s-" + p.status;
    st.textContent = p.status;
    document.getElementById("reason").textContent = p.reason || "";
    var table = document.getElementById("steps");
    var body = table.tBodies[0];
    body.replaceChildren();
    p.steps.forEach(function (s) {
      var tr = document.createElement("tr");
      cell(tr, s.workflow);
      cell(tr, s.name);
      cell(tr, "").appendChild(statusSpan(s.status));
      cell(tr, s.elapsed);
      cell(tr, s.message || "");
      body.appendChild(tr);
    });
    table.hidden = p.steps.length === 0;
    document.getElementById("nosteps").hidden = p.steps.length > 0;
    if (p.log) {
      var atEnd = logEl.scrollTop + logEl.clientHeight >= logEl.scrollHeight - 4;
      logEl.appendChild(document.createTextNode(p.log));
      if (atEnd) logEl.scrollTop = logEl.scrollHeight;
    }
    offset = p.logSize;
  }

  function poll() {
    fetch("/images/progress?arn=" + encodeURIComponent(arn) + "&offset=" + offset, { credentials: "same-origin" })
      .then(function (r) {
        if (r.redirected) return { ok: false, body: { error: "Your session has ended: reload the page to sign in again." } };
        return r.json().then(function (body) { return { ok: r.ok, body: body }; });
      })
      .then(function (res) {
        if (!res.ok) {
          document.getElementById("livehint").textContent = res.body.error || "Live updates stopped: reload the page.";
          return;
        }
        show(res.body);
        if (res.body.done) {
          document.getElementById("livehint").textContent = "The build has ended.";
          var cancel = document.getElementById("cancel");
          if (cancel) cancel.hidden = true;
          return;
        }
        setTimeout(poll, 2000);
      })
      .catch(function () {
        document.getElementById("livehint").textContent = "Lost contact with the server; retrying.";
        setTimeout(poll, 5000);
      });
  }
  setTimeout(poll, 2000);
})();
