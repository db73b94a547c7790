"""The prime-order subgroup of Ed25519, through libsodium (PyNaCl's bindings).

``Point`` and ``Scalar`` are immutable byte strings with the group operations as
methods. Every point from outside goes through :func:`parse_point`, which calls
``crypto_core_ed25519_is_valid_point`` (canonical, on the curve, in the subgroup
of order L, not of small order) and so also rejects the identity. The identity
still arises inside computations (0*G encodes the plaintext 0, a tally of zero
votes decrypts to it): libsodium's scalar multiplication refuses to output it
and refuses it as input, so :meth:`Point.__mul__` and :func:`base_mul` treat it
(and the scalar 0) explicitly, while addition and subtraction accept it.
Hashes to scalars are BLAKE2b-512 reduced mod L over a length-prefixed
transcript with a domain string, so no two different transcripts collide.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache

from nacl.bindings import (
    crypto_core_ed25519_add,
    crypto_core_ed25519_is_valid_point,
    crypto_core_ed25519_scalar_add,
    crypto_core_ed25519_scalar_mul,
    crypto_core_ed25519_scalar_negate,
    crypto_core_ed25519_scalar_reduce,
    crypto_core_ed25519_scalar_sub,
    crypto_core_ed25519_sub,
    crypto_scalarmult_ed25519_base_noclamp,
    crypto_scalarmult_ed25519_noclamp,
)
from nacl.exceptions import CryptoError as SodiumError

from veche.crypto.encoding import b64decode, b64encode
from veche.crypto.errors import InvalidPoint, InvalidScalar

try:
    # PyNaCl's own cffi handle on libsodium, for PointSum's in-place loop (see there).
    from nacl._sodium import ffi as _ffi
    from nacl._sodium import lib as _lib
except ImportError:  # a PyNaCl laid out differently: PointSum uses the public wrapper
    _ffi = _lib = None

__all__ = [
    "GENERATOR",
    "IDENTITY",
    "L",
    "Point",
    "PointSum",
    "Scalar",
    "ScalarSource",
    "base_mul",
    "deterministic_scalars",
    "hash_to_scalar",
    "parse_point",
    "parse_scalar",
    "random_scalar",
    "small_multiple",
    "transcript",
]

#: Order of the prime-order subgroup of Ed25519.
L = 2**252 + 27742317777372353535851937790883648493

_IDENTITY_BYTES = b"\x01" + bytes(31)
_ZERO = bytes(32)

# Module-level names for the libsodium calls, so a benchmark can wrap them to
# count the group operations a verification performs.
_add = crypto_core_ed25519_add
_sub = crypto_core_ed25519_sub
_valid = crypto_core_ed25519_is_valid_point
_mul = crypto_scalarmult_ed25519_noclamp
_base = crypto_scalarmult_ed25519_base_noclamp


@dataclass(frozen=True, slots=True)
class Scalar:
    """An integer mod L, held as 32 canonical little-endian bytes."""

    data: bytes

    @staticmethod
    def from_int(value: int) -> Scalar:
        return Scalar((value % L).to_bytes(32, "little"))

    def to_int(self) -> int:
        return int.from_bytes(self.data, "little")

    def is_zero(self) -> bool:
        return self.data == _ZERO

    def __add__(self, other: Scalar) -> Scalar:
        return Scalar(crypto_core_ed25519_scalar_add(self.data, other.data))

    def __sub__(self, other: Scalar) -> Scalar:
        return Scalar(crypto_core_ed25519_scalar_sub(self.data, other.data))

    def __mul__(self, other: Scalar) -> Scalar:
        return Scalar(crypto_core_ed25519_scalar_mul(self.data, other.data))

    def __neg__(self) -> Scalar:
        return Scalar(crypto_core_ed25519_scalar_negate(self.data))

    def encode(self) -> str:
        return b64encode(self.data)

    def __repr__(self) -> str:
        # Scalars are often secrets; never print their value.
        return "Scalar(…)"


@dataclass(frozen=True, slots=True)
class Point:
    """An element of the prime-order subgroup (or the identity), 32 bytes compressed."""

    data: bytes

    def is_identity(self) -> bool:
        return self.data == _IDENTITY_BYTES

    def __add__(self, other: Point) -> Point:
        return Point(_add(self.data, other.data))

    def __sub__(self, other: Point) -> Point:
        return Point(_sub(self.data, other.data))

    def __neg__(self) -> Point:
        return Point(_sub(_IDENTITY_BYTES, self.data))

    def __mul__(self, scalar: Scalar) -> Point:
        """Variable-base multiplication; 0*P and s*identity are the identity."""
        if scalar.data == _ZERO or self.data == _IDENTITY_BYTES:
            return IDENTITY
        return Point(_mul(scalar.data, self.data))

    def encode(self) -> str:
        return b64encode(self.data)

    def __repr__(self) -> str:
        return f"Point({self.encode()})"


IDENTITY = Point(_IDENTITY_BYTES)
GENERATOR = Point(b"\x58" + b"\x66" * 31)


class PointSum:
    """A running sum of many points: the tally's inner loop (10 million additions for a
    million 5-option ballots).

    It calls libsodium's ``crypto_core_ed25519_add`` through PyNaCl's cffi handle,
    accumulating in place: PyNaCl's public wrapper re-checks types and allocates a
    new buffer on every call, which costs about 12% of an addition. The length
    check below keeps the direct call memory-safe.
    """

    __slots__ = ("_buffer", "_value")

    def __init__(self, start: Point = IDENTITY) -> None:
        self._value = start.data
        self._buffer = None if _ffi is None else _ffi.new("unsigned char[32]", start.data)

    def add(self, point: bytes) -> None:
        if len(point) != 32:
            raise InvalidPoint("a point is 32 bytes")
        if self._buffer is None:
            try:
                self._value = _add(self._value, point)
            except SodiumError:
                raise InvalidPoint("not a point on the curve") from None
        elif _lib.crypto_core_ed25519_add(self._buffer, self._buffer, point) != 0:
            raise InvalidPoint("not a point on the curve")

    def add_all(self, points: Iterable[bytes]) -> None:
        buffer = self._buffer
        if buffer is None:
            for point in points:
                self.add(point)
            return
        add = _lib.crypto_core_ed25519_add
        for point in points:
            if len(point) != 32 or add(buffer, buffer, point) != 0:
                raise InvalidPoint("not a 32-byte point on the curve")

    def value(self) -> Point:
        return Point(self._value if self._buffer is None else bytes(self._buffer))


def base_mul(scalar: Scalar) -> Point:
    """Fixed-base multiplication s*G (libsodium's precomputed table); 0*G is the identity."""
    if scalar.data == _ZERO:
        return IDENTITY
    return Point(_base(scalar.data))


@lru_cache(maxsize=4096)
def small_multiple(m: int) -> Point:
    """m*G for a small plaintext m (cached: proofs subtract these again and again)."""
    if m < 0:
        return -small_multiple(-m)
    return base_mul(Scalar.from_int(m))


def parse_point(data: object, *, item: str = "point") -> Point:
    """A point received from outside: bytes or base64url text, checked before any use."""
    if isinstance(data, str):
        data = b64decode(data, length=32, item=item)
    if not isinstance(data, bytes) or len(data) != 32:
        raise InvalidPoint("a point is 32 bytes", item=item)
    if not _valid(data):
        raise InvalidPoint(
            "not a canonical Ed25519 point of prime order (off the curve, small order, "
            "the identity, or a non-canonical encoding)",
            item=item,
        )
    return Point(data)


def parse_scalar(data: object, *, item: str = "scalar") -> Scalar:
    """A scalar received from outside: canonical little-endian, strictly below L."""
    if isinstance(data, str):
        data = b64decode(data, length=32, item=item)
    if not isinstance(data, bytes) or len(data) != 32:
        raise InvalidScalar("a scalar is 32 bytes", item=item)
    if int.from_bytes(data, "little") >= L:
        raise InvalidScalar("scalar is not reduced below the group order L", item=item)
    return Scalar(data)


def random_scalar() -> Scalar:
    """A uniformly random scalar: 64 bytes from the OS reduced mod L (bias below 2^-250)."""
    return Scalar(crypto_core_ed25519_scalar_reduce(os.urandom(64)))


#: Where encryption and proofs take their randomness from; tests and the
#: known-answer vectors pass :func:`deterministic_scalars`, everything else uses
#: :func:`random_scalar`.
ScalarSource = Callable[[], Scalar]


def deterministic_scalars(seed: bytes) -> ScalarSource:
    """A reproducible scalar stream for test vectors only: BLAKE2b-512(seed || counter)."""
    counter = 0

    def next_scalar() -> Scalar:
        nonlocal counter
        counter += 1
        digest = hashlib.blake2b(seed + counter.to_bytes(8, "big"), digest_size=64).digest()
        return Scalar(crypto_core_ed25519_scalar_reduce(digest))

    return next_scalar


TranscriptItem = bytes | str | int | Point | Scalar


def _item_bytes(value: TranscriptItem) -> bytes:
    if isinstance(value, Point | Scalar):
        return value.data
    if isinstance(value, bytes):
        return value
    if isinstance(value, str):
        return value.encode("utf-8")
    if isinstance(value, int) and value >= 0:
        return value.to_bytes(8, "big")
    raise TypeError(f"cannot hash {type(value).__name__}")


def transcript(items: Iterable[TranscriptItem]) -> bytes:
    """Length-prefixed concatenation: each item as 4-byte big-endian length, then its bytes.

    Points and scalars are their 32 bytes, strings their UTF-8, integers 8-byte
    big-endian unsigned.
    """
    out = bytearray()
    for value in items:
        raw = _item_bytes(value)
        out += len(raw).to_bytes(4, "big")
        out += raw
    return bytes(out)


def hash_to_scalar(items: Iterable[TranscriptItem]) -> Scalar:
    """BLAKE2b-512 of the transcript, reduced mod L."""
    digest = hashlib.blake2b(transcript(items), digest_size=64).digest()
    return Scalar(crypto_core_ed25519_scalar_reduce(digest))
