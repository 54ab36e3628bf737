// Goldsmith console: the component editor. As the user types it posts
// the document (debounced) to the console's validator, which runs the
// server's own component validation, and lists each problem at its
// line:column; a click on a problem moves the cursor there. Text is set
// with textContent only.
"use strict";
(function () {
  var ed = document.getElementById("document");
  if (!ed || !ed.dataset.validate) return;
  var list = document.getElementById("problems");
  var state = document.getElementById("checkstate");
  var csrf = ed.form.elements.csrf.value;
  var timer = null;
  var seq = 0;

  // goTo selects line:col (1-based) in the editor.
  function goTo(line, col) {
    var lines = ed.value.split("\n");
    var at = 0;
    for (var i = 0; i < line - 1 && i < lines.length; i++) at += lines[i].length + 1;
    at += Math.max(col - 1, 0);
    ed.focus();
    ed.setSelectionRange(at, at);
  }

  function show(problems) {
    list.replaceChildren();
    if (problems.length === 0) {
      state.className = "ok";
      state.textContent = "The document is valid.";
      return;
    }
    state.className = "hint";
    state.textContent = problems.length === 1 ? "1 problem:" : problems.length + " problems:";
    problems.forEach(function (p) {
      var li = document.createElement("li");
      if (p.line > 0) {
        var b = document.createElement("button");
        b.type = "button";
        b.textContent = p.line + ":" + p.col;
        b.addEventListener("click", function () { goTo(p.line, p.col); });
        li.appendChild(b);
        li.appendChild(document.createTextNode(" "));
      }
      li.appendChild(document.createTextNode((p.path ? p.path + ": " : "") + p.message));
      list.appendChild(li);
    });
  }

  function check() {
    var mine = ++seq;
    state.className = "hint";
    state.textContent = "Checking…";
    fetch(ed.dataset.validate, {
      method: "POST",
      credentials: "same-origin",
      body: new URLSearchParams({ csrf: csrf, data: ed.value })
    })
      .then(function (r) {
        if (!r.ok || r.redirected) throw new Error("refused");
        return r.json();
      })
      .then(function (res) { if (mine === seq) show(res.problems); })
      .catch(function () {
        if (mine !== seq) return;
        state.className = "hint";
        state.textContent = "Could not check the document: reload the page (your session may have ended).";
      });
  }

  ed.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(check, 400);
  });
  check();
})();
