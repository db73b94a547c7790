/*
 * Veche ballots, encrypted on the voter's device (format v1, docs/formats/election-v1.md).
 *
 * The same bytes as the Python core (veche.crypto): exponential ElGamal on the
 * prime-order subgroup of Ed25519 through libsodium.js (libsodium-wrappers-sumo,
 * vendored), disjunctive Chaum-Pedersen proofs with the strong Fiat-Shamir hash
 * (BLAKE2b-512 of the length-prefixed transcript, reduced mod L), canonical JSON,
 * and the ballot tracker BLAKE2b-256(canonical ballot). With a seeded scalar
 * stream (deterministicScalars) it reproduces the known-answer vectors byte for
 * byte; with the default (libsodium's random scalars) it makes real ballots.
 * The choice and the randomness never leave the device unless the voter audits
 * (Benaloh): then the page reveals them, checks the ballot itself, and throws it away.
 */
(function (root, factory) {
  if (typeof module === "object" && module.exports) {
    module.exports = factory;
  } else {
    root.VecheBallot = factory;
  }
})(typeof self !== "undefined" ? self : this, function (sodium) {
  "use strict";

  var DOMAIN_BIT = "veche/election-v1/bit";
  var DOMAIN_RANGE = "veche/election-v1/range";
  var IDENTITY = new Uint8Array(32);
  IDENTITY[0] = 1;
  var ZERO = new Uint8Array(32);
  var encoder = new TextEncoder();

  // -- encodings ---------------------------------------------------------------
  function b64e(bytes) {
    return sodium.to_base64(bytes, sodium.base64_variants.URLSAFE_NO_PADDING);
  }
  function b64d(text, length) {
    if (typeof text !== "string" || !/^[A-Za-z0-9_-]*$/.test(text)) {
      throw new Error("not unpadded base64url");
    }
    var bytes = sodium.from_base64(text, sodium.base64_variants.URLSAFE_NO_PADDING);
    if (b64e(bytes) !== text) throw new Error("not canonical base64url");
    if (length !== undefined && bytes.length !== length) throw new Error("wrong length");
    return bytes;
  }
  function codePointCompare(a, b) {
    var x = Array.from(a), y = Array.from(b);
    for (var i = 0; i < Math.min(x.length, y.length); i++) {
      var d = x[i].codePointAt(0) - y[i].codePointAt(0);
      if (d !== 0) return d;
    }
    return x.length - y.length;
  }
  /* Canonical JSON: keys sorted by code point, no whitespace, integers only. */
  function canonical(value) {
    if (value === null || typeof value === "boolean") return JSON.stringify(value);
    if (typeof value === "number") {
      if (!Number.isSafeInteger(value)) throw new Error("canonical JSON has integers only");
      return String(value);
    }
    if (typeof value === "string") return JSON.stringify(value);
    if (Array.isArray(value)) return "[" + value.map(canonical).join(",") + "]";
    var keys = Object.keys(value).sort(codePointCompare);
    return "{" + keys.map(function (k) { return JSON.stringify(k) + ":" + canonical(value[k]); }).join(",") + "}";
  }
  function equalBytes(a, b) {
    if (a.length !== b.length) return false;
    var d = 0;
    for (var i = 0; i < a.length; i++) d |= a[i] ^ b[i];
    return d === 0;
  }
  function isZero(s) { return equalBytes(s, ZERO); }
  function isIdentity(p) { return equalBytes(p, IDENTITY); }

  // -- the group -----------------------------------------------------------------
  function parsePoint(text, item) {
    var bytes = b64d(text, 32);
    if (!sodium.crypto_core_ed25519_is_valid_point(bytes)) {
      throw new Error((item || "point") + ": not a canonical Ed25519 point of prime order");
    }
    return bytes;
  }
  function parseScalar(text, item) {
    var bytes = b64d(text, 32);
    // Reduced below L: reducing a 64-byte zero-padded copy must give it back.
    var wide = new Uint8Array(64);
    wide.set(bytes);
    if (!equalBytes(sodium.crypto_core_ed25519_scalar_reduce(wide), bytes)) {
      throw new Error((item || "scalar") + ": not reduced below L");
    }
    return bytes;
  }
  function add(p, q) { return sodium.crypto_core_ed25519_add(p, q); }
  function sub(p, q) { return sodium.crypto_core_ed25519_sub(p, q); }
  function mul(s, p) {
    if (isZero(s) || isIdentity(p)) return IDENTITY;
    return sodium.crypto_scalarmult_ed25519_noclamp(s, p);
  }
  function base(s) {
    if (isZero(s)) return IDENTITY;
    return sodium.crypto_scalarmult_ed25519_base_noclamp(s);
  }
  function scalarFromInt(m) {
    var out = new Uint8Array(32);
    var v = BigInt(m);
    for (var i = 0; i < 32 && v > 0n; i++) { out[i] = Number(v & 255n); v >>= 8n; }
    return out;
  }
  var smallCache = {};
  function small(m) {
    if (!(m in smallCache)) smallCache[m] = base(scalarFromInt(m));
    return smallCache[m];
  }
  function sAdd(a, b) { return sodium.crypto_core_ed25519_scalar_add(a, b); }
  function sSub(a, b) { return sodium.crypto_core_ed25519_scalar_sub(a, b); }
  function sMul(a, b) { return sodium.crypto_core_ed25519_scalar_mul(a, b); }

  // -- hashing (format v1 §3) ------------------------------------------------------
  function itemBytes(value) {
    if (value instanceof Uint8Array) return value;
    if (typeof value === "string") return encoder.encode(value);
    if (typeof value === "number" || typeof value === "bigint") {
      var out = new Uint8Array(8), v = BigInt(value);
      if (v < 0n) throw new Error("transcript integers are >= 0");
      for (var i = 7; i >= 0; i--) { out[i] = Number(v & 255n); v >>= 8n; }
      return out;
    }
    throw new Error("cannot hash " + typeof value);
  }
  function transcript(items) {
    var parts = items.map(itemBytes);
    var total = parts.reduce(function (n, p) { return n + 4 + p.length; }, 0);
    var out = new Uint8Array(total), at = 0;
    parts.forEach(function (p) {
      out[at] = (p.length >>> 24) & 255; out[at + 1] = (p.length >>> 16) & 255;
      out[at + 2] = (p.length >>> 8) & 255; out[at + 3] = p.length & 255;
      out.set(p, at + 4);
      at += 4 + p.length;
    });
    return out;
  }
  function hashToScalar(items) {
    return sodium.crypto_core_ed25519_scalar_reduce(sodium.crypto_generichash(64, transcript(items), null));
  }
  function randomScalar() {
    return sodium.crypto_core_ed25519_scalar_reduce(sodium.randombytes_buf(64));
  }
  /* Test vectors only: scalar i of seed s is BLAKE2b-512(s || i as 8 bytes big-endian) mod L. */
  function deterministicScalars(seed) {
    var counter = 0, seedBytes = itemBytes(seed);
    return function () {
      counter += 1;
      var input = new Uint8Array(seedBytes.length + 8);
      input.set(seedBytes);
      input.set(itemBytes(counter), seedBytes.length);
      return sodium.crypto_core_ed25519_scalar_reduce(sodium.crypto_generichash(64, input, null));
    };
  }

  // -- disjunctive proofs (format v1 §5.3) ------------------------------------------
  function disjunctiveHash(binding, ct, values, commitments) {
    return hashToScalar([binding.domain, binding.election, binding.key].concat(
      binding.context, [ct.alpha, ct.beta, values.length], values, commitments));
  }
  function prove(binding, ct, values, message, r, rng) {
    var real = values.indexOf(message);
    if (real < 0) throw new Error("the message is not an allowed value");
    var cs = [], vs = [], commitments = [];
    var nonce = rng();
    values.forEach(function (value, j) {
      if (j === real) {
        commitments.push(base(nonce), mul(nonce, binding.key));
        cs.push(ZERO); vs.push(ZERO);
      } else {
        var c = rng(), v = rng();
        commitments.push(sub(base(v), mul(c, ct.alpha)),
          sub(mul(v, binding.key), mul(c, sub(ct.beta, small(value)))));
        cs.push(c); vs.push(v);
      }
    });
    var cReal = disjunctiveHash(binding, ct, values, commitments);
    cs.forEach(function (c, j) { if (j !== real) cReal = sSub(cReal, c); });
    cs[real] = cReal;
    vs[real] = sAdd(nonce, sMul(cReal, r));
    return { c: cs.map(b64e), v: vs.map(b64e) };
  }
  function verify(binding, ct, values, proof, item) {
    if (!proof || !Array.isArray(proof.c) || !Array.isArray(proof.v) ||
        proof.c.length !== values.length || proof.v.length !== values.length) {
      throw new Error(item + ": expected " + values.length + " branches");
    }
    var commitments = [], total = ZERO;
    values.forEach(function (value, j) {
      var c = parseScalar(proof.c[j], item), v = parseScalar(proof.v[j], item);
      var shifted = value ? sub(ct.beta, small(value)) : ct.beta;
      commitments.push(sub(base(v), mul(c, ct.alpha)), sub(mul(v, binding.key), mul(c, shifted)));
      total = sAdd(total, c);
    });
    if (!equalBytes(disjunctiveHash(binding, ct, values, commitments), total)) {
      throw new Error(item + ": proof does not verify");
    }
  }

  // -- ballots (format v1 §6) ---------------------------------------------------------
  function range(lo, hi) { var out = []; for (var m = lo; m <= hi; m++) out.push(m); return out; }
  function parseElection(json) {
    if (json.v !== 1) throw new Error("unsupported election version");
    return {
      id: json.election,
      key: parsePoint(json.public_key, "election.public_key"),
      questions: json.questions.map(function (q) { return { options: q.options, min: q.min, max: q.max }; }),
    };
  }
  function checkSelections(election, selections) {
    if (selections.length !== election.questions.length) throw new Error("answer every question");
    election.questions.forEach(function (q, i) {
      var marks = selections[i];
      if (marks.length !== q.options || marks.some(function (m) { return m !== 0 && m !== 1; })) {
        throw new Error("question " + i + ": mark each option 0 or 1");
      }
      var n = marks.reduce(function (a, b) { return a + b; }, 0);
      if (n < q.min || n > q.max) throw new Error("question " + i + ": mark between " + q.min + " and " + q.max + " options");
    });
  }
  function encrypt(key, m, r) { return { alpha: base(r), beta: add(small(m), mul(r, key)) }; }

  /* Encrypt a voter's marks; returns {ballot, secrets, canonical, tracker}. */
  function encryptBallot(electionJson, selections, rng) {
    rng = rng || randomScalar;
    var election = parseElection(electionJson);
    checkSelections(election, selections);
    var answers = [], randomness = [];
    election.questions.forEach(function (q, i) {
      var rs = [], choices = [], cts = [];
      selections[i].forEach(function (m, k) {
        var r = rng();
        while (isZero(r)) r = rng();
        var ct = encrypt(election.key, m, r);
        var proof = prove({ domain: DOMAIN_BIT, election: election.id, key: election.key, context: [i, k] },
          ct, [0, 1], m, r, rng);
        rs.push(r); cts.push(ct);
        choices.push({ alpha: b64e(ct.alpha), beta: b64e(ct.beta), proof: proof });
      });
      var sum = cts.reduce(function (s, ct) { return { alpha: add(s.alpha, ct.alpha), beta: add(s.beta, ct.beta) }; },
        { alpha: IDENTITY, beta: IDENTITY });
      var totalR = rs.reduce(sAdd, ZERO);
      var marked = selections[i].reduce(function (a, b) { return a + b; }, 0);
      var rangeProof = prove({ domain: DOMAIN_RANGE, election: election.id, key: election.key, context: [i] },
        sum, range(q.min, q.max), marked, totalR, rng);
      answers.push({ choices: choices, range: rangeProof });
      randomness.push(rs.map(b64e));
    });
    var ballot = { v: 1, election: election.id, answers: answers };
    var text = canonical(ballot);
    return {
      ballot: ballot,
      canonical: text,
      tracker: tracker(text),
      secrets: { v: 1, selections: selections.map(function (s) { return s.slice(); }), randomness: randomness },
    };
  }
  function tracker(canonicalText) {
    return b64e(sodium.crypto_generichash(32, encoder.encode(canonicalText), null));
  }
  /* Check every proof of a ballot against the election; throws naming the part. */
  function verifyBallot(electionJson, ballot) {
    var election = parseElection(electionJson);
    if (ballot.v !== 1 || ballot.election !== election.id) throw new Error("ballot.election: another election");
    if (ballot.answers.length !== election.questions.length) throw new Error("ballot.answers: wrong number");
    ballot.answers.forEach(function (answer, i) {
      var q = election.questions[i], where = "ballot.answers[" + i + "]";
      if (answer.choices.length !== q.options) throw new Error(where + ".choices: wrong number");
      var sum = { alpha: IDENTITY, beta: IDENTITY };
      answer.choices.forEach(function (choice, k) {
        var item = where + ".choices[" + k + "]";
        var ct = { alpha: parsePoint(choice.alpha, item), beta: parsePoint(choice.beta, item) };
        verify({ domain: DOMAIN_BIT, election: election.id, key: election.key, context: [i, k] },
          ct, [0, 1], choice.proof, item + ".proof");
        sum = { alpha: add(sum.alpha, ct.alpha), beta: add(sum.beta, ct.beta) };
      });
      verify({ domain: DOMAIN_RANGE, election: election.id, key: election.key, context: [i] },
        sum, range(q.min, q.max), answer.range, where + ".range");
    });
  }
  /* Benaloh audit: the revealed randomness must re-encrypt the marks to this very ballot. */
  function auditBallot(electionJson, ballot, secrets) {
    var election = parseElection(electionJson);
    checkSelections(election, secrets.selections);
    verifyBallot(electionJson, ballot);
    ballot.answers.forEach(function (answer, i) {
      answer.choices.forEach(function (choice, k) {
        var r = parseScalar(secrets.randomness[i][k], "secrets.randomness");
        var ct = encrypt(election.key, secrets.selections[i][k], r);
        if (b64e(ct.alpha) !== choice.alpha || b64e(ct.beta) !== choice.beta) {
          throw new Error("ballot.answers[" + i + "].choices[" + k + "] does not encrypt the claimed mark: do not cast with this device");
        }
      });
    });
  }

  return {
    canonical: canonical,
    transcript: transcript,
    hashToScalar: hashToScalar,
    deterministicScalars: deterministicScalars,
    encryptBallot: encryptBallot,
    verifyBallot: verifyBallot,
    auditBallot: auditBallot,
    tracker: tracker,
    b64e: b64e,
    b64d: b64d,
    // The group and scalar arithmetic, for trustee.js (same checks, same bytes).
    group: {
      parsePoint: parsePoint,
      parseScalar: parseScalar,
      add: add,
      sub: sub,
      mul: mul,
      base: base,
      scalarFromInt: scalarFromInt,
      scalarAdd: sAdd,
      scalarMul: sMul,
      randomScalar: randomScalar,
      equalBytes: equalBytes,
      isZero: isZero,
      IDENTITY: IDENTITY,
      ZERO: ZERO,
    },
  };
});
