// The QR receiving page (sync/receive.html). Codes read from the camera (jsQR, in
// the browser) or photos of them (read on the node) go to the node, which keeps
// the frames received so far and answers the progress; the bundle is imported there
// as soon as it is whole. Without this script the photo form posts as usual.
(function () {
  "use strict";
  var BATCH_FRAMES = 32, BATCH_IMAGES = 6;

  function start() {
    var root = document.getElementById("qr-receiver");
    if (!root) return;
    var token = root.querySelector("input[name=csrfmiddlewaretoken]").value;
    var progress = document.getElementById("qr-progress");
    var parts = document.getElementById("qr-parts");
    var seenText = document.getElementById("qr-seen");
    var status = document.getElementById("qr-status");
    var sent = {}; // every code's bytes (base64) sent or queued: each goes once
    var queue = [], busy = false, retry = null;
    var camera = null, scanning = false;

    function say(text, level) {
      var line = document.createElement("p");
      line.className = level || "info";
      line.textContent = text;
      status.appendChild(line);
      while (status.childNodes.length > 6) status.removeChild(status.firstChild);
    }
    function format(template, values) {
      return template.replace(/\{(\w+)\}/g, function (_, name) { return String(values[name]); });
    }
    function show(answer) {
      if (answer.done) {
        progress.max = 1; progress.value = 1;
        root.setAttribute("data-done", "1");
        queue = [];
        stopCamera();
      } else {
        progress.max = answer.needed || 1;
        progress.value = answer.solved;
        root.removeAttribute("data-done");
      }
      parts.textContent = answer.needed
        ? format(root.getAttribute("data-parts"), answer)
        : root.getAttribute("data-waiting");
      seenText.textContent = format(root.getAttribute("data-seen"), answer);
      root.setAttribute("data-solved", String(answer.solved));
      root.setAttribute("data-received", String(answer.received));
      answer.problems.forEach(function (text) { say(text, "warning"); });
      answer.messages.forEach(function (m) { say(m.text, m.level); });
    }
    function post(url, body) {
      body.append("csrfmiddlewaretoken", token);
      return fetch(url, {
        method: "POST",
        body: body,
        credentials: "same-origin",
        headers: { "Accept": "application/json", "X-CSRFToken": token },
      }).then(function (response) {
        var type = response.headers.get("Content-Type") || "";
        if (type.indexOf("application/json") < 0) {
          if (response.redirected || response.status === 403) {
            say(root.getAttribute("data-signed-out"), "error");
            throw { fatal: true };
          }
          throw new Error(String(response.status));
        }
        return response.json();
      });
    }

    // Codes from the camera: batched, one request at a time (the node keeps the
    // frames in the session: two requests at once would race).
    function pump() {
      if (busy || !queue.length) return;
      busy = true;
      var batch = queue.splice(0, BATCH_FRAMES);
      var body = new FormData();
      batch.forEach(function (frame) { body.append("frame", frame); });
      post(root.getAttribute("data-frames-url"), body).then(function (answer) {
        busy = false;
        show(answer);
        pump();
      }, function (error) {
        busy = false;
        if (error && error.fatal) return;
        queue = batch.concat(queue);
        say(root.getAttribute("data-failed"), "warning");
        if (!retry) retry = setTimeout(function () { retry = null; pump(); }, 2000);
      });
    }
    function offer(bytes) {
      var text = "";
      for (var i = 0; i < bytes.length; i++) text += String.fromCharCode(bytes[i]);
      var frame = btoa(text);
      if (sent[frame]) return;
      sent[frame] = true;
      queue.push(frame);
      pump();
    }

    // Photos: read on the node, a few per request.
    var photos = document.getElementById("qr-photos");
    var input = document.getElementById("qr-images");
    function sendPhotos(files) {
      if (!files.length) return Promise.resolve();
      var body = new FormData();
      files.slice(0, BATCH_IMAGES).forEach(function (file) { body.append("images", file); });
      return post(photos.action, body).then(function (answer) {
        show(answer);
        if (answer.done) return undefined; // the rest are not needed
        return sendPhotos(files.slice(BATCH_IMAGES));
      });
    }
    function photosChosen(event) {
      if (event) event.preventDefault();
      var files = Array.prototype.slice.call(input.files || []);
      if (!files.length) return;
      say(root.getAttribute("data-sending"), "info");
      root.setAttribute("data-busy", "1");
      sendPhotos(files).then(function () {
        root.removeAttribute("data-busy");
        input.value = "";
      }, function (error) {
        root.removeAttribute("data-busy");
        if (!(error && error.fatal)) say(root.getAttribute("data-failed"), "warning");
      });
    }
    photos.addEventListener("submit", photosChosen);
    input.addEventListener("change", function () { photosChosen(null); });
    input.required = false;

    document.getElementById("qr-reset").addEventListener("submit", function (event) {
      event.preventDefault();
      post(this.action, new FormData()).then(function (answer) {
        sent = {}; queue = [];
        status.textContent = "";
        show(answer);
      }, function () { say(root.getAttribute("data-failed"), "warning"); });
    });

    // The camera, where the browser allows it (a secure context: https or this machine).
    var section = document.getElementById("qr-camera");
    var video = document.getElementById("qr-video");
    var startButton = document.getElementById("qr-camera-start");
    var stopButton = document.getElementById("qr-camera-stop");
    var canvas = document.createElement("canvas");
    var context = canvas.getContext("2d", { willReadFrequently: true });
    function scan() {
      if (!scanning) return;
      if (video.readyState >= 2 && video.videoWidth) {
        var scale = Math.min(1, 960 / Math.max(video.videoWidth, video.videoHeight));
        canvas.width = Math.round(video.videoWidth * scale);
        canvas.height = Math.round(video.videoHeight * scale);
        context.drawImage(video, 0, 0, canvas.width, canvas.height);
        var image = context.getImageData(0, 0, canvas.width, canvas.height);
        var code = window.jsQR(image.data, image.width, image.height, { inversionAttempts: "dontInvert" });
        if (code && code.binaryData && code.binaryData.length) offer(code.binaryData);
      }
      setTimeout(scan, 60);
    }
    function stopCamera() {
      scanning = false;
      if (camera) camera.getTracks().forEach(function (track) { track.stop(); });
      camera = null;
      video.hidden = true;
      stopButton.hidden = true;
      startButton.hidden = false;
    }
    if (window.isSecureContext && navigator.mediaDevices && navigator.mediaDevices.getUserMedia && window.jsQR) {
      section.hidden = false;
      startButton.addEventListener("click", function () {
        navigator.mediaDevices.getUserMedia({
          audio: false,
          video: { facingMode: "environment", width: { ideal: 1280 }, height: { ideal: 720 } },
        }).then(function (stream) {
          camera = stream;
          video.srcObject = stream;
          video.hidden = false;
          stopButton.hidden = false;
          startButton.hidden = true;
          return video.play();
        }).then(function () {
          scanning = true;
          scan();
        }).catch(function () {
          stopCamera();
          say(root.getAttribute("data-camera-failed"), "warning");
        });
      });
      stopButton.addEventListener("click", stopCamera);
    }
    root.setAttribute("data-ready", "1");
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
