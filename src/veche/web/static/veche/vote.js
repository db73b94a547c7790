/*
 * The voting page: encrypt on this device (ballot.js), then cast or audit (Benaloh).
 * Only the encrypted ballot is sent; an audited ballot is discarded and never cast.
 *
 * libsodium comes as ES modules through the page's import map (WebAssembly only, a third
 * of the bytes of the classic build); a browser without import maps gets the classic
 * scripts. If neither loads, the page says so: "Encrypt" stays disabled.
 *
 * An audit shows the ballot, its randomness and its tracker as a file (format
 * "veche-ballot-audit" v1, docs/formats/election-v1.md) and as QR codes in the bundle
 * scheme of veche.sync.qr ("VQ1", 700 bytes a code), so a second device that does not
 * trust this one (`veche bundle unqr`, then `veche election check-audit`) checks it.
 */
(function () {
  "use strict";
  // Named _ so that makemessages -d djangojs (xgettext) extracts the strings.
  var _ = typeof gettext === "function" ? gettext : function (s) { return s; };
  var form = document.getElementById("vote-form");
  var election = JSON.parse(document.getElementById("election-json").textContent);
  var encryptButton = document.getElementById("encrypt");
  var error = document.getElementById("vote-error");
  var sealed = null;
  var auditUrl = null;

  function show(id, on) { document.getElementById(id).hidden = !on; }
  function fail(message) { error.textContent = message; error.hidden = false; }

  // -- loading libsodium ----------------------------------------------------------------
  function classicScript(src) {
    return new Promise(function (resolve, reject) {
      var script = document.createElement("script");
      script.src = src;
      script.onload = resolve;
      script.onerror = function () { reject(new Error(src)); };
      document.head.appendChild(script);
    });
  }
  function loadSodium() {
    var modules = typeof HTMLScriptElement.supports === "function" && HTMLScriptElement.supports("importmap");
    if (modules) {
      return import("libsodium-wrappers-sumo").then(function (module) { return module.default; });
    }
    var classic = form.dataset.classicSodium.split(" ");
    return classicScript(classic[0]).then(function () { return classicScript(classic[1]); })
      .then(function () { return window.sodium; });
  }

  // -- the marks --------------------------------------------------------------------------
  function selections() {
    return Array.from(form.querySelectorAll("fieldset[data-question]")).map(function (fs) {
      if (fs.dataset.quantities !== undefined) {
        // A needs survey (election-v1 "totals"): "how many" marks the option whose
        // quantity it is, or nothing for 0; the ballot's proofs show it is in [0, max].
        var values = fs.dataset.quantities.split(" ");
        var text = fs.querySelector("input").value.trim();
        var marks = values.map(function () { return 0; });
        if (text === "" || text === "0") return marks;
        var at = /^[0-9]+$/.test(text) ? values.indexOf(String(parseInt(text, 10))) : -1;
        if (at < 0) throw new Error(fs.querySelector("legend").textContent + ": " + _("a whole number from 0 to ") + values[values.length - 1]);
        marks[at] = 1;
        return marks;
      }
      return Array.from(fs.querySelectorAll("input")).map(function (input) { return input.checked ? 1 : 0; });
    });
  }
  /* The marks in words, from the form's own labels: "question: option, option". */
  function marksInWords(marks) {
    return Array.from(form.querySelectorAll("fieldset[data-question]")).map(function (fs, i) {
      if (fs.dataset.quantities !== undefined) {
        var values = fs.dataset.quantities.split(" ");
        var k = marks[i] ? marks[i].indexOf(1) : -1;
        return fs.querySelector("legend").textContent + ": " + (k < 0 ? "0" : values[k]);
      }
      var chosen = Array.from(fs.querySelectorAll(".option")).filter(function (_o, k) {
        return marks[i] && marks[i][k] === 1;
      }).map(function (o) { return o.textContent; });
      return fs.querySelector("legend").textContent + ": " + (chosen.length ? chosen.join(", ") : _("nothing marked"));
    });
  }

  // -- the audit for a second device ------------------------------------------------------
  var QR_PREFIX = [86, 81, 49];  // "VQ1", veche.sync.qr
  var QR_CHUNK = 700;
  /* The bundle QR scheme: "VQ1" | BLAKE2b-256(data)[:16] | index | total (2 bytes each, big-endian) | chunk. */
  function qrParts(sodium, data) {
    var digest = sodium.crypto_generichash(32, data, null).slice(0, 16);
    var total = Math.ceil(data.length / QR_CHUNK);
    var parts = [];
    for (var index = 1; index <= total; index++) {
      var chunk = data.slice((index - 1) * QR_CHUNK, index * QR_CHUNK);
      var part = new Uint8Array(23 + chunk.length);
      part.set(QR_PREFIX, 0);
      part.set(digest, 3);
      part.set([index >> 8, index & 255, total >> 8, total & 255], 19);
      part.set(chunk, 23);
      parts.push(part);
    }
    return parts;
  }
  function showCodes(sodium, data) {
    var box = document.getElementById("audit-codes");
    box.innerHTML = "";
    if (typeof window.qrcode !== "function") {
      var missing = document.createElement("p");
      missing.className = "errors";
      missing.textContent = _("The QR code library did not load: use the file.");
      box.append(missing);
      return;
    }
    var parts = qrParts(sodium, data);
    parts.forEach(function (part, i) {
      // qrcode-generator's byte mode takes a string of char codes 0-255: the raw bytes.
      var code = window.qrcode(0, "M");
      code.addData(String.fromCharCode.apply(null, part), "Byte");
      code.make();
      var figure = document.createElement("figure");
      figure.className = "audit-code";
      figure.dataset.part = String(i + 1);
      figure.innerHTML = code.createSvgTag({ cellSize: 4, margin: 16, scalable: true });
      var caption = document.createElement("figcaption");
      caption.textContent = interpolate(_("Code %(index)s of %(total)s"), { index: i + 1, total: parts.length }, true);
      figure.append(caption);
      box.append(figure);
    });
  }
  function showAuditFile(sodium, file) {
    var text = JSON.stringify(file);
    if (auditUrl) URL.revokeObjectURL(auditUrl);
    auditUrl = URL.createObjectURL(new Blob([text], { type: "application/json" }));
    var link = document.getElementById("audit-download");
    link.href = auditUrl;
    link.download = "ballot-audit-" + file.tracker.slice(0, 8) + ".json";
    document.getElementById("audit-secrets").textContent = JSON.stringify(file.secrets, null, 1);
    showCodes(sodium, new TextEncoder().encode(text));
  }
  function interpolate(format, values, named) {
    if (typeof window.interpolate === "function") return window.interpolate(format, values, named);
    return format.replace(/%\((\w+)\)s/g, function (_m, name) { return String(values[name]); });
  }

  function start(sodium) {
    window.sodium = sodium;
    var V = window.VecheBallot(sodium);
    show("crypto-loading", false);
    encryptButton.disabled = false;

    encryptButton.addEventListener("click", function () {
      error.hidden = true;
      show("audit-result", false);
      show("cast-result", false);
      try {
        sealed = V.encryptBallot(election, selections());
      } catch (err) {
        fail(_("Check your marks: ") + err.message);
        return;
      }
      document.getElementById("tracker").textContent = sealed.tracker;
      show("sealed", true);
    });
    document.getElementById("audit").addEventListener("click", function () {
      if (!sealed) return;
      var status = document.getElementById("audit-status");
      try {
        V.auditBallot(election, sealed.ballot, sealed.secrets);
        var code = document.createElement("code");
        code.className = "id";
        code.textContent = sealed.tracker;
        status.innerHTML = "";
        status.append(_("Audit passed: the ballot with tracker") + " ", code, " " +
          _("encrypts exactly the marks below. It has been discarded; encrypt a fresh ballot to vote."));
        status.className = "found";
      } catch (err) {
        status.textContent = _("AUDIT FAILED: do not vote with this device. ") + err.message;
        status.className = "errors";
      }
      document.getElementById("audit-tracker").textContent = sealed.tracker;
      var marks = document.getElementById("audit-marks");
      marks.innerHTML = "";
      marksInWords(sealed.secrets.selections).forEach(function (line) {
        var item = document.createElement("li");
        item.textContent = line;
        marks.append(item);
      });
      showAuditFile(sodium, {
        format: "veche-ballot-audit",
        v: 1,
        election: election,
        ballot: sealed.ballot,
        secrets: sealed.secrets,
        tracker: sealed.tracker,
      });
      show("audit-result", true);
      sealed = null;  // spoiled: never cast an audited ballot
      show("sealed", false);
    });
    document.getElementById("cast").addEventListener("click", function () {
      if (!sealed) return;
      var ballot = sealed;
      var csrf = form.querySelector("input[name=csrfmiddlewaretoken]").value;
      fetch(form.dataset.castUrl, {
        method: "POST",
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
        body: JSON.stringify({ ballot: ballot.ballot }),
        credentials: "same-origin",
      }).then(function (response) { return response.json(); }).then(function (answer) {
        if (!answer.ok) { fail(_("Your ballot was refused: ") + answer.error); return; }
        sealed = null;
        show("sealed", false);
        var done = document.getElementById("cast-result");
        done.innerHTML = "";
        done.append(_("Cast. Your ballot tracker is") + " ");
        var code = document.createElement("code");
        code.id = "cast-tracker";
        code.className = "id";
        code.textContent = answer.tracker;
        var link = document.createElement("a");
        link.href = form.dataset.boardUrl + "?tracker=" + encodeURIComponent(answer.tracker);
        link.textContent = _("find it on the ballot board");
        done.append(code, " — ", link);
        done.className = "found";
        done.hidden = false;
      }).catch(function (err) { fail(_("Could not reach the node: ") + err.message); });
    });
  }

  loadSodium()
    .then(function (sodium) {
      if (!sodium || typeof window.VecheBallot !== "function") throw new Error("not loaded");
      return sodium.ready.then(function () { return sodium; });
    })
    .then(start, function () {
      show("crypto-loading", false);
      fail(_("The encryption library did not load, so this page cannot encrypt your ballot. Check your connection and reload the page."));
    });
})();
