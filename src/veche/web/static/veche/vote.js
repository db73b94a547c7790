/*
 * The voting page: encrypt on this device (ballot.js), then cast or audit (Benaloh).
 * Only the encrypted ballot is sent; an audited ballot is discarded and never cast.
 */
(function () {
  "use strict";
  // Named _ so that makemessages -d djangojs (xgettext) extracts the strings.
  var _ = typeof gettext === "function" ? gettext : function (s) { return s; };
  var form = document.getElementById("vote-form");
  var election = JSON.parse(document.getElementById("election-json").textContent);
  var sealed = null;
  var error = document.getElementById("vote-error");

  function show(id, on) { document.getElementById(id).hidden = !on; }
  function fail(message) { error.textContent = message; error.hidden = false; }

  function selections() {
    return Array.from(form.querySelectorAll("fieldset[data-question]")).map(function (fs) {
      return Array.from(fs.querySelectorAll("input")).map(function (input) { return input.checked ? 1 : 0; });
    });
  }

  window.sodium.ready.then(function () {
    var V = window.VecheBallot(window.sodium);
    document.getElementById("encrypt").addEventListener("click", function () {
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
        status.textContent = _("Audit passed: the ballot with tracker") + " " + sealed.tracker + " " +
          _("encrypts exactly the marks below. It has been discarded; encrypt a fresh ballot to vote.");
        status.className = "found";
      } catch (err) {
        status.textContent = _("AUDIT FAILED: do not vote with this device. ") + err.message;
        status.className = "errors";
      }
      document.getElementById("audit-secrets").textContent = JSON.stringify(sealed.secrets, null, 1);
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
        code.textContent = answer.tracker;
        var link = document.createElement("a");
        link.href = form.dataset.boardUrl + "?tracker=" + encodeURIComponent(answer.tracker);
        link.textContent = _("find it on the ballot board");
        done.append(code, " — ", link);
        done.className = "found";
        done.hidden = false;
      }).catch(function (err) { fail(_("Could not reach the node: ") + err.message); });
    });
  });
})();
