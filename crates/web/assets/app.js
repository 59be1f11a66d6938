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
