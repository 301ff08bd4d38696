// footchain self-assessment: small enhancements only; every page works without this file.
(function () {
  "use strict";

  // Clickable maps: a shape with data-for toggles the checkbox it names, and mirrors its state.
  function syncShapes(box) {
    document.querySelectorAll('[data-for="' + box.id + '"]').forEach(function (shape) {
      shape.setAttribute("aria-checked", box.checked ? "true" : "false");
      shape.classList.toggle("on", box.checked);
    });
  }
  document.querySelectorAll("[data-for]").forEach(function (shape) {
    var box = document.getElementById(shape.getAttribute("data-for"));
    if (!box) { return; }
    function toggle() {
      box.checked = !box.checked;
      box.dispatchEvent(new Event("change", { bubbles: true }));
    }
    shape.addEventListener("click", toggle);
    shape.addEventListener("keydown", function (event) {
      if (event.key === " " || event.key === "Enter") {
        event.preventDefault();
        toggle();
      }
    });
    box.addEventListener("change", function () { syncShapes(box); });
    syncShapes(box);
  });

  // Pain sliders show their number.
  document.querySelectorAll('input[type="range"][data-output]').forEach(function (range) {
    var output = document.getElementById(range.getAttribute("data-output"));
    if (!output) { return; }
    output.hidden = false;
    function show() { output.textContent = range.value; }
    range.addEventListener("input", show);
    show();
  });

  // Screening: a "yes" to a question the server marked as a red flag shows its advice at once.
  document.querySelectorAll("fieldset[data-redflag]").forEach(function (question) {
    var notice = question.querySelector(".redflag-notice");
    function update() {
      var yes = question.querySelector('input[value="yes"]:checked');
      notice.hidden = !yes;
    }
    question.addEventListener("change", update);
    update();
  });

  // After a failed submit, take the reader to the list of problems.
  var summary = document.getElementById("error-summary");
  if (summary) { summary.focus(); }
})();

// Uploads: a file over the server's limit is named at once instead of being sent.
(function () {
  "use strict";
  document.querySelectorAll('input[type="file"][data-max-bytes]').forEach(function (input) {
    var form = input.form;
    var message = document.getElementById("files-size-error");
    var limit = Number(input.getAttribute("data-max-bytes"));
    function tooLarge() {
      return Array.prototype.filter.call(input.files || [], function (file) { return file.size > limit; });
    }
    function check() {
      var big = tooLarge();
      message.hidden = big.length === 0;
      message.textContent = big.map(function (file) {
        return file.name + " is larger than " + input.getAttribute("data-max-words") + ". " +
          input.getAttribute("data-advice");
      }).join(" ");
      input.setAttribute("aria-invalid", big.length ? "true" : "false");
      return big.length === 0;
    }
    input.addEventListener("change", check);
    form.addEventListener("submit", function (event) {
      var submitter = event.submitter;
      if (submitter && submitter.value === "upload" && !check()) {
        event.preventDefault();
        input.focus();
      }
    });
  });
})();
