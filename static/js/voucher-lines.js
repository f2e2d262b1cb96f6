// 记凭证: "增加一行" clones the last blank line row and bumps the formset's TOTAL_FORMS.
// The form works without this script (it renders six blank rows); loaded as a static file (strict CSP).
(function () {
  "use strict";
  function init() {
    var button = document.getElementById("add-line");
    var table = document.getElementById("voucher-lines");
    var total = document.querySelector("input[name='lines-TOTAL_FORMS']");
    var max = document.querySelector("input[name='lines-MAX_NUM_FORMS']");
    if (!button || !table || !total) { return; }
    button.hidden = false;
    button.addEventListener("click", function () {
      var rows = table.tBodies[0].rows;
      var count = parseInt(total.value, 10);
      if (max && count >= parseInt(max.value, 10)) { button.disabled = true; return; }
      var row = rows[rows.length - 1].cloneNode(true);
      row.classList.remove("has-error");
      row.querySelectorAll(".field-error").forEach(function (el) { el.remove(); });
      row.querySelectorAll("input, select").forEach(function (el) {
        ["name", "id"].forEach(function (attr) {
          var value = el.getAttribute(attr);
          if (value) { el.setAttribute(attr, value.replace(/lines-\d+-/, "lines-" + count + "-")); }
        });
        if (el.tagName === "SELECT") { el.selectedIndex = 0; } else { el.value = ""; }
      });
      row.querySelector(".row-no").textContent = String(count + 1);
      table.tBodies[0].appendChild(row);
      total.value = String(count + 1);
      if (max && count + 1 >= parseInt(max.value, 10)) { button.disabled = true; }
    });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", init); } else { init(); }
})();
