"""Known-answer vectors for election format v1, from seeded scalars.

``python -m veche.crypto.vectors > docs/formats/election-v1-vectors.json``
writes them; the test suite regenerates them and compares byte for byte, so any
change to an encoding, a hash input or an equation shows up as a diff. Every
random scalar comes from :func:`~veche.crypto.group.deterministic_scalars`
(BLAKE2b-512 of seed || 8-byte big-endian counter, counter from 1, reduced mod
L) with the seed named next to each vector, so another implementation can
reproduce the provers too, not only check the verifiers. Sealed boxes use fresh
ephemeral keys, so the vectors give the trustees' share payloads instead.

The ``rules`` part (known-answer cases for every election rule, as whole signed
records) is written by :mod:`veche.election.vectors`; it is imported when the
vectors are generated, not when this module is, since the election rules build
on this crypto core and not the other way round.
"""

from __future__ import annotations

import json
import sys
from typing import Any

from nacl.public import PrivateKey

from veche.crypto.ballot import Election, Question, encrypt_ballot
from veche.crypto.elgamal import encrypt, homomorphic_sum
from veche.crypto.encoding import b64encode, canonical_json
from veche.crypto.group import (
    GENERATOR,
    IDENTITY,
    L,
    Scalar,
    TranscriptItem,
    base_mul,
    deterministic_scalars,
    hash_to_scalar,
    transcript,
)
from veche.crypto.proofs import (
    DOMAIN_BIT,
    DOMAIN_COEFFICIENT,
    DOMAIN_DECRYPT,
    DOMAIN_RANGE,
    Binding,
    prove_chaum_pedersen,
    prove_encrypts_one_of,
    prove_schnorr,
)
from veche.crypto.threshold import (
    combine_partial_decryptions,
    deal,
    election_key_from_dealings,
    open_share,
    partial_decrypt,
    trustee_secret,
)

__all__ = ["generate"]

ELECTION_ID = "b2kNnJm4X0R1c3ZlY2hlLXZlY3RvcnMtZWxlY3Rpb24"


def _seed(name: str) -> bytes:
    return f"veche/election-v1/vectors/{name}".encode()


def _item_json(value: TranscriptItem) -> dict[str, Any]:
    if isinstance(value, str):
        return {"str": value}
    if isinstance(value, int):
        return {"int": value}
    if isinstance(value, bytes):
        return {"bytes": b64encode(value)}
    return {"bytes": b64encode(value.data)}


def _binding_json(binding: Binding) -> dict[str, Any]:
    return {
        "domain": binding.domain,
        "election": binding.election_id,
        "key": None if binding.key is None else binding.key.encode(),
        "context": list(binding.context),
    }


def _group_vectors() -> dict[str, Any]:
    rng = deterministic_scalars(_seed("group"))
    scalars = [Scalar.from_int(v) for v in (1, 2, 3, 1000, L - 1)] + [rng() for _ in range(3)]
    hashes = []
    examples: tuple[list[TranscriptItem], ...] = (
        ["veche/election-v1/bit", ELECTION_ID, b"", 0, 1],
        ["", GENERATOR, 2**63],
        [IDENTITY, "é"],
    )
    for items in examples:
        hashes.append(
            {
                "items": [_item_json(i) for i in items],
                "transcript_hex": transcript(items).hex(),
                "scalar": hash_to_scalar(items).encode(),
            }
        )
    return {
        "seed": _seed("group").decode(),
        "order_L": str(L),
        "generator": GENERATOR.encode(),
        "identity": IDENTITY.encode(),
        "multiples": [{"scalar": s.encode(), "point": base_mul(s).encode()} for s in scalars],
        "hash_to_scalar": hashes,
    }


def _proof_vectors() -> dict[str, Any]:
    rng = deterministic_scalars(_seed("proofs"))
    secret = rng()
    key = base_mul(secret)
    out: dict[str, Any] = {"seed": _seed("proofs").decode(), "secret_key": secret.encode()}
    out["public_key"] = key.encode()
    encryptions = []
    for m in (0, 1, 7):
        r = rng()
        encryptions.append(
            {"message": m, "randomness": r.encode(), "ciphertext": encrypt(key, m, r).to_json()}
        )
    out["encryptions"] = encryptions

    x = rng()
    binding = Binding(DOMAIN_COEFFICIENT, ELECTION_ID, None, (1, 0))
    out["schnorr"] = {
        "binding": _binding_json(binding),
        "public": base_mul(x).encode(),
        "proof": prove_schnorr(binding, base_mul(x), x, rng=rng).to_json(),
    }
    r = rng()
    ct = encrypt(key, 1, r)
    binding = Binding(DOMAIN_DECRYPT, ELECTION_ID, key, (1, 0))
    statement = (key, ct.alpha, ct.alpha * secret)
    out["chaum_pedersen"] = {
        "binding": _binding_json(binding),
        "statement": [p.encode() for p in statement],
        "proof": prove_chaum_pedersen(binding, statement, secret, rng=rng).to_json(),
    }
    bits = []
    for m in (0, 1):
        r = rng()
        ct = encrypt(key, m, r)
        binding = Binding(DOMAIN_BIT, ELECTION_ID, key, (0, m))
        proof = prove_encrypts_one_of(binding, ct, (0, 1), m, r, rng=rng)
        bits.append(
            {
                "binding": _binding_json(binding),
                "ciphertext": ct.to_json(),
                "values": [0, 1],
                "proof": proof.to_json(),
            }
        )
    out["bit"] = bits
    rs = [rng() for _ in range(3)]
    cts = [encrypt(key, m, r) for m, r in zip((1, 0, 1), rs, strict=True)]
    total = homomorphic_sum(cts)
    binding = Binding(DOMAIN_RANGE, ELECTION_ID, key, (0,))
    proof = prove_encrypts_one_of(binding, total, (1, 2), 2, rs[0] + rs[1] + rs[2], rng=rng)
    out["range"] = {
        "binding": _binding_json(binding),
        "ciphertext": total.to_json(),
        "values": [1, 2],
        "proof": proof.to_json(),
    }
    return out


