"""Files in an encrypted node's data folder, sealed under keys derived from its database key.

An encrypted node keeps its rows in SQLCipher; the few files it keeps beside the
database (uploaded audit protocols and their reports, members' bundle exports, the
node's sync key, Django's secret key) are sealed with XSalsa20-Poly1305 (libsodium's
``crypto_secretbox``) under a subkey of the database key: BLAKE2b-256 keyed with the
database key over ``veche sealed file v1`` and the file's *purpose* (``audit``,
``export``, ``node-key``, ``secret-key``), so a key for one kind of file opens no other
and none opens the database. Destroying the database key (a wipe, a duress passphrase)
makes these files noise too.

A sealed file is ``MAGIC`` followed by the secretbox (24-byte nonce, 16-byte tag,
ciphertext). A file without ``MAGIC`` is plain: what a plain node writes, and what an
encrypted node reads only where it still accepts files made before it was encrypted
(``read(..., allow_plain=True)``).

No Django here: the command line may use it before Django starts.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import nacl.encoding
import nacl.exceptions
import nacl.hash
import nacl.secret

from veche.events.secret_file import synced_secret_temporary, write_secret_bytes
from veche.web.db.encryption import DatabaseKey, EncryptionError, held

__all__ = [
    "MAGIC",
    "PURPOSES",
    "SealedFileError",
    "create",
    "is_sealed",
    "open_bytes",
    "read",
    "seal",
    "write",
]

MAGIC = b"VECHE-SEALED-1\n"
PURPOSES = ("audit", "export", "node-key", "secret-key", "sync-ticket")
_WORDS = b"veche sealed file v1"


class SealedFileError(EncryptionError):
    """A sealed file cannot be opened: the message names it and says why."""


def subkey(key: DatabaseKey, purpose: str) -> bytes:
    """The 32-byte key that seals files of one ``purpose`` under the database key."""
    if purpose not in PURPOSES:
        raise ValueError(f"unknown sealed-file purpose {purpose!r}")
    message = _WORDS + b"\0" + purpose.encode("ascii")
    return nacl.hash.blake2b(message, key=key.raw, digest_size=32, encoder=nacl.encoding.RawEncoder)


def seal(data: bytes, purpose: str, key: DatabaseKey) -> bytes:
    """``data`` as a sealed file's bytes."""
    box = nacl.secret.SecretBox(subkey(key, purpose))
    return MAGIC + bytes(box.encrypt(data, secrets.token_bytes(nacl.secret.SecretBox.NONCE_SIZE)))


def is_sealed(data: bytes) -> bool:
    return data.startswith(MAGIC)


def open_bytes(data: bytes, purpose: str, key: DatabaseKey | None, *, name: str = "file") -> bytes:
    """The plain bytes of a sealed file's ``data`` (``name`` is for messages only)."""
    if not is_sealed(data):
        raise SealedFileError(f"{name} is not a sealed file")
    if key is None:
        raise SealedFileError(f"{name} is sealed and this node's database key is not unlocked")
    try:
        return bytes(nacl.secret.SecretBox(subkey(key, purpose)).decrypt(data[len(MAGIC) :]))
    except nacl.exceptions.CryptoError as error:
        raise SealedFileError(
            f"{name} does not open with this node's key (altered, or of another node)"
        ) from error


def write(path: Path, data: bytes, purpose: str, key: DatabaseKey | None = None) -> None:
    """Write ``data`` to ``path`` (mode 0600, atomically: a temporary file renamed):
    sealed when this process holds a database key (or ``key`` is given), plain otherwise."""
    key = key if key is not None else held()
    write_secret_bytes(path, seal(data, purpose, key) if key is not None else data)


def create(path: Path, data: bytes, purpose: str, key: DatabaseKey | None = None) -> bool:
    """Like ``write``, but only if there is no file at ``path`` yet (of processes trying
    at once, one wins: a hard link never replaces a file); whether this call made it."""
    key = key if key is not None else held()
    if path.exists():
        return False
    body = seal(data, purpose, key) if key is not None else data
    temporary = synced_secret_temporary(path, body)
    try:
        os.link(temporary, path)
    except FileExistsError:
        return False
    except OSError:  # no hard links on this file system (FAT): an exclusive create
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            return False
        with os.fdopen(fd, "wb") as handle:
            handle.write(body)
            handle.flush()
            os.fsync(handle.fileno())
    finally:
        temporary.unlink(missing_ok=True)
    return True


def read(
    path: Path, purpose: str, key: DatabaseKey | None = None, *, allow_plain: bool = True
) -> bytes:
    """The plain bytes of the file at ``path``: opened if sealed, as is if plain (unless
    ``allow_plain`` is false, where a plain file is refused). Raises ``OSError`` if the
    file cannot be read, ``SealedFileError`` if it cannot be opened."""
    data = path.read_bytes()
    if not is_sealed(data):
        if allow_plain:
            return data
        raise SealedFileError(f"{path} should be sealed but is plain")
    return open_bytes(data, purpose, key if key is not None else held(), name=str(path))
