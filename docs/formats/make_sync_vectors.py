"""Write sync-v1-vectors.json: known answers for vectors, certificates, the handshake,
bundles and QR parts, from fixed seeds (run from the repository root)."""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import nacl.bindings

from veche.events import Identity, build_event
from veche.events.encoding import b64e
from veche.sync import session
from veche.sync.bundle import write_bundle
from veche.sync.qr import split
from veche.sync.vector import fingerprints_from_ids, vector_from_seqs

NOW = datetime(2020, 8, 16, 12, 0, tzinfo=UTC)


def vectors() -> dict[str, Any]:
    member = Identity(bytes(range(32)))
    client_node = Identity(bytes(range(32, 64)))
    server_node = Identity(bytes(range(64, 96)))
    space = "S" * 42 + "A"
    rows = [
        (space, member.public, 1, "a" * 42 + "A"),
        (space, member.public, 2, "b" * 42 + "A"),
        (space, member.public, 2, "c" * 42 + "A"),
        (space, member.public, 4, "d" * 42 + "A"),
        (space, client_node.public, 1, "e" * 42 + "A"),
    ]
    cert = session.make_certificate(member, client_node.public, issued=NOW)

    # The handshake with fixed ephemeral keys and nonces.
    client_eph_secret, server_eph_secret = bytes([1] * 32), bytes([2] * 32)
    client_eph = nacl.bindings.crypto_scalarmult_base(client_eph_secret)
    server_eph = nacl.bindings.crypto_scalarmult_base(server_eph_secret)
    hello = {
        "v": 1,
        "type": "hello",
        "purpose": session.PURPOSE,
        "url": "http://10.0.0.2:8000/",
        "node": client_node.public,
        "eph": b64e(client_eph),
        "nonce": b64e(bytes([3] * 32)),
    }
    core = {"node": server_node.public, "eph": b64e(server_eph), "nonce": b64e(bytes([4] * 32))}
    th = session._transcript(hello, core)
    shared = nacl.bindings.crypto_scalarmult(client_eph_secret, server_eph)
    c2s, s2c = session._keys(shared, th)

    first = build_event(
        member, space=None, seq=1, prev=None, kind="space.create", body={"name": "BMZ"}, at=NOW
    )
    second = build_event(
        member,
        space=first.id,
        seq=2,
        prev=first.id,
        kind="space.post",
        body={"text": "Забастоўка з панядзелка"},
        at=NOW,
    )
    bundle = write_bundle(
        server_node, [first.raw, second.raw], spaces=[first.id], public=True, created=NOW
    )
    parts = split(bundle, chunk=200)
    return {
        "seeds": {
            "member": member.seed.hex(),
            "client_node": client_node.seed.hex(),
            "server_node": server_node.seed.hex(),
        },
        "vector": {
            "rows": [list(r) for r in rows],
            "vector": vector_from_seqs((s, a, q) for s, a, q, _ in rows),
            "fingerprints": fingerprints_from_ids((s, a, i) for s, a, _, i in rows),
        },
        "certificate": cert,
        "handshake": {
            "hello": hello,
            "challenge_core": core,
            "client_eph_secret": client_eph_secret.hex(),
            "server_eph_secret": server_eph_secret.hex(),
            "transcript_hash": th.hex(),
            "server_sig": b64e(server_node.sign(b"veche-sync-v1 server\0" + th)),
            "client_sig": b64e(client_node.sign(b"veche-sync-v1 client\0" + th)),
            "key_c2s": c2s.hex(),
            "key_s2c": s2c.hex(),
        },
        "public_bundle": {
            "events": [first.raw.decode(), second.raw.decode()],
            "created": "2020-08-16T12:00:00Z",
            "hex": bundle.hex(),
            "qr_chunk": 200,
            "qr_parts": [p.encode().hex() for p in parts],
        },
    }


if __name__ == "__main__":
    target = Path(__file__).with_name("sync-v1-vectors.json")
    target.write_text(json.dumps(vectors(), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {target}", file=sys.stderr)