def _election_vectors() -> dict[str, Any]:
    trustees, threshold = 3, 2
    box_keys = [PrivateKey(bytes([j]) * 32) for j in range(1, trustees + 1)]
    publics = [bytes(k.public_key) for k in box_keys]
    dealings = [
        deal(ELECTION_ID, i, threshold, publics, rng=deterministic_scalars(_seed(f"dealer/{i}")))
        for i in range(1, trustees + 1)
    ]
    shares = {
        (i, j): open_share(dealings[i - 1], j, box_keys[j - 1])
        for i in range(1, trustees + 1)
        for j in range(1, trustees + 1)
    }
    key = election_key_from_dealings(ELECTION_ID, trustees, threshold, dealings)
    secrets = {
        j: trustee_secret([shares[(i, j)] for i in range(1, trustees + 1)])
        for j in range(1, trustees + 1)
    }
    dealing_json = []
    for d in dealings:
        public = d.to_json()
        del public["boxes"]
        public["share_payloads"] = [
            canonical_json(
                {
                    "v": 1,
                    "election": ELECTION_ID,
                    "dealer": d.dealer,
                    "recipient": j,
                    "share": shares[(d.dealer, j)].encode(),
                }
            ).decode()
            for j in range(1, trustees + 1)
        ]
        public["seed"] = _seed(f"dealer/{d.dealer}").decode()
        dealing_json.append(public)

    election = Election(ELECTION_ID, key.public_key, (Question(5, 1, 1), Question(3, 0, 2)))
    rng = deterministic_scalars(_seed("ballots"))
    ballots = []
    answers = []
    plain = [
        [[0, 0, 1, 0, 0], [1, 0, 1]],
        [[1, 0, 0, 0, 0], [0, 0, 0]],
        [[0, 0, 1, 0, 0], [0, 1, 0]],
    ]
    for marks in plain:
        ballot, ballot_secrets = encrypt_ballot(election, marks, rng)
        answers.append(ballot.answers[0])
        ballots.append(
            {
                "ballot": ballot.to_json(),
                "canonical": ballot.canonical().decode(),
                "tracker": ballot.tracker(),
                "secrets": ballot_secrets.to_json(),
            }
        )
    sums = [homomorphic_sum(a.choices[k] for a in answers) for k in range(5)]
    decrypt_rng = deterministic_scalars(_seed("decrypt"))
    partials = [partial_decrypt(key, j, secrets[j], sums, rng=decrypt_rng) for j in (1, 3)]
    counts = combine_partial_decryptions(key, sums, partials, bound=len(ballots))
    return {
        "election_id": ELECTION_ID,
        "trustees": trustees,
        "threshold": threshold,
        "box_secret_keys_hex": [bytes(k).hex() for k in box_keys],
        "dealings": dealing_json,
        "election_key": key.to_json(),
        "trustee_secrets": [secrets[j].encode() for j in range(1, trustees + 1)],
        "election": election.to_json(),
        "ballots_seed": _seed("ballots").decode(),
        "ballots": ballots,
        "tally": {
            "question": 0,
            "sums": [s.to_json() for s in sums],
            "decrypt_seed": _seed("decrypt").decode(),
            "partial_decryptions": [p.to_json() for p in partials],
            "counts": counts,
        },
    }


def generate() -> dict[str, Any]:
    """All vectors as one JSON-ready object (deterministic)."""
    return {
        "format": "veche election v1 known-answer vectors (docs/formats/election-v1.md)",
        "generator": "python -m veche.crypto.vectors",
        "group": _group_vectors(),
        "proofs": _proof_vectors(),
        "election": _election_vectors(),
        "rules": _rule_vectors(),
    }


def _rule_vectors() -> dict[str, Any]:
    from veche.election.vectors import rule_vectors  # the rules build on this core

    return rule_vectors()


def main() -> None:
    sys.stdout.write(json.dumps(generate(), indent=1, sort_keys=True, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
