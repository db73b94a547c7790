"""Non-interactive zero-knowledge proofs (Fiat–Shamir with BLAKE2b-512).

Every challenge hashes, in this order: a domain string naming the proof type,
the election id, the election public key (empty during the key ceremony), a
proof-specific context (question, option, trustee indices), every element of
the statement, then the prover's commitments. This is the strong Fiat–Shamir
transform; hashing the commitments alone is what broke Helios (Bernhard,
Pereira, Warinschi 2012). Proofs are sent in compact form (challenges and
responses); the verifier recomputes the commitments from the equations
a = vG - cX and b = vH - cY and checks that the hash of the statement and
those commitments gives back the challenge.

- :class:`SchnorrProof`: knowledge of x with X = xG (trustees' coefficients).
- :class:`ChaumPedersenProof`: log_G X = log_H Y (partial decryptions).
- :class:`DisjunctiveProof`: a ciphertext encrypts one of a list of values
  (0/1 per option, and the number of marked options within [min, max]).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from veche.crypto.elgamal import Ciphertext
from veche.crypto.encoding import expect_keys, expect_list, expect_object
from veche.crypto.errors import InvalidEncoding, ProofInvalid
from veche.crypto.group import (
    Point,
    Scalar,
    ScalarSource,
    TranscriptItem,
    base_mul,
    hash_to_scalar,
    parse_scalar,
    random_scalar,
    small_multiple,
)

__all__ = [
    "DOMAIN_BIT",
    "DOMAIN_COEFFICIENT",
    "DOMAIN_DECRYPT",
    "DOMAIN_RANGE",
    "Binding",
    "ChaumPedersenProof",
    "DisjunctiveProof",
    "SchnorrProof",
    "prove_chaum_pedersen",
    "prove_encrypts_one_of",
    "prove_schnorr",
    "verify_chaum_pedersen",
    "verify_encrypts_one_of",
    "verify_schnorr",
]

DOMAIN_BIT = "veche/election-v1/bit"
DOMAIN_RANGE = "veche/election-v1/range"
DOMAIN_DECRYPT = "veche/election-v1/decrypt"
DOMAIN_COEFFICIENT = "veche/election-v1/coefficient"

#: A disjunctive proof has one branch per allowed value; more would only serve
#: to make a verifier work for nothing.
MAX_BRANCHES = 1024


@dataclass(frozen=True, slots=True)
class Binding:
    """What a challenge is bound to besides the statement: proof type, election, key,
    and the proof's place (question, option, trustee, coefficient indices)."""

    domain: str
    election_id: str
    key: Point | None  # None during the key ceremony, before the election key exists
    context: tuple[TranscriptItem, ...] = ()

    def prefix(self) -> list[TranscriptItem]:
        key = b"" if self.key is None else self.key.data
        return [self.domain, self.election_id, key, *self.context]


@dataclass(frozen=True, slots=True)
class SchnorrProof:
    challenge: Scalar
    response: Scalar

    def to_json(self) -> dict[str, Any]:
        return {"c": self.challenge.encode(), "v": self.response.encode()}

    @staticmethod
    def from_json(obj: object, *, item: str = "proof") -> SchnorrProof:
        data = expect_object(obj, item=item)
        expect_keys(data, {"c", "v"}, item=item)
        return SchnorrProof(
            parse_scalar(data["c"], item=f"{item}.c"), parse_scalar(data["v"], item=f"{item}.v")
        )


# Same wire shape and equations as Schnorr, over two bases.
@dataclass(frozen=True, slots=True)
class ChaumPedersenProof:
    challenge: Scalar
    response: Scalar

    def to_json(self) -> dict[str, Any]:
        return {"c": self.challenge.encode(), "v": self.response.encode()}

    @staticmethod
    def from_json(obj: object, *, item: str = "proof") -> ChaumPedersenProof:
        data = expect_object(obj, item=item)
        expect_keys(data, {"c", "v"}, item=item)
        return ChaumPedersenProof(
            parse_scalar(data["c"], item=f"{item}.c"), parse_scalar(data["v"], item=f"{item}.v")
        )


def prove_schnorr(
    binding: Binding, public: Point, secret: Scalar, *, rng: ScalarSource = random_scalar
) -> SchnorrProof:
    """Prove knowledge of ``secret`` with public = secret*G."""
    nonce = rng()
    commitment = base_mul(nonce)
    challenge = hash_to_scalar([*binding.prefix(), public, commitment])
    return SchnorrProof(challenge, nonce + challenge * secret)


def verify_schnorr(
    binding: Binding,
    public: Point,
    proof: SchnorrProof,
    *,
    item: str = "proof",
) -> None:
    commitment = base_mul(proof.response) - public * proof.challenge
    expected = hash_to_scalar([*binding.prefix(), public, commitment])
    if expected != proof.challenge:
        raise ProofInvalid("proof of knowledge does not verify", item=item)


