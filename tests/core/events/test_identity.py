"""Identities: Ed25519 known answers, sealed secrets, and key files on disk."""

from __future__ import annotations

import json
import stat
from pathlib import Path
from typing import Any

import nacl.pwhash
import nacl.secret
import pytest

from veche.events.encoding import b64d, b64e
from veche.events.identity import (
    KDF_PROFILES,
    Identity,
    SealError,
    load_identity,
    save_identity,
    seal,
    unseal,
    verify_signature,
)

# RFC 8032, section 7.1, TEST 1 and TEST 2.
RFC8032 = [
    (
        "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
        "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
        "",
        "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e06522490155"
        "5fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b",
    ),
    (
        "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
        "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c",
        "72",
        "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da"
        "085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00",
    ),
]

SECRET = bytes(range(32))


@pytest.mark.parametrize(("seed", "public", "message", "signature"), RFC8032)
def test_ed25519_known_answers(seed: str, public: str, message: str, signature: str) -> None:
    identity = Identity(bytes.fromhex(seed))
    assert b64d(identity.public, 32) == bytes.fromhex(public)
    assert identity.sign(bytes.fromhex(message)) == bytes.fromhex(signature)
    assert verify_signature(identity.public, bytes.fromhex(message), bytes.fromhex(signature))


def test_verify_signature_refuses_tampering_and_junk() -> None:
    identity = Identity.generate()
    signature = identity.sign(b"strike at 7")
    assert verify_signature(identity.public, b"strike at 7", signature)
    assert not verify_signature(identity.public, b"strike at 8", signature)
    flipped = bytes([signature[0] ^ 1]) + signature[1:]
    assert not verify_signature(identity.public, b"strike at 7", flipped)
    assert not verify_signature(Identity.generate().public, b"strike at 7", signature)
    assert not verify_signature("not a key", b"strike at 7", signature)
    assert not verify_signature(identity.public, b"strike at 7", signature[:63])


def test_identity_never_shows_its_seed() -> None:
    identity = Identity(SECRET)
    assert SECRET.hex() not in repr(identity)
    assert identity.public in repr(identity)
    with pytest.raises(ValueError, match="32 bytes"):
        Identity(bytes(31))
    assert Identity.generate().seed != Identity.generate().seed


# -- sealed secrets ---------------------------------------------------------------------------


def test_seal_round_trip() -> None:
    sealed = seal(SECRET, "Жыве Беларусь!", profile="test")
    assert unseal(sealed, "Жыве Беларусь!") == SECRET
    assert SECRET.hex() not in json.dumps(sealed)
    assert b64e(SECRET) not in json.dumps(sealed)


def test_seal_layout() -> None:
    sealed = seal(SECRET, "pass", profile="test")
    assert set(sealed) == {"v", "kdf", "opslimit", "memlimit", "salt", "box"}
    assert sealed["v"] == 1 and sealed["kdf"] == "argon2id"
    assert (sealed["opslimit"], sealed["memlimit"]) == KDF_PROFILES["test"]
    assert len(b64d(sealed["salt"])) == 16
    # nonce (24) + Poly1305 tag (16) + the secret
    assert len(b64d(sealed["box"])) == 24 + 16 + len(SECRET)


def test_seal_uses_fresh_salt_and_nonce() -> None:
    first, second = seal(SECRET, "pass", "test"), seal(SECRET, "pass", "test")
    assert first["salt"] != second["salt"]
    assert first["box"] != second["box"]


def test_unseal_known_answer_built_from_the_documented_layout() -> None:
    # Built with libsodium directly, as an outside implementer following
    # docs/formats/event-v1.md would: key = Argon2id13(passphrase UTF-8, salt),
    # box = nonce || crypto_secretbox_easy(secret, nonce, key).
    salt, nonce = bytes(range(16)), bytes(range(100, 124))
    opslimit, memlimit = 2, 8 * 1024 * 1024
    key = nacl.pwhash.argon2id.kdf(32, "пароль".encode(), salt, opslimit, memlimit)
    box = nacl.secret.SecretBox(key).encrypt(SECRET, nonce)
    sealed = {
        "v": 1,
        "kdf": "argon2id",
        "opslimit": opslimit,
        "memlimit": memlimit,
        "salt": b64e(salt),
        "box": b64e(bytes(box)),
    }
    assert bytes(box)[:24] == nonce
    assert unseal(sealed, "пароль") == SECRET


def test_wrong_passphrase() -> None:
    sealed = seal(SECRET, "correct horse", profile="test")
    with pytest.raises(SealError, match="wrong passphrase"):
        unseal(sealed, "correct hors")
    with pytest.raises(SealError):
        unseal(sealed, "")


def test_every_tampered_byte_of_the_box_is_refused() -> None:
    sealed = seal(SECRET, "pass", profile="test")
    box = b64d(sealed["box"])
    for index in range(len(box)):
        tampered = bytearray(box)
        tampered[index] ^= 0x40
        with pytest.raises(SealError):
            unseal({**sealed, "box": b64e(bytes(tampered))}, "pass")


