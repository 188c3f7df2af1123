// The calculator updates as you type: the form is posted to /dose/result (the server computes
// every figure, as `igcds dose` does) and the result section is replaced. Without this script
// the form still works: "Calculate" posts it and the whole page comes back.
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

  // A product given by one route only implies that route (its label's), as a pharmacist expects.
  var product = form.elements.product;
  product.addEventListener("change", function () {
    var routes = (product.selectedOptions[0].dataset.routes || "").split(" ");
    if (routes.length === 1 && routes[0]) {
      var radio = form.querySelector("input[name=route][value=" + routes[0] + "]");
      if (radio) { radio.checked = true; }
    }
  });

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
