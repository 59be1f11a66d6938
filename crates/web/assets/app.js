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
  // 长辈版 (large-text mode): the header's switch changes the page in place and is
  // remembered per browser, in localStorage and in the cookie the server reads (so the next
  // page arrives already large, without a flash). Without script the same button submits
  // its form to /text-size, which sets the cookie.
  function textSize() {
    var form = document.querySelector("form.text-size");
    if (!form) return;
    var root = document.documentElement;
    var button = form.querySelector("button");
    var field = form.querySelector("input[name=large]");
    function remember(on) {
      var secure = location.protocol === "https:" ? "; secure" : "";
      document.cookie = "pl_text=" + (on ? "large; max-age=31536000" : "; max-age=0") +
        "; path=/; samesite=lax" + secure;
      try {
        if (on) localStorage.setItem("pl_text", "large"); else localStorage.removeItem("pl_text");
      } catch (e) { /* storage refused (private mode): the cookie still remembers */ }
    }
    function apply(on) {
      root.classList.toggle("large", on);
      button.setAttribute("aria-pressed", on ? "true" : "false");
      field.value = on ? "0" : "1";
    }
    var stored = null;
    try { stored = localStorage.getItem("pl_text"); } catch (e) { stored = null; }
    if (stored === "large" && !root.classList.contains("large")) {
      // The cookie was cleared but this browser chose the large layout: restore both.
      apply(true);
      remember(true);
    } else if (root.classList.contains("large") && stored !== "large") {
      remember(true);
    }
    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var on = !root.classList.contains("large");
      apply(on);
      remember(on);
    });
  }
  // The public search's instant results (htmx) keep the address in step with the form,
  // so the address can be shared or bookmarked and the back button returns to the same
  // results (issue #22 §2). Empty fields are left out.
  function searchUrl() {
    var form = document.querySelector("form[action='/proofs'][hx-get]");
    if (!form || !window.history || !history.replaceState) return;
    document.body.addEventListener("htmx:afterSwap", function (e) {
      if (!e.detail || !e.detail.target || e.detail.target.id !== "results") return;
      var params = [];
      var fields = form.querySelectorAll("input[name], select[name]");
      for (var i = 0; i < fields.length; i++) {
        var f = fields[i];
        if (f.value) params.push(encodeURIComponent(f.name) + "=" + encodeURIComponent(f.value));
      }
      history.replaceState(null, "", "/proofs" + (params.length ? "?" + params.join("&") : ""));
    });
  }
  function start() {
    countdown();
    textSize();
    searchUrl();
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
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
