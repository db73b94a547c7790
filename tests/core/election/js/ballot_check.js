// Run ballot.js under node against the format v1 vectors (see test_ballot_js.py).
// argv: VENDOR_DIR BALLOT_JS VECTORS_JSON; prints one JSON object with the findings.
"use strict";
const fs = require("fs");
const path = require("path");
const Module = require("module");

const [vendor, ballotJs, vectorsPath] = process.argv.slice(2);
// The wrappers require("libsodium-sumo"): point that name at the vendored file.
const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  if (request === "libsodium-sumo") return path.join(vendor, "libsodium-sumo-0.8.4.js");
  return resolve.call(this, request, ...rest);
};
const sodium = require(path.join(vendor, "libsodium-wrappers-sumo-0.8.4.js"));

function itemOf(spec) {
  if ("str" in spec) return spec.str;
  if ("int" in spec) return BigInt(spec.int);
  if ("bytes" in spec) return spec.bytes === "" ? new Uint8Array(0) : sodium.from_base64(spec.bytes, sodium.base64_variants.URLSAFE_NO_PADDING);
  if ("point" in spec || "scalar" in spec) return sodium.from_base64(spec.point || spec.scalar, sodium.base64_variants.URLSAFE_NO_PADDING);
  throw new Error("unknown item " + JSON.stringify(spec));
}

sodium.ready.then(() => {
  const V = require(ballotJs)(sodium);
  const vectors = JSON.parse(fs.readFileSync(vectorsPath, "utf8"));
  const out = { hashes: [], ballots: [], fresh: null };
  for (const h of vectors.group.hash_to_scalar) {
    const items = h.items.map(itemOf);
    out.hashes.push({
      transcript: Buffer.from(V.transcript(items)).toString("hex") === h.transcript_hex,
      scalar: V.b64e(V.hashToScalar(items)) === h.scalar,
    });
  }
  const e = vectors.election;
  const rng = V.deterministicScalars(e.ballots_seed);
  for (const b of e.ballots) {
    const made = V.encryptBallot(e.election, b.secrets.selections, rng);
    let verified = true, audited = true, tamperCaught = false;
    try { V.verifyBallot(e.election, b.ballot); } catch (err) { verified = String(err); }
    try { V.auditBallot(e.election, b.ballot, b.secrets); } catch (err) { audited = String(err); }
    const bad = JSON.parse(JSON.stringify(b.ballot));
    const proof = bad.answers[0].choices[0].proof;
    [proof.v[0], proof.v[1]] = [proof.v[1], proof.v[0]];
    try { V.verifyBallot(e.election, bad); } catch (err) { tamperCaught = true; }
    out.ballots.push({
      canonical: made.canonical === b.canonical,
      tracker: made.tracker === b.tracker,
      secrets: V.canonical(made.secrets) === V.canonical(b.secrets),
      verified, audited, tamperCaught,
    });
  }
  const fresh = V.encryptBallot(e.election, [[0, 1, 0, 0, 0], [1, 0, 1]]);
  out.fresh = { canonical: fresh.canonical, tracker: fresh.tracker, secrets: fresh.secrets };
  process.stdout.write(JSON.stringify(out));
}).catch((err) => { console.error(err); process.exit(1); });
