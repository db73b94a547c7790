"""An encrypted node's sync key, members' certificates, bundle exports and Django's
secret key: sealed under the database key or kept in the (encrypted) database; older
files keep working and are sealed as they are read; a plain node is as before."""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings

from veche.apps.sync import exports, node
from veche.apps.sync.models import NodeCertificate
from veche.events import Identity
from veche.events.identity import save_identity
from veche.sync.errors import SyncError
from veche.web import settings as node_settings
from veche.web.db import encryption, sealed


@pytest.fixture
def folder(tmp_path: Path) -> Iterator[Path]:
    """A data folder of the test's own, and no node key remembered from another."""
    node._CACHE.clear()
    with override_settings(DATA_DIR=tmp_path):
        yield tmp_path
    node._CACHE.clear()


@pytest.fixture
def database_key() -> Iterator[encryption.DatabaseKey]:
    key = encryption.held()
    if key is not None:  # the sqlcipher pass: the test database's own key
        yield key
        return
    key = encryption.DatabaseKey(secrets.token_bytes(32))
    encryption.hold(key)
    try:
        yield key
    finally:
        encryption.forget()


def test_an_encrypted_nodes_sync_key_is_sealed_under_the_database_key(
    folder: Path, database_key: encryption.DatabaseKey
) -> None:
    identity = node.node_identity()
    stored = (folder / "node-key.json").read_bytes()
    assert sealed.is_sealed(stored) and identity.public.encode() not in stored
    document = json.loads(sealed.read(folder / "node-key.json", "node-key", database_key))
    assert document["public"] == identity.public
    node._CACHE.clear()
    assert node.node_identity().public == identity.public
    # Another node's key opens nothing; the node says its key is locked.
    node._CACHE.clear()
    sealed.write(folder / "node-key.json", b"{}", "node-key", encryption.DatabaseKey(bytes(32)))
    with pytest.raises(SyncError, match="does not open"):
        node.node_identity()


def test_an_older_plain_sync_key_keeps_working_and_is_sealed(
    folder: Path, database_key: encryption.DatabaseKey
) -> None:
    before = Identity.generate()
    from veche.events.encoding import b64e

    plain = {"format": "veche-node-key", "public": before.public, "seed": b64e(before.seed)}
    (folder / "node-key.json").write_text(json.dumps(plain))
    assert node.node_identity().public == before.public
    assert sealed.is_sealed((folder / "node-key.json").read_bytes())
    node._CACHE.clear()
    assert node.node_identity().public == before.public


def test_an_older_passphrase_sealed_sync_key_moves_under_the_database_key(
    folder: Path, database_key: encryption.DatabaseKey, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = Identity.generate()
    save_identity(folder / "node-key.json", before, "node passphrase", "test")
    monkeypatch.delenv("VECHE_NODE_PASSPHRASE", raising=False)
    with pytest.raises(SyncError, match="VECHE_NODE_PASSPHRASE"):
        node.node_identity()
    monkeypatch.setenv("VECHE_NODE_PASSPHRASE", "node passphrase")
    assert node.node_identity().public == before.public
    assert sealed.is_sealed((folder / "node-key.json").read_bytes())
    monkeypatch.delenv("VECHE_NODE_PASSPHRASE")
    node._CACHE.clear()  # no passphrase needed any more: the database key opens it
    assert node.node_identity().public == before.public


def test_a_plain_nodes_sync_key_is_as_before(folder: Path) -> None:
    if encryption.held() is not None:
        pytest.skip("the sqlcipher pass holds a key: this is the plain node's test")
    identity = node.node_identity()
    document = json.loads((folder / "node-key.json").read_text())
    assert document["format"] == "veche-node-key" and document["public"] == identity.public


@pytest.mark.django_db
def test_certificates_are_kept_in_the_database_one_per_member(folder: Path) -> None:
    zubr, sokol = Identity.generate(), Identity.generate()
    node.certify(zubr)
    node.certify(sokol)
    node.certify(zubr)
    assert not (folder / "sync-certificates.json").exists()
    assert NodeCertificate.objects.count() == 2
    assert sorted(c["member"] for c in node.certificates()) == sorted([zubr.public, sokol.public])


@pytest.mark.django_db
def test_an_older_nodes_certificates_file_moves_into_the_database(
    folder: Path, django_capture_on_commit_callbacks: Any
) -> None:
    from importlib import import_module

    from django.apps import apps as django_apps

    migration = import_module("veche.apps.sync.migrations.0004_nodecertificate")
    member = Identity.generate()
    cert = node.certify(member)
    NodeCertificate.objects.all().delete()
    path = folder / "sync-certificates.json"
    path.write_text(json.dumps([cert, {"not": "a certificate"}]))
    with django_capture_on_commit_callbacks(execute=True):
        migration._from_file(django_apps, None)
        assert path.exists()  # until the rows are committed
    assert [c["member"] for c in node.certificates()] == [member.public]
    assert not path.exists()


def test_an_encrypted_nodes_bundle_exports_are_sealed(
    folder: Path, database_key: encryption.DatabaseKey
) -> None:
    data = b"VECHE-BUNDLE-v1\n" + secrets.token_bytes(64)
    name = exports.write_file(data)
    stored = (folder / "exports" / name).read_bytes()
    assert sealed.is_sealed(stored) and data not in stored
    assert exports.read_file(folder / "exports" / name) == data
    assert (folder / "exports" / name).stat().st_mode & 0o777 == 0o600


def test_an_encrypted_nodes_secret_key_is_sealed_and_read_after_unlocking(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(node_settings, "DATA_DIR", tmp_path)
    node_settings._sealed_secret_key.cache_clear()
    held = encryption.held(), encryption.held_wrapping()
    encryption.forget()
    try:
        with pytest.raises(ImproperlyConfigured, match="locked"):
            node_settings._sealed_secret_key()
        key = encryption.DatabaseKey(secrets.token_bytes(32))
        encryption.hold(key)
        made = node_settings._sealed_secret_key()
        assert len(made) > 40
        stored = (tmp_path / "django-secret-key").read_bytes()
        assert sealed.is_sealed(stored) and made.encode() not in stored
        node_settings._sealed_secret_key.cache_clear()
        assert node_settings._sealed_secret_key() == made
        # A plain key from before the node was encrypted: kept (sessions live on), sealed.
        (tmp_path / "django-secret-key").write_text("an older plain key of this node")
        node_settings._sealed_secret_key.cache_clear()
        assert node_settings._sealed_secret_key() == "an older plain key of this node"
        assert sealed.is_sealed((tmp_path / "django-secret-key").read_bytes())
    finally:
        node_settings._sealed_secret_key.cache_clear()
        encryption.forget()
        if held[0] is not None:
            encryption.hold(held[0], held[1])


def test_an_encrypted_nodes_ticket_keys_are_sealed(
    folder: Path, database_key: encryption.DatabaseKey
) -> None:
    from datetime import UTC, datetime, timedelta

    day = datetime(2026, 12, 6, 12, tzinfo=UTC)
    (today,) = node.ticket_keys(day)
    assert len(today) == 32 and node.ticket_keys(day) == (today,)
    stored = (folder / "sync-tickets" / "20261206.key").read_bytes()
    assert sealed.is_sealed(stored) and today not in stored
    assert node.ticket_keys(day + timedelta(days=1))[1] == today  # yesterday's still opens
    assert sorted(p.name for p in (folder / "sync-tickets").iterdir()) == [
        "20261206.key",
        "20261207.key",
    ]
