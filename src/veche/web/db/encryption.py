"""The key of an encrypted node's database: made, checked, and held in memory.

An encrypted node keeps ``DATA_DIR/encryption.json``, a small plain header that
says how to get the database key and lets the node recognise it, but never holds
it: the key is derived from the node passphrase with Argon2id (salt and cost in
the header), or read from a key file that may live on a removable stick. The
header's check value (keyed BLAKE2b over fixed words) tells a wrong passphrase
from a damaged database. The key, once unlocked, is held in this process's memory
for the SQLCipher backend (``veche.web.db.sqlcipher``) and handed to a child
process through a pipe, never through its environment or command line.

No Django here: the command line uses it before Django starts (docs/node.md,
"Encryption at rest").
"""

from __future__ import annotations

import json
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import nacl.encoding
import nacl.hash
import nacl.pwhash

from veche.events.encoding import EncodingError, b64d, b64e
from veche.events.identity import KDF_PROFILES
from veche.events.secret_file import write_secret_file, write_secret_json

__all__ = [
    "HEADER_NAME",
    "DatabaseKey",
    "EncryptionError",
    "WrongKey",
    "create_with_key_file",
    "create_with_passphrase",
    "forget",
    "held",
    "hold",
    "is_encrypted",
    "key_from_fd",
    "key_to_pipe",
    "read_header",
    "unlock",
]

HEADER_NAME = "encryption.json"
FORMAT = "veche-database-encryption"
KEY_BYTES = 32
_CHECK_WORDS = b"veche database key check v1"
_CHECK_BYTES = 16
_SOURCES = ("passphrase", "key-file")


class EncryptionError(ValueError):
    """The node's encryption cannot be set up or unlocked; the message says why."""


class WrongKey(EncryptionError):
    """The passphrase or key file is not this node's: nothing was touched."""


@dataclass(frozen=True, slots=True)
class DatabaseKey:
    """A 32-byte SQLCipher key; its ``repr`` never shows it."""

    raw: bytes = field(repr=False)

    def __post_init__(self) -> None:
        if len(self.raw) != KEY_BYTES:
            raise ValueError("a database key is 32 bytes")

    def pragma(self) -> str:
        """SQLCipher's raw-key form: used as is, no second key derivation."""
        return f"PRAGMA key = \"x'{self.raw.hex()}'\""

    def check_value(self) -> bytes:
        return nacl.hash.blake2b(
            _CHECK_WORDS, key=self.raw, digest_size=_CHECK_BYTES, encoder=nacl.encoding.RawEncoder
        )


def header_path(data_dir: Path) -> Path:
    return Path(data_dir) / HEADER_NAME


def is_encrypted(data_dir: Path) -> bool:
    """Whether the node in ``data_dir`` keeps its database encrypted."""
    return header_path(data_dir).exists()


def _derive(passphrase: str, salt: bytes, opslimit: int, memlimit: int) -> DatabaseKey:
    if not passphrase:
        raise EncryptionError("an empty node passphrase protects nothing")
    return DatabaseKey(
        nacl.pwhash.argon2id.kdf(KEY_BYTES, passphrase.encode("utf-8"), salt, opslimit, memlimit)
    )


def create_with_passphrase(
    data_dir: Path, passphrase: str, profile: str = "moderate"
) -> DatabaseKey:
    """Make a new key from ``passphrase`` and write the header; refuses if one exists."""
    opslimit, memlimit = KDF_PROFILES[profile]
    salt = secrets.token_bytes(nacl.pwhash.argon2id.SALTBYTES)
    key = _derive(passphrase, salt, opslimit, memlimit)
    _write_header(
        data_dir,
        {
            "source": "passphrase",
            "kdf": "argon2id",
            "opslimit": opslimit,
            "memlimit": memlimit,
            "salt": b64e(salt),
            "check": b64e(key.check_value()),
        },
    )
    return key


def create_with_key_file(data_dir: Path, key_file: Path) -> DatabaseKey:
    """Use the key in ``key_file``, or write a new random one there (mode 0600)."""
    if key_file.exists():
        key = _read_key_file(key_file)
    else:
        key = DatabaseKey(secrets.token_bytes(KEY_BYTES))
        write_secret_file(key_file, key.raw.hex() + "\n")
    _write_header(data_dir, {"source": "key-file", "check": b64e(key.check_value())})
    return key


