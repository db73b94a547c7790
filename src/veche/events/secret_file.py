"""Writing a file that holds a secret: readable by its owner only, never half-written.

Key files (members', trustees') are sealed under a passphrase, but the sealed blob
still must not be readable by other users of the machine, and an interrupted write
must leave the old file, not a truncated one. Pure: no Django, no settings.
"""

from __future__ import annotations

import json
import os
import secrets
from pathlib import Path
from typing import Any

__all__ = [
    "synced_secret_temporary",
    "write_secret_bytes",
    "write_secret_file",
    "write_secret_json",
]


def write_secret_file(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` with mode 0600, replacing the file atomically.

    The folder is made if missing. The text goes to ``path.tmp`` first, then takes
    the place of ``path`` in one rename.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    # The mode given to os.open applies only when it creates the file; a
    # leftover .tmp from an interrupted run keeps its old, maybe wider, mode.
    os.fchmod(fd, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.replace(tmp, path)


def write_secret_json(path: Path, document: dict[str, Any]) -> None:
    """``write_secret_file`` of a JSON document: two-space indent, sorted keys, final newline."""
    write_secret_file(path, json.dumps(document, indent=2, sort_keys=True) + "\n")


def synced_secret_temporary(path: Path, body: bytes) -> Path:
    """``body`` in a new temporary file beside ``path`` (mode 0600, a name no other
    writer uses), synced to disk; the caller renames or links it into place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(body)
            handle.flush()
            os.fsync(handle.fileno())
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return temporary


def write_secret_bytes(path: Path, body: bytes) -> None:
    """Write ``body`` to ``path`` with mode 0600, synced to disk, replacing the file
    atomically (concurrent writers each use a temporary file of their own)."""
    temporary = synced_secret_temporary(path, body)
    try:
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
