// Behaviour for the server-rendered pages. Served from our own origin: the
// Content-Security-Policy allows no inline script.
(function () {
  "use strict";
  // The verification page's reply countdown (SPEC: feedback deadline), refreshed every 15 s.
  function countdown() {
    var el = document.getElementById("countdown");
    if (!el) return;
    var due = +el.getAttribute("data-due-ms");
    function tick() {
      var d = due - Date.now(), m = Math.floor(Math.abs(d) / 60000), t;
      var dd = Math.floor(m / 1440), h = Math.floor(m % 1440 / 60), mm = m % 60;
      t = dd > 0 ? dd + " 天 " + h + " 小时" : (h > 0 ? h + " 小时 " + mm + " 分钟" : mm + " 分钟");
      el.textContent = (d >= 0 ? "剩余 " : "已逾期 ") + t;
      if (d < 0) el.className = "badge bad";
    }
    setInterval(tick, 15000);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", countdown);
  } else {
    countdown();
  }
})();
// Forms that help (issue #22): after a refused submit, move to the error summary so a screen
// reader announces it and a keyboard user follows its links to the fields.
(function () {
  "use strict";
  function focusSummary() {
    var s = document.getElementById("error-summary");
    if (!s) return;
    s.focus();
    // A link of the summary puts the cursor in the field it names.
    s.addEventListener("click", function (ev) {
      var a = ev.target.closest("a[href^='#']");
      var f = a && document.getElementById(a.getAttribute("href").slice(1));
      if (!f) return;
      ev.preventDefault();
      var input = f.matches("input,select,textarea") ? f : f.querySelector("input,select,textarea");
      (input || f).focus();
      f.scrollIntoView({ block: "center" });
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", focusSummary);
  } else {
    focusSummary();
  }
})();
