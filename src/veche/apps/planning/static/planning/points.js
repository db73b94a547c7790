/*
 * A points ballot (planning-v1 §3): says how many of the voter's points are left as they
 * type. Only a help: the server checks the same and keeps what was typed if it refuses.
 * The sentences come translated in the page (data-left, data-over; NUMBER is replaced).
 */
(function () {
  "use strict";
  var form = document.getElementById("points-form");
  if (!form) { return; }
  var total = parseInt(form.getAttribute("data-total"), 10) || 0;
  var out = document.getElementById("points-left");
  var inputs = form.querySelectorAll("input.points");

  function given() {
    var sum = 0;
    for (var i = 0; i < inputs.length; i++) {
      var value = inputs[i].value.trim();
      if (/^\d+$/.test(value)) { sum += parseInt(value, 10); }
    }
    return sum;
  }

  function update() {
    var left = total - given();
    var text = left >= 0 ? out.getAttribute("data-left") : out.getAttribute("data-over");
    out.textContent = text.replace("NUMBER", String(Math.abs(left)));
    out.className = left >= 0 ? "hint" : "error";
    out.hidden = false;
  }

  for (var i = 0; i < inputs.length; i++) {
    inputs[i].addEventListener("input", update);
  }
  update();
})();
