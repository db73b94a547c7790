"""A verifiable re-encryption shuffle of ElGamal ciphertexts (Terelius–Wikström).

The proof is the one Belenios and CHVote specify (Haenni, Locher, Koenig, Dubuis,
"Pseudo-code algorithms for verifiable re-encryption mix-nets", FC 2017, which
follows Terelius and Wikström, AFRICACRYPT 2010, and Verificatum), written here
additively over the Ed25519 prime-order group and veche's ElGamal
Enc(m; r) = (rG, mG + rK):

- the output is ``outputs[i] = inputs[psi(i)] + (r'_psi(i) G, r'_psi(i) K)`` for a
  secret permutation psi and fresh re-encryption scalars r';
- the prover commits to the permutation: ``commitments[psi(i)] = r_psi(i) G + h_i``
  with independent generators h_1..h_N (hashed to the group, nobody knows their
  logarithms), draws the challenges u_i from the statement, commits to the chain
  ``chain[i] = rhat_i G + u'_i chain[i-1]`` from ``chain[-1] = h`` with u'_i = u_psi(i),
  and proves in one Sigma protocol (strong Fiat–Shamir) that the committed matrix
  is a permutation matrix and that the outputs are the permuted re-encryptions.

The proof travels compactly (challenge and responses, as every veche proof): the
verifier recomputes the commitments t_1..t_4, t-hat from the verification
equations and checks that hashing them with the statement gives back the
challenge. Cost: the prover about 9N scalar multiplications, the verifier about
9N, for N ciphertexts; the proof is 4N + 5 group elements and scalars.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from nacl.bindings import crypto_core_ed25519_from_uniform

from veche.crypto.elgamal import Ciphertext
from veche.crypto.encoding import expect_keys, expect_list, expect_object
from veche.crypto.errors import InvalidEncoding, ProofInvalid
from veche.crypto.group import (
    IDENTITY,
    Point,
    Scalar,
    ScalarSource,
    base_mul,
    hash_to_scalar,
    parse_point,
    parse_scalar,
    random_scalar,
    transcript,
)
from veche.crypto.proofs import Binding

__all__ = [
    "DOMAIN_GENERATOR",
    "DOMAIN_SHUFFLE",
    "MAX_SHUFFLE",
    "ShuffleProof",
    "generator",
    "prove_shuffle",
    "random_permutation",
    "shuffle",
    "verify_shuffle",
]

DOMAIN_SHUFFLE = "veche/shuffle-v1/proof"
DOMAIN_GENERATOR = "veche/shuffle-v1/generator"

#: The longest list a proof may cover (a verifier does about 9 scalar
#: multiplications per element; more would only make it work for nothing).
MAX_SHUFFLE = 10_000


@lru_cache(maxsize=MAX_SHUFFLE + 1)
def generator(index: int) -> Point:
    """The index-th independent generator: BLAKE2b-256 of (domain, index) mapped to the
    curve by libsodium's Elligator 2 (``crypto_core_ed25519_from_uniform``, which clears
    the cofactor), so the result lies in the prime-order subgroup and nobody knows its
    logarithm to G. Index 0 is h, the chain's start; 1..N are h_1..h_N."""
    counter = 0
    while True:
        digest = hashlib.blake2b(
            transcript([DOMAIN_GENERATOR, index, counter]), digest_size=32
        ).digest()
        point = Point(crypto_core_ed25519_from_uniform(digest))
        if not point.is_identity():  # probability about 2^-252; never seen
            return point
        counter += 1  # pragma: no cover


def _sum(points: Sequence[Point]) -> Point:
    total = IDENTITY
    for point in points:
        total = total + point
    return total


def _weighted(points: Sequence[Point], weights: Sequence[Scalar]) -> Point:
    total = IDENTITY
    for point, weight in zip(points, weights, strict=True):
        total = total + point * weight
    return total


