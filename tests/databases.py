"""Which database the test run uses, and throw-away PostgreSQL databases for subprocesses.

The suite runs twice in CI (``make test``): on SQLite, and with
``VECHE_TEST_DATABASE=postgres`` on the PostgreSQL server named by
``VECHE_TEST_POSTGRES_URL`` (default :data:`DEFAULT_POSTGRES_URL`). pytest-django
creates and drops the test database of the run itself; a separate ``veche``
process (a sync test's node, the hub test) gets a database of its own from
:func:`create_database`, never the test database, and :func:`drop_database` removes it.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

DEFAULT_POSTGRES_URL = "postgres://veche:veche@127.0.0.1/postgres"
CHOICES = ("sqlite", "sqlcipher", "postgres")


def chosen() -> str:
    """``VECHE_TEST_DATABASE``: ``sqlite``, ``postgres``, or empty (``DATABASE_URL`` decides);
    ``sqlcipher`` runs on the encrypted embedded database, in a file, under a random key
    (to show it is a drop-in for SQLite: ``make test-sqlcipher``)."""
    value = os.environ.get("VECHE_TEST_DATABASE", "").strip().lower()
    if value and value not in CHOICES:
        raise SystemExit(f"VECHE_TEST_DATABASE={value!r}: use one of {', '.join(CHOICES)}")
    return value


def server_url() -> str:
    """The PostgreSQL server (and a database to connect to) for making databases."""
    return os.environ.get("VECHE_TEST_POSTGRES_URL") or DEFAULT_POSTGRES_URL


def on_postgres() -> bool:
    """Whether this run's own database is PostgreSQL (read from Django's settings)."""
    from django.conf import settings

    return bool(settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql")


def run_server_url() -> str:
    """The server of this run's PostgreSQL (the database it was configured with), or on
    SQLite the one of ``VECHE_TEST_POSTGRES_URL`` for tests that reach for PostgreSQL."""
    if on_postgres():
        return os.environ.get("DATABASE_URL") or server_url()
    return server_url()


def require_postgres() -> str:
    """For a test that needs a PostgreSQL server whichever the run's database: the
    server's URL; the test is skipped without one (fails in CI, which has one)."""
    import pytest

    url = run_server_url()
    if on_postgres() or os.environ.get("VECHE_TEST_POSTGRES_URL"):
        return url  # promised: a server that does not answer is a failure
    why = reachable(url)
    if why is not None:
        if os.environ.get("CI"):
            pytest.fail(f"CI must provide PostgreSQL (VECHE_TEST_POSTGRES_URL, see .ci/run): {why}")
        pytest.skip(f"no PostgreSQL server (set VECHE_TEST_POSTGRES_URL): {why}")
    return url


def with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/" + name))


def reachable(url: str, timeout: int = 3) -> str | None:
    """``None`` when a connection to ``url`` works, else why not (one line)."""
    import psycopg

    try:
        with psycopg.connect(url, connect_timeout=timeout) as connection:
            connection.execute("SELECT 1")
    except psycopg.Error as error:
        return " ".join(str(error).split()) or type(error).__name__
    return None


def create_database(prefix: str, url: str | None = None, *, icu_locale: str = "") -> str:
    """A fresh empty database on the server of ``url``; its URL. Drop it with ``drop_database``.

    The name carries this process's id, so concurrent runs on one server never meet.
    ``icu_locale`` (e.g. ``en-US``) sorts its text by that language's rules, as a hub
    created on a machine with such a locale does; by default it is the server's.
    """
    import psycopg

    base = url or run_server_url()
    name = f"{prefix}_{os.getpid()}_{uuid.uuid4().hex[:10]}"
    options = ""
    if icu_locale:
        assert icu_locale.replace("-", "").isalnum(), icu_locale
        options = f" TEMPLATE template0 LOCALE_PROVIDER icu ICU_LOCALE '{icu_locale}'"
    with psycopg.connect(base, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"{options}'.encode())
    return with_database(base, name)


def drop_database(url: str, admin_url: str | None = None) -> None:
    """Drop the database ``url`` names (closing whatever still holds it open).

    ``WITH (FORCE)`` ends our own role's sessions, not the server's: an autovacuum
    worker that happens to be in a fresh database makes the drop fail with
    InsufficientPrivilege until it leaves (a second or so), so the drop is retried.
    """
    import time

    import psycopg
    from psycopg import errors

    name = urlsplit(url).path.lstrip("/")
    with psycopg.connect(admin_url or run_server_url(), autocommit=True) as admin:
        for attempt in range(40):
            try:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'.encode())
                return
            except (errors.InsufficientPrivilege, errors.ObjectInUse):
                if attempt == 39:
                    raise
                time.sleep(0.25)


def test_key_env(folder: Path) -> dict[str, str]:
    """On the ``sqlcipher`` pass, what a ``veche`` subprocess in ``folder`` needs to open
    this run's encrypted test database (a key file and the header naming it); on the
    other passes nothing."""
    from veche.web.db import encryption

    key = encryption.held()
    if chosen() != "sqlcipher" or key is None:
        return {}
    key_file = folder.with_name(folder.name + ".key")
    key_file.write_text(key.raw.hex())
    key_file.chmod(0o600)
    folder.mkdir(parents=True, exist_ok=True)
    encryption.create_with_key_file(folder, key_file, data_key=key)
    return {"VECHE_NODE_KEY_FILE": str(key_file)}
