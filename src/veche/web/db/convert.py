"""Turn a plain node into an encrypted one: its database and the files beside it.

``encrypt_database`` copies a plain SQLite database into a new SQLCipher file under
the node's key (SQLCipher's ``sqlcipher_export``, which copies every table, index,
trigger and view and the rows of each), then checks the copy before anyone relies on
it: every page's HMAC (``cipher_integrity_check``), SQLite's own ``integrity_check``
and the row count of every table, against the plain file. The plain file is only
read; the caller swaps the two files once this returns. On any failure the partial
copy is deleted and the plain file is left as it was.

``seal_plain_files`` seals, in place and each atomically (a temporary file renamed
over it), every file of the kinds an encrypted node keeps sealed
(``veche.web.db.sealed``): Django's secret key, the node's sync key and its
session tickets' keys, members' certificates of an older node, audits' uploads and
reports, members' bundle exports. A file already sealed is left alone, so a conversion cut short is simply
run again.

No Django here: ``veche node encrypt`` runs it before Django starts (docs/node.md,
"Encryption at rest").
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import Any

from sqlcipher3 import dbapi2 as sqlcipher  # type: ignore[import-untyped]

from veche.web.db import sealed
from veche.web.db.encryption import DatabaseKey, EncryptionError

__all__ = ["ConversionError", "encrypt_database", "plain_files", "seal_plain_files"]

_SQLITE_MAGIC = b"SQLite format 3\0"
# An encrypted node seals an audit's upload under this name (veche.apps.audit.models).
_SEALED_INPUT = "upload.sealed"


class ConversionError(EncryptionError):
    """The node could not be converted; the plain files are as they were."""


def _sidecars(path: Path) -> list[Path]:
    return [path.with_name(path.name + suffix) for suffix in ("-wal", "-shm", "-journal")]


def _remove(path: Path) -> None:
    for each in (path, *_sidecars(path)):
        each.unlink(missing_ok=True)


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _row_counts(connection: Any) -> dict[str, int]:
    """Every table's row count (names from the schema itself, quoted)."""
    rows = connection.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        " ORDER BY name"
    ).fetchall()
    return {
        name: connection.execute(f"SELECT count(*) FROM {_quoted(name)}").fetchone()[0]  # noqa: S608
        for (name,) in rows
    }


def encrypt_database(plain_path: Path, encrypted_path: Path, key: DatabaseKey) -> dict[str, int]:
    """Write an encrypted copy of the plain database ``plain_path`` to ``encrypted_path``
    (which must not exist) under ``key``, checked; returns its tables' row counts.

    Raises ``ConversionError`` (the partial copy removed, the plain file untouched)
    if the plain file is not a SQLite database, or the copy does not check out.
    """
    plain_path, encrypted_path = Path(plain_path), Path(encrypted_path)
    try:
        with plain_path.open("rb") as handle:
            magic = handle.read(len(_SQLITE_MAGIC))
    except OSError as error:
        raise ConversionError(f"cannot read {plain_path}: {error}") from error
    if magic != _SQLITE_MAGIC:
        raise ConversionError(f"{plain_path} is not a plain SQLite database")
    if any(p.exists() for p in (encrypted_path, *_sidecars(encrypted_path))):
        raise ConversionError(f"{encrypted_path} exists: remove it, or choose another name")
    try:
        counts = _export(plain_path, encrypted_path, key)
        _check(encrypted_path, key, counts)
        with encrypted_path.open("rb") as handle:
            os.fsync(handle.fileno())
    except BaseException as error:
        _remove(encrypted_path)
        if isinstance(error, sqlcipher.Error):
            raise ConversionError(f"encrypting {plain_path} failed: {error}") from error
        raise
    return counts


