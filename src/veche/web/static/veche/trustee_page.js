/*
 * The trustee's pages: make a trustee key in this browser (the trustee key page), and do
 * the trustee's step of an election (its page): deal, check the others' dealings, decrypt.
 * The crypto is trustee.js (window.VecheTrustee); the secret is only ever in the key file
 * sealed with the trustee's passphrase, which this page downloads and later opens here.
 * Only public keys and signed events are sent to the node.
 */
(function () {
  "use strict";
  // Named _ so that makemessages -d djangojs (xgettext) extracts the strings.
  var _ = typeof gettext === "function" ? gettext : function (s) { return s; };
  var MIN_PASSPHRASE = 10;

  // TrusteeError codes (contract A) in the reader's language.
  var MESSAGES = {
    format: _("This is not a trustee key file, or it is damaged."),
    passphrase: _("Wrong passphrase for this key file."),
    mismatch: _("This key file is damaged: its public keys do not match its secret."),
    not_trustee: _("This key file is not a trustee of this election: choose the key file of the key you registered before the election was created."),
    box_mismatch: _("This key file's sealing key differs from the one the election names."),
    stage: _("This step is not due now: reload the page."),
    dealt: _("You have already dealt."),
    tally: _("The ballots do not add up to the stated tally: do not decrypt, and tell the committee."),
    share: _("A share sealed to you is bad, so you cannot decrypt: check the others' dealings to file a complaint.")
  };

  function messageOf(err) {
    if (err && MESSAGES[err.code]) return MESSAGES[err.code];
    return _("The step failed:") + " " + (err && err.message ? err.message : String(err));
  }

  function crypto() {
    if (!window.sodium || typeof window.VecheTrustee !== "function") {
      return Promise.reject(new Error("load"));
    }
    return window.sodium.ready.then(function () { return window.VecheTrustee(window.sodium); });
  }

  var LOAD_FAILED = _("The crypto library did not load, so this browser cannot do this step. Reload the page; if it fails again, use 'veche trustee' on a computer.");

  function say(element, text, ok) {
    element.textContent = text;
    element.className = ok ? "found" : "errors";
    element.setAttribute("role", ok ? "status" : "alert");
    element.hidden = false;
  }

  // -- the trustee key page ---------------------------------------------------------------

  function keyPage(box) {
    var button = document.getElementById("make-key-button");
    var error = document.getElementById("make-key-error");
    var made = document.getElementById("made-key");
    var download = document.getElementById("download-key");
    var field = document.querySelector("#register-key input[name=key_box]");

    function fail(text) { say(error, text, false); }

    button.addEventListener("click", function () {
      error.hidden = true;
      var first = document.getElementById("key-passphrase").value;
      var again = document.getElementById("key-passphrase-again").value;
      if (first.length < MIN_PASSPHRASE) {
        fail(_("The passphrase needs at least 10 characters."));
        return;
      }
      if (first !== again) {
        fail(_("The two passphrases differ."));
        return;
      }
      button.disabled = true;
      crypto().then(function (T) {
        var made_ = T.newKeyFile(first);
        var blob = new Blob([JSON.stringify(made_.file, null, 1) + "\n"], { type: "application/json" });
        if (download.href && download.href.indexOf("blob:") === 0) URL.revokeObjectURL(download.href);
        download.href = URL.createObjectURL(blob);
        download.click();
        field.value = made_.key + ":" + made_.box;
        made.hidden = false;
        document.getElementById("key-passphrase").value = "";
        document.getElementById("key-passphrase-again").value = "";
      }).catch(function (err) {
        fail(err && err.message === "load" ? LOAD_FAILED : messageOf(err));
      }).then(function () { button.disabled = false; });
    });
  }

  // -- the trustee's step on an election's page -------------------------------------------

  function readJson(file) {
    return new Promise(function (resolve, reject) {
      var reader = new FileReader();
      reader.onload = function () {
        try { resolve(JSON.parse(reader.result)); } catch (e) { reject({ code: "format" }); }
      };
      reader.onerror = function () { reject({ code: "format" }); };
      reader.readAsText(file);
    });
  }

  function stepPage(card) {
    var form = document.getElementById("trustee-form");
    var status = document.getElementById("trustee-status");
    var run = document.getElementById("trustee-run");
    var step = card.dataset.step;
    var csrf = form.querySelector("input[name=csrfmiddlewaretoken]").value;

    function send(lines) {
      return fetch(card.dataset.eventsUrl, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
        body: JSON.stringify({ lines: lines })
      }).then(function (response) {
        return response.json().catch(function () { return { ok: false, error: _("The node did not answer.") }; });
      });
    }

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      status.hidden = true;
      var file = document.getElementById("trustee-file").files[0];
      var passphrase = document.getElementById("trustee-passphrase").value;
      if (!file) { say(status, _("Choose your trustee key file."), false); return; }
      if (!passphrase) { say(status, _("Type its passphrase."), false); return; }
      run.disabled = true;
      say(status, _("Working: opening your key file…"), true);
      var T = null;
      var keys = null;
      crypto().then(function (loaded) {
        T = loaded;
        return readJson(file);
      }).then(function (document_) {
        keys = T.openKeyFile(document_, passphrase);
        return fetch(card.dataset.taskUrl, { credentials: "same-origin" });
      }).then(function (response) {
        return response.json().then(function (task) {
          if (!response.ok || task.ok === false) throw new Error(task.error || response.statusText);
          return task;
        });
      }).then(function (task) {
        var lines;
        if (step === "deal") lines = [T.deal(task, keys)];
        else if (step === "check") lines = T.check(task, keys);
        else lines = [T.decrypt(task, keys)];
        if (lines.length === 0) return { ok: true, none: true };
        return send(lines).then(function (answer) { answer.count = lines.length; return answer; });
      }).then(function (answer) {
        if (!answer.ok) { say(status, answer.error || _("The node refused the step."), false); return; }
        var text;
        if (answer.none) text = _("Every share sealed to you checks out: no complaint.");
        else if (step === "deal") text = _("Your dealing is on the record.");
        else if (step === "check") text = _("A share sealed to you was bad: your complaint is on the record.");
        else text = _("Your share of the decryption is on the record.");
        say(status, text + " " + _("Reload the page to see where the election stands."), true);
      }).catch(function (err) {
        say(status, err && err.message === "load" ? LOAD_FAILED : messageOf(err), false);
      }).then(function () {
        keys = null;
        document.getElementById("trustee-passphrase").value = "";
        run.disabled = false;
      });
    });
  }

  var keyCard = document.getElementById("make-key");
  if (keyCard) keyPage(keyCard);
  var stepCard = document.getElementById("trustee-step");
  if (stepCard && document.getElementById("trustee-form")) stepPage(stepCard);
})();
