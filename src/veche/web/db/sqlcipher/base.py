"""Django's SQLite backend on SQLCipher: every connection keyed before anything else.

The database is SQLite as far as Django and Veche are concerned (``vendor`` stays
``"sqlite"``: the same SQL, the same append lock); only the driver differs
(``sqlcipher3``, which bundles SQLCipher 4). The key is the one the command line
unlocked and holds in memory (``veche.web.db.encryption``); a connection without it,
or a file the key does not open, is refused with a message that says which and
never writes to the file (docs/node.md, "Encryption at rest").
"""

from __future__ import annotations

import datetime
import decimal
from collections.abc import Mapping
from itertools import tee
from pathlib import Path
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db.backends.sqlite3 import base as sqlite_base
from django.db.backends.sqlite3._functions import (  # type: ignore[import-untyped]
    register as register_functions,
)
from django.utils.dateparse import parse_date, parse_datetime, parse_time
from sqlcipher3 import dbapi2 as Database  # type: ignore[import-untyped]

from veche.web.db import encryption

__all__ = ["DatabaseLocked", "DatabaseUnreadable", "DatabaseWrapper"]

# What Django's SQLite backend registers on the standard sqlite3 module, again on
# SQLCipher's (a separate copy of the driver with its own tables).
Database.register_converter("bool", b"1".__eq__)
Database.register_converter("date", sqlite_base.decoder(parse_date))
Database.register_converter("time", sqlite_base.decoder(parse_time))
Database.register_converter("datetime", sqlite_base.decoder(parse_datetime))
Database.register_converter("timestamp", sqlite_base.decoder(parse_datetime))
Database.register_adapter(decimal.Decimal, str)
Database.register_adapter(datetime.date, sqlite_base.adapt_date)
Database.register_adapter(datetime.datetime, sqlite_base.adapt_datetime)


class DatabaseLocked(ImproperlyConfigured):
    """The node is encrypted and this process holds no key."""


class DatabaseUnreadable(ImproperlyConfigured):
    """The key is right (its check value matched) but the file does not open with it."""


class CursorWrapper(Database.Cursor):  # type: ignore[misc]
    """Django's format-style parameters on SQLCipher's cursor (as SQLiteCursorWrapper)."""

    convert_query = sqlite_base.SQLiteCursorWrapper.convert_query

    def execute(self, query: str, params: Any = None) -> Any:
        if params is None:
            return super().execute(query)
        names = list(params) if isinstance(params, Mapping) else None
        return super().execute(self.convert_query(query, param_names=names), params)

    def executemany(self, query: str, param_list: Any) -> Any:
        peekable, param_list = tee(iter(param_list))
        first = next(peekable, None)
        names = list(first) if first and isinstance(first, Mapping) else None
        return super().executemany(self.convert_query(query, param_names=names), param_list)


class DatabaseWrapper(sqlite_base.DatabaseWrapper):
    display_name = "SQLite (SQLCipher)"
    Database = Database
    # Set by ``veche init`` alone: only then may a missing file become a new database.
    allow_create = False

    def get_new_connection(self, conn_params: dict[str, Any]) -> Any:
        key = encryption.held()
        if key is None:
            raise DatabaseLocked(
                "this node's database is encrypted and locked: start it with `veche serve`"
                " (or any veche command), which asks for the node passphrase"
            )
        name = str(conn_params["database"])
        in_memory = self.is_in_memory_db()
        if not in_memory:
            path = Path(name.removeprefix("file:").split("?", 1)[0])
            if not self.allow_create and (not path.exists() or path.stat().st_size == 0):
                raise DatabaseUnreadable(
                    f"{path} is missing or empty, but this node is encrypted: its data was"
                    " moved or destroyed. Nothing was created in its place; restore the"
                    " file from a backup"
                )
        conn = Database.connect(**conn_params)
        try:
            # SQLCipher would print its own errors (a wrong key's HMAC failures) on stderr.
            conn.execute("PRAGMA cipher_log_level = NONE")
            conn.execute(key.pragma())
            # The first read of page 1 checks the key against the file's HMAC; nothing
            # else, and nothing that writes, runs before it.
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        except Database.DatabaseError as error:
            conn.close()
            raise DatabaseUnreadable(
                f"{name} cannot be read with this node's key ({error}): wrong node"
                " passphrase or not a Veche database, or the file was altered or cut"
                " short. Nothing was written to it; restore it from a backup"
            ) from error
        register_functions(conn)
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA legacy_alter_table = OFF")
        # Sorts and temporary tables in memory: never a plain temporary file.
        conn.execute("PRAGMA temp_store = MEMORY")
        for init_command in self.init_commands:  # type: ignore[attr-defined]
            if init_command := init_command.strip():
                conn.execute(init_command)
        return conn

    def create_cursor(self, name: str | None = None) -> Any:
        return self.connection.cursor(factory=CursorWrapper)

    def integrity_problems(self) -> list[str]:
        """Every page's HMAC checked (``cipher_integrity_check``): empty when whole."""
        with self.cursor() as cursor:
            cursor.execute("PRAGMA cipher_integrity_check")
            return [str(row[0]) for row in cursor.fetchall()]
