// 报表生成进度: asks the server every second where a background render stands; offers the file when done.
// Without this script the page refreshes itself (a <noscript> refresh) and the refresh downloads the file
// once it is ready. Loaded as a static file (strict CSP: no inline script).
(function () {
  "use strict";
  function init() {
    var box = document.getElementById("render-progress");
    if (!box) { return; }
    var bar = document.getElementById("render-bar");
    var state = document.getElementById("render-state");
    var ahead = document.getElementById("render-ahead");
    var aheadCount = document.getElementById("render-ahead-count");
    var done = document.getElementById("render-done");
    var download = document.getElementById("render-download");
    var failed = document.getElementById("render-failed");
    function show(status) {
      box.dataset.state = status.state;
      state.textContent = status.label + (status.message ? "：" + status.message : "");
      ahead.hidden = !status.ahead;
      aheadCount.textContent = status.ahead;
      if (status.state === "done") {
        bar.max = 1;
        bar.value = 1;
        download.href = status.download;
        done.hidden = false;
        window.location.href = status.download;
      } else if (status.state === "failed") {
        bar.hidden = true;
        failed.hidden = false;
      } else {
        window.setTimeout(poll, 1000);
      }
    }
    function poll() {
      fetch(box.dataset.url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
        .then(function (response) { return response.json(); })
        .then(show)
        .catch(function () { window.setTimeout(poll, 3000); });
    }
    poll();
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", init); } else { init(); }
})();