@dataclass(frozen=True, slots=True)
class ShuffleProof:
    """Compact Terelius–Wikström proof: commitments c, chain c-hat, challenge, responses."""

    commitments: tuple[Point, ...]
    chain: tuple[Point, ...]
    challenge: Scalar
    s: tuple[Scalar, Scalar, Scalar, Scalar]
    s_hat: tuple[Scalar, ...]
    s_prime: tuple[Scalar, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "commitments": [p.encode() for p in self.commitments],
            "chain": [p.encode() for p in self.chain],
            "c": self.challenge.encode(),
            "s": [x.encode() for x in self.s],
            "s_hat": [x.encode() for x in self.s_hat],
            "s_prime": [x.encode() for x in self.s_prime],
        }

    @staticmethod
    def from_json(obj: object, *, size: int, item: str = "proof") -> ShuffleProof:
        data: Mapping[str, Any] = expect_object(obj, item=item)
        expect_keys(data, {"commitments", "chain", "c", "s", "s_hat", "s_prime"}, item=item)
        lists = {}
        for name in ("commitments", "chain", "s_hat", "s_prime"):
            values = expect_list(data, name, item=item)
            if len(values) != size:
                raise InvalidEncoding(f"expected {size} values in {name}", item=item)
            lists[name] = values
        s = expect_list(data, "s", item=item)
        if len(s) != 4:
            raise InvalidEncoding("expected 4 values in s", item=item)
        s1, s2, s3, s4 = (parse_scalar(x, item=f"{item}.s[{k}]") for k, x in enumerate(s))
        return ShuffleProof(
            commitments=tuple(
                parse_point(p, item=f"{item}.commitments[{k}]")
                for k, p in enumerate(lists["commitments"])
            ),
            chain=tuple(
                parse_point(p, item=f"{item}.chain[{k}]") for k, p in enumerate(lists["chain"])
            ),
            challenge=parse_scalar(data["c"], item=f"{item}.c"),
            s=(s1, s2, s3, s4),
            s_hat=tuple(
                parse_scalar(x, item=f"{item}.s_hat[{k}]") for k, x in enumerate(lists["s_hat"])
            ),
            s_prime=tuple(
                parse_scalar(x, item=f"{item}.s_prime[{k}]") for k, x in enumerate(lists["s_prime"])
            ),
        )


def random_permutation(size: int, rng: ScalarSource = random_scalar) -> list[int]:
    """Fisher–Yates with indices drawn from 252-bit scalars (bias below 2^-230)."""
    perm = list(range(size))
    for i in range(size - 1, 0, -1):
        j = rng().to_int() % (i + 1)
        perm[i], perm[j] = perm[j], perm[i]
    return perm


def _statement_seed(
    binding: Binding,
    inputs: Sequence[Ciphertext],
    outputs: Sequence[Ciphertext],
    commitments: Sequence[Point],
) -> bytes:
    items: list[Any] = [*binding.prefix(), len(inputs)]
    for ct in inputs:
        items += [ct.alpha, ct.beta]
    for ct in outputs:
        items += [ct.alpha, ct.beta]
    items += list(commitments)
    return hashlib.blake2b(transcript(items), digest_size=64).digest()


def _u_challenges(seed: bytes, size: int) -> list[Scalar]:
    return [hash_to_scalar([DOMAIN_SHUFFLE, "u", seed, i]) for i in range(size)]


def _challenge(
    seed: bytes,
    chain: Sequence[Point],
    t: Sequence[Point],
    t_hat: Sequence[Point],
) -> Scalar:
    return hash_to_scalar([DOMAIN_SHUFFLE, "c", seed, *chain, *t, *t_hat])


def _key(binding: Binding) -> Point:
    if binding.key is None:
        raise ValueError("a shuffle needs the election key")
    return binding.key


def prove_shuffle(
    binding: Binding,
    inputs: Sequence[Ciphertext],
    outputs: Sequence[Ciphertext],
    permutation: Sequence[int],
    randomness: Sequence[Scalar],
    *,
    rng: ScalarSource = random_scalar,
) -> ShuffleProof:
    """Prove outputs[i] = inputs[permutation[i]] re-encrypted with randomness[permutation[i]]."""
    key = _key(binding)
    n = len(inputs)
    if not 1 <= n <= MAX_SHUFFLE or len(outputs) != n or sorted(permutation) != list(range(n)):
        raise ValueError("a shuffle of 1 to MAX_SHUFFLE ciphertexts by a permutation")
    h = [generator(i + 1) for i in range(n)]
    # Permutation commitment: commitments[psi(i)] = r_psi(i) G + h_i.
    r = [rng() for _ in range(n)]
    commitments = [IDENTITY] * n
    for i, j in enumerate(permutation):
        commitments[j] = base_mul(r[j]) + h[i]
    seed = _statement_seed(binding, inputs, outputs, commitments)
    u = _u_challenges(seed, n)
    u_prime = [u[j] for j in permutation]
    # Commitment chain from h.
    r_hat = [rng() for _ in range(n)]
    chain: list[Point] = []
    previous = generator(0)
    for i in range(n):
        previous = base_mul(r_hat[i]) + previous * u_prime[i]
        chain.append(previous)
    zero = Scalar(bytes(32))
    r_bar = zero
    for x in r:
        r_bar = r_bar + x
    v = [zero] * n
    acc = Scalar.from_int(1)
    for i in range(n - 1, -1, -1):
        v[i] = acc
        acc = acc * u_prime[i]
    r_hat_total = zero
    for x, y in zip(r_hat, v, strict=True):
        r_hat_total = r_hat_total + x * y
    r_tilde = zero
    r_prime = zero
    for j in range(n):
        r_tilde = r_tilde + r[j] * u[j]
        r_prime = r_prime + randomness[j] * u[j]
    w1, w2, w3, w4 = rng(), rng(), rng(), rng()
    w_hat = [rng() for _ in range(n)]
    w_prime = [rng() for _ in range(n)]
    t1 = base_mul(w1)
    t2 = base_mul(w2)
    t3 = base_mul(w3) + _weighted(h, w_prime)
    t4a = _weighted([ct.alpha for ct in outputs], w_prime) - base_mul(w4)
    t4b = _weighted([ct.beta for ct in outputs], w_prime) - key * w4
    t_hat = []
    previous = generator(0)
    for i in range(n):
        t_hat.append(base_mul(w_hat[i]) + previous * w_prime[i])
        previous = chain[i]
    c = _challenge(seed, chain, [t1, t2, t3, t4a, t4b], t_hat)
    return ShuffleProof(
        commitments=tuple(commitments),
        chain=tuple(chain),
        challenge=c,
        s=(w1 + c * r_bar, w2 + c * r_hat_total, w3 + c * r_tilde, w4 + c * r_prime),
        s_hat=tuple(w_hat[i] + c * r_hat[i] for i in range(n)),
        s_prime=tuple(w_prime[i] + c * u_prime[i] for i in range(n)),
    )


