"""Bundle format v1 without Django: round trips, tampering, truncation, foreign, oversized."""

from __future__ import annotations

import json
import struct
from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from veche.events import Identity, build_event
from veche.sync import bundle as bundle_module
from veche.sync.bundle import MAGIC, read_bundle, write_bundle
from veche.sync.errors import BundleError

NOW = datetime(2020, 8, 16, 12, 0, tzinfo=UTC)
NODE = Identity(b"n" * 32)
MEMBER = Identity(b"m" * 32)
OTHER = Identity(b"o" * 32)
STRANGER = Identity(b"x" * 32)


def _events(count: int) -> list[bytes]:
    create = build_event(
        MEMBER, space=None, seq=1, prev=None, kind="space.create", body={"name": "BMZ"}, at=NOW
    )
    events, prev = [create.raw], None
    for seq in range(1, count):
        event = build_event(
            OTHER,
            space=create.id,
            seq=seq,
            prev=prev,
            kind="space.post",
            body={"text": f"Strike meeting {seq} at the gate"},
            at=NOW,
        )
        prev = event.id
        events.append(event.raw)
    return events


EVENTS = _events(12)
SPACES = ["S" * 42 + "A"]
PRIVATE = write_bundle(
    NODE, EVENTS, spaces=SPACES, recipients=[MEMBER.public, OTHER.public], created=NOW
)
PUBLIC = write_bundle(NODE, EVENTS, spaces=SPACES, public=True, created=NOW)


@pytest.mark.parametrize("reader", [MEMBER, OTHER])
def test_every_recipient_can_read_a_private_bundle(reader: Identity) -> None:
    opened = read_bundle(PRIVATE, [STRANGER, reader])
    assert opened.events == tuple(EVENTS)
    assert opened.node == NODE.public and not opened.public
    assert opened.spaces == tuple(SPACES)


def test_a_private_bundle_names_neither_recipients_nor_spaces_in_clear() -> None:
    assert MEMBER.public.encode() not in PRIVATE
    assert SPACES[0].encode() not in PRIVATE
    assert b"Strike meeting" not in PRIVATE


def test_a_foreign_bundle_is_rejected() -> None:
    with pytest.raises(BundleError) as caught:
        read_bundle(PRIVATE, [STRANGER, NODE])
    assert caught.value.reason == "foreign"


def test_a_public_bundle_is_signed_not_encrypted() -> None:
    opened = read_bundle(PUBLIC)
    assert opened.public and opened.events == tuple(EVENTS)
    assert SPACES[0].encode() in PUBLIC


def test_the_same_events_export_to_the_same_public_bytes() -> None:
    again = write_bundle(NODE, EVENTS, spaces=SPACES, public=True, created=NOW)
    assert again == PUBLIC


def test_a_private_bundle_needs_recipients() -> None:
    with pytest.raises(BundleError) as caught:
        write_bundle(NODE, EVENTS, spaces=SPACES, created=NOW)
    assert caught.value.reason == "no-recipients"


@settings(max_examples=150, deadline=None)
@given(st.data())
def test_any_flipped_byte_is_rejected(data: st.DataObject) -> None:
    original = data.draw(st.sampled_from([PRIVATE, PUBLIC]))
    index = data.draw(st.integers(0, len(original) - 1))
    bit = data.draw(st.integers(0, 7))
    tampered = bytearray(original)
    tampered[index] ^= 1 << bit
    with pytest.raises(BundleError) as caught:
        read_bundle(bytes(tampered), [MEMBER])
    assert caught.value.reason in {
        "tampered", "not-a-bundle", "header", "truncated", "trailing-data", "version",
        "oversized",
    }  # fmt: skip
    assert caught.value.message


@settings(max_examples=100, deadline=None)
@given(st.data())
def test_any_cut_is_rejected_as_truncated(data: st.DataObject) -> None:
    original = data.draw(st.sampled_from([PRIVATE, PUBLIC]))
    length = data.draw(st.integers(0, len(original) - 1))
    with pytest.raises(BundleError) as caught:
        read_bundle(original[:length], [MEMBER])
    assert caught.value.reason in {"truncated", "not-a-bundle"}
    if length >= len(MAGIC):
        assert caught.value.reason == "truncated"


def test_bytes_after_the_signature_are_rejected() -> None:
    with pytest.raises(BundleError) as caught:
        read_bundle(PRIVATE + b"\0", [MEMBER])
    assert caught.value.reason == "trailing-data"


def test_a_file_over_the_size_limit_is_rejected_before_parsing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(bundle_module, "MAX_BUNDLE_BYTES", len(PUBLIC) - 1)
    with pytest.raises(BundleError) as caught:
        read_bundle(PUBLIC)
    assert caught.value.reason == "oversized"


def test_a_compression_bomb_is_stopped_at_the_declared_size() -> None:
    # A validly signed bundle whose payload expands past what its header says:
    # the exporter lies, the reader must not believe it.
    bomb = write_bundle(NODE, EVENTS, spaces=SPACES, public=True, created=NOW)
    head_len = struct.unpack_from(">I", bomb, len(MAGIC))[0]
    header = json.loads(bomb[len(MAGIC) + 4 : len(MAGIC) + 4 + head_len])
    header["raw_bytes"] = 100
    new_head = json.dumps(header, sort_keys=True, separators=(",", ":")).encode()
    body = (
        MAGIC + struct.pack(">I", len(new_head)) + new_head + bomb[len(MAGIC) + 4 + head_len : -64]
    )
    forged = body + NODE.sign(body)
    with pytest.raises(BundleError) as caught:
        read_bundle(forged)
    assert caught.value.reason == "oversized"


def test_not_a_bundle() -> None:
    with pytest.raises(BundleError) as caught:
        read_bundle(b"PK\x03\x04 a zip file, not a bundle at all........")
    assert caught.value.reason == "not-a-bundle"
