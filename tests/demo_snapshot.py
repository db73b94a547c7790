"""The Belarus demo, built once per test run and restored for each test that needs it.

``veche.demo.load.load_demo()`` signs some thousand events and runs the demo audit:
about half a minute, and a dozen test modules start from it, on both databases. So
the first call of :func:`load_demo_cached` in a run builds it for real and takes a
snapshot of what the build left behind; later calls put exactly that back, cheaply:

- the rows the build wrote, table by table (raw SQL, the values as the database holds
  them, foreign keys checked at the end of the transaction; PostgreSQL's sequences set
  past the restored ids, as after the build);
- the files it wrote in the data folder (the demo bundle and QR codes, the audit's files);
- what it left in the process: the Django cache's entries (election verification
  reports) and the parsed recalls of close events (``veche.apps.committees.tally``), so
  that a restored demo's pages make the queries a fresh one's make;
- the summary ``load_demo()`` returned.

A restore needs every table that was empty before the build to be empty (as at the
start of a test; Django's tables of content types and permissions keep their rows, which
the build does not touch). When one is not, the demo is built for real (and
``load_demo()`` says it is already loaded, as it would). Each pass of ``make test`` is
its own process, so each database gets its own build. tests/demo/test_demo.py still
tests the real ``load_demo()`` (through :func:`build_demo`) and checks a restore
against the build.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.management.color import no_style
from django.db import connection, transaction

__all__ = ["build_demo", "load_demo_cached", "orm_digest", "snapshot", "table_digests"]


@dataclass
class Snapshot:
    summary: str
    empty: list[str]  # the tables empty before the build
    tables: dict[str, tuple[list[str], list[tuple[Any, ...]]]]  # columns, rows
    after: dict[str, str]  # table -> digest of its rows after the build
    files: dict[str, bytes] = field(default_factory=dict)  # data folder path -> content
    cache: dict[str, tuple[Any, Any]] = field(default_factory=dict)  # key -> (value, expiry)
    recalls: list[str] = field(default_factory=list)  # close events parsed by the build
    state: str = ""  # the store's state digest after the build
    orm: str = ""  # the written models' rows read through the ORM, as one digest
    restores: int = 0


@dataclass
class _Run:
    snapshot: Snapshot | None = None
    unrestorable: str = ""  # why this run's build cannot be restored, if it cannot


_RUN = _Run()


def snapshot() -> Snapshot | None:
    """The run's snapshot of the demo, once built."""
    return _RUN.snapshot


def load_demo_cached() -> str:
    """As ``load_demo()`` on an empty database: the demo, from this run's snapshot when
    there is one and the database is as it was when it was taken; else built for real."""
    if _RUN.snapshot is not None and _fits(_RUN.snapshot):
        return _restore(_RUN.snapshot)
    return build_demo()


def build_demo() -> str:
    """The real ``load_demo()``; the run's first build is kept as its snapshot."""
    from veche.demo.load import load_demo

    before = table_digests()
    files = _files()
    cache_before = set(_cache_entries())
    with _recording_recalls() as recalls:
        summary = load_demo()
    if _RUN.snapshot is None and not _RUN.unrestorable:
        try:
            _RUN.snapshot = _take(summary, before, files, cache_before, recalls)
        except _Unrestorable as why:
            _RUN.unrestorable = str(why)
    return summary


# -- tables ----------------------------------------------------------------------------


def _tables() -> list[str]:
    with connection.cursor() as cursor:
        names = connection.introspection.table_names(cursor)
    return sorted(name for name in names if not name.startswith("sqlite_"))


def _quoted_columns(table: str) -> tuple[list[str], str]:
    with connection.cursor() as cursor:
        description = connection.introspection.get_table_description(cursor, table)
    columns = [column.name for column in description]
    quote = connection.ops.quote_name
    if connection.vendor == "sqlite":
        # A unary plus keeps the stored value but drops the column's declared type, so
        # sqlite3 hands back what is stored (no date, bool or decimal conversion).
        select = ", ".join(f"+{quote(c)}" for c in columns)
    else:
        select = ", ".join(quote(c) for c in columns)
    return columns, select


def _rows(table: str) -> tuple[list[str], list[tuple[Any, ...]]]:
    columns, select = _quoted_columns(table)
    quote = connection.ops.quote_name
    order = ", ".join(str(i + 1) for i in range(len(columns)))
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {select} FROM {quote(table)} ORDER BY {order}")
        rows = [tuple(_plain(v) for v in row) for row in cursor.fetchall()]
    return columns, rows


def _plain(value: Any) -> Any:
    return bytes(value) if isinstance(value, memoryview) else value


def _digest(rows: list[tuple[Any, ...]]) -> str:
    hasher = hashlib.blake2b(digest_size=16)
    for row in rows:
        hasher.update(repr(row).encode("utf-8", "surrogatepass"))
        hasher.update(b"\n")
    return hasher.hexdigest()


def table_digests(tables: list[str] | None = None) -> dict[str, str]:
    """Each table's rows (all columns, ids included), as one digest per table."""
    return {table: _digest(_rows(table)[1]) for table in tables or _tables()}


def orm_digest(tables: list[str]) -> str:
    """The rows of the models of ``tables`` as the ORM reads them (its own conversions of
    dates, decimals, JSON and booleans), as one digest."""
    hasher = hashlib.blake2b(digest_size=16)
    for model in sorted(apps.get_models(include_auto_created=True), key=lambda m: m._meta.label):
        if model._meta.db_table in tables:
            hasher.update(model._meta.label.encode())
            for row in model._base_manager.order_by("pk").values_list():
                hasher.update(repr(row).encode("utf-8", "surrogatepass") + b"\n")
    return hasher.hexdigest()


