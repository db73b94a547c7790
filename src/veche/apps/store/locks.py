"""One writer per space: the lock a local append holds from reading its position to commit.

``record()`` reads the author's last ``seq`` and the space's tips, then signs an event at
the next position. Two writers doing that at once (a double-tapped vote, two workers)
would sign two events at one ``seq``: the node would equivocate against itself. So
before reading, the writer takes the space's lock, held to the end of the transaction:

* PostgreSQL: ``pg_advisory_xact_lock`` on a 64-bit hash of the space id (of the author
  for ``space.create``, which has no space yet). Released at commit or rollback; other
  spaces are not held up.
* SQLite: one writer per database. The settings open every transaction with
  ``BEGIN IMMEDIATE`` (``OPTIONS["transaction_mode"]``), so the outermost ``atomic()``
  already holds the write lock and a second writer waits there (``busy_timeout``) before
  it reads anything. Without that mode, a no-op write takes the write lock here, which
  serializes writers too (a transaction that read before may then get ``database is
  locked`` instead of waiting: SQLite cannot upgrade a stale snapshot).

Call it inside ``transaction.atomic()``; outside, a transaction-scoped lock would end at
once, so that is an error.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from django.db import connections, router
from django.db.transaction import TransactionManagementError

from veche.apps.store.models import StoredEvent

__all__ = ["lock_author", "lock_key", "lock_space", "lock_spaces"]


def lock_key(scope: str, name: str) -> int:
    """A signed 64-bit key (PostgreSQL's ``bigint``) for one lockable name."""
    digest = hashlib.blake2b(f"veche.{scope}\0{name}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def lock_space(space: str) -> None:
    """Hold the space's append lock until the current transaction ends."""
    _lock(lock_key("space", space))


def lock_spaces(spaces: Iterable[str]) -> None:
    """Hold several spaces' locks (a received batch): always in one order, by key, so two
    writers wanting overlapping sets wait for each other instead of deadlocking."""
    for key in sorted({lock_key("space", space) for space in spaces}):
        _lock(key)


def lock_author(public: str) -> None:
    """Hold an author's lock (for events without a space: ``space.create``)."""
    _lock(lock_key("author", public))


def _lock(key: int) -> None:
    connection = connections[router.db_for_write(StoredEvent)]
    if not connection.in_atomic_block:
        raise TransactionManagementError("a space lock is taken inside transaction.atomic()")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [key])
    elif connection.vendor == "sqlite":
        if getattr(connection, "transaction_mode", None) in ("IMMEDIATE", "EXCLUSIVE"):
            return  # BEGIN IMMEDIATE took the database's write lock already
        table = connection.ops.quote_name(StoredEvent._meta.db_table)
        with connection.cursor() as cursor:  # takes the write lock, changes nothing
            cursor.execute(f"DELETE FROM {table} WHERE 0")  # noqa: S608 - a model's table
    else:  # pragma: no cover - the two databases Veche runs on
        raise TransactionManagementError(f"no append lock for {connection.vendor}")
