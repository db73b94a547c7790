"""Exponential ElGamal over the Ed25519 subgroup: Enc(m; r) = (rG, mG + rK).

Plaintexts sit in the exponent, so ciphertexts add up to an encryption of the
sum: the tally of an option is the sum of its ciphertexts, decrypted once.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from veche.crypto.encoding import expect_keys, expect_object
from veche.crypto.group import (
    IDENTITY,
    Point,
    Scalar,
    _add,
    base_mul,
    parse_point,
    small_multiple,
)

__all__ = ["Ciphertext", "encrypt", "homomorphic_sum"]


@dataclass(frozen=True, slots=True)
class Ciphertext:
    """(alpha, beta) = (rG, mG + rK)."""

    alpha: Point
    beta: Point

    def __add__(self, other: Ciphertext) -> Ciphertext:
        return Ciphertext(self.alpha + other.alpha, self.beta + other.beta)

    def to_json(self) -> dict[str, Any]:
        return {"alpha": self.alpha.encode(), "beta": self.beta.encode()}

    @staticmethod
    def from_json(obj: object, *, item: str = "ciphertext") -> Ciphertext:
        data: Mapping[str, Any] = expect_object(obj, item=item)
        expect_keys(data, {"alpha", "beta"}, item=item)
        return Ciphertext(
            parse_point(data["alpha"], item=f"{item}.alpha"),
            parse_point(data["beta"], item=f"{item}.beta"),
        )


def encrypt(key: Point, message: int, randomness: Scalar) -> Ciphertext:
    """Encrypt a small non-negative integer under the election key."""
    if message < 0:
        raise ValueError("plaintexts are non-negative counts")
    return Ciphertext(base_mul(randomness), small_multiple(message) + key * randomness)


def homomorphic_sum(ciphertexts: Iterable[Ciphertext]) -> Ciphertext:
    """The sum of many ciphertexts (the tally's inner loop: raw bytes, no temporaries)."""
    alpha = IDENTITY.data
    beta = IDENTITY.data
    add = _add
    for ct in ciphertexts:
        alpha = add(alpha, ct.alpha.data)
        beta = add(beta, ct.beta.data)
    return Ciphertext(Point(alpha), Point(beta))
