(function () {
  "use strict";
  var box = document.getElementById("filtro");
  var out = document.getElementById("filtro-esito");
  if (!box) { return; }
  var root = document.documentElement;
  function norm(s) {
    return String(s).normalize("NFD").replace(/[\u0300-\u036f]/g, "").toUpperCase().replace(/\s+/g, " ").trim();
  }
  var rows = Array.prototype.slice.call(document.querySelectorAll("tbody tr"))
    .filter(function (r) { return !r.closest(".nofilter"); });
  var texts = rows.map(function (r) { return norm(r.textContent); });
  var groups = Array.prototype.slice.call(document.querySelectorAll(".group"));
  function apply() {
    var q = norm(box.value);
    var n = 0;
    rows.forEach(function (r, i) {
      var ok = q === "" || texts[i].indexOf(q) >= 0;
      r.hidden = !ok;
      if (ok) { n += 1; }
    });
    groups.forEach(function (g) {
      g.hidden = q !== "" && g.querySelector("tbody tr:not([hidden])") === null;
    });
    if (q === "") {
      out.textContent = "";
      root.removeAttribute("data-filter");
      root.removeAttribute("data-filter-matches");
    } else {
      var msg = n > 0 ? box.getAttribute("data-msg-some") : box.getAttribute("data-msg-none");
      out.textContent = msg.replace("{n}", String(n)).replace("{q}", box.value.trim());
      root.setAttribute("data-filter", q);
      root.setAttribute("data-filter-matches", String(n));
    }
  }
  box.addEventListener("input", apply);
  var m = /(?:^#|&)filtro=([^&]*)/.exec(window.location.hash);
  if (m) {
    try { box.value = decodeURIComponent(m[1].replace(/\+/g, " ")); } catch (e) { box.value = m[1]; }
  }
  apply();
  root.setAttribute("data-ready", "1");
})();
