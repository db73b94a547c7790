"""The key of an encrypted node's database: made, checked, wrapped, and held in memory.

An encrypted node keeps ``DATA_DIR/encryption.json``, a small plain header that
says how to get the database key but never holds it in the clear. Version 2 (this
release) is an envelope, as LUKS keyslots are: the database key (the *data key*,
32 random bytes SQLCipher uses) is wrapped with ``crypto_secretbox`` under a *key
encryption key* derived from the node passphrase with Argon2id (salt and cost in the
header), or read from a key file that may live on a removable stick. The header has
two slots of equal size that look alike: slot 0 wraps the data key; slot 1 holds a
duress verifier (a fixed marker sealed under the key derived from the duress
passphrase with the same salt) or random bytes when no duress passphrase is set, so
the header never says whether one is. One Argon2id run opens either slot.

Overwriting the header destroys the only wrapped copy of the data key: the
database and the files sealed under it (``veche.web.db.sealed``) become noise even
to someone who knows the passphrase (``veche.web.db.wipe``).

Version 1 headers (the previous release: the database key derived directly from
the passphrase, or the key file's bytes themselves, and a ``check`` value) keep
opening; setting a duress passphrase rewrites a passphrase node's header as version
2 around the same database key, under a new salt.

The key, once unlocked, is held in this process's memory for the SQLCipher backend
(``veche.web.db.sqlcipher``) and handed to a child process through a pipe, never
through its environment or command line.

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
import nacl.exceptions
import nacl.hash
import nacl.pwhash
import nacl.secret

from veche.events.encoding import EncodingError, b64d, b64e
from veche.events.identity import KDF_PROFILES
from veche.events.secret_file import write_secret_bytes, write_secret_file

__all__ = [
    "HEADER_NAME",
    "DatabaseKey",
    "DuressPassphrase",
    "EncryptionError",
    "Opened",
    "WrongKey",
    "clear_duress",
    "create_with_key_file",
    "create_with_passphrase",
    "forget",
    "held",
    "held_wrapping",
    "hold",
    "is_encrypted",
    "key_from_fd",
    "key_to_pipe",
    "open_node",
    "read_header",
    "set_duress",
    "unlock",
    "write_new_header",
]

HEADER_NAME = "encryption.json"
FORMAT = "veche-database-encryption"
KEY_BYTES = 32
_CHECK_WORDS = b"veche database key check v1"
_CHECK_BYTES = 16
_SOURCES = ("passphrase", "key-file")
# A slot: secretbox of 32 bytes (nonce 24, tag 16, message 32).
SLOT_BYTES = nacl.secret.SecretBox.NONCE_SIZE + nacl.secret.SecretBox.MACBYTES + KEY_BYTES
_SLOT_WORDS = b"veche key slot v2"
_DURESS_MARKER = b"veche duress passphrase marker\0\0"
assert len(_DURESS_MARKER) == KEY_BYTES


class EncryptionError(ValueError):
    """The node's encryption cannot be set up or unlocked; the message says why."""


class WrongKey(EncryptionError):
    """The passphrase or key file is not this node's: nothing was touched."""


class DuressPassphrase(EncryptionError):
    """The duress passphrase was given: the caller wipes the node (``opened`` says how
    to make the new one under that passphrase)."""

    def __init__(self, opened: Opened) -> None:
        super().__init__("the duress passphrase")
        self.opened = opened


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
        """Version 1 headers' key check value."""
        return nacl.hash.blake2b(
            _CHECK_WORDS, key=self.raw, digest_size=_CHECK_BYTES, encoder=nacl.encoding.RawEncoder
        )


@dataclass(frozen=True, slots=True)
class Wrapping:
    """How a header wraps the data key: the source, the KEK (never shown) and, for a
    passphrase, the salt and cost it was derived with."""

    source: str
    kek: bytes = field(repr=False)
    salt: bytes = b""
    opslimit: int = 0
    memlimit: int = 0