def verify_shuffle(
    binding: Binding,
    inputs: Sequence[Ciphertext],
    outputs: Sequence[Ciphertext],
    proof: ShuffleProof,
    *,
    item: str = "proof",
) -> None:
    """Raise :class:`ProofInvalid` unless ``outputs`` is a re-encrypted permutation of ``inputs``."""
    key = _key(binding)
    n = len(inputs)
    if not 1 <= n <= MAX_SHUFFLE:
        raise ProofInvalid(f"a shuffle covers 1 to {MAX_SHUFFLE} ciphertexts", item=item)
    if len(outputs) != n:
        raise ProofInvalid("the shuffle has as many outputs as inputs", item=item)
    if not (
        len(proof.commitments) == len(proof.chain) == len(proof.s_hat) == len(proof.s_prime) == n
    ):
        raise ProofInvalid(f"the proof covers {n} ciphertexts", item=item)
    h = [generator(i + 1) for i in range(n)]
    seed = _statement_seed(binding, inputs, outputs, proof.commitments)
    u = _u_challenges(seed, n)
    c = proof.challenge
    s1, s2, s3, s4 = proof.s
    # c-bar = sum c_i - sum h_i; c-hat = chain_N - (prod u_i) h; c-tilde = sum u_i c_i.
    c_bar = _sum(proof.commitments) - _sum(h)
    u_product = Scalar.from_int(1)
    for x in u:
        u_product = u_product * x
    c_hat = proof.chain[-1] - generator(0) * u_product
    c_tilde = _weighted(proof.commitments, u)
    alpha_in = _weighted([ct.alpha for ct in inputs], u)
    beta_in = _weighted([ct.beta for ct in inputs], u)
    t1 = base_mul(s1) - c_bar * c
    t2 = base_mul(s2) - c_hat * c
    t3 = base_mul(s3) + _weighted(h, proof.s_prime) - c_tilde * c
    t4a = _weighted([ct.alpha for ct in outputs], proof.s_prime) - base_mul(s4) - alpha_in * c
    t4b = _weighted([ct.beta for ct in outputs], proof.s_prime) - key * s4 - beta_in * c
    t_hat = []
    previous = generator(0)
    for i in range(n):
        t_hat.append(base_mul(proof.s_hat[i]) + previous * proof.s_prime[i] - proof.chain[i] * c)
        previous = proof.chain[i]
    if _challenge(seed, proof.chain, [t1, t2, t3, t4a, t4b], t_hat) != c:
        raise ProofInvalid("the proof of shuffle does not verify", item=item)


def shuffle(
    binding: Binding,
    inputs: Sequence[Ciphertext],
    *,
    rng: ScalarSource = random_scalar,
) -> tuple[list[Ciphertext], ShuffleProof]:
    """Re-encrypt and permute ``inputs`` under the binding's key, with the proof."""
    key = _key(binding)
    n = len(inputs)
    permutation = random_permutation(n, rng)
    randomness = [rng() for _ in range(n)]
    outputs = []
    for j in permutation:
        ct = inputs[j]
        outputs.append(
            Ciphertext(ct.alpha + base_mul(randomness[j]), ct.beta + key * randomness[j])
        )
    proof = prove_shuffle(binding, inputs, outputs, permutation, randomness, rng=rng)
    return outputs, proof
