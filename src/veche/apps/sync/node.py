"""The node's own identity key and the member certificates it syncs under.

The node key lives in ``DATA_DIR/node-key.json``. On an encrypted node (its
database key unlocked) the file is sealed under that key (``veche.web.db.sealed``,
purpose ``node-key``): it opens with the database and is shredded with it. On a
plain node, if ``VECHE_NODE_PASSPHRASE`` is set when the key is created, the seed
is sealed under it (Argon2id + XSalsa20-Poly1305, like members' key files) and the
node needs that passphrase at every start; without it the seed is written in the
clear, readable only by the node's user (mode 0600), so that an unattended node can
restart by itself. An encrypted node still reads a key file of either older kind,
and seals it under the database key as it does. Either way the key alone grants
nothing: a peer serves spaces only under member certificates, and checks the
member's standing each time, so revoking a member's key in the committee also cuts
off every node that member certified.

Certificates (``NodeCertificate`` rows; older nodes kept them in
``DATA_DIR/sync-certificates.json``, moved into the database by a migration) are
made when a member syncs or signs in; they let later background syncs run without
the member's passphrase, for 90 days or until the member is revoked.
"""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import nacl.utils
from django.conf import settings

from veche.apps.sync.models import NodeCertificate
from veche.events import Identity
from veche.events.encoding import b64d, b64e
from veche.events.identity import SealError, save_identity, unseal
from veche.events.secret_file import write_secret_file
from veche.sync.errors import SyncError
from veche.sync.session import check_certificate, make_certificate
from veche.web.db import encryption, sealed

__all__ = [
    "certificates",
    "certify",
    "node_identity",
    "ticket_keys",
]

_CACHE: dict[str, Identity] = {}


def _key_path() -> Path:
    return Path(settings.DATA_DIR) / "node-key.json"


def node_identity() -> Identity:
    """This node's Ed25519 key, created on first use."""
    path = _key_path()
    cached = _CACHE.get(str(path))
    if cached is not None:
        return cached
    database_key = encryption.held()
    passphrase = os.environ.get("VECHE_NODE_PASSPHRASE", "")
    if not path.exists():
        identity = Identity.generate()
        if database_key is not None:
            sealed.create(path, _plain_document(identity), "node-key", database_key)
        elif passphrase:
            save_identity(path, identity, passphrase, settings.VECHE_KDF_PROFILE)
        else:
            write_secret_file(path, _plain_document(identity).decode("utf-8"))
    stored = path.read_bytes()
    try:
        text = sealed.open_bytes(stored, "node-key", database_key, name=str(path))
    except sealed.SealedFileError as error:
        if sealed.is_sealed(stored):
            raise SyncError("node-key-locked", str(error)) from error
        text = stored
    document = json.loads(text)
    if document.get("format") == "veche-identity":
        if not passphrase:
            raise SyncError(
                "node-key-locked",
                f"{path} is sealed: set VECHE_NODE_PASSPHRASE to start this node",
            )
        try:
            identity = Identity(unseal(document.get("sealed"), passphrase))
        except SealError as error:
            raise SyncError("node-key-locked", f"{path}: {error}") from error
        if identity.public != document.get("public"):
            raise SyncError("node-key", f"{path}: the public key does not match the seed")
    else:
        identity = Identity(b64d(document["seed"], 32))
        if identity.public != document.get("public"):
            raise SyncError("node-key", f"{path}: the public key does not match the seed")
    if database_key is not None and not sealed.is_sealed(stored):
        # A key file from before the node was encrypted: sealed under the database key.
        sealed.write(path, _plain_document(identity), "node-key", database_key)
    _CACHE[str(path)] = identity
    return identity


def _plain_document(identity: Identity) -> bytes:
    document = {"format": "veche-node-key", "public": identity.public, "seed": b64e(identity.seed)}
    return (json.dumps(document, indent=2) + "\n").encode("utf-8")


def ticket_keys(now: datetime | None = None) -> tuple[bytes, ...]:
    """Today's ticket key (seals) and yesterday's (still opens), as random files.

    Tickets carry session keys, so the keys that seal them are kept apart from
    the node key and deleted after two days: whoever seizes the node later
    cannot open the sessions of recorded traffic older than that. Each worker
    process finds or creates the day's file (one creator wins). On an encrypted
    node they are sealed under the database key: none opens once it is destroyed.
    """
    moment = now or datetime.now(UTC)
    folder = Path(settings.DATA_DIR) / "sync-tickets"
    folder.mkdir(mode=0o700, exist_ok=True)
    today = moment.strftime("%Y%m%d")
    yesterday = (moment - timedelta(days=1)).strftime("%Y%m%d")
    path = folder / f"{today}.key"
    if not path.exists():
        # One creator wins (a hard link never replaces a file); sealed under the database
        # key on an encrypted node, so recorded traffic stays shut once it is wiped.
        sealed.create(path, nacl.utils.random(32), "sync-ticket")
        for old in folder.glob("*.key"):
            if old.stem not in (today, yesterday):
                old.unlink(missing_ok=True)
    keys = []
    for day in (today, yesterday):
        try:
            key = sealed.read(folder / f"{day}.key", "sync-ticket")
        except FileNotFoundError:
            continue
        except sealed.SealedFileError as error:
            raise SyncError("ticket", str(error)) from error
        if len(key) == 32:
            keys.append(key)
    if not keys:
        raise SyncError("ticket", "cannot read this node's ticket key; try again")
    return tuple(keys)


def certificates(now: datetime | None = None) -> list[dict[str, Any]]:
    """Certificates for this node's key that are still valid."""
    moment = now or datetime.now(UTC)
    node = node_identity().public
    valid = []
    for cert in NodeCertificate.objects.order_by("member").values_list("document", flat=True):
        try:
            check_certificate(cert, node, moment)
        except SyncError:
            continue
        valid.append(cert)
    return valid


def certify(member: Identity, now: datetime | None = None) -> dict[str, Any]:
    """Have ``member`` certify this node's key, and keep the certificate for later syncs
    (one per member: a new one replaces the last)."""
    moment = now or datetime.now(UTC)
    cert = make_certificate(member, node_identity().public, issued=moment)
    NodeCertificate.objects.update_or_create(member=member.public, defaults={"document": cert})
    still_valid = [c.get("member") for c in certificates(moment)]
    NodeCertificate.objects.exclude(member__in=still_valid).delete()  # expired ones
    return cert