def prove_chaum_pedersen(
    binding: Binding,
    statement: tuple[Point, Point, Point],
    secret: Scalar,
    *,
    rng: ScalarSource = random_scalar,
) -> ChaumPedersenProof:
    """Prove log_G X = log_H Y for statement (X, H, Y), knowing the common log."""
    public, base, image = statement
    nonce = rng()
    a = base_mul(nonce)
    b = base * nonce
    challenge = hash_to_scalar([*binding.prefix(), public, base, image, a, b])
    return ChaumPedersenProof(challenge, nonce + challenge * secret)


def verify_chaum_pedersen(
    binding: Binding,
    statement: tuple[Point, Point, Point],
    proof: ChaumPedersenProof,
    *,
    item: str = "proof",
) -> None:
    public, base, image = statement
    c, v = proof.challenge, proof.response
    a = base_mul(v) - public * c
    b = base * v - image * c
    expected = hash_to_scalar([*binding.prefix(), public, base, image, a, b])
    if expected != c:
        raise ProofInvalid("Chaum–Pedersen proof does not verify", item=item)


@dataclass(frozen=True, slots=True)
class DisjunctiveProof:
    """One (challenge, response) pair per allowed value; the challenges sum to the hash."""

    challenges: tuple[Scalar, ...]
    responses: tuple[Scalar, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "c": [c.encode() for c in self.challenges],
            "v": [v.encode() for v in self.responses],
        }

    @staticmethod
    def from_json(
        obj: object, *, branches: int | None = None, item: str = "proof"
    ) -> DisjunctiveProof:
        data: Mapping[str, Any] = expect_object(obj, item=item)
        expect_keys(data, {"c", "v"}, item=item)
        cs = expect_list(data, "c", item=item)
        vs = expect_list(data, "v", item=item)
        if len(cs) != len(vs) or not 1 <= len(cs) <= MAX_BRANCHES:
            raise InvalidEncoding(
                f"expected as many challenges as responses, 1 to {MAX_BRANCHES}", item=item
            )
        if branches is not None and len(cs) != branches:
            raise InvalidEncoding(f"expected {branches} challenges and responses", item=item)
        return DisjunctiveProof(
            tuple(parse_scalar(c, item=f"{item}.c[{i}]") for i, c in enumerate(cs)),
            tuple(parse_scalar(v, item=f"{item}.v[{i}]") for i, v in enumerate(vs)),
        )


def _disjunctive_hash(
    binding: Binding, ct: Ciphertext, values: Sequence[int], commitments: list[Point]
) -> Scalar:
    return hash_to_scalar(
        [
            *binding.prefix(),
            ct.alpha,
            ct.beta,
            len(values),
            *values,
            *commitments,
        ]
    )


def _election_key(binding: Binding) -> Point:
    if binding.key is None:
        raise ValueError("a ciphertext proof needs the election key")
    return binding.key


def prove_encrypts_one_of(
    binding: Binding,
    ct: Ciphertext,
    values: Sequence[int],
    message: int,
    randomness: Scalar,
    *,
    rng: ScalarSource = random_scalar,
) -> DisjunctiveProof:
    """Prove that ct = Enc(message; randomness) with message in ``values``, hiding which."""
    key = _election_key(binding)
    real = values.index(message)  # ValueError if the prover lies: a bug, not input
    challenges: list[Scalar] = []
    responses: list[Scalar] = []
    commitments: list[Point] = []
    nonce = rng()
    for j, value in enumerate(values):
        if j == real:
            commitments += [base_mul(nonce), key * nonce]
            challenges.append(Scalar(bytes(32)))
            responses.append(Scalar(bytes(32)))
        else:
            # Simulate the branches the prover cannot prove: pick c, v, solve for a, b.
            c, v = rng(), rng()
            commitments += [
                base_mul(v) - ct.alpha * c,
                key * v - (ct.beta - small_multiple(value)) * c,
            ]
            challenges.append(c)
            responses.append(v)
    total = _disjunctive_hash(binding, ct, values, commitments)
    c_real = total
    for j, c in enumerate(challenges):
        if j != real:
            c_real = c_real - c
    challenges[real] = c_real
    responses[real] = nonce + c_real * randomness
    return DisjunctiveProof(tuple(challenges), tuple(responses))


def verify_encrypts_one_of(
    binding: Binding,
    ct: Ciphertext,
    values: Sequence[int],
    proof: DisjunctiveProof,
    *,
    item: str = "proof",
) -> None:
    """Check a disjunctive proof: per branch 2 variable-base and 1 fixed-base multiplication
    plus one more variable-base for c*(beta - m*G), then one hash."""
    if len(proof.challenges) != len(values) or len(proof.responses) != len(values):
        raise ProofInvalid(f"expected {len(values)} branches", item=item)
    key = _election_key(binding)
    commitments: list[Point] = []
    alpha, beta = ct.alpha, ct.beta
    total = Scalar(bytes(32))
    for value, c, v in zip(values, proof.challenges, proof.responses, strict=True):
        shifted = beta - small_multiple(value) if value else beta
        commitments.append(base_mul(v) - alpha * c)
        commitments.append(key * v - shifted * c)
        total = total + c
    expected = _disjunctive_hash(binding, ct, values, commitments)
    if expected != total:
        raise ProofInvalid(
            f"proof that the ciphertext encrypts one of {list(values)} does not verify",
            item=item,
        )
