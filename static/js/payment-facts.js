// The 支出 form asks for 用途 / 发放形式 / 人数 only when the chosen category reaches members (its ids come
// from the page as JSON). Without JavaScript the group simply stays visible.
(function () {
  "use strict";
  function start() {
    var group = document.getElementById("payment-facts");
    var data = document.getElementById("facts-categories");
    var select = document.getElementById("id_category");
    if (!group || !data || !select) return;
    var ids = JSON.parse(data.textContent).map(String);
    function update() {
      var needed = ids.indexOf(select.value) !== -1;
      var warned = group.querySelector(".field-error") || document.getElementById("payment-warnings");
      group.hidden = !(needed || warned);
    }
    select.addEventListener("change", update);
    update();
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