@dataclass(frozen=True, slots=True)
class Opened:
    """A header opened: the data key (None when the duress passphrase opened it) and
    the wrapping the typed passphrase or key file gives."""

    key: DatabaseKey | None
    wrapping: Wrapping
    version: int
    duress: bool = False


def header_path(data_dir: Path) -> Path:
    return Path(data_dir) / HEADER_NAME


def is_encrypted(data_dir: Path) -> bool:
    """Whether the node in ``data_dir`` keeps its database encrypted."""
    return header_path(data_dir).exists()


def _argon2(passphrase: str, salt: bytes, opslimit: int, memlimit: int) -> bytes:
    if not passphrase:
        raise EncryptionError("an empty node passphrase protects nothing")
    return bytes(
        nacl.pwhash.argon2id.kdf(KEY_BYTES, passphrase.encode("utf-8"), salt, opslimit, memlimit)
    )


def _slot_box(kek: bytes, slot: int) -> nacl.secret.SecretBox:
    subkey = nacl.hash.blake2b(
        _SLOT_WORDS + bytes([slot]), key=kek, digest_size=32, encoder=nacl.encoding.RawEncoder
    )
    return nacl.secret.SecretBox(subkey)


def _seal_slot(kek: bytes, slot: int, content: bytes) -> bytes:
    nonce = secrets.token_bytes(nacl.secret.SecretBox.NONCE_SIZE)
    return bytes(_slot_box(kek, slot).encrypt(content, nonce))


def _open_slot(kek: bytes, slot: int, sealed: bytes) -> bytes | None:
    try:
        return bytes(_slot_box(kek, slot).decrypt(sealed))
    except nacl.exceptions.CryptoError:
        return None


def passphrase_wrapping(passphrase: str, profile: str = "moderate") -> Wrapping:
    """A new salt, and the KEK ``passphrase`` derives with it."""
    opslimit, memlimit = KDF_PROFILES[profile]
    salt = secrets.token_bytes(nacl.pwhash.argon2id.SALTBYTES)
    return Wrapping(
        "passphrase", _argon2(passphrase, salt, opslimit, memlimit), salt, opslimit, memlimit
    )


def write_new_header(
    data_dir: Path,
    wrapping: Wrapping,
    key: DatabaseKey | None = None,
    *,
    duress_kek: bytes | None = None,
    replace: bool = False,
) -> DatabaseKey:
    """Write a version 2 header wrapping ``key`` (a new random one if None) under
    ``wrapping``; slot 1 holds the duress verifier under ``duress_kek``, or random
    bytes. Refuses to replace an existing header unless ``replace``."""
    key = key if key is not None else DatabaseKey(secrets.token_bytes(KEY_BYTES))
    slots = [
        _seal_slot(wrapping.kek, 0, key.raw),
        _seal_slot(duress_kek, 1, _DURESS_MARKER)
        if duress_kek is not None
        else secrets.token_bytes(SLOT_BYTES),
    ]
    fields: dict[str, Any] = {"source": wrapping.source}
    if wrapping.source == "passphrase":
        fields |= {
            "kdf": "argon2id",
            "opslimit": wrapping.opslimit,
            "memlimit": wrapping.memlimit,
            "salt": b64e(wrapping.salt),
        }
    _write_header(data_dir, {**fields, "v": 2, "slots": [b64e(s) for s in slots]}, replace)
    return key


def create_with_passphrase(
    data_dir: Path, passphrase: str, profile: str = "moderate"
) -> DatabaseKey:
    """Make a new data key wrapped under ``passphrase``; refuses if a header exists."""
    if is_encrypted(data_dir):
        raise EncryptionError(f"{header_path(data_dir)} exists: this node is already encrypted")
    wrapping = passphrase_wrapping(passphrase, profile)
    key = write_new_header(data_dir, wrapping)
    hold(key, wrapping)
    return key


