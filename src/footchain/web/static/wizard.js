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

// Health step: the questions that apply follow the age and sex typed on the same page. The server
// decides (the engine's own rules); without this script every question that could apply is shown,
// and the server asks again for any that the page did not show.
(function () {
  "use strict";
  var form = document.querySelector("form[data-questions-url]");
  if (!form || !window.fetch) { return; }
  var age = form.querySelector('input[name="age_years"]');
  var shownFor = form.querySelector("[data-shown-for]");
  var timer = null;
  var asked = 0;
  function sex() {
    var checked = form.querySelector('input[name="sex"]:checked');
    return checked ? checked.value : "";
  }
  function apply(show, label) {
    var wanted = {};
    show.forEach(function (name) { wanted[name] = true; });
    form.querySelectorAll("fieldset[data-question]").forEach(function (question) {
      question.hidden = !wanted[question.getAttribute("data-question")];
    });
    form.querySelectorAll("[data-group]").forEach(function (group) {
      group.hidden = !group.querySelector("fieldset[data-question]:not([hidden])");
    });
    shownFor.value = label;
  }
  function refresh() {
    var value = age && age.value.trim();
    var ageText = /^\d{1,3}$/.test(value || "") ? value : "";
    var url = form.getAttribute("data-questions-url") + "?age=" + encodeURIComponent(ageText) +
      "&sex=" + encodeURIComponent(sex());
    var ticket = ++asked;
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (answer) {
        if (answer && ticket === asked) { apply(answer.show, answer.shown_for); }
      })
      .catch(function () { /* keep the page as it is: the server asks again on Continue */ });
  }
  function later() {
    clearTimeout(timer);
    timer = setTimeout(refresh, 250);
  }
  if (age) { age.addEventListener("input", later); }
  form.querySelectorAll('input[name="sex"]').forEach(function (radio) {
    radio.addEventListener("change", refresh);
  });
})();

// Number fields: a value the browser cannot read (letters in a number field) would be sent as empty
// and silently lost, so say so beside the field instead of sending the form.
(function () {
  "use strict";
  document.querySelectorAll("form").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      var bad = Array.prototype.filter.call(form.querySelectorAll('input[type="number"]'), function (input) {
        return input.validity && input.validity.badInput;
      });
      bad.forEach(function (input) {
        var id = input.id + "-typed-error";
        var message = document.getElementById(id);
        if (!message) {
          message = document.createElement("p");
          message.className = "field-error";
          message.id = id;
          input.closest(".field, fieldset").insertBefore(message, input.closest(".with-unit, .inline-fields, span"));
        }
        message.textContent = (input.getAttribute("data-label") || "This answer") + ": enter a number, like 42 or 7.5.";
        input.setAttribute("aria-invalid", "true");
      });
      if (bad.length) {
        event.preventDefault();
        bad[0].focus();
      }
    });
  });
})();