@pytest.mark.parametrize(
    "change",
    [
        {"salt": b64e(bytes(16))},
        {"opslimit": KDF_PROFILES["test"][0] + 1},
        {"memlimit": 16 * 1024 * 1024},
        {"box": b64e(bytes(30))},
        {"box": ""},
    ],
    ids=["salt", "opslimit", "memlimit", "short box", "empty box"],
)
def test_tampered_parameters_are_refused(change: dict[str, Any]) -> None:
    sealed = seal(SECRET, "pass", profile="test")
    with pytest.raises(SealError):
        unseal({**sealed, **change}, "pass")


@pytest.mark.parametrize(
    "damage",
    [
        {"v": 2},
        {"kdf": "scrypt"},
        {"opslimit": 0},
        {"opslimit": 1000},
        {"memlimit": 1024},
        {"opslimit": "2"},
        {"memlimit": 8388608.0},
        {"opslimit": True},
        {"salt": "!!"},
        {"salt": b64e(bytes(15))},
        {"box": None},
    ],
)
def test_damaged_sealed_secrets_are_seal_errors(damage: dict[str, Any]) -> None:
    sealed = seal(SECRET, "pass", profile="test")
    with pytest.raises(SealError):
        unseal({**sealed, **damage}, "pass")


@pytest.mark.parametrize("sealed", [None, [], "sealed", 5])
def test_a_sealed_secret_that_is_not_an_object_is_a_seal_error(sealed: Any) -> None:
    with pytest.raises(SealError, match="not a JSON object"):
        unseal(sealed, "pass")


def test_missing_sealed_field_is_a_seal_error() -> None:
    sealed = seal(SECRET, "pass", profile="test")
    del sealed["salt"]
    with pytest.raises(SealError, match="damaged"):
        unseal(sealed, "pass")


def test_empty_passphrase_is_refused() -> None:
    with pytest.raises(ValueError, match="empty passphrase"):
        seal(SECRET, "")


# -- key files ------------------------------------------------------------------------------


def test_key_file_round_trip_with_owner_only_permissions(tmp_path: Path) -> None:
    identity = Identity.generate()
    path = tmp_path / "keys" / "member.json"
    save_identity(path, identity, "Пароль 🔑", profile="test")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert not path.with_name("member.json.tmp").exists()
    loaded = load_identity(path, "Пароль 🔑")
    assert loaded == identity
    document = json.loads(path.read_text(encoding="utf-8"))
    assert set(document) == {"format", "public", "sealed"}
    assert document["format"] == "veche-identity"
    assert document["public"] == identity.public
    assert identity.seed.hex() not in path.read_text(encoding="utf-8")
    assert b64e(identity.seed) not in path.read_text(encoding="utf-8")


def test_key_file_is_owner_only_even_over_a_stale_temporary_file(tmp_path: Path) -> None:
    path = tmp_path / "node.json"
    stale = tmp_path / "node.json.tmp"
    stale.write_text("left over from a crash")
    stale.chmod(0o644)
    save_identity(path, Identity.generate(), "pass", profile="test")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_key_file_overwrite_replaces_the_key(tmp_path: Path) -> None:
    path = tmp_path / "node.json"
    first, second = Identity.generate(), Identity.generate()
    save_identity(path, first, "one", profile="test")
    save_identity(path, second, "two", profile="test")
    assert load_identity(path, "two") == second
    with pytest.raises(SealError):
        load_identity(path, "one")


def test_key_file_wrong_passphrase(tmp_path: Path) -> None:
    path = tmp_path / "k.json"
    save_identity(path, Identity.generate(), "right", profile="test")
    with pytest.raises(SealError, match="wrong passphrase"):
        load_identity(path, "wrong")


def test_key_file_with_another_public_key_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "k.json"
    save_identity(path, Identity.generate(), "pass", profile="test")
    document = json.loads(path.read_text(encoding="utf-8"))
    document["public"] = Identity.generate().public
    path.write_text(json.dumps(document), encoding="utf-8")
    with pytest.raises(SealError, match="does not match"):
        load_identity(path, "pass")


@pytest.mark.parametrize(
    "content",
    [
        "",
        "not json",
        "[]",
        '{"format": "something-else"}',
        '{"format": "veche-identity", "public": "x"}',
        '{"format": "veche-identity", "public": "x", "sealed": []}',
    ],
    ids=["empty", "not json", "list", "other format", "no sealed", "sealed list"],
)
def test_broken_key_files_are_seal_errors(tmp_path: Path, content: str) -> None:
    path = tmp_path / "k.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(SealError):
        load_identity(path, "pass")


def test_missing_key_file_is_a_seal_error(tmp_path: Path) -> None:
    with pytest.raises(SealError, match="cannot read"):
        load_identity(tmp_path / "absent.json", "pass")