def create_with_key_file(
    data_dir: Path, key_file: Path, *, data_key: DatabaseKey | None = None
) -> DatabaseKey:
    """A new data key (``data_key`` if given) wrapped under the key in ``key_file``, or
    under a new random one written there (mode 0600)."""
    if is_encrypted(data_dir):
        raise EncryptionError(f"{header_path(data_dir)} exists: this node is already encrypted")
    if key_file.exists():
        kek = _read_key_file(key_file).raw
    else:
        kek = secrets.token_bytes(KEY_BYTES)
        write_secret_file(key_file, kek.hex() + "\n")
    wrapping = Wrapping("key-file", kek)
    key = write_new_header(data_dir, wrapping, data_key)
    hold(key, wrapping)
    return key


def _write_header(data_dir: Path, fields: dict[str, Any], replace: bool = False) -> None:
    path = header_path(data_dir)
    if path.exists() and not replace:
        raise EncryptionError(f"{path} exists: this node is already encrypted")
    text = json.dumps({"format": FORMAT, **fields}, indent=2, sort_keys=True) + "\n"
    write_secret_bytes(path, text.encode("utf-8"))
    _fsync_dir(path.parent)


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def read_header(data_dir: Path) -> dict[str, Any]:
    """The header, checked for shape; EncryptionError if it is damaged."""
    path = header_path(data_dir)
    try:
        header = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise EncryptionError(
            f"cannot read {path}: it is not a Veche encryption header (damaged, or"
            f" destroyed by a wipe: then the data in this folder is gone) ({error})"
        ) from error
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise EncryptionError(f"{path} is not a Veche encryption header")
    if header.get("v") not in (1, 2):
        raise EncryptionError(f"{path}: unknown header version {header.get('v')!r}")
    if header.get("source") not in _SOURCES:
        raise EncryptionError(f"{path}: unknown key source {header.get('source')!r}")
    try:
        if header["v"] == 1:
            b64d(header["check"], _CHECK_BYTES)
        else:
            slots = header["slots"]
            if not isinstance(slots, list) or len(slots) != 2:
                raise EncryptionError(f"{path}: a version 2 header has two slots")
            for slot in slots:
                b64d(slot, SLOT_BYTES)
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


def open_node(
    data_dir: Path, *, passphrase: str | None = None, key_file: Path | None = None
) -> Opened:
    """Open the header with a passphrase or key file: one Argon2id run.

    Raises WrongKey when neither slot opens (nothing is changed), EncryptionError when
    the header is damaged or asks for the other source. The duress passphrase gives an
    ``Opened`` with ``duress`` set and no key.
    """
    header = read_header(data_dir)
    if header["source"] == "key-file":
        if key_file is None:
            raise EncryptionError(
                "this node's key is in a key file: set VECHE_NODE_KEY_FILE to its path"
            )
        wrapping = Wrapping("key-file", _read_key_file(key_file).raw)
        what = f"the key file {key_file}"
    else:
        if passphrase is None:
            raise EncryptionError("this node is encrypted: its passphrase is needed")
        salt = b64d(header["salt"], nacl.pwhash.argon2id.SALTBYTES)
        ops, mem = header["opslimit"], header["memlimit"]
        wrapping = Wrapping("passphrase", _argon2(passphrase, salt, ops, mem), salt, ops, mem)
        what = "the node passphrase"
    wrong = WrongKey(f"wrong node key: {what} does not open this node's database")
    if header["v"] == 1:
        # The derived key (or the key file's) is the database key itself.
        key = DatabaseKey(wrapping.kek)
        if not secrets.compare_digest(key.check_value(), b64d(header["check"], _CHECK_BYTES)):
            raise wrong
        return Opened(key, wrapping, 1)
    slots = [b64d(slot, SLOT_BYTES) for slot in header["slots"]]
    data_key = _open_slot(wrapping.kek, 0, slots[0])
    marker = _open_slot(wrapping.kek, 1, slots[1])
    if data_key is not None and len(data_key) == KEY_BYTES:
        return Opened(DatabaseKey(data_key), wrapping, 2)
    if marker is not None and secrets.compare_digest(marker, _DURESS_MARKER):
        return Opened(None, wrapping, 2, duress=True)
    raise wrong


