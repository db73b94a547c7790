"""Wiping a node's data folder: crypto-shredding first, then overwriting.

Shared by the duress passphrase, ``veche node wipe`` and the operators' panic button
(docs/node.md, "Encryption at rest"). The order is the point:

1. ``encryption.json`` is overwritten in place with random bytes, synced to disk,
   and replaced by a file of random bytes. Its slot held the only wrapped copy of
   the database key; from here on the database and every file sealed under its key
   (``veche.web.db.sealed``) are noise, even to someone who knows the passphrase.
   A kill at any later step leaves the data unreadable, not half-wiped.
2. Every other file in the folder but the public ``static/`` files (the database,
   its ``-wal`` and ``-shm``, the node's key, Django's secret key, certificates,
   audits, exports, tickets, the demo's trustees...) is overwritten with random
   bytes, synced, and unlinked; the emptied folders are removed.

On flash memory and SSDs overwriting a file in place does not reliably reach the
cells that held it (wear-levelling, copy-on-write file systems): on a plain node the
overwriting is best effort; on an encrypted one the shredded header is what makes it
safe.

No Django here.
"""

from __future__ import annotations

import os
import secrets
import time
from dataclasses import dataclass
from pathlib import Path

from veche.web.db.encryption import HEADER_NAME

__all__ = ["KEEP", "TEST_PAUSE_ENV", "Wiped", "wipe"]

# Public files a new node would have too: kept.
KEEP = ("static",)
# Tests only: "after-shred" makes a wipe print SHREDDED and sleep, to be killed there.
TEST_PAUSE_ENV = "VECHE_TEST_WIPE_PAUSE"
_BLOCK = 1 << 20


@dataclass(frozen=True, slots=True)
class Wiped:
    shredded: bool  # an encryption header was destroyed
    files: int
    bytes: int
    seconds: float


def _overwrite(path: Path, block: bytes) -> int:
    """Overwrite ``path`` in place with ``block`` repeated (random bytes: a file
    system that compresses or deduplicates zeros would skip them), sync, unlink."""
    size = 0
    try:
        fd = os.open(path, os.O_WRONLY | getattr(os, "O_NOFOLLOW", 0))
    except OSError:
        path.unlink(missing_ok=True)
        return 0
    try:
        size = os.fstat(fd).st_size
        left = size
        while left > 0:
            left -= os.write(fd, block[: min(left, len(block))])
        os.fsync(fd)
    finally:
        os.close(fd)
    path.unlink(missing_ok=True)
    return size


def _shred_header(path: Path) -> bool:
    if not path.exists():
        return False
    size = max(path.stat().st_size, 512)
    fd = os.open(path, os.O_WRONLY)
    try:
        os.write(fd, secrets.token_bytes(size))
        os.fsync(fd)
    finally:
        os.close(fd)
    # A second, whole file of random bytes takes its name in one rename.
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        os.write(fd, secrets.token_bytes(size))
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(temporary, path)
    _fsync_dir(path.parent)
    return True


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def wipe(data_dir: Path) -> Wiped:
    """Destroy everything in ``data_dir`` but ``static/``: the header first (the shred
    point), then every file overwritten and unlinked. The folder itself stays."""
    start = time.monotonic()
    data_dir = Path(data_dir)
    header = data_dir / HEADER_NAME
    shredded = _shred_header(header)
    if os.environ.get(TEST_PAUSE_ENV) == "after-shred":
        print("SHREDDED", flush=True)
        time.sleep(600)
    block = secrets.token_bytes(_BLOCK)
    files = written = 0
    # The database first: it holds the most.
    ordered = sorted(
        (p for p in data_dir.iterdir() if p.name not in KEEP),
        key=lambda p: (not p.name.startswith("veche.sqlite3"), p.name),
    )
    for entry in ordered:
        if entry.is_dir() and not entry.is_symlink():
            for path in sorted(entry.rglob("*"), reverse=True):
                if path.is_dir() and not path.is_symlink():
                    path.rmdir()
                else:
                    written += _overwrite(path, block)
                    files += 1
            entry.rmdir()
        else:
            written += _overwrite(entry, block)
            files += 1
    _fsync_dir(data_dir)
    return Wiped(shredded, files, written, time.monotonic() - start)
