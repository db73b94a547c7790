"""The node's own identity key and the member certificates it syncs under.

The node key lives in ``DATA_DIR/node-key.json``. If ``VECHE_NODE_PASSPHRASE``
is set when the key is created, the seed is sealed under it (Argon2id +
XSalsa20-Poly1305, like members' key files) and the node needs that
passphrase at every start: use this on a laptop that may be seized. Without it
the seed is written in the clear, readable only by the node's user (mode
0600), so that an unattended node can restart by itself. Either way the key
alone grants nothing: a peer serves spaces only under member certificates,
and checks the member's standing each time, so revoking a member's key in the
committee also cuts off every node that member certified.

Certificates (``DATA_DIR/sync-certificates.json``) are made when a member
syncs or signs in; they let later background syncs run without the member's
passphrase, for 90 days or until the member is revoked.
"""

from __future__ import annotations

import hashlib
import json
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from django.conf import settings

from veche.events import Identity
from veche.events.encoding import b64d, b64e
from veche.events.identity import load_identity, save_identity
from veche.sync.errors import SyncError
from veche.sync.session import check_certificate, make_certificate

__all__ = [
    "certificates",
    "certify",
    "node_identity",
    "ticket_key",
]

_CACHE: dict[str, Identity] = {}


def _key_path() -> Path:
    return Path(settings.DATA_DIR) / "node-key.json"


def _write_private(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(fd, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.replace(tmp, path)


def node_identity() -> Identity:
    """This node's Ed25519 key, created on first use."""
    path = _key_path()
    cached = _CACHE.get(str(path))
    if cached is not None:
        return cached
    passphrase = os.environ.get("VECHE_NODE_PASSPHRASE", "")
    if not path.exists():
        identity = Identity.generate()
        if passphrase:
            save_identity(path, identity, passphrase, settings.VECHE_KDF_PROFILE)
        else:
            document = {
                "format": "veche-node-key",
                "public": identity.public,
                "seed": b64e(identity.seed),
            }
            _write_private(path, json.dumps(document, indent=2) + "\n")
    document = json.loads(path.read_text(encoding="utf-8"))
    if document.get("format") == "veche-identity":
        if not passphrase:
            raise SyncError(
                "node-key-locked",
                f"{path} is sealed: set VECHE_NODE_PASSPHRASE to start this node",
            )
        identity = load_identity(path, passphrase)
    else:
        identity = Identity(b64d(document["seed"], 32))
        if identity.public != document.get("public"):
            raise SyncError("node-key", f"{path}: the public key does not match the seed")
    _CACHE[str(path)] = identity
    return identity


def ticket_key() -> bytes:
    """The key that seals handshake and session tickets; every worker derives the same one."""
    return hashlib.blake2b(node_identity().seed, digest_size=32, person=b"veche-ticket-k1").digest()


def _certs_path() -> Path:
    return Path(settings.DATA_DIR) / "sync-certificates.json"


def certificates(now: datetime | None = None) -> list[dict[str, Any]]:
    """Certificates for this node's key that are still valid."""
    path = _certs_path()
    if not path.exists():
        return []
    try:
        stored = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    moment = now or datetime.now(UTC)
    node = node_identity().public
    valid = []
    for cert in stored if isinstance(stored, list) else []:
        try:
            check_certificate(cert, node, moment)
        except SyncError:
            continue
        valid.append(cert)
    return valid


def certify(member: Identity, now: datetime | None = None) -> dict[str, Any]:
    """Have ``member`` certify this node's key, and keep the certificate for later syncs."""
    moment = now or datetime.now(UTC)
    cert = make_certificate(member, node_identity().public, issued=moment)
    kept = [c for c in certificates(moment) if c.get("member") != member.public]
    kept.append(cert)
    _write_private(_certs_path(), json.dumps(kept, indent=2, sort_keys=True) + "\n")
    return cert
