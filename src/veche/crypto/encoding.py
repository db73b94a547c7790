"""Byte and JSON encodings shared by every election wire object.

Binary values travel as base64url without padding; decoding is strict (no
padding, no other alphabet, and re-encoding must give back the same text, so a
value has exactly one spelling and a flipped character cannot pass unnoticed).
Objects are hashed and signed in canonical JSON: keys sorted, no whitespace,
UTF-8, integers only, at most 64 KiB — the event envelope's encoding
(``veche.events.canonical``), since ballots and trustee messages travel in events.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from typing import Any

from veche.crypto.errors import InvalidEncoding
from veche.events.canonical import CanonicalError, encode

__all__ = [
    "b64decode",
    "b64encode",
    "canonical_json",
    "expect_int",
    "expect_keys",
    "expect_list",
    "expect_object",
    "expect_str",
]


def b64encode(data: bytes) -> str:
    """Base64url without padding."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64decode(text: object, *, length: int | None = None, item: str = "") -> bytes:
    """Strictly decode base64url without padding; reject any other spelling."""
    if not isinstance(text, str):
        raise InvalidEncoding("expected a base64url string", item=item)
    if "=" in text:
        raise InvalidEncoding("base64url must be written without padding", item=item)
    try:
        data = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError) as exc:
        raise InvalidEncoding(f"not base64url ({exc})", item=item) from None
    if b64encode(data) != text:
        raise InvalidEncoding("not the canonical base64url spelling", item=item)
    if length is not None and len(data) != length:
        raise InvalidEncoding(f"expected {length} bytes, got {len(data)}", item=item)
    return data


def canonical_json(value: object) -> bytes:
    """Canonical JSON bytes, by the event log's own encoder (one definition for all formats)."""
    try:
        return encode(value)
    except CanonicalError as exc:
        raise InvalidEncoding(str(exc)) from None


def expect_str(obj: Mapping[str, Any], key: str, *, item: str) -> str:
    value = obj.get(key)
    if not isinstance(value, str):
        raise InvalidEncoding(f"field {key!r} must be a string", item=item)
    return value


def expect_int(obj: Mapping[str, Any], key: str, *, item: str) -> int:
    value = obj.get(key)
    if not isinstance(value, int) or isinstance(value, bool):
        raise InvalidEncoding(f"field {key!r} must be an integer", item=item)
    return value


def expect_list(obj: Mapping[str, Any], key: str, *, item: str) -> list[Any]:
    value = obj.get(key)
    if not isinstance(value, list):
        raise InvalidEncoding(f"field {key!r} must be a list", item=item)
    return value


def expect_object(value: object, *, item: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise InvalidEncoding("expected a JSON object", item=item)
    return value


def expect_keys(obj: Mapping[str, Any], keys: set[str], *, item: str) -> None:
    """Reject missing and unknown fields, so two encodings never mean the same object."""
    found = set(obj)
    if found != keys:
        missing = sorted(keys - found)
        extra = sorted(found - keys)
        raise InvalidEncoding(f"fields missing {missing} / unexpected {extra}", item=item)
