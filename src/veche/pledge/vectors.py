"""Known-answer vectors for pledge-v1 §7 (a pledge that reveals only whether it crossed).

``python -m veche.pledge.vectors > docs/formats/pledge-v1-vectors.json`` writes
them; the tests regenerate them byte for byte and check each with the verifiers.
Every random scalar (exponents, permutations, re-encryptions, nonces) comes from
``deterministic_scalars`` with the seed named in the vector (BLAKE2b-512 of seed
|| 8-byte big-endian counter from 1, reduced mod L), in the order
``veche.pledge.reveal.blind_round`` draws them: per element the exponent then the
proof's nonce; then the permutation (Fisher–Yates from the last index down,
``j = scalar mod (i + 1)``), the re-encryption scalars, then the shuffle proof's.
"""

from __future__ import annotations

import json
import sys
from typing import Any

from veche.crypto.elgamal import encrypt
from veche.crypto.group import Scalar, base_mul, deterministic_scalars
from veche.crypto.shuffle import generator
from veche.pledge.reveal import blind_round, differences, round_bodies

__all__ = ["generate"]

PLEDGE_ID = "cGxlZGdlLXYxLXZlY3RvcnMtcmV2ZWFsLWNyb3NzZWQ"


def _seed(name: str) -> bytes:
    return f"veche/pledge-v1/vectors/{name}".encode()


def generate() -> dict[str, Any]:
    """All vectors as one JSON-ready object (deterministic)."""
    rng = deterministic_scalars(_seed("reveal"))
    secret = rng()
    key = base_mul(secret)
    needed, total = 3, 1
    r = rng()
    closed = encrypt(key, total, r)
    diffs = differences(closed, needed)
    blinding = blind_round(PLEDGE_ID, key, 1, 2, diffs, rng=rng)
    return {
        "format": "veche pledge v1 known-answer vectors (docs/formats/pledge-v1.md §7)",
        "generator": "python -m veche.pledge.vectors",
        "generators": [generator(i).encode() for i in range(4)],
        "reveal": {
            "seed": _seed("reveal").decode(),
            "pledge": PLEDGE_ID,
            "secret_key": secret.encode(),
            "public_key": key.encode(),
            "needed": needed,
            "total_plaintext": total,
            "total": closed.to_json(),
            "differences": [ct.to_json() for ct in diffs],
            "round": 1,
            "trustee": 2,
            "bodies": round_bodies(blinding),
            # What the final list decrypts to, as multiples of G: 0 is the identity.
            "decrypted": [(ct.beta - ct.alpha * secret).encode() for ct in blinding.shuffled],
            "identity": base_mul(Scalar(bytes(32))).encode(),
        },
    }


def main() -> None:
    sys.stdout.write(json.dumps(generate(), indent=1, sort_keys=True, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
