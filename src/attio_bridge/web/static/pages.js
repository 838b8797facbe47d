// The snapshot pages' only script (no inline script: the Content-Security-Policy forbids it).
// Select all, and the count on "Import selected (N)".
(function () {
  function update(form) {
    var picks = form.querySelectorAll("input.row-pick");
    var chosen = form.querySelectorAll("input.row-pick:checked").length;
    var count = document.getElementById("selected-count");
    var button = document.getElementById("import-button");
    var all = document.getElementById("select-all");
    if (count) { count.textContent = String(chosen); }
    if (button) { button.disabled = chosen === 0; }
    if (all) {
      all.checked = picks.length > 0 && chosen === picks.length;
      all.indeterminate = chosen > 0 && chosen < picks.length;
    }
  }
  document.addEventListener("change", function (event) {
    var target = event.target;
    var form = target && target.closest ? target.closest("#import-form") : null;
    if (!form) { return; }
    if (target.id === "select-all") {
      form.querySelectorAll("input.row-pick").forEach(function (box) { box.checked = target.checked; });
    }
    update(form);
  });
  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("import-form");
    if (form) { update(form); }
  });
})();
