"""The group layer: point and scalar parsing, identity handling, encodings, hashing."""

from __future__ import annotations

import nacl.bindings
import pytest
from hypothesis import given
from hypothesis import strategies as st

from veche.crypto import (
    GENERATOR,
    IDENTITY,
    InvalidEncoding,
    InvalidPoint,
    InvalidScalar,
    L,
    PointSum,
    Scalar,
    base_mul,
    hash_to_scalar,
    parse_point,
    parse_scalar,
)
from veche.crypto.encoding import b64decode, b64encode, canonical_json

scalars = st.integers(min_value=0, max_value=L - 1).map(Scalar.from_int)

# The eight points of small order on Ed25519 (libsodium's blocklist, canonical forms).
SMALL_ORDER = [
    "0100000000000000000000000000000000000000000000000000000000000000",  # identity
    "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",  # order 2
    "0000000000000000000000000000000000000000000000000000000000000000",  # order 4
    "0000000000000000000000000000000000000000000000000000000000000080",  # order 4
    "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05",  # order 8
    "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85",  # order 8
    "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a",  # order 8
    "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa",  # order 8
]


def test_generator_is_the_ed25519_base_point() -> None:
    assert base_mul(Scalar.from_int(1)) == GENERATOR
    assert parse_point(GENERATOR.data) == GENERATOR


@pytest.mark.parametrize("hex_point", SMALL_ORDER)
def test_small_order_points_and_identity_are_rejected(hex_point: str) -> None:
    with pytest.raises(InvalidPoint):
        parse_point(bytes.fromhex(hex_point))
    with pytest.raises(InvalidPoint):
        parse_point(b64encode(bytes.fromhex(hex_point)))


@pytest.mark.parametrize("hex_torsion", SMALL_ORDER[1:])
def test_points_outside_the_prime_order_subgroup_are_rejected(hex_torsion: str) -> None:
    # P + T is on the curve but has a small-order component: not in the subgroup.
    mixed = nacl.bindings.crypto_core_ed25519_add(
        base_mul(Scalar.from_int(7)).data, bytes.fromhex(hex_torsion)
    )
    assert nacl.bindings.crypto_core_ed25519_is_valid_point(mixed) is False
    with pytest.raises(InvalidPoint):
        parse_point(mixed)


def test_non_canonical_encodings_are_rejected() -> None:
    p = 2**255 - 19
    # y = p + 1 is a non-canonical spelling of y = 1 (the identity).
    with pytest.raises(InvalidPoint):
        parse_point((p + 1).to_bytes(32, "little"))
    # y = p + 9 is a non-canonical spelling of y = 9; 9 is the y of a curve point
    # only if sqrt exists; either way it must be rejected.
    with pytest.raises(InvalidPoint):
        parse_point((p + 9).to_bytes(32, "little"))


def test_wrong_lengths_and_types_are_rejected() -> None:
    with pytest.raises(InvalidPoint):
        parse_point(GENERATOR.data[:31])
    with pytest.raises(InvalidPoint):
        parse_point(123)
    with pytest.raises(InvalidEncoding):
        parse_point(b64encode(GENERATOR.data) + "A")


@given(st.binary(min_size=32, max_size=32))
def test_parse_point_accepts_exactly_what_libsodium_calls_valid(data: bytes) -> None:
    valid = nacl.bindings.crypto_core_ed25519_is_valid_point(data)
    try:
        parse_point(data)
    except InvalidPoint:
        assert not valid
    else:
        assert valid


def test_scalars_must_be_reduced() -> None:
    assert parse_scalar((L - 1).to_bytes(32, "little")).to_int() == L - 1
    for bad in (L, L + 1, 2**256 - 1):
        with pytest.raises(InvalidScalar):
            parse_scalar(bad.to_bytes(32, "little"))
    with pytest.raises(InvalidEncoding):
        parse_scalar(b64encode(bytes(31)))


def test_identity_is_handled_without_libsodium_refusing() -> None:
    zero = Scalar.from_int(0)
    assert base_mul(zero) == IDENTITY
    assert GENERATOR * zero == IDENTITY
    assert IDENTITY * Scalar.from_int(5) == IDENTITY
    assert GENERATOR - GENERATOR == IDENTITY
    assert IDENTITY + GENERATOR == GENERATOR
    assert -IDENTITY == IDENTITY


@given(scalars, scalars)
def test_group_laws(a: Scalar, b: Scalar) -> None:
    assert base_mul(a) + base_mul(b) == base_mul(a + b)
    assert base_mul(a) - base_mul(b) == base_mul(a - b)
    p = base_mul(Scalar.from_int(3))
    assert p * a + p * b == p * (a + b)
    assert base_mul(a) * b == base_mul(a * b)
    assert (a * b).to_int() == a.to_int() * b.to_int() % L


@given(st.binary(max_size=100))
def test_base64url_round_trip(data: bytes) -> None:
    text = b64encode(data)
    assert "=" not in text
    assert b64decode(text) == data


@pytest.mark.parametrize("text", ["AB", "AAA=", "A", "a+b/", "AAAA AAAA", "AAAAAAA\n", 5])
def test_base64url_rejects_non_canonical_spellings(text: object) -> None:
    with pytest.raises(InvalidEncoding):
        b64decode(text)


def test_transcript_items_are_length_prefixed() -> None:
    assert hash_to_scalar(["ab", "c"]) != hash_to_scalar(["a", "bc"])
    # Integers are 8-byte big-endian: each proof fixes the type at each position.
    assert hash_to_scalar(["x", 1]) == hash_to_scalar(["x", (1).to_bytes(8, "big")])
    assert hash_to_scalar(["x"]).to_int() < L


def test_canonical_json_sorts_keys_and_refuses_floats() -> None:
    assert canonical_json({"b": 1, "a": ["é", 2]}) == '{"a":["é",2],"b":1}'.encode()
    with pytest.raises(ValueError):
        canonical_json({"a": 1.5})


@pytest.mark.parametrize("in_place", [True, False])
def test_point_sum_matches_chained_additions(
    in_place: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    import veche.crypto.group as group

    if not in_place:
        monkeypatch.setattr(group, "_ffi", None)
    points = [base_mul(Scalar.from_int(k)) for k in (3, 5, 0, 11)]
    total = PointSum()
    total.add_all(p.data for p in points[:2])
    total.add(points[2].data)
    total.add(points[3].data)
    assert total.value() == base_mul(Scalar.from_int(19))
    assert PointSum().value() == IDENTITY
    for bad in (b"short", bytes.fromhex("02" + "00" * 31)):  # too short; y = 2 is off the curve
        with pytest.raises(InvalidPoint):
            PointSum().add(bad)
        with pytest.raises(InvalidPoint):
            PointSum().add_all([GENERATOR.data, bad])
