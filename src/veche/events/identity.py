"""Identities: Ed25519 signing keys, and secrets sealed under a passphrase.

A member's or node's secret is never written in the clear. ``seal`` derives a
key from the passphrase with Argon2id (libsodium's ``crypto_pwhash``) and
encrypts with XSalsa20-Poly1305 (``secretbox``); the KDF parameters travel with
the sealed blob so that they can be raised later without breaking old files.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nacl.exceptions
import nacl.pwhash
import nacl.secret
import nacl.signing
import nacl.utils

from veche.events.encoding import EncodingError, b64d, b64e
from veche.events.secret_file import write_secret_json

__all__ = [
    "KDF_PROFILES",
    "Identity",
    "SealError",
    "load_identity",
    "save_identity",
    "seal",
    "unseal",
    "verify_signature",
]

# (opslimit, memlimit). "interactive" is libsodium's recommendation for
# sign-in; "sensitive" for files at rest on a laptop that may be seized;
# "test" exists only so the test suite does not spend minutes in Argon2.
KDF_PROFILES: dict[str, tuple[int, int]] = {
    "test": (nacl.pwhash.argon2id.OPSLIMIT_MIN, 8 * 1024 * 1024),
    "interactive": (
        nacl.pwhash.argon2id.OPSLIMIT_INTERACTIVE,
        nacl.pwhash.argon2id.MEMLIMIT_INTERACTIVE,
    ),
    "moderate": (nacl.pwhash.argon2id.OPSLIMIT_MODERATE, nacl.pwhash.argon2id.MEMLIMIT_MODERATE),
    "sensitive": (
        nacl.pwhash.argon2id.OPSLIMIT_SENSITIVE,
        nacl.pwhash.argon2id.MEMLIMIT_SENSITIVE,
    ),
}

_SEAL_VERSION = 1


class SealError(ValueError):
    """A sealed secret could not be opened: wrong passphrase, or damaged data."""


@dataclass(frozen=True, slots=True)
class Identity:
    """An Ed25519 key pair; ``public`` is the base64url public key used as ``author``."""

    seed: bytes

    def __post_init__(self) -> None:
        if len(self.seed) != 32:
            raise ValueError("an Ed25519 seed is 32 bytes")

    @classmethod
    def generate(cls) -> Identity:
        return cls(nacl.utils.random(32))

    @property
    def signing_key(self) -> nacl.signing.SigningKey:
        return nacl.signing.SigningKey(self.seed)

    @property
    def public(self) -> str:
        return b64e(bytes(self.signing_key.verify_key))

    def sign(self, message: bytes) -> bytes:
        return self.signing_key.sign(message).signature

    def __repr__(self) -> str:  # never print the seed
        return f"Identity(public={self.public!r})"


def verify_signature(public: str, message: bytes, signature: bytes) -> bool:
    try:
        key = nacl.signing.VerifyKey(b64d(public, 32))
        key.verify(message, signature)
    except (nacl.exceptions.BadSignatureError, nacl.exceptions.ValueError, EncodingError):
        return False
    return True


def seal(secret: bytes, passphrase: str, profile: str = "interactive") -> dict[str, Any]:
    """Encrypt ``secret`` under a key derived from ``passphrase``; returns a JSON-able dict."""
    if not passphrase:
        raise ValueError("an empty passphrase protects nothing")
    opslimit, memlimit = KDF_PROFILES[profile]
    salt = nacl.utils.random(nacl.pwhash.argon2id.SALTBYTES)
    key = nacl.pwhash.argon2id.kdf(
        nacl.secret.SecretBox.KEY_SIZE, passphrase.encode("utf-8"), salt, opslimit, memlimit
    )
    box = nacl.secret.SecretBox(key).encrypt(secret)
    return {
        "v": _SEAL_VERSION,
        "kdf": "argon2id",
        "opslimit": opslimit,
        "memlimit": memlimit,
        "salt": b64e(salt),
        "box": b64e(bytes(box)),
    }


def unseal(sealed: Any, passphrase: str) -> bytes:
    """Open a blob made by ``seal``; raise SealError on a wrong passphrase or damage."""
    if not isinstance(sealed, dict):
        raise SealError("damaged sealed secret: not a JSON object")
    try:
        if sealed.get("v") != _SEAL_VERSION or sealed.get("kdf") != "argon2id":
            raise SealError("unknown sealed-secret format")
        opslimit, memlimit = sealed["opslimit"], sealed["memlimit"]
        if type(opslimit) is not int or type(memlimit) is not int:
            raise SealError("damaged sealed secret: opslimit and memlimit must be integers")
        if not (1 <= opslimit <= 64 and 8192 <= memlimit <= 4 * 1024**3):
            raise SealError("implausible key-derivation parameters")
        salt = b64d(sealed["salt"], nacl.pwhash.argon2id.SALTBYTES)
        box = b64d(sealed["box"])
    except (KeyError, TypeError, ValueError) as error:
        if isinstance(error, SealError):
            raise
        raise SealError(f"damaged sealed secret: {error}") from error
    key = nacl.pwhash.argon2id.kdf(
        nacl.secret.SecretBox.KEY_SIZE, passphrase.encode("utf-8"), salt, opslimit, memlimit
    )
    try:
        return nacl.secret.SecretBox(key).decrypt(box)
    except nacl.exceptions.CryptoError as error:
        raise SealError("wrong passphrase, or the sealed secret was altered") from error


def save_identity(
    path: Path, identity: Identity, passphrase: str, profile: str = "moderate"
) -> None:
    """Write a key file readable only by its owner; the seed is sealed under the passphrase."""
    document = {
        "format": "veche-identity",
        "public": identity.public,
        "sealed": seal(identity.seed, passphrase, profile),
    }
    write_secret_json(path, document)


def load_identity(path: Path, passphrase: str) -> Identity:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise SealError(f"cannot read key file {path}: {error}") from error
    if not isinstance(document, dict) or document.get("format") != "veche-identity":
        raise SealError(f"{path} is not a Veche key file")
    identity = Identity(unseal(document.get("sealed"), passphrase))
    if identity.public != document.get("public"):
        raise SealError(f"{path}: the public key does not match the sealed secret")
    return identity
