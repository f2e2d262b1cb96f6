// Fast entry on 记收入, 记支出 and 记凭证 (form[data-fast-entry]). The forms work without this script; it adds:
// - Enter moves to the next field (never submits from a text field); Ctrl+Enter saves with the default button;
// - the account chooser: a search box over code, name and pinyin (initials too: "hf" → 401 会费收入), recent
//   accounts first, arrows to move, and choosing an account sets cash/bank and its 摘要/payer suggestions;
// - 记凭证's live 借方合计, 贷方合计 and 差额.
// 保存并新增 keeps the date, the account, cash or bank, the payer/payee and whether it is a 单位 or a 个人: the server
// fills them in (ledger/views/fast_entry.py), so they are kept without this script too.
// Loaded as a static file (strict CSP: no inline script).
(function () {
  "use strict";

  function focusables(form) {
    return Array.prototype.filter.call(
      form.querySelectorAll("input, select, textarea, button"),
      function (el) {
        if (el.disabled || el.type === "hidden" || el.hidden || el.closest("[hidden]") || el.tabIndex < 0) { return false; }
        // Scans are chosen with the mouse or Tab + Space: Enter passes over them, as it passes over nothing else.
        if (el.type === "file") { return false; }
        // A radio group is one stop: its checked button, or its first when none is (单位/个人 may stay unchosen);
        // the arrow keys choose inside it, as the browser lets them.
        if (el.type === "radio" && !el.checked) {
          var group = form.querySelectorAll("input[type=radio][name='" + el.name + "']");
          if (form.querySelector("input[type=radio][name='" + el.name + "']:checked") || group[0] !== el) { return false; }
        }
        return el.offsetParent !== null || el === document.activeElement;
      }
    );
  }

  function defaultButton(form) {
    return form.querySelector("[data-default-submit]") || form.querySelector("button[type=submit]");
  }

  function keyboard(form) {
    form.addEventListener("keydown", function (event) {
      if (event.key !== "Enter") { return; }
      var target = event.target;
      if (event.ctrlKey || event.metaKey) {
        event.preventDefault();
        form.requestSubmit(defaultButton(form));
        return;
      }
      if (target.tagName === "TEXTAREA" || target.tagName === "BUTTON" || target.tagName === "A") { return; }
      event.preventDefault();
      var list = focusables(form);
      var index = list.indexOf(target);
      var next = list[index + 1];
      while (next && next.tagName === "BUTTON" && next !== defaultButton(form) && next.type !== "submit") {
        next = list[list.indexOf(next) + 1];
      }
      (next || defaultButton(form)).focus();
    });
  }

  function money(text) {
    var cleaned = String(text || "").replace(/[¥￥,\s]/g, "");
    if (!/^\d+(\.\d{1,2})?$/.test(cleaned)) { return 0; }
    var parts = cleaned.split(".");
    return parseInt(parts[0], 10) * 100 + (parts[1] ? parseInt((parts[1] + "0").slice(0, 2), 10) : 0);
  }

  function yuan(cents) {
    var sign = cents < 0 ? "-" : "";
    cents = Math.abs(cents);
    var whole = String(Math.floor(cents / 100)).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
    return sign + whole + "." + String(cents % 100).padStart(2, "0");
  }

  function totals(form) {
    var box = document.getElementById("voucher-totals");
    var table = document.getElementById("voucher-lines");
    if (!box || !table) { return; }
    box.hidden = false;
    function update() {
      var debit = 0, credit = 0;
      table.querySelectorAll("input[name$='-debit']").forEach(function (el) { debit += money(el.value); });
      table.querySelectorAll("input[name$='-credit']").forEach(function (el) { credit += money(el.value); });
      box.querySelector("[data-total=debit]").textContent = yuan(debit);
      box.querySelector("[data-total=credit]").textContent = yuan(credit);
      box.querySelector("[data-total=difference]").textContent = yuan(debit - credit);
      box.classList.toggle("unbalanced", debit !== credit);
    }
    form.addEventListener("input", update);
    update();
  }

  function fill(datalist, items) {
    if (!datalist || !items) { return; }
    datalist.textContent = "";
    items.forEach(function (text) {
      var option = document.createElement("option");
      option.value = text;
      datalist.appendChild(option);
    });
  }

  function chooser(form) {
    var select = form.querySelector("select[name=category]");
    var url = form.dataset.accountsUrl;
    if (!select || !url) { return; }
    var search = document.createElement("input");
    search.type = "search";
    search.className = "account-search";
    search.id = "account-search";
    search.setAttribute("autocomplete", "off");
    search.setAttribute("placeholder", "输入编码、名称或拼音首字母，如 401、会费、hf");
    search.setAttribute("aria-label", "搜索类别");
    select.parentNode.insertBefore(search, select);
    select.size = 6;
    select.tabIndex = -1;  // the search box stands for it in the keyboard's order
    var accounts = [];
    var byId = {};

    function choose(id) {
      select.value = String(id);
      var hint = byId[id];
      if (!hint) { return; }
      if (hint.via) {
        var radio = form.querySelector("input[name=via][value=" + hint.via + "]");
        if (radio) { radio.checked = true; }
      }
      fill(document.getElementById("summary-suggestions"), hint.summaries);
      fill(document.getElementById("people-suggestions"), hint.counterparties);
    }

    function show(query) {
      var words = query.toLowerCase().split(/\s+/).filter(Boolean);
      var first = null;
      accounts.forEach(function (hint) {
        var option = select.querySelector("option[value='" + hint.id + "']");
        if (!option) { return; }
        var match = words.every(function (word) { return hint.search.indexOf(word) !== -1; });
        option.hidden = !match;
        if (match && first === null) { first = hint.id; }
      });
      if (first !== null && words.length) { choose(first); }
    }

    function move(step) {
      var options = Array.prototype.filter.call(select.options, function (o) { return o.value && !o.hidden; });
      var index = options.findIndex(function (o) { return o.value === select.value; });
      var next = options[Math.min(Math.max(index + step, 0), options.length - 1)];
      if (next) { choose(next.value); }
    }

    search.addEventListener("input", function () { show(search.value); });
    search.addEventListener("keydown", function (event) {
      if (event.key === "ArrowDown") { event.preventDefault(); move(1); }
      if (event.key === "ArrowUp") { event.preventDefault(); move(-1); }
    });
    select.addEventListener("change", function () { choose(select.value); });

    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) { return response.json(); })
      .then(function (data) {
        accounts = data.accounts;
        accounts.forEach(function (hint) { byId[hint.id] = hint; });
        // Recent accounts first, in the list itself.
        var blank = select.querySelector("option[value='']");
        accounts.slice().reverse().forEach(function (hint) {
          var option = select.querySelector("option[value='" + hint.id + "']");
          if (option) { select.insertBefore(option, blank ? blank.nextSibling : select.firstChild); }
        });
        if (select.value && byId[select.value]) { fill(document.getElementById("summary-suggestions"), byId[select.value].summaries); }
        if (search.value) { show(search.value); }
        search.dataset.ready = "1";
      });
    if (select.hasAttribute("autofocus") || !select.value) {
      select.removeAttribute("autofocus");
      if (!form.querySelector("[autofocus]:not(select)")) { search.focus(); }
    }
  }

  function init() {
    document.querySelectorAll("form[data-fast-entry]").forEach(function (form) {
      keyboard(form);
      chooser(form);
      totals(form);
      var focused = form.querySelector("[autofocus]");
      if (focused && document.activeElement !== focused && focused.tagName !== "SELECT") { focused.focus(); }
    });
  }

  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", init); } else { init(); }
})();