def unlock(
    data_dir: Path, *, passphrase: str | None = None, key_file: Path | None = None
) -> DatabaseKey:
    """The node's key from its passphrase or key file, checked against the header.

    Raises WrongKey when it is not this node's key (nothing is changed),
    DuressPassphrase when it is the duress passphrase (nothing is changed yet: the
    caller wipes), and EncryptionError when the header is damaged or asks for the
    other source.
    """
    opened = open_node(data_dir, passphrase=passphrase, key_file=key_file)
    if opened.duress or opened.key is None:
        raise DuressPassphrase(opened)
    return opened.key


def set_duress(data_dir: Path, opened: Opened, duress_passphrase: str) -> None:
    """Set (or change) the duress passphrase of a passphrase node opened by ``opened``.

    A version 1 header becomes version 2 around the same database key, under a new
    salt (the old salt goes with the old header)."""
    if opened.key is None or opened.wrapping.source != "passphrase":
        raise EncryptionError("a duress passphrase needs a node opened with its passphrase")
    wrapping = opened.wrapping
    if opened.version == 1:
        raise EncryptionError("a version 1 header has no duress slot: upgrade() it first")
    duress_kek = _argon2(duress_passphrase, wrapping.salt, wrapping.opslimit, wrapping.memlimit)
    if secrets.compare_digest(duress_kek, wrapping.kek):
        raise EncryptionError("the duress passphrase must differ from the node passphrase")
    write_new_header(data_dir, wrapping, opened.key, duress_kek=duress_kek, replace=True)


def upgrade(data_dir: Path, opened: Opened, passphrase: str) -> Opened:
    """A version 1 passphrase header rewritten as version 2 around the same database
    key, under a new salt with the same cost; a version 2 one is returned as is."""
    if opened.version == 2:
        return opened
    if opened.key is None or opened.wrapping.source != "passphrase":
        raise EncryptionError(
            "this node's key is its key file itself (made by an older veche): it has no"
            " passphrase to pair a duress passphrase with"
        )
    old = opened.wrapping
    salt = secrets.token_bytes(nacl.pwhash.argon2id.SALTBYTES)
    kek = _argon2(passphrase, salt, old.opslimit, old.memlimit)
    wrapping = Wrapping("passphrase", kek, salt, old.opslimit, old.memlimit)
    write_new_header(data_dir, wrapping, opened.key, replace=True)
    return Opened(opened.key, wrapping, 2)


def clear_duress(data_dir: Path, opened: Opened) -> None:
    """Slot 1 back to random bytes: no duress passphrase (the header looks the same)."""
    if opened.key is None:
        raise EncryptionError("the node must be opened with its own key")
    if opened.version == 1:
        return  # a version 1 header has no duress slot
    write_new_header(data_dir, opened.wrapping, opened.key, replace=True)


def _read_key_file(path: Path) -> DatabaseKey:
    try:
        text = path.read_text(encoding="ascii").strip()
        raw = bytes.fromhex(text)
    except (OSError, ValueError) as error:
        raise EncryptionError(f"cannot read the key file {path}: {error}") from error
    if len(raw) != KEY_BYTES:
        raise EncryptionError(f"{path} is not a Veche key file (64 hex digits)")
    return DatabaseKey(raw)


# The key this process holds once unlocked (the backend reads it at every connection),
# and how its header wraps it (a panic makes the new node's header under the same).
_HELD: list[DatabaseKey] = []
_WRAPPING: list[Wrapping] = []


def hold(key: DatabaseKey, wrapping: Wrapping | None = None) -> None:
    _HELD[:] = [key]
    _WRAPPING[:] = [wrapping] if wrapping is not None else []


def held() -> DatabaseKey | None:
    return _HELD[0] if _HELD else None


def held_wrapping() -> Wrapping | None:
    return _WRAPPING[0] if _WRAPPING else None


def forget() -> None:
    _HELD.clear()
    _WRAPPING.clear()


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
