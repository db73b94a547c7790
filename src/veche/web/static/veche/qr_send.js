// The QR sending page (sync/qr.html): one code at a time, advancing by itself.
// Without this script every code is listed, one under another.
(function () {
  "use strict";
  var RATES = [1, 2, 3, 4, 5, 6, 8]; // codes per second
  function start() {
    var root = document.getElementById("qr-sender");
    if (!root) return;
    var items = root.querySelectorAll("#qr-frames li");
    if (!items.length) return;
    var pause = document.getElementById("qr-pause");
    var rateText = document.getElementById("qr-rate");
    var at = 0, rate = 2, playing = true, timer = null;

    function show(i) {
      items[at].hidden = true;
      at = (i + items.length) % items.length;
      items[at].hidden = false;
      document.getElementById("qr-at").textContent = String(at + 1);
      root.setAttribute("data-at", String(at + 1));
    }
    function schedule() {
      if (timer) clearTimeout(timer);
      timer = null;
      if (playing) timer = setTimeout(function () { show(at + 1); schedule(); }, 1000 / RATES[rate]);
    }
    function showRate() {
      rateText.textContent = RATES[rate] + " " + rateText.getAttribute("data-unit");
    }
    function setPlaying(on) {
      playing = on;
      pause.textContent = pause.getAttribute(on ? "data-pause" : "data-play");
      pause.setAttribute("aria-pressed", on ? "false" : "true");
      schedule();
    }

    root.classList.add("animated");
    for (var k = 0; k < items.length; k++) items[k].hidden = k !== 0;
    document.getElementById("qr-controls").hidden = false;
    document.getElementById("qr-counter").hidden = false;
    pause.addEventListener("click", function () { setPlaying(!playing); });
    document.getElementById("qr-next").addEventListener("click", function () { show(at + 1); schedule(); });
    document.getElementById("qr-previous").addEventListener("click", function () { show(at - 1); schedule(); });
    document.getElementById("qr-slower").addEventListener("click", function () {
      rate = Math.max(0, rate - 1); showRate(); schedule();
    });
    document.getElementById("qr-faster").addEventListener("click", function () {
      rate = Math.min(RATES.length - 1, rate + 1); showRate(); schedule();
    });
    document.addEventListener("keydown", function (event) {
      if (event.target && /^(INPUT|TEXTAREA|SELECT|BUTTON)$/.test(event.target.tagName)) return;
      if (event.key === " ") { setPlaying(!playing); event.preventDefault(); }
      if (event.key === "ArrowRight") { show(at + 1); schedule(); }
      if (event.key === "ArrowLeft") { show(at - 1); schedule(); }
    });
    // Keep the screen awake while the codes are shown, where the browser allows it.
    if (navigator.wakeLock && navigator.wakeLock.request) {
      navigator.wakeLock.request("screen").catch(function () {});
    }
    show(0);
    showRate();
    setPlaying(true);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
