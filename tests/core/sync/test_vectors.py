"""The implementation reproduces docs/formats/sync-v1-vectors.json (known answers)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from veche.events import Identity, canonical
from veche.events.encoding import b64d
from veche.events.identity import verify_signature
from veche.sync.bundle import read_bundle, write_bundle
from veche.sync.qr import split
from veche.sync.session import (
    ClientHandshake,
    check_certificate,
    finish_handshake,
    make_certificate,
)
from veche.sync.vector import fingerprints_from_ids, vector_from_seqs

VECTORS: dict[str, Any] = json.loads(
    (Path(__file__).parents[3] / "docs/formats/sync-v1-vectors.json").read_text(encoding="utf-8")
)
NOW = datetime(2020, 8, 16, 12, 0, tzinfo=UTC)


def _identity(name: str) -> Identity:
    return Identity(bytes.fromhex(VECTORS["seeds"][name]))


def test_vector_and_fingerprints() -> None:
    rows = [tuple(r) for r in VECTORS["vector"]["rows"]]
    assert vector_from_seqs((s, a, q) for s, a, q, _ in rows) == VECTORS["vector"]["vector"]
    prints = fingerprints_from_ids((s, a, i) for s, a, _, i in rows)
    assert prints == VECTORS["vector"]["fingerprints"]


def test_certificate() -> None:
    cert = VECTORS["certificate"]
    client = _identity("client_node")
    assert make_certificate(_identity("member"), client.public, issued=NOW) == cert
    assert check_certificate(cert, client.public, NOW) == _identity("member").public


def test_handshake_transcript_signatures_and_keys() -> None:
    shake = VECTORS["handshake"]
    client, server = _identity("client_node"), _identity("server_node")
    th = bytes.fromhex(shake["transcript_hash"])
    assert verify_signature(
        server.public, b"veche-sync-v1 server\0" + th, b64d(shake["server_sig"])
    )
    challenge = dict(
        shake["challenge_core"], v=1, type="challenge", sig=shake["server_sig"], ticket="opaque"
    )
    state = ClientHandshake(client, shake["hello"], bytes.fromhex(shake["client_eph_secret"]))
    auth, keys, peer = finish_handshake(state, canonical.encode(challenge), certificates=[])
    assert peer == server.public
    assert keys.hex() == shake["key_c2s"] + shake["key_s2c"]
    assert canonical.decode(auth)["sig"] == shake["client_sig"]


def test_public_bundle_bytes_and_qr_parts() -> None:
    known = VECTORS["public_bundle"]
    data = bytes.fromhex(known["hex"])
    opened = read_bundle(data)
    assert [e.decode() for e in opened.events] == known["events"]
    again = write_bundle(
        _identity("server_node"),
        [e.encode() for e in known["events"]],
        spaces=opened.spaces,
        public=True,
        created=NOW,
    )
    assert again == data
    assert [p.encode().hex() for p in split(data, chunk=known["qr_chunk"])] == known["qr_parts"]


@pytest.mark.parametrize("index", [0, 17, 100, -1])
def test_the_known_bundle_rejects_a_flipped_byte(index: int) -> None:
    data = bytearray.fromhex(VECTORS["public_bundle"]["hex"])
    data[index] ^= 0x40
    with pytest.raises(ValueError, match=r"\["):
        read_bundle(bytes(data))
