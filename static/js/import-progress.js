// 导入进度: asks the server every second how far a background import has come, and shows it.
// Without this script the page refreshes itself (a <noscript> refresh); loaded as a static file (strict CSP).
(function () {
  "use strict";
  function init() {
    var box = document.getElementById("import-progress");
    if (!box) { return; }
    var bar = document.getElementById("import-bar");
    var count = document.getElementById("import-count");
    var state = document.getElementById("import-state");
    function poll() {
      fetch(box.dataset.url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
        .then(function (response) { return response.json(); })
        .then(function (status) {
          bar.max = status.total || 1;
          bar.value = status.done;
          count.textContent = status.done + " / " + status.total;
          state.textContent = status.label + (status.message ? "：" + status.message : "");
          if (status.state === "running") { window.setTimeout(poll, 1000); }
          else if (status.state === "done") { window.location.href = box.dataset.doneUrl; }
        })
        .catch(function () { window.setTimeout(poll, 3000); });
    }
    poll();
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", init); } else { init(); }
})();
