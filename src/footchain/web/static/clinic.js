// Clinic pages: live status of a visit's files, FPI-6 totals while scoring, confirmation before deleting.
(function () {
  "use strict";

  // Files being measured: ask the status endpoint every 1.5 s; reload once every file is done or failed.
  var box = document.querySelector("[data-status-url][data-pending]");
  if (box) {
    var url = box.getAttribute("data-status-url");
    var poll = function () {
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (data) {
          if (!data) { return; }
          data.files.forEach(function (file) {
            var item = box.querySelector('[data-file-id="' + file.id + '"] [data-status]');
            if (item) { item.textContent = file.status; item.className = "file-status status-" + file.status; }
          });
          if (data.pending) { window.setTimeout(poll, 1500); } else { window.location.reload(); }
        })
        .catch(function () { window.setTimeout(poll, 3000); });
    };
    window.setTimeout(poll, 1000);
  }

  // FPI-6: the total per foot (sum of the six items, -12 ... +12) as items are scored.
  var totals = document.querySelector("[data-fpi-totals]");
  if (totals) {
    var form = totals.closest("form");
    var update = function () {
      var parts = [];
      ["left", "right"].forEach(function (side) {
        var sum = 0, scored = 0;
        for (var n = 1; n <= 6; n++) {
          var field = form.elements["fpi_" + side + "_" + n];
          if (field && field.value !== "") { sum += parseInt(field.value, 10); scored++; }
        }
        if (scored) {
          parts.push(side + " foot: " + (sum > 0 ? "+" : "") + sum + (scored < 6 ? " (" + scored + " of 6 items)" : ""));
        }
      });
      totals.textContent = parts.length ? "FPI-6 total, " + parts.join("; ") : "";
    };
    form.addEventListener("change", update);
    update();
  }

  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.getAttribute("data-confirm"))) { event.preventDefault(); }
    });
  });
})();
