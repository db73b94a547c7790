"""The store's order is by bytes: a PostgreSQL database must sort text by bytes too.

Event ids, keys and spaces are base64url; the order of events (event-v1 §9) and the
state digest compare them byte by byte, which is what SQLite does and what a
PostgreSQL database created with the C collation does. A database created in a
language locale (en_US, initdb's default on many machines) sorts ``-``, ``_`` and
case by language rules, and its node would compute another state from the same
events. Rather than diverge silently, a node refuses such a database with a clear
message when it first connects.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ImproperlyConfigured

BYTE_ORDER = {"C", "POSIX", "C.UTF-8", "C.utf8", "C.UTF8"}


def check_collation(sender: Any, connection: Any, **kwargs: Any) -> None:
    """``connection_created`` receiver: on PostgreSQL, refuse a database that does
    not sort text by bytes."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT datcollate, "
            "(SELECT count(*) FROM pg_attribute WHERE attrelid = 'pg_database'::regclass"
            " AND attname = 'datlocprovider') FROM pg_database WHERE datname = current_database()"
        )
        collate, has_provider = cursor.fetchone()
        provider = "c"
        if has_provider:
            cursor.execute(
                "SELECT datlocprovider FROM pg_database WHERE datname = current_database()"
            )
            provider = cursor.fetchone()[0]
    if provider != "c" or collate not in BYTE_ORDER:
        name = connection.settings_dict.get("NAME", "")
        raise ImproperlyConfigured(
            f"the PostgreSQL database {name!r} sorts text by language rules "
            f"(collation {collate!r}, provider {provider!r}), and Veche orders events by "
            "bytes: the node would compute another state than its peers. Create the "
            "database with the C collation: createdb --template=template0 --locale=C "
            f"{name} (see docs/node.md, 'PostgreSQL')."
        )
