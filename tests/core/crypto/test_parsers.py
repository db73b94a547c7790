"""Parsers of every wire object, fed arbitrary JSON or a valid object with one value replaced,
only ever raise CryptoError (never KeyError, TypeError, ...), and what parses re-encodes
to exactly its input."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from nacl.public import PrivateKey

from veche.crypto import (
    Ballot,
    BallotSecrets,
    CryptoError,
    Dealing,
    Election,
    ElectionKey,
    PartialDecryption,
    Question,
    Scalar,
    base_mul,
    deal,
    election_key_from_dealings,
    encrypt_ballot,
    open_share,
    parse_point,
    partial_decrypt,
    trustee_secret,
)
from veche.crypto.encoding import b64encode

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=50),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=20,
)

KEY = base_mul(Scalar.from_int(31337))
ELECTION = Election("e", KEY, (Question(3, 1, 2),))
BALLOT, SECRETS = encrypt_ballot(ELECTION, [[1, 0, 1]])
_BOXES = [PrivateKey.generate() for _ in range(2)]
DEALINGS = [deal("e", i, 2, [bytes(b.public_key) for b in _BOXES]) for i in (1, 2)]
ELECTION_KEY = election_key_from_dealings("e", 2, 2, DEALINGS)

_SECRET_1 = trustee_secret([open_share(d, 1, _BOXES[0]) for d in DEALINGS])
PARTIAL = partial_decrypt(ELECTION_KEY, 1, _SECRET_1, list(BALLOT.answers[0].choices[:2]))

PARSERS: dict[str, tuple[Callable[[Any], object], Any]] = {
    "ballot": (Ballot.from_json, BALLOT.to_json()),
    "secrets": (BallotSecrets.from_json, SECRETS.to_json()),
    "election": (Election.from_json, ELECTION.to_json()),
    "dealing": (Dealing.from_json, DEALINGS[0].to_json()),
    "election_key": (ElectionKey.from_json, ELECTION_KEY.to_json()),
    "partial": (PartialDecryption.from_json, PARTIAL.to_json()),
}


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix]
    if isinstance(value, dict):
        for key, inner in value.items():
            out += _paths(inner, (*prefix, key))
    elif isinstance(value, list):
        for i, inner in enumerate(value):
            out += _paths(inner, (*prefix, i))
    return out


def _replace(value: Any, path: tuple[Any, ...], new: Any) -> Any:
    if not path:
        return new
    copy = json.loads(json.dumps(value))
    target = copy
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = new
    return copy


@settings(max_examples=100, deadline=None)
@given(st.sampled_from(sorted(PARSERS)), json_values)
def test_arbitrary_json_is_rejected_cleanly(name: str, value: Any) -> None:
    parse, _ = PARSERS[name]
    try:
        parsed = parse(value)
    except CryptoError:
        return
    assert parsed.to_json() == value  # type: ignore[attr-defined]


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(sorted(PARSERS)), st.data(), json_values)
def test_one_replaced_value_is_rejected_cleanly(name: str, data: st.DataObject, new: Any) -> None:
    parse, valid = PARSERS[name]
    path = data.draw(st.sampled_from(_paths(valid)))
    modified = _replace(valid, path, new)
    try:
        parsed = parse(modified)
    except CryptoError:
        return
    # Whatever parses is exactly what it says: no field dropped, coerced or defaulted.
    assert parsed.to_json() == modified  # type: ignore[attr-defined]


BAD_POINTS = [
    "0100000000000000000000000000000000000000000000000000000000000000",  # identity
    "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",  # order 2
    "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a",  # order 8
    "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",  # y = p + 1
]


POINT_FIELDS = {"alpha", "beta", "public_key", "commitments", "verification_keys", "factors"}


def _point_paths(value: Any) -> list[tuple[Any, ...]]:
    """Paths of the values that are points (by field name; each must parse as a point)."""
    out = []
    for path in _paths(value):
        names = [step for step in path if isinstance(step, str)]
        leaf = value
        for step in path:
            leaf = leaf[step]
        if names and names[-1] in POINT_FIELDS and isinstance(leaf, str):
            parse_point(leaf)
            out.append(path)
    return out


@pytest.mark.parametrize("name", ["ballot", "election", "dealing", "election_key", "partial"])
def test_every_point_field_rejects_identity_small_order_and_non_canonical(name: str) -> None:
    parse, valid = PARSERS[name]
    paths = _point_paths(valid)
    assert paths  # each of these objects carries points
    for path in paths:
        for bad in BAD_POINTS:
            with pytest.raises(CryptoError) as info:
                parse(_replace(valid, path, b64encode(bytes.fromhex(bad))))
            assert info.value.item.endswith(
                "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in path[-1:])
            )
