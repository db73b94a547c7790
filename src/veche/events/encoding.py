"""base64url without padding, the text form of every key, id and signature."""

from __future__ import annotations

import base64
import binascii
import re

__all__ = ["EncodingError", "b64d", "b64e", "is_b64_of_length"]

_ALPHABET = re.compile(r"\A[A-Za-z0-9_-]*\Z")
_VALUE = {
    c: i for i, c in enumerate("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
}


class EncodingError(ValueError):
    """Text that is not canonical unpadded base64url of the expected length."""


def b64e(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64d(text: str, length: int | None = None) -> bytes:
    """Decode unpadded base64url, insisting on the canonical form (no stray bits)."""
    if not isinstance(text, str) or not _ALPHABET.match(text) or len(text) % 4 == 1:
        raise EncodingError("not unpadded base64url")
    # The unused low bits of the last character must be zero (2 bits when the
    # text length is 3 mod 4, 4 bits when it is 2 mod 4), else two texts
    # would decode to the same bytes.
    tail = len(text) % 4
    if tail and _VALUE[text[-1]] & (0b1111 if tail == 2 else 0b11):
        raise EncodingError("non-canonical base64url (trailing bits set)")
    try:
        data = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError) as error:
        raise EncodingError("not unpadded base64url") from error
    if length is not None and len(data) != length:
        raise EncodingError(f"decodes to {len(data)} bytes, expected {length}")
    return data


def is_b64_of_length(text: object, length: int) -> bool:
    if not isinstance(text, str) or len(text) != (length * 8 + 5) // 6:
        return False
    try:
        b64d(text, length)
    except EncodingError:
        return False
    return True