def _export(plain_path: Path, encrypted_path: Path, key: DatabaseKey) -> dict[str, int]:
    connection = sqlcipher.connect(str(plain_path), isolation_level=None)
    try:
        connection.execute("PRAGMA cipher_log_level = NONE")
        connection.execute("PRAGMA temp_store = MEMORY")  # sorts never in a plain /tmp file
        # The node is stopped; a write in between would show as counts that differ.
        counts = _row_counts(connection)
        version = connection.execute("PRAGMA main.user_version").fetchone()[0]
        connection.execute(
            f"ATTACH DATABASE ? AS encrypted KEY \"x'{key.raw.hex()}'\"", (str(encrypted_path),)
        )
        connection.execute("SELECT sqlcipher_export('encrypted')")
        connection.execute(f"PRAGMA encrypted.user_version = {int(version)}")
        connection.execute("DETACH DATABASE encrypted")
    finally:
        connection.close()
    return counts


def _check(encrypted_path: Path, key: DatabaseKey, counts: dict[str, int]) -> None:
    connection = sqlcipher.connect(str(encrypted_path), isolation_level=None)
    try:
        connection.execute("PRAGMA cipher_log_level = NONE")
        connection.execute(key.pragma())
        problems = [row[0] for row in connection.execute("PRAGMA cipher_integrity_check")]
        if problems:
            raise ConversionError(
                f"the encrypted copy fails its page check: {'; '.join(map(str, problems[:3]))}"
            )
        integrity = [row[0] for row in connection.execute("PRAGMA integrity_check")]
        if integrity != ["ok"]:
            raise ConversionError(
                f"the encrypted copy fails SQLite's check: {'; '.join(map(str, integrity[:3]))}"
            )
        copied = _row_counts(connection)
        if copied != counts:
            differ = sorted(
                n for n in counts.keys() | copied.keys() if counts.get(n) != copied.get(n)
            )
            raise ConversionError(
                f"the encrypted copy's row counts differ from the plain database's ({', '.join(differ[:5])})"
            )
    finally:
        connection.close()


def plain_files(data_dir: Path) -> list[tuple[Path, str]]:
    """Every file in ``data_dir`` an encrypted node keeps sealed, with its purpose,
    whether sealed already or not."""
    data_dir = Path(data_dir)
    found: list[tuple[Path, str]] = []
    for name, purpose in (
        ("django-secret-key", "secret-key"),
        ("node-key.json", "node-key"),
        ("sync-certificates.json", "node-key"),  # an older node's, until it migrates
    ):
        if (data_dir / name).is_file():
            found.append((data_dir / name, purpose))
    for folder, purpose in (
        ("audits", "audit"),
        ("exports", "export"),
        ("sync-tickets", "sync-ticket"),
    ):
        root = data_dir / folder
        if root.is_dir():
            found += [(path, purpose) for path in sorted(root.rglob("*")) if path.is_file()]
    return found


def _is_temporary(path: Path) -> bool:
    return path.name.startswith(".") and path.suffix == ".tmp"


def seal_plain_files(data_dir: Path, key: DatabaseKey) -> list[Path]:
    """Seal under ``key`` every plain file of ``plain_files(data_dir)``, each in place
    and atomically; returns the files sealed now. An audit's upload is sealed under
    the fixed name an encrypted node uses (its own name stays in the database), then
    the plain one is removed."""
    done: list[Path] = []
    for path, purpose in plain_files(data_dir):
        if _is_temporary(path):  # a write cut short (the node is stopped): never used
            path.unlink()
            continue
        data = path.read_bytes()
        if sealed.is_sealed(data):
            continue
        target = path
        if purpose == "audit" and path.parent.parent.name == "input":
            target = path.with_name(_SEALED_INPUT)
            if target.exists():  # sealed before a cut: the plain copy is left over
                with contextlib.suppress(sealed.SealedFileError):
                    sealed.read(target, purpose, key, allow_plain=False)
                    path.unlink()
                    continue
        sealed.write(target, data, purpose, key)
        if target != path:
            path.unlink()
        done.append(target)
    return done
