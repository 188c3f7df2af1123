// The calculator updates as you type: the form is posted to /dose/result (the server computes
// every figure, as `igcds dose` does) and the result section is replaced. Without this script
// the form still works: "Calculate" posts it and the whole page comes back. Which route a product
// implies is the server's (the core's) decision, as for `igcds dose`, not this script's.
(function () {
  "use strict";
  var form = document.getElementById("dose-form");
  var result = document.getElementById("result");
  if (!form || !result || !window.fetch) { return; }
  var sent = 0;
  var timer = null;
  form.dataset.sent = "0";
  result.dataset.shown = "0";

  function update() {
    timer = null;
    sent += 1;
    var number = sent;
    form.dataset.sent = String(number);
    fetch("/dose/result", { method: "POST", body: new FormData(form), credentials: "same-origin" })
      .then(function (response) { return response.text(); })
      .then(function (html) {
        if (number !== sent) { return; } // a later request is on its way
        result.innerHTML = html;
        result.dataset.shown = String(number);
      });
  }

  function soon() {
    if (timer !== null) { clearTimeout(timer); }
    form.dataset.sent = String(sent + 1); // pending: tests wait until shown === sent
    timer = setTimeout(update, 150);
  }

  form.addEventListener("input", soon);
  form.addEventListener("change", soon);
  form.addEventListener("submit", function (event) {
    var button = event.submitter;
    if (button && button.getAttribute("formaction")) { return; } // the infusion sheet: a new page
    event.preventDefault();
    if (timer !== null) { clearTimeout(timer); }
    update();
  });
})();
