// Sorting, filtering and column toggles for the board table. The table is complete in the HTML;
// without JavaScript it is simply not interactive.
(function () {
  "use strict";
  var table = document.getElementById("board");
  if (!table) { return; }
  var body = table.tBodies[0];
  var headers = table.tHead.rows[0].cells;

  function cellValue(row, index) {
    var cell = row.cells[index];
    var key = cell.getAttribute("data-sort");
    if (key === null) { return cell.textContent.trim().toLowerCase(); }
    var number = parseFloat(key);
    return isNaN(number) ? key.toLowerCase() : number;
  }

  function sortBy(index) {
    var header = headers[index];
    var ascending = header.getAttribute("aria-sort") !== "ascending";
    for (var h = 0; h < headers.length; h++) { headers[h].removeAttribute("aria-sort"); }
    header.setAttribute("aria-sort", ascending ? "ascending" : "descending");
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (a, b) {
      var x = cellValue(a, index), y = cellValue(b, index);
      if (x === y) { return 0; }
      var less = (typeof x === typeof y) ? x < y : String(x) < String(y);
      return (less ? -1 : 1) * (ascending ? 1 : -1);
    });
    rows.forEach(function (row) { body.appendChild(row); });
  }

  Array.prototype.forEach.call(headers, function (header, index) {
    if (!header.classList.contains("sortable")) { return; }
    header.tabIndex = 0;
    header.addEventListener("click", function () { sortBy(index); });
    header.addEventListener("keydown", function (event) {
      if (event.key === "Enter" || event.key === " ") { event.preventDefault(); sortBy(index); }
    });
  });

  var openOnly = document.getElementById("filter-open");
  var hideBaselines = document.getElementById("filter-baselines");
  var maxSize = document.getElementById("filter-size");

  function applyFilters() {
    var limit = parseFloat(maxSize.value);
    Array.prototype.forEach.call(body.rows, function (row) {
      var params = parseFloat(row.getAttribute("data-params"));
      var hidden = (openOnly.checked && row.getAttribute("data-open") !== "1") ||
        (hideBaselines.checked && row.getAttribute("data-baseline") === "1") ||
        (!isNaN(limit) && limit > 0 && (isNaN(params) || params > limit * 1e9));
      row.hidden = hidden;
    });
  }
  [openOnly, hideBaselines].forEach(function (box) { box.addEventListener("change", applyFilters); });
  maxSize.addEventListener("input", applyFilters);

  Array.prototype.forEach.call(document.querySelectorAll("input[data-column]"), function (box) {
    box.addEventListener("change", function () {
      var column = box.getAttribute("data-column");
      Array.prototype.forEach.call(table.querySelectorAll("[data-col='" + column + "']"), function (cell) {
        cell.hidden = !box.checked;
      });
    });
  });
  document.getElementById("controls").hidden = false;
})();
