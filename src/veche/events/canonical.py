"""Canonical JSON: the one byte encoding that every signature and id is computed over.

UTF-8, object keys sorted by code point, no insignificant whitespace, integers
only (within ±(2**53 - 1) so that JavaScript reads them exactly), strings
escaped as RFC 8785 does (only ``"``, ``\\`` and control characters), nesting at
most ``MAX_DEPTH`` deep, at most ``MAX_BYTES`` long. ``decode`` accepts exactly
the bytes ``encode`` produces and rejects everything else with a
``CanonicalError`` that says what was wrong.
"""

from __future__ import annotations

import json
from typing import Any, NoReturn

__all__ = ["MAX_BYTES", "MAX_DEPTH", "MAX_INT", "CanonicalError", "decode", "encode"]

MAX_BYTES = 64 * 1024
MAX_DEPTH = 16
MAX_INT = 2**53 - 1
_MAX_INT_DIGITS = len(str(MAX_INT))

_ENCODER = json.JSONEncoder(
    ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False
)


class CanonicalError(ValueError):
    """The input is not canonical JSON (or a value cannot be encoded canonically)."""


def _reject_float(text: str) -> NoReturn:
    raise CanonicalError(f"number {text} is not an integer: floats are not allowed")


def _reject_constant(text: str) -> NoReturn:
    raise CanonicalError(f"{text} is not allowed")


def _parse_int(text: str) -> int:
    # MAX_INT has 16 digits and JSON forbids leading zeros, so anything longer
    # is out of range. Checking the length first also keeps a 60,000-digit
    # number from reaching int(), which would raise a bare ValueError past
    # Python's int_max_str_digits guard instead of a CanonicalError.
    if len(text.lstrip("-")) > _MAX_INT_DIGITS:
        raise CanonicalError(f"integer of {len(text)} characters is outside ±(2**53 - 1)")
    value = int(text)
    if not -MAX_INT <= value <= MAX_INT:
        raise CanonicalError(f"integer {value} is outside ±(2**53 - 1)")
    return value


def _check_depth(value: Any) -> None:
    """Decoded JSON holds only JSON types; what is left to check is the nesting depth.

    Only containers are visited, so this costs a few steps per event, not one
    per scalar as ``_check`` does.
    """
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        current, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise CanonicalError(f"nesting deeper than {MAX_DEPTH} levels")
        children = current.values() if type(current) is dict else current
        for child in children:
            if type(child) in (dict, list):
                stack.append((child, depth + 1))


_DECODER = json.JSONDecoder(
    parse_float=_reject_float, parse_int=_parse_int, parse_constant=_reject_constant
)


def _reject_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise CanonicalError(f"duplicate key {key!r}")
        result[key] = value
    return result


def _check(value: Any, depth: int) -> None:
    """Walk a value: only JSON types, integer range, depth, valid strings."""
    if depth > MAX_DEPTH:
        raise CanonicalError(f"nesting deeper than {MAX_DEPTH} levels")
    kind = type(value)
    if kind is str:
        return
    if kind is int:
        if not -MAX_INT <= value <= MAX_INT:
            raise CanonicalError(f"integer {value} is outside ±(2**53 - 1)")
        return
    if kind is dict:
        for key, item in value.items():
            if type(key) is not str:
                raise CanonicalError(f"object key {key!r} is not a string")
            if type(item) in (dict, list):
                _check(item, depth + 1)
            else:
                _check(item, depth)
        return
    if kind is list:
        for item in value:
            if type(item) in (dict, list):
                _check(item, depth + 1)
            else:
                _check(item, depth)
        return
    if value is None or kind is bool:
        return
    if kind is float:
        raise CanonicalError(f"number {value!r} is not an integer: floats are not allowed")
    raise CanonicalError(f"{kind.__name__} cannot be encoded as canonical JSON")


def encode(value: Any) -> bytes:
    """Encode a JSON-compatible value canonically; raise CanonicalError if it cannot be."""
    _check(value, 1 if isinstance(value, dict | list) else 0)
    try:
        data = _ENCODER.encode(value).encode("utf-8")
    except UnicodeEncodeError as error:
        raise CanonicalError("string contains a lone surrogate (not valid Unicode)") from error
    if len(data) > MAX_BYTES:
        raise CanonicalError(f"encoding is {len(data)} bytes, more than {MAX_BYTES}")
    return data


def decode(data: bytes) -> Any:
    """Parse canonical JSON bytes; anything that is not exactly canonical is rejected."""
    if len(data) > MAX_BYTES:
        raise CanonicalError(f"input is {len(data)} bytes, more than {MAX_BYTES}")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise CanonicalError(f"invalid UTF-8 at byte {error.start}") from error
    try:
        value = _DECODER.decode(text)
    except RecursionError as error:
        raise CanonicalError(f"nesting deeper than {MAX_DEPTH} levels") from error
    except json.JSONDecodeError as error:
        raise CanonicalError(f"not JSON: {error.msg} at byte {error.pos}") from error
    if type(value) in (dict, list):
        _check_depth(value)
    try:
        again = _ENCODER.encode(value).encode("utf-8")
    except UnicodeEncodeError as error:
        raise CanonicalError("string contains a lone surrogate (not valid Unicode)") from error
    if again != data:
        _explain_non_canonical(text)
    return value


def _explain_non_canonical(text: str) -> NoReturn:
    """Slow path, only for rejected input: say why the bytes are not canonical."""
    json.loads(
        text,
        object_pairs_hook=_reject_duplicates,
        parse_float=_reject_float,
        parse_int=_parse_int,
    )
    raise CanonicalError(
        "not canonical: keys must be sorted, without whitespace, with minimal escapes"
    )
