"""The v1 envelope: building, the id and signature, every field check, and tampering."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import nacl.signing
import pytest
from hypothesis import given
from hypothesis import strategies as st

from veche.events import canonical
from veche.events.encoding import b64d, b64e
from veche.events.envelope import (
    CREATE_KIND,
    MAX_DEPS,
    Event,
    EventError,
    build_event,
    event_id,
    format_time,
    parse_event,
)
from veche.events.identity import Identity

FOUNDER = Identity(hashlib.blake2b(b"test founder", digest_size=32).digest())
MEMBER = Identity(hashlib.blake2b(b"test member", digest_size=32).digest())
AT = "2020-08-16T14:00:00Z"


def make_create(body: dict[str, Any] | None = None) -> Event:
    return build_event(
        FOUNDER,
        space=None,
        seq=1,
        prev=None,
        kind=CREATE_KIND,
        at=AT,
        body=body if body is not None else {"name": "Стачком Гродна Азот"},
    )


CREATE = make_create()
SECOND = build_event(
    FOUNDER,
    space=CREATE.id,
    seq=2,
    prev=CREATE.id,
    kind="space.post",
    at=AT,
    body={"text": "Ідзём на плошчу 🇧🇾", "nested": {"list": [1, -2, None, True]}},
)


def sign_document(document: dict[str, Any], identity: Identity = FOUNDER) -> bytes:
    unsigned = {k: v for k, v in document.items() if k != "sig"}
    signature = b64e(identity.sign(canonical.encode(unsigned)))
    return canonical.encode({**unsigned, "sig": signature})


def changed(**values: Any) -> bytes:
    document = json.loads(json.dumps(SECOND.as_dict()))
    document.update(values)
    return sign_document(document)


def error_of(data: bytes) -> tuple[str, str]:
    with pytest.raises(EventError) as caught:
        parse_event(data)
    return caught.value.field, caught.value.rule


# -- building, id, signature --------------------------------------------------------------


def test_built_event_parses_back_to_itself() -> None:
    again = parse_event(SECOND.raw)
    assert again == SECOND
    assert again.id == SECOND.id
    assert again.raw == canonical.encode(SECOND.as_dict())


def test_id_is_blake2b_256_of_the_signed_bytes() -> None:
    digest = hashlib.blake2b(SECOND.raw, digest_size=32).digest()
    assert SECOND.id == b64e(digest) == event_id(SECOND.raw)
    assert len(SECOND.id) == 43


def test_signature_is_ed25519_over_the_encoding_without_sig() -> None:
    unsigned = canonical.encode({k: v for k, v in SECOND.as_dict().items() if k != "sig"})
    verify_key = nacl.signing.VerifyKey(b64d(SECOND.author, 32))
    assert verify_key.verify(unsigned, b64d(SECOND.sig, 64)) == unsigned
    assert b"sig" not in unsigned.replace(b'"text"', b"")
    # Deterministic: the same key and message give the same signature.
    assert FOUNDER.sign(unsigned) == b64d(SECOND.sig, 64)


def test_space_create_is_its_own_space() -> None:
    assert CREATE.space is None
    assert CREATE.space_id == CREATE.id
    assert SECOND.space_id == CREATE.id


def test_build_sorts_and_deduplicates_deps() -> None:
    ids = sorted([CREATE.id, SECOND.id])
    event = build_event(
        MEMBER,
        space=CREATE.id,
        seq=1,
        prev=None,
        kind="member.join",
        body={},
        deps=[ids[1], ids[0], ids[1]],
        at=AT,
    )
    assert event.deps == tuple(ids)


def test_build_checks_like_a_receiver() -> None:
    with pytest.raises(EventError) as caught:
        build_event(FOUNDER, space=CREATE.id, seq=1, prev=CREATE.id, kind="x.y", body={}, at=AT)
    assert (caught.value.field, caught.value.rule) == ("prev", "chain")
    with pytest.raises(EventError) as caught:
        build_event(FOUNDER, space=CREATE.id, seq=3, prev=SECOND.id, kind="X", body={}, at=AT)
    assert caught.value.rule == "kind-format"


def test_time_is_utc_without_fractions() -> None:
    minsk = timezone(timedelta(hours=3))
    moment = datetime(2020, 8, 9, 23, 30, 15, 999999, tzinfo=minsk)
    assert format_time(moment) == "2020-08-09T20:30:15Z"
    with pytest.raises(ValueError, match="naive"):
        format_time(datetime(2020, 8, 9))  # noqa: DTZ001 (the point of the test)
    event = build_event(FOUNDER, space=None, seq=1, prev=None, kind=CREATE_KIND, body={}, at=moment)
    assert event.at == "2020-08-09T20:30:15Z"
    assert event.at_datetime == datetime(2020, 8, 9, 20, 30, 15, tzinfo=UTC)
    now = build_event(FOUNDER, space=None, seq=1, prev=None, kind=CREATE_KIND, body={})
    assert abs(now.at_datetime - datetime.now(UTC)) < timedelta(minutes=1)


def test_event_repr_and_equality_ignore_raw() -> None:
    assert "raw" not in repr(SECOND)
    assert SECOND != CREATE


# -- field checks, in the order the spec gives --------------------------------------------


@pytest.mark.parametrize(
    ("values", "field", "rule"),
    [
        ({"v": 2}, "v", "version"),
        ({"v": True}, "v", "version"),
        ({"v": "1"}, "v", "version"),
        ({"space": "x"}, "space", "id-format"),
        ({"space": 5}, "space", "id-format"),
        ({"space": CREATE.id[:-1] + "B"}, "space", "id-format"),  # stray bits
        ({"author": None}, "author", "key-format"),
        ({"author": "A" * 44}, "author", "key-format"),
        ({"author": FOUNDER.public.replace(FOUNDER.public[0], "+")}, "author", "key-format"),
        ({"seq": 0}, "seq", "positive"),
        ({"seq": -5}, "seq", "positive"),
        ({"seq": None}, "seq", "positive"),
        ({"seq": False}, "seq", "positive"),
        ({"prev": None}, "prev", "chain"),
        ({"seq": 1}, "prev", "chain"),
        ({"prev": "A" * 42}, "prev", "id-format"),
        ({"deps": {}}, "deps", "list"),
        ({"deps": [CREATE.id] * (MAX_DEPS + 1)}, "deps", "max-length"),
        ({"deps": [5]}, "deps[0]", "id-format"),
        ({"deps": [CREATE.id, CREATE.id]}, "deps", "sorted"),
        ({"deps": sorted([CREATE.id, SECOND.id], reverse=True)}, "deps", "sorted"),
        ({"kind": "space"}, "kind", "kind-format"),
        ({"kind": "space.Post"}, "kind", "kind-format"),
        ({"kind": "space.post."}, "kind", "kind-format"),
        ({"kind": "1space.post"}, "kind", "kind-format"),
        ({"kind": "a" * 33 + ".post"}, "kind", "kind-format"),
        ({"kind": None}, "kind", "kind-format"),
        ({"space": None}, "space", "create"),
        ({"space": None, "kind": CREATE_KIND}, "seq", "create"),
        ({"at": "2020-08-16T14:00:00"}, "at", "time-format"),
        ({"at": "2020-13-01T00:00:00Z"}, "at", "time-format"),
        ({"at": "2021-02-29T00:00:00Z"}, "at", "time-format"),
        ({"at": "2020-08-16T14:00:00\nZ"}, "at", "time-format"),
        ({"at": "２０２０-08-16T14:00:00Z"}, "at", "time-format"),  # fullwidth digits
        ({"at": "٢٠٢٠-08-16T14:00:00Z"}, "at", "time-format"),  # regression: \\d matched these
        ({"body": None}, "body", "object"),
        ({"body": [1]}, "body", "object"),
    ],
)
def test_field_checks(values: dict[str, Any], field: str, rule: str) -> None:
    assert error_of(changed(**values)) == (field, rule)


def test_leap_day_and_extremes_of_time_are_accepted() -> None:
    for at in ("2020-02-29T23:59:59Z", "0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z"):
        assert parse_event(changed(at=at)).at == at


def test_space_create_may_not_name_a_space() -> None:
    document = CREATE.as_dict()
    document["space"] = SECOND.id
    assert error_of(sign_document(document)) == ("space", "create")


def test_missing_and_unknown_fields_are_named() -> None:
    document = SECOND.as_dict()
    del document["deps"]
    document["id"] = SECOND.id
    with pytest.raises(EventError) as caught:
        parse_event(sign_document(document))
    assert (caught.value.field, caught.value.rule) == ("envelope", "fields")
    assert "missing deps" in str(caught.value) and "unknown id" in str(caught.value)


def test_not_an_object_and_not_json() -> None:
    assert error_of(b"[]") == ("envelope", "object")
    assert error_of(b"null") == ("envelope", "object")
    assert error_of(b"{") == ("envelope", "canonical-json")
    assert error_of(SECOND.raw + b" ") == ("envelope", "canonical-json")


def test_deps_at_the_limit_are_accepted() -> None:
    deps = sorted(b64e(hashlib.blake2b(bytes([i]), digest_size=32).digest()) for i in range(64))
    assert parse_event(changed(deps=deps)).deps == tuple(deps)


def test_signature_checks() -> None:
    # Signed by someone else.
    assert error_of(sign_document(SECOND.as_dict(), MEMBER)) == ("sig", "signature")
    # Same signature, another author.
    document = SECOND.as_dict()
    document["author"] = MEMBER.public
    assert error_of(canonical.encode(document)) == ("sig", "signature")
    # Malformed signatures are a format error, not a failed verification.
    for bad in (SECOND.sig[:-1], SECOND.sig + "A", None, SECOND.sig[:-1] + "B"):
        document = SECOND.as_dict()
        document["sig"] = bad
        assert error_of(canonical.encode(document)) == ("sig", "sig-format")


def test_verify_false_skips_only_the_signature() -> None:
    document = SECOND.as_dict()
    document["sig"] = b64e(bytes(64))
    data = canonical.encode(document)
    assert error_of(data) == ("sig", "signature")
    assert parse_event(data, verify=False).id == event_id(data)
    document["seq"] = 0
    with pytest.raises(EventError):
        parse_event(canonical.encode(document), verify=False)


def test_sig_lookalike_inside_the_body_does_not_confuse_verification() -> None:
    trap = f',"sig":"{SECOND.sig}"'
    event = build_event(
        FOUNDER,
        space=CREATE.id,
        seq=2,
        prev=CREATE.id,
        kind="space.post",
        at=AT,
        body={"text": trap, "zzz": {"sig": SECOND.sig}},
    )
    assert parse_event(event.raw).body["text"] == trap


# -- tampering ----------------------------------------------------------------------------


@pytest.mark.parametrize("event", [CREATE, SECOND], ids=["create", "post"])
def test_every_single_byte_flip_is_refused(event: Event) -> None:
    for index in range(len(event.raw)):
        for mask in (0x01, 0x20, 0x80):
            data = bytearray(event.raw)
            data[index] ^= mask
            with pytest.raises(EventError):
                parse_event(bytes(data))


@given(st.data())
def test_random_byte_changes_never_yield_the_same_event(data: st.DataObject) -> None:
    raw = bytearray(SECOND.raw)
    index = data.draw(st.integers(0, len(raw) - 1))
    raw[index] = data.draw(st.integers(0, 255).filter(lambda b: b != SECOND.raw[index]))
    try:
        event = parse_event(bytes(raw))
    except EventError:
        return
    # Only reachable if the change kept a valid signature: it must not pass as SECOND.
    assert event.id != SECOND.id


@given(
    st.dictionaries(
        st.text(min_size=1, max_size=8),
        st.none() | st.booleans() | st.integers(-(2**53) + 1, 2**53 - 1) | st.text(max_size=20),
        max_size=6,
    )
)
def test_any_body_round_trips(body: dict[str, Any]) -> None:
    event = build_event(
        MEMBER, space=CREATE.id, seq=1, prev=None, kind="space.post", at=AT, body=body
    )
    again = parse_event(event.raw)
    assert again.body == body
    assert again.id == event.id


# -- Ed25519 strictness the spec promises (section 4, check 20) ---------------------------

L = 2**252 + 27742317777372353535851937790883648493


def test_malleated_signature_s_plus_l_is_refused() -> None:
    # [S+L]B == [S]B, so a lax verifier accepts both: a second valid byte
    # string (and id) for one event. libsodium refuses S >= L.
    signature = b64d(SECOND.sig, 64)
    s = int.from_bytes(signature[32:], "little")
    malleated = signature[:32] + (s + L).to_bytes(32, "little")
    document = SECOND.as_dict()
    document["sig"] = b64e(malleated)
    assert error_of(canonical.encode(document)) == ("sig", "signature")


def test_small_order_author_key_is_refused() -> None:
    identity_point = bytes([1]) + bytes(31)  # the neutral element: every "signature" fits
    document = SECOND.as_dict()
    document["author"] = b64e(identity_point)
    document["sig"] = b64e(identity_point + bytes(32))  # R = neutral, S = 0
    assert error_of(canonical.encode(document)) == ("sig", "signature")