def _write_header(data_dir: Path, fields: dict[str, Any]) -> None:
    path = header_path(data_dir)
    if path.exists():
        raise EncryptionError(f"{path} exists: this node is already encrypted")
    write_secret_json(path, {"format": FORMAT, "v": 1, **fields})


def read_header(data_dir: Path) -> dict[str, Any]:
    """The header, checked for shape; EncryptionError if it is damaged."""
    path = header_path(data_dir)
    try:
        header = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise EncryptionError(f"cannot read {path}: {error}") from error
    if not isinstance(header, dict) or header.get("format") != FORMAT or header.get("v") != 1:
        raise EncryptionError(f"{path} is not a Veche encryption header (version 1)")
    if header.get("source") not in _SOURCES:
        raise EncryptionError(f"{path}: unknown key source {header.get('source')!r}")
    try:
        b64d(header["check"], _CHECK_BYTES)
        if header["source"] == "passphrase":
            if header.get("kdf") != "argon2id":
                raise EncryptionError(f"{path}: unknown key derivation {header.get('kdf')!r}")
            ops, mem = header["opslimit"], header["memlimit"]
            if type(ops) is not int or type(mem) is not int:
                raise EncryptionError(f"{path}: opslimit and memlimit must be integers")
            if not (1 <= ops <= 64 and 8192 <= mem <= 4 * 1024**3):
                raise EncryptionError(f"{path}: implausible key-derivation parameters")
            b64d(header["salt"], nacl.pwhash.argon2id.SALTBYTES)
    except (KeyError, TypeError, EncodingError) as error:
        raise EncryptionError(f"{path} is damaged: {error}") from error
    return header


def unlock(
    data_dir: Path, *, passphrase: str | None = None, key_file: Path | None = None
) -> DatabaseKey:
    """The node's key from its passphrase or key file, checked against the header.

    Raises WrongKey when it is not this node's key (nothing is changed), and
    EncryptionError when the header is damaged or asks for the other source.
    """
    header = read_header(data_dir)
    if header["source"] == "key-file":
        if key_file is None:
            raise EncryptionError(
                "this node's key is in a key file: set VECHE_NODE_KEY_FILE to its path"
            )
        key = _read_key_file(key_file)
        what = f"the key file {key_file}"
    else:
        if passphrase is None:
            raise EncryptionError("this node is encrypted: its passphrase is needed")
        salt = b64d(header["salt"], nacl.pwhash.argon2id.SALTBYTES)
        key = _derive(passphrase, salt, header["opslimit"], header["memlimit"])
        what = "the node passphrase"
    expected = b64d(header["check"], _CHECK_BYTES)
    if not secrets.compare_digest(key.check_value(), expected):
        raise WrongKey(f"wrong node key: {what} does not open this node's database")
    return key


def _read_key_file(path: Path) -> DatabaseKey:
    try:
        text = path.read_text(encoding="ascii").strip()
        raw = bytes.fromhex(text)
    except (OSError, ValueError) as error:
        raise EncryptionError(f"cannot read the key file {path}: {error}") from error
    if len(raw) != KEY_BYTES:
        raise EncryptionError(f"{path} is not a Veche key file (64 hex digits)")
    return DatabaseKey(raw)


# The key this process holds once unlocked (the backend reads it at every connection).
_HELD: list[DatabaseKey] = []


def hold(key: DatabaseKey) -> None:
    _HELD[:] = [key]


def held() -> DatabaseKey | None:
    return _HELD[0] if _HELD else None


def forget() -> None:
    _HELD.clear()


def key_to_pipe(key: DatabaseKey) -> int:
    """A pipe's reading end holding ``key``, for a child to inherit (``pass_fds``).

    The caller closes it after starting the child. 32 bytes fit any pipe's buffer,
    so the write never waits for the reader.
    """
    read_end, write_end = os.pipe()
    try:
        os.write(write_end, key.raw)
    finally:
        os.close(write_end)
    return read_end


def key_from_fd(fd: int) -> DatabaseKey:
    """Read a key written by ``key_to_pipe`` and close the descriptor."""
    chunks = b""
    try:
        while len(chunks) < KEY_BYTES:
            chunk = os.read(fd, KEY_BYTES - len(chunks))
            if not chunk:
                break
            chunks += chunk
    finally:
        os.close(fd)
    if len(chunks) != KEY_BYTES:
        raise EncryptionError("the database key did not arrive from the parent process")
    return DatabaseKey(chunks)