def _take(
    summary: str,
    before: dict[str, str],
    files: dict[str, tuple[int, int, int]],
    cache_before: set[str],
    recalls: list[str],
) -> Snapshot:
    tables: dict[str, tuple[list[str], list[tuple[Any, ...]]]] = {}
    after: dict[str, str] = {}
    for table in _tables():
        columns, rows = _rows(table)
        after[table] = _digest(rows)
        if after[table] != before.get(table):
            tables[table] = (columns, rows)
    empty = sorted(t for t, digest in before.items() if digest == _digest([]))
    for table in tables:
        if table not in empty:
            # The build changed rows that were there before it: a restore could not tell
            # them apart, so this run builds the demo each time (correct, only slower).
            raise _Unrestorable(f"{table} had rows before the demo was built")
    from veche.apps.store.integrity import state_digest

    entries = _cache_entries()
    return Snapshot(
        summary=summary,
        empty=empty,
        tables=tables,
        after=after,
        files={
            path: (Path(settings.DATA_DIR) / path).read_bytes()
            for path, stamp in _files().items()
            if files.get(path) != stamp
        },
        cache={key: entries[key] for key in entries.keys() - cache_before},
        recalls=recalls,
        state=state_digest(),
        orm=orm_digest(list(tables)),
    )


class _Unrestorable(Exception):
    pass


def _fits(snap: Snapshot) -> bool:
    """Whether the database is as it was before the build: every table then empty is
    empty (a table with rows then, such as Django's content types, the build left alone)."""
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for table in snap.empty:
            cursor.execute(f"SELECT 1 FROM {quote(table)} LIMIT 1")
            if cursor.fetchone() is not None:
                return False
    return True


def _restore(snap: Snapshot) -> str:
    quote = connection.ops.quote_name
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        else:
            cursor.execute("PRAGMA defer_foreign_keys = ON")
        for table, (columns, rows) in snap.tables.items():
            names = ", ".join(quote(c) for c in columns)
            marks = ", ".join(["%s"] * len(columns))
            cursor.executemany(
                f"INSERT INTO {quote(table)} ({names}) VALUES ({marks})",
                rows,
            )
        models = [
            m for m in apps.get_models(include_auto_created=True) if m._meta.db_table in snap.tables
        ]
        for statement in connection.ops.sequence_reset_sql(no_style(), models):
            cursor.execute(statement)
    root = Path(settings.DATA_DIR)
    for stale in (root / "demo" / "qr").glob("qr-*"):  # as load_sync: an earlier bundle's
        if str(stale.relative_to(root)) not in snap.files:
            stale.unlink()
    for path, data in snap.files.items():
        target = root / path
        if target.exists() and (path in _KEEP or target.read_bytes() == data):
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    _restore_cache(snap.cache)
    _restore_recalls(snap.recalls)
    snap.restores += 1
    return snap.summary


# -- the data folder -------------------------------------------------------------------


# The node's own key: the build makes it only when there is none (as any first use
# would), so a restore leaves one that is there alone.
_KEEP = {"node-key.json"}
_SKIP = ("kdf-slots",)  # lock files of the passphrase derivations, not data


def _files() -> dict[str, tuple[int, int, int]]:
    """Every file of the data folder: relative path -> (size, mtime, inode)."""
    root = Path(settings.DATA_DIR)
    found: dict[str, tuple[int, int, int]] = {}
    for folder, dirs, names in os.walk(root):
        dirs[:] = [d for d in dirs if Path(folder) != root or d not in _SKIP]
        for name in names:
            path = Path(folder) / name
            try:
                stat = path.stat()
            except FileNotFoundError:
                continue
            found[str(path.relative_to(root))] = (stat.st_size, stat.st_mtime_ns, stat.st_ino)
    return found


# -- what the build leaves in the process ------------------------------------------------


def _locmem() -> Any:
    from django.core.cache import caches
    from django.core.cache.backends.locmem import LocMemCache

    backend = caches["default"]
    return backend if isinstance(backend, LocMemCache) else None


def _cache_entries() -> dict[str, tuple[Any, Any]]:
    backend = _locmem()
    if backend is None:
        return {}
    with backend._lock:
        return {
            key: (value, backend._expire_info.get(key)) for key, value in backend._cache.items()
        }


def _restore_cache(entries: dict[str, tuple[Any, Any]]) -> None:
    backend = _locmem()
    if backend is None:
        return
    with backend._lock:
        for key, (value, expiry) in entries.items():
            backend._cache[key] = value
            backend._expire_info[key] = expiry


@contextmanager
def _recording_recalls() -> Iterator[list[str]]:
    """The close events whose recalls the build parsed (and so left cached)."""
    from veche.apps.committees import tally

    original = tally._parsed_recalls
    seen: list[str] = []

    def recording(close_event: str) -> Any:
        result = original(close_event)
        if close_event not in seen:
            seen.append(close_event)
        return result

    tally._parsed_recalls = recording  # type: ignore[assignment]
    try:
        yield seen
    finally:
        tally._parsed_recalls = original


def _restore_recalls(close_events: list[str]) -> None:
    """The parsed recalls as a fresh build leaves them: those of its close events."""
    from veche.apps.committees import tally

    tally._parsed_recalls.cache_clear()
    for event in close_events:
        tally.cited_recalls(event)
