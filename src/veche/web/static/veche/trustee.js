/*
 * A trustee's part of an election, done on the trustee's own device (format v1,
 * docs/formats/election-v1.md): the key file, the dealing, the check of the
 * others' dealings (and the complaints), and the partial decryption with its
 * proofs. The same bytes as the Python core: the key file is the CLI's
 * "veche-trustee" file (veche.election.offline.save_trustee_keys: Argon2id and
 * secretbox as veche.events.identity.seal), the dealing is
 * veche.crypto.threshold.deal's, and every event is built and signed as
 * veche.events.envelope.build_event does, so the node ingests it like one the
 * CLI made. The secrets (the signing seed, the box key, the polynomial, the
 * shares) never leave this page except inside the passphrase-sealed file.
 *
 * Works from the task the node serves (veche.election.trustee_task): facts the
 * node could bend come as signed event lines, checked here, and the tally is
 * recomputed from the counted ballots before anything is decrypted.
 * Loaded after libsodium-wrappers-sumo and ballot.js:
 *   var trustee = VecheTrustee(sodium);   // once sodium.ready has resolved
 */
(function (root, factory) {
  if (typeof module === "object" && module.exports) {
    module.exports = factory;
  } else {
    root.VecheTrustee = factory;
  }
})(typeof self !== "undefined" ? self : this, function (sodium, ballotModule) {
  "use strict";

  var root = typeof self !== "undefined" ? self : this;
  var V = (ballotModule || root.VecheBallot)(sodium);
  var G = V.group;
  var canonical = V.canonical, b64e = V.b64e, b64d = V.b64d;
  var encoder = new TextEncoder(), decoder = new TextDecoder("utf-8", { fatal: true });

  var FORMAT = "veche-trustee";
  var DOMAIN_COEFFICIENT = "veche/election-v1/coefficient";
  var DOMAIN_DECRYPT = "veche/election-v1/decrypt";
  // veche.events.identity.KDF_PROFILES["interactive"] (libsodium's Argon2id values).
  var INTERACTIVE = { opslimit: 2, memlimit: 67108864 };
  var SALT_BYTES = 16, KEY_BYTES = 32, NONCE_BYTES = 24;
  var L = (1n << 252n) + 27742317777372353535851937790883648493n;
  var MAX_EVENT_BYTES = 64 * 1024;
  var MAX_REASON = 500;
  var ID_TEXT = /^[A-Za-z0-9_-]{43}$/;

  /* Every refusal: ``code`` for the page to translate, ``message`` in English for logs. */
  function TrusteeError(code, message) {
    var error = new Error(message);
    error.name = "TrusteeError";
    error.code = code;
    Object.setPrototypeOf(error, TrusteeError.prototype);
    return error;
  }
  TrusteeError.prototype = Object.create(Error.prototype);
  TrusteeError.prototype.constructor = TrusteeError;

  function fail(code, message) { throw TrusteeError(code, message); }
  /* Run ``fn``; any error that is not a TrusteeError becomes one with ``code``. */
  function guarded(code, what, fn) {
    try {
      return fn();
    } catch (error) {
      if (error instanceof TrusteeError) throw error;
      throw TrusteeError(code, what + ": " + (error && error.message ? error.message : error));
    }
  }

  // -- the key file (veche.events.identity.seal / unseal) ----------------------------------
  function seal(secret, passphrase, profile) {
    if (typeof passphrase !== "string" || !passphrase) fail("passphrase", "an empty passphrase protects nothing");
    var salt = sodium.randombytes_buf(SALT_BYTES);
    var key = sodium.crypto_pwhash(KEY_BYTES, encoder.encode(passphrase), salt, profile.opslimit,
      profile.memlimit, sodium.crypto_pwhash_ALG_ARGON2ID13);
    var nonce = sodium.randombytes_buf(NONCE_BYTES);
    var ct = sodium.crypto_secretbox_easy(secret, nonce, key);
    var box = new Uint8Array(nonce.length + ct.length);
    box.set(nonce);
    box.set(ct, nonce.length);
    return { v: 1, kdf: "argon2id", opslimit: profile.opslimit, memlimit: profile.memlimit, salt: b64e(salt), box: b64e(box) };
  }
  function unseal(sealed, passphrase) {
    if (!sealed || typeof sealed !== "object" || Array.isArray(sealed)) fail("format", "damaged sealed secret: not a JSON object");
    if (sealed.v !== 1 || sealed.kdf !== "argon2id") fail("format", "unknown sealed-secret format");
    var ops = sealed.opslimit, mem = sealed.memlimit;
    if (!Number.isSafeInteger(ops) || !Number.isSafeInteger(mem)) fail("format", "damaged sealed secret: opslimit and memlimit must be integers");
    if (!(ops >= 1 && ops <= 64 && mem >= 8192 && mem <= 4 * 1024 * 1024 * 1024)) fail("format", "implausible key-derivation parameters");
    var salt = guarded("format", "damaged sealed secret: salt", function () { return b64d(sealed.salt, SALT_BYTES); });
    var box = guarded("format", "damaged sealed secret: box", function () { return b64d(sealed.box); });
    if (box.length < NONCE_BYTES + sodium.crypto_secretbox_MACBYTES) fail("format", "damaged sealed secret: box too short");
    if (typeof passphrase !== "string" || !passphrase) fail("passphrase", "type the key file's passphrase");
    var key = guarded("format", "cannot derive the key", function () {
      return sodium.crypto_pwhash(KEY_BYTES, encoder.encode(passphrase), salt, ops, mem, sodium.crypto_pwhash_ALG_ARGON2ID13);
    });
    try {
      return sodium.crypto_secretbox_open_easy(box.subarray(NONCE_BYTES), box.subarray(0, NONCE_BYTES), key);
    } catch (e) {
      fail("passphrase", "wrong passphrase, or the sealed secret was altered");
    }
  }

  function keysFromSecret(secret) {
    var seed = secret.slice(0, 32), boxSecret = secret.slice(32, 64);
    var sign = sodium.crypto_sign_seed_keypair(seed);
    var boxPublic = sodium.crypto_scalarmult_base(boxSecret);
    return {
      key: b64e(sign.publicKey),
      box: b64e(boxPublic),
      // Kept out of JSON.stringify and enumeration: the page must not print them by accident.
      _: Object.freeze({ signSecret: sign.privateKey, boxSecret: boxSecret, boxPublic: boxPublic }),
    };
  }
  function hideSecrets(keys) {
    var secrets = keys._;
    delete keys._;
    Object.defineProperty(keys, "secrets", { value: secrets, enumerable: false });
    return Object.freeze(keys);
  }

  /* A new trustee key pair, sealed in a key file under ``passphrase`` (Argon2id, "interactive"). */
  function newKeyFile(passphrase) {
    var secret = new Uint8Array(64);
    secret.set(sodium.randombytes_buf(32));
    secret.set(sodium.randombytes_buf(32), 32);
    var keys = keysFromSecret(secret);
    var file = { format: FORMAT, public: keys.key, box: keys.box, sealed: seal(secret, passphrase, INTERACTIVE) };
    return { file: file, key: keys.key, box: keys.box, keys: hideSecrets(keys) };
  }
  /* Open a key file (the object, or its text); throws TrusteeError format|passphrase|mismatch. */
  function openKeyFile(file, passphrase) {
    if (typeof file === "string") {
      file = guarded("format", "not a trustee key file", function () { return JSON.parse(file); });
    }
    if (!file || typeof file !== "object" || Array.isArray(file) || file.format !== FORMAT) {
      fail("format", "not a Veche trustee key file");
    }
    var secret = unseal(file.sealed, passphrase);
    if (secret.length !== 64) fail("format", "damaged trustee key file");
    var keys = keysFromSecret(secret);
    if (keys.key !== file.public || keys.box !== file.box) fail("mismatch", "the public keys do not match the sealed secret");
    return hideSecrets(keys);
  }
  function secretsOf(keys) {
    var s = keys && keys.secrets;
    if (!s || !(s.signSecret instanceof Uint8Array)) fail("format", "open the key file first (openKeyFile)");
    return s;
  }

  // -- events (docs/formats/event-v1.md; veche.events.envelope.build_event) -----------------
  function eventId(text) { return b64e(sodium.crypto_generichash(32, encoder.encode(text), null)); }
  function now() { return new Date().toISOString().slice(0, 19) + "Z"; }

  /* Sign an event; returns {line, id}. The same canonical bytes and id as build_event. */
  function buildEvent(keys, place, kind, body) {
    var deps = Array.from(new Set(place.deps)).sort();
    var doc = { v: 1, space: place.space, author: keys.key, seq: place.seq, prev: place.prev, deps: deps, kind: kind, at: place.at || now(), body: body };
    var sig = sodium.crypto_sign_detached(encoder.encode(canonical(doc)), secretsOf(keys).signSecret);
    doc.sig = b64e(sig);
    var line = canonical(doc);
    if (encoder.encode(line).length > MAX_EVENT_BYTES) fail("format", "the event would be larger than 64 KiB");
    return { line: line, id: eventId(line) };
  }
  /* Parse one signed event line of this election and check its signature (and author). */
  function readEvent(line, space, kind, author, what) {
    return guarded("format", what, function () {
      if (typeof line !== "string") throw new Error("not an event line");
      var doc = JSON.parse(line);
      if (canonical(doc) !== line) throw new Error("not canonical JSON");
      if (doc.v !== 1 || doc.kind !== kind) throw new Error("not a " + kind + " event");
      if (author !== undefined && doc.author !== author) throw new Error("signed by someone else");
      var id = eventId(line);
      if (space === null ? doc.space !== null : doc.space !== space) throw new Error("of another election");
      var cut = line.lastIndexOf(',"sig":"');
      var message = line.slice(0, cut) + line.slice(cut + 8 + 86 + 1);
      var ok = sodium.crypto_sign_verify_detached(b64d(doc.sig, 64), encoder.encode(message), b64d(doc.author, 32));
      if (!ok) throw new Error("the signature does not verify");
      return { doc: doc, id: id };
    });
  }

  // -- the task --------------------------------------------------------------------------
  function readTask(task, keys) {
    return guarded("format", "the task", function () {
      if (!task || task.v !== 1 || !ID_TEXT.test(task.election) || task.space !== task.election) {
        throw new Error("not a version 1 trustee task");
      }
      var trustees = task.trustees;
      if (!Array.isArray(trustees) || !trustees.length) throw new Error("no trustees");
      trustees.forEach(function (t, i) {
        if (t.index !== i + 1) throw new Error("trustees out of order");
        b64d(t.key, 32); b64d(t.box, 32);
      });
      // The create's id is the election's: its body (trustees, electorate) is not the node's to bend.
      var create = readEvent(task.create, null, "space.create", undefined, "the election's creation");
      if (create.id !== task.election) throw new Error("the creation is not this election's");
      var named = create.doc.body.trustees;
      if (canonical(named.map(function (t) { return { box: t.box, key: t.key }; })) !==
          canonical(trustees.map(function (t) { return { box: t.box, key: t.key }; }))) {
        throw new Error("the trustees are not the ones the election names");
      }
      if (create.doc.body.threshold !== task.threshold) throw new Error("another threshold");
      var me = trustees.filter(function (t) { return t.key === keys.key; })[0];
      if (!me) fail("not_trustee", "this key is not one of the election's trustees");
      if (me.box !== keys.box) fail("box_mismatch", "the election names another box key for this trustee");
      var next = task.next;
      if (!next || !Number.isSafeInteger(next.seq) || next.seq < 1 || !Array.isArray(next.deps)) throw new Error("no place for the next event");
      return { task: task, create: create.doc, me: me.index, n: trustees.length, t: task.threshold };
    });
  }
  function place(info, seq, prev, deps) {
    return { space: info.task.space, seq: seq, prev: prev, deps: deps };
  }

  // -- Feldman VSS (veche.crypto.threshold) ------------------------------------------------
  function power(index, k) { return G.scalarFromInt(BigInt(index) ** BigInt(k) % L); }
  function commitmentAt(commitments, index) {
    var total = G.IDENTITY;
    commitments.forEach(function (c, k) { total = G.add(total, G.mul(power(index, k), c)); });
    return total;
  }
  function sharePayload(election, dealer, recipient, share) {
    return canonical({ v: 1, election: election, dealer: dealer, recipient: recipient, share: b64e(share) });
  }
  function proveSchnorr(election, dealer, k, pub, secret) {
    var nonce = G.randomScalar();
    var c = V.hashToScalar([DOMAIN_COEFFICIENT, election, new Uint8Array(0), dealer, k, pub, G.base(nonce)]);
    return { c: b64e(c), v: b64e(G.scalarAdd(nonce, G.scalarMul(c, secret))) };
  }
  function verifySchnorr(election, dealer, k, pub, proof) {
    var c = G.parseScalar(proof.c, "proof.c"), v = G.parseScalar(proof.v, "proof.v");
    var commitment = G.sub(G.base(v), G.mul(c, pub));
    var expected = V.hashToScalar([DOMAIN_COEFFICIENT, election, new Uint8Array(0), dealer, k, pub, commitment]);
    if (!G.equalBytes(expected, c)) throw new Error("proof of knowledge does not verify");
  }

  /* The dealings of the task, each from its dealer's signed trustee.deal event. */
  function dealingsOf(info) {
    var task = info.task, out = {};
    Object.keys(task.dealings || {}).forEach(function (key) {
      var dealer = Number(key);
      var trustee = task.trustees[dealer - 1];
      if (!trustee || String(dealer) !== key) fail("format", "the task names no trustee " + key);
      var event = readEvent(task.dealings[key], task.space, "trustee.deal", trustee.key, "trustee " + key + "'s dealing");
      var d = event.doc.body.dealing;
      guarded("format", "trustee " + key + "'s dealing", function () {
        if (d.v !== 1 || d.election !== task.election || d.dealer !== dealer) throw new Error("for another election or dealer");
        if (d.commitments.length !== info.t || d.proofs.length !== info.t || d.boxes.length !== info.n) throw new Error("wrong shape");
        d.commitments.forEach(function (c, k) { G.parsePoint(c, "commitments[" + k + "]"); });
      });
      out[dealer] = d;
    });
    return out;
  }

  /* veche.crypto.threshold.open_share: my share from one dealing, checked against its commitments. */
  function openShare(info, keys, dealing) {
    var recipient = info.me, dealer = dealing.dealer, s = secretsOf(keys);
    function bad(reason) { var e = TrusteeError("share", reason); e.dealer = dealer; throw e; }
    var sealed;
    try { sealed = b64d(dealing.boxes[recipient - 1]); } catch (e) { bad("the sealed share does not open"); }
    var payload;
    try { payload = sodium.crypto_box_seal_open(sealed, s.boxPublic, s.boxSecret); } catch (e) { bad("the sealed share does not open"); }
    var data, share;
    try {
      data = JSON.parse(decoder.decode(payload));
      var names = Object.keys(data).sort().join(",");
      if (names !== "dealer,election,recipient,share,v") throw new Error("unexpected fields");
      share = G.parseScalar(data.share, "share");
    } catch (e) {
      bad(e && e.message ? e.message : "the share cannot be read");
    }
    if (data.v !== 1 || data.election !== info.task.election || data.dealer !== dealer || data.recipient !== recipient) {
      bad("the share names another election, dealer or recipient");
    }
    var commitments = dealing.commitments.map(function (c) { return G.parsePoint(c); });
    if (!G.equalBytes(G.base(share), commitmentAt(commitments, recipient))) {
      bad("the share does not match the dealer's published commitments");
    }
    return share;
  }

  /* My trustee.deal event: a fresh polynomial of degree t-1, its commitments with proofs of
   * knowledge, and each trustee's share sealed to its box key (my own included). */
  function deal(task, keys) {
    var info = readTask(task, keys);
    if (task.stage !== "created") fail("stage", "the key ceremony is over: the election is " + task.stage);
    if (String(info.me) in (task.dealings || {})) fail("dealt", "trustee " + info.me + " has dealt already");
    var coefficients = [];
    while (coefficients.length < info.t) {
      var a = G.randomScalar();
      if (!G.isZero(a)) coefficients.push(a);  // a zero coefficient would commit to the identity
    }
    var commitments = coefficients.map(G.base);
    var proofs = coefficients.map(function (a, k) { return proveSchnorr(task.election, info.me, k, commitments[k], a); });
    var boxes = task.trustees.map(function (t) {
      var share = G.ZERO;
      coefficients.forEach(function (a, k) { share = G.scalarAdd(share, G.scalarMul(a, power(t.index, k))); });
      var payload = encoder.encode(sharePayload(task.election, info.me, t.index, share));
      return b64e(sodium.crypto_box_seal(payload, b64d(t.box, 32)));
    });
    var dealing = { v: 1, election: task.election, dealer: info.me, commitments: commitments.map(b64e), proofs: proofs, boxes: boxes };
    return buildEvent(keys, place(info, task.next.seq, task.next.prev, task.next.deps), "trustee.deal", { dealing: dealing }).line;
  }

  /* One trustee.complain event per dealer whose share to me is bad ([] when all check out);
   * a dealer I complained about already is not named again. */
  function check(task, keys) {
    var info = readTask(task, keys);
    if (task.stage !== "created") fail("stage", "the key ceremony is over: the election is " + task.stage);
    var dealings = dealingsOf(info);
    var already = {};
    (task.complaints || []).forEach(function (c) { if (c.by === info.me) already[c.dealer] = true; });
    var lines = [], seq = task.next.seq, prev = task.next.prev, deps = task.next.deps;
    Object.keys(dealings).map(Number).sort(function (a, b) { return a - b; }).forEach(function (dealer) {
      if (already[dealer]) return;
      try {
        openShare(info, keys, dealings[dealer]);
        verifyProofs(info, dealings[dealer]);
      } catch (error) {
        if (!(error instanceof TrusteeError) || error.code !== "share") throw error;
        var event = buildEvent(keys, place(info, seq, prev, deps), "trustee.complain",
          { dealer: dealer, reason: Array.from(error.message).slice(0, MAX_REASON).join("") });
        lines.push(event.line);
        // The next complaint follows this one (offline.complaint_events does the same).
        seq += 1; prev = event.id; deps = [];
      }
    });
    return lines;
  }
  function verifyProofs(info, dealing) {
    dealing.commitments.forEach(function (c, k) {
      try {
        verifySchnorr(info.task.election, dealing.dealer, k, G.parsePoint(c), dealing.proofs[k]);
      } catch (e) {
        var error = TrusteeError("share", "proof of knowledge does not verify");
        error.dealer = dealing.dealer;
        throw error;
      }
    });
  }

  // -- the tally, recomputed from the counted ballots (veche.election.rules.compute_tally) ---
  function recomputeTally(info, electionKey) {
    var task = info.task, body = info.create.body;
    var close = readEvent(task.close, task.space, "election.close", info.create.author, "the election's close").doc;
    // A strike pledge (format pledge-v1) is one question with one option.
    var width = body.type === "pledge" ? 1 : body.questions.reduce(function (n, q) { return n + q.options.length; }, 0);
    var constituencies = body.constituencies || [];
    var districts = Math.max(1, constituencies.length);
    function district(entry) {
      if (!constituencies.length) return 0;
      for (var i = 0; i < constituencies.length; i++) if (constituencies[i].name === entry.constituency) return i;
      throw new Error("a voter names no constituency of the election");
    }
    // Who may vote, and where: the create's electorate, then the creator's roll events.
    var voterOf = {}, voters = 0;
    function enrol(entries) {
      entries.forEach(function (entry) {
        var where = district(entry);
        entry.keys.forEach(function (key) { voterOf[key] = { voter: voters, district: where }; });
        voters += 1;
      });
    }
    enrol(body.electorate);
    (task.rolls || []).forEach(function (line) {
      enrol(readEvent(line, task.space, "election.roll", info.create.author, "a roll of voters").doc.body.voters);
    });
    var alphas = [], betas = [], used = [];
    for (var i = 0; i < width * districts; i++) { alphas.push(G.IDENTITY); betas.push(G.IDENTITY); used.push(false); }
    var seen = {};
    task.ballots.forEach(function (line, n) {
      var doc = readEvent(line, task.space, "ballot.cast", undefined, "counted ballot " + n).doc;
      var voter = voterOf[doc.author];
      if (!voter) fail("tally", "a counted ballot is not from a voter of this election");
      if (seen[voter.voter]) fail("tally", "two counted ballots from one voter");
      seen[voter.voter] = true;
      var ballot = doc.body.ballot;
      if (ballot.election !== task.election) fail("tally", "a counted ballot is for another election");
      var position = voter.district * width;
      ballot.answers.forEach(function (answer) {
        answer.choices.forEach(function (ct) {
          if (position >= (voter.district + 1) * width) fail("tally", "a counted ballot has too many options");
          alphas[position] = G.add(alphas[position], G.parsePoint(ct.alpha));
          betas[position] = G.add(betas[position], G.parsePoint(ct.beta));
          used[position] = true;
          position += 1;
        });
      });
    });
    var one = G.scalarFromInt(1);
    if (body.totals) {
      // A survey (election-v1 "totals"): one entry per question, the sum of quantity x
      // each option's sum, so only each item's total is ever decrypted.
      var folded = [], at = 0;
      body.questions.forEach(function (q) {
        var fa = G.IDENTITY, fb = G.IDENTITY;
        q.options.forEach(function (o) {
          var m = G.scalarFromInt(parseInt(o, 10));
          fa = G.add(fa, G.mul(m, alphas[at]));
          fb = G.add(fb, G.mul(m, betas[at]));
          at += 1;
        });
        if (G.equalBytes(fa, G.IDENTITY)) { fa = G.base(one); fb = G.add(fb, electionKey); }
        folded.push({ alpha: fa, beta: fb });
      });
      alphas = folded.map(function (f) { return f.alpha; });
      betas = folded.map(function (f) { return f.beta; });
      used = folded.map(function () { return true; });
    }
    // An entry no counted ballot adds to (an empty constituency) is the public encryption
    // of 0 with randomness 1: (B, the election key), as the rules compute it.
    used.forEach(function (u, k) { if (!u) { alphas[k] = G.base(one); betas[k] = electionKey; } });
    var sum = alphas.map(function (a, k) { return { alpha: b64e(a), beta: b64e(betas[k]) }; });
    if (close.body.ballots !== task.ballots.length || task.counted !== task.ballots.length) {
      fail("tally", "the close counts " + close.body.ballots + " ballots, the task holds " + task.ballots.length);
    }
    if (canonical(close.body.tally) !== canonical(sum) || canonical(task.tally) !== canonical(sum)) {
      fail("tally", "the tally is not the sum of the counted ballots");
    }
    return alphas.map(function (alpha, k) { return { alpha: alpha, beta: betas[k] }; });
  }

  /* My trustee.decrypt event: x_j * alpha for every tallied ciphertext, each with a
   * Chaum-Pedersen proof (veche.crypto.threshold.partial_decrypt). */
  function decrypt(task, keys) {
    var info = readTask(task, keys);
    if (task.stage !== "closed") fail("stage", "the election is " + task.stage + ", not closed: nothing to decrypt");
    if ((task.decrypted || []).indexOf(info.me) >= 0) fail("decrypted", "trustee " + info.me + " has decrypted already");
    if (!task.counted) fail("empty", "no ballot was counted: there is nothing to decrypt");
    var dealings = dealingsOf(info);
    var dealers = Object.keys(dealings).map(Number).sort(function (a, b) { return a - b; });
    if (dealers.length !== info.n) fail("format", "the task does not hold every trustee's dealing");
    // The election key and my verification key, from the dealings' commitments.
    var summed = [];
    for (var k = 0; k < info.t; k++) {
      var s = G.IDENTITY;
      dealers.forEach(function (d) { s = G.add(s, G.parsePoint(dealings[d].commitments[k])); });
      summed.push(s);
    }
    var electionKey = summed[0];
    if (b64e(electionKey) !== task.public_key) fail("format", "the election key is not the one the dealings give");
    var tally = guarded("tally", "the counted ballots", function () { return recomputeTally(info, electionKey); });
    var secret = G.ZERO;
    dealers.forEach(function (d) { secret = G.scalarAdd(secret, openShare(info, keys, dealings[d])); });
    var verification = commitmentAt(summed, info.me);
    if (!G.equalBytes(G.base(secret), verification)) fail("share", "my shares do not add up to my verification key");
    var factors = [], proofs = [];
    tally.forEach(function (ct, position) {
      var factor = G.mul(secret, ct.alpha);
      var nonce = G.randomScalar();
      var a = G.base(nonce), b = G.mul(nonce, ct.alpha);
      var c = V.hashToScalar([DOMAIN_DECRYPT, task.election, electionKey, info.me, position, verification, ct.alpha, factor, a, b]);
      factors.push(b64e(factor));
      proofs.push({ c: b64e(c), v: b64e(G.scalarAdd(nonce, G.scalarMul(c, secret))) });
    });
    var partial = { v: 1, trustee: info.me, factors: factors, proofs: proofs };
    return buildEvent(keys, place(info, task.next.seq, task.next.prev, task.next.deps), "trustee.decrypt", { partial: partial }).line;
  }

  return {
    TrusteeError: TrusteeError,
    newKeyFile: newKeyFile,
    openKeyFile: openKeyFile,
    deal: deal,
    check: check,
    decrypt: decrypt,
  };
});
