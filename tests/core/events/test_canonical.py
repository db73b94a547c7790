"""Canonical JSON: round trips, and every other serialization of a value is refused."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import assume, example, given
from hypothesis import strategies as st

from veche.events import canonical
from veche.events.canonical import MAX_BYTES, MAX_DEPTH, MAX_INT, CanonicalError
from veche.events.encoding import EncodingError, b64d, b64e, is_b64_of_length

scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-MAX_INT, max_value=MAX_INT)
    | st.text()  # hypothesis leaves out surrogates by default: these are valid Unicode
)
json_values = st.recursive(
    scalars,
    lambda children: (
        st.lists(children, max_size=5) | st.dictionaries(st.text(), children, max_size=5)
    ),
    max_leaves=25,
)


def depth(value: Any) -> int:
    if isinstance(value, dict):
        return 1 + max((depth(v) for v in value.values()), default=0)
    if isinstance(value, list):
        return 1 + max((depth(v) for v in value), default=0)
    return 0


@given(json_values)
def test_decode_inverts_encode(value: Any) -> None:
    assume(depth(value) <= MAX_DEPTH)
    data = canonical.encode(value)
    assert canonical.decode(data) == value
    # == lets True equal 1; the bytes pin the types too.
    assert canonical.encode(canonical.decode(data)) == data


@given(json_values)
def test_encoding_is_the_one_python_json_gives_with_sorted_keys_and_no_spaces(value: Any) -> None:
    assume(depth(value) <= MAX_DEPTH)
    expected = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    assert canonical.encode(value) == expected.encode("utf-8")


@given(json_values, st.sampled_from(["indent", "unsorted", "ascii", "spaces", "reversed"]))
def test_every_other_serialization_is_rejected(value: Any, style: str) -> None:
    assume(depth(value) <= MAX_DEPTH)
    if style == "indent":
        text = json.dumps(value, ensure_ascii=False, indent=1)
    elif style == "unsorted":
        text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    elif style == "ascii":
        text = json.dumps(value, ensure_ascii=True, sort_keys=True, separators=(",", ":"))
    elif style == "spaces":
        text = json.dumps(value, ensure_ascii=False, sort_keys=True)
    else:
        text = json.dumps(reverse_keys(value), ensure_ascii=False, separators=(",", ":"))
    data = text.encode("utf-8")
    if data == canonical.encode(value):
        assert canonical.decode(data) == value
    else:
        with pytest.raises(CanonicalError):
            canonical.decode(data)


def reverse_keys(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: reverse_keys(value[k]) for k in sorted(value, reverse=True)}
    if isinstance(value, list):
        return [reverse_keys(v) for v in value]
    return value


@given(st.binary(max_size=200))
@example(b"7" * 5000)
@example(b"[" * 5000)
@example(b'"\\ud800"')
def test_arbitrary_bytes_are_canonical_or_refused_with_canonical_error(data: bytes) -> None:
    try:
        value = canonical.decode(data)
    except CanonicalError:
        return
    assert canonical.encode(value) == data


@given(json_values, st.data())
def test_a_changed_byte_is_refused_or_is_again_canonical(value: Any, data: st.DataObject) -> None:
    assume(depth(value) <= MAX_DEPTH)
    encoded = bytearray(canonical.encode(value))
    assume(encoded)
    index = data.draw(st.integers(0, len(encoded) - 1))
    encoded[index] ^= data.draw(st.integers(1, 255))
    try:
        decoded = canonical.decode(bytes(encoded))
    except CanonicalError:
        return
    assert canonical.encode(decoded) == bytes(encoded)


def test_keys_sort_by_code_point_not_utf16() -> None:
    # U+FF01 is one UTF-16 unit 0xFF01; U+1F600 is 0xD83D 0xDE00. Code point
    # order puts U+FF01 first; RFC 8785's UTF-16 order would not.
    assert canonical.encode({"😀": 1, "！": 2}) == '{"！":2,"😀":1}'.encode()
    with pytest.raises(CanonicalError, match="sorted"):
        canonical.decode('{"😀":1,"！":2}'.encode())


@pytest.mark.parametrize(
    ("value", "text"),
    [
        ("\x00", '"\\u0000"'),
        ("\x1f", '"\\u001f"'),
        ("\n", '"\\n"'),
        ("\b\f\r\t", '"\\b\\f\\r\\t"'),
        ('"\\', '"\\"\\\\"'),
        ("\x7f/\u2028ж😀", '"\x7f/\u2028ж😀"'),
    ],
)
def test_string_escapes(value: str, text: str) -> None:
    assert canonical.encode(value) == text.encode("utf-8")
    assert canonical.decode(text.encode("utf-8")) == value


def test_integer_limits() -> None:
    assert canonical.decode(b"9007199254740991") == MAX_INT
    assert canonical.decode(b"-9007199254740991") == -MAX_INT
    for bad in (MAX_INT + 1, -MAX_INT - 1, 10**100):
        with pytest.raises(CanonicalError, match="outside"):
            canonical.encode(bad)
        with pytest.raises(CanonicalError, match="outside"):
            canonical.decode(str(bad).encode())


def test_an_integer_too_long_for_python_is_a_canonical_error() -> None:
    # Python refuses int() of more than 4300 digits with a bare ValueError;
    # the parser must still answer with its own error (regression).
    for text in (b"9" * 4301, b"-" + b"1" * 60000, b'{"n":' + b"5" * 5000 + b"}"):
        with pytest.raises(CanonicalError, match="outside"):
            canonical.decode(text)


def test_nesting_limit() -> None:
    assert canonical.decode(b"[" * MAX_DEPTH + b"]" * MAX_DEPTH)
    with pytest.raises(CanonicalError, match="nesting"):
        canonical.decode(b"[" * (MAX_DEPTH + 1) + b"]" * (MAX_DEPTH + 1))
    # Far past Python's recursion limit: still a CanonicalError, not a crash.
    with pytest.raises(CanonicalError, match="nesting"):
        canonical.decode(b"[" * 30000 + b"]" * 30000)
    # Objects and lists count alike; scalars do not add a level.
    value: Any = 1
    for level in range(MAX_DEPTH):
        value = {"k": value} if level % 2 else [value]
    assert canonical.decode(canonical.encode(value)) == value
    with pytest.raises(CanonicalError, match="nesting"):
        canonical.encode([value])


def test_size_limit() -> None:
    at_limit = b'"' + b"x" * (MAX_BYTES - 2) + b'"'
    assert len(canonical.encode(canonical.decode(at_limit))) == MAX_BYTES
    with pytest.raises(CanonicalError, match="more than"):
        canonical.decode(b'"' + b"x" * (MAX_BYTES - 1) + b'"')
    with pytest.raises(CanonicalError, match="more than"):
        canonical.encode("x" * (MAX_BYTES - 1))
    # Size counts UTF-8 bytes, not characters.
    with pytest.raises(CanonicalError, match="more than"):
        canonical.encode("ж" * (MAX_BYTES // 2))


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"1.0", "floats"),
        (b"1E2", "floats"),
        (b'{"a":1,"a":2}', "duplicate key 'a'"),
        (b"NaN", "not allowed"),
        (b"-Infinity", "not allowed"),
        (b'"\xff"', "invalid UTF-8 at byte 1"),
        (b'"\\udfff"', "surrogate"),
        (b"[1,2", "not JSON"),
        (b'{"b":1,"a":1}', "not canonical"),
    ],
)
def test_rejections_say_what_was_wrong(data: bytes, message: str) -> None:
    with pytest.raises(CanonicalError, match=message):
        canonical.decode(data)


@pytest.mark.parametrize(
    "value",
    [1.0, float("nan"), (1, 2), {1: "a"}, {"a": b"bytes"}, "\ud800", {"\udc00": 1}, object()],
)
def test_values_json_cannot_hold_canonically_are_refused(value: Any) -> None:
    with pytest.raises(CanonicalError):
        canonical.encode(value)


# -- base64url ----------------------------------------------------------------------------


@given(st.binary(max_size=100))
def test_base64url_round_trip(data: bytes) -> None:
    text = b64e(data)
    assert "=" not in text and "+" not in text and "/" not in text
    assert b64d(text) == data
    assert is_b64_of_length(text, len(data))


@pytest.mark.parametrize(
    "text",
    ["AB=", "A", "AB+/", "AB C", "AC", "AAB", "ÄA", "AA\n"],
)
def test_base64url_rejects_padding_alphabet_and_stray_bits(text: str) -> None:
    # "AC" and "AAB" decode, but their last character carries bits that a
    # canonical encoder leaves zero: two texts for one byte string.
    with pytest.raises(EncodingError):
        b64d(text)


def test_base64url_length_is_checked() -> None:
    with pytest.raises(EncodingError, match="expected 32"):
        b64d(b64e(bytes(31)), 32)
    assert not is_b64_of_length(b64e(bytes(31)), 32)
    assert not is_b64_of_length(None, 32)
