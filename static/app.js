// netviz page script: shows the live connection's state, reloads the page
// when a push says the page changed kind, sorts tables by column, and moves
// the "as of" banner's time slider.
(function () {
  "use strict";

  function setState(state, text) {
    var el = document.getElementById("conn-state");
    if (!el) return;
    el.dataset.state = state;
    el.textContent = text;
  }

  // The ws extension fires these on the element holding ws-connect; they bubble.
  document.addEventListener("htmx:wsConnecting", function () { setState("connecting", "connecting"); });
  document.addEventListener("htmx:wsOpen", function () { setState("connected", "connected"); });
  document.addEventListener("htmx:wsClose", function () { setState("reconnecting", "reconnecting"); });
  document.addEventListener("htmx:wsError", function () { setState("reconnecting", "reconnecting"); });

  // After a push, the shape marker says which fragments the server rendered;
  // if they differ from the page's own (e.g. a node that did not exist now
  // does), swapping fragments cannot fix the page, so load it afresh.
  document.addEventListener("htmx:wsAfterMessage", function () {
    var marker = document.getElementById("page-shape");
    if (marker && marker.dataset.shape !== document.body.dataset.shape) {
      window.location.reload();
    }
  });

  // Click a header of a table.sortable to sort by it; click again to reverse.
  // The choice is kept per table id across pushes, which replace the table.
  var sortState = {};

  function cellValue(row, col) {
    var cell = row.cells[col];
    var text = cell ? cell.textContent.trim() : "";
    var n = Number(text);
    return text !== "" && !isNaN(n) ? n : text.toLowerCase();
  }

  function sortTable(table, col, desc) {
    var body = table.tBodies[0];
    if (!body) return;
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (a, b) {
      var x = cellValue(a, col), y = cellValue(b, col);
      var c = x < y ? -1 : x > y ? 1 : 0;
      return desc ? -c : c;
    });
    rows.forEach(function (r) { body.appendChild(r); });
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, i) {
      th.setAttribute("aria-sort", i === col ? (desc ? "descending" : "ascending") : "none");
    });
  }

  function tableKey(table) {
    var frag = table.closest(".fragment");
    return (frag ? frag.id : "") + "/" + (table.dataset.testid || "");
  }

  document.addEventListener("click", function (ev) {
    var th = ev.target.closest("table.sortable thead th");
    if (!th) return;
    var table = th.closest("table");
    var key = tableKey(table);
    var prev = sortState[key];
    var desc = !!(prev && prev.col === th.cellIndex && !prev.desc);
    sortState[key] = { col: th.cellIndex, desc: desc };
    sortTable(table, th.cellIndex, desc);
  });

  // The "as of" banner's time slider (Unix seconds, from the oldest
  // recorded time to now): moving it shows the time in the form's text
  // field; letting go submits the form, which goes to ?at=. Without this
  // script the slider does nothing and the text field works alone.
  function sliderField(slider) {
    var form = slider.form;
    return form ? form.querySelector('input[name="at"]') : null;
  }
  document.addEventListener("input", function (ev) {
    var slider = ev.target.closest ? ev.target.closest("input[data-at-slider]") : null;
    var field = slider && sliderField(slider);
    if (field) field.value = new Date(Number(slider.value) * 1000).toISOString().replace(/\.\d{3}Z$/, "Z");
  });
  document.addEventListener("change", function (ev) {
    var slider = ev.target.closest ? ev.target.closest("input[data-at-slider]") : null;
    if (slider && sliderField(slider)) slider.form.submit();
  });

  // Re-apply the chosen order after a push replaced a table.
  document.addEventListener("htmx:wsAfterMessage", function () {
    document.querySelectorAll("table.sortable").forEach(function (table) {
      var s = sortState[tableKey(table)];
      if (s) sortTable(table, s.col, s.desc);
    });
  });
})();
