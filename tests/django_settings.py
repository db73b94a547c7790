"""Settings for the test run: a throw-away data folder and a cheap Argon2 profile.

``VECHE_TEST_DATABASE`` picks the database (see tests/databases.py): ``sqlite`` (an
in-memory test database, whatever ``DATABASE_URL`` says), ``postgres`` (the server of
``VECHE_TEST_POSTGRES_URL``, default postgres://veche:veche@127.0.0.1/postgres), or
unset: ``DATABASE_URL`` if set, else SQLite. On PostgreSQL pytest-django creates its
own test database under a name of this run's alone and drops it at the end.
"""

import os
import tempfile

from tests import databases

os.environ.setdefault("VECHE_DATA_DIR", tempfile.mkdtemp(prefix="veche-test-"))
os.environ.setdefault("VECHE_KDF_PROFILE", "test")
if databases.chosen() in ("sqlite", "sqlcipher"):
    os.environ.pop("DATABASE_URL", None)
elif databases.chosen() == "postgres":
    os.environ["DATABASE_URL"] = databases.server_url()

from veche.web.settings import *  # noqa: F403
from veche.web.settings import DATABASES

if databases.chosen() == "sqlcipher":
    # The encrypted backend on a real file (an in-memory database is never encrypted),
    # keyed with a random key this process holds, as an unlocked node does.
    from veche.web.db import encryption
    from veche.web.db.sqlcipher import base as sqlcipher_base

    DATABASES["default"]["ENGINE"] = "veche.web.db.sqlcipher"
    DATABASES["default"]["TEST"]["NAME"] = os.path.join(
        os.environ["VECHE_DATA_DIR"], "test-encrypted.sqlite3"
    )
    sqlcipher_base.DatabaseWrapper.allow_create = True  # the test database is made anew
    encryption.hold(encryption.DatabaseKey(os.urandom(32)))

if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Never "test_postgres": runs by other people on the same server would share it.
    DATABASES["default"].setdefault("TEST", {})["NAME"] = f"veche_test_{os.getpid()}"

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # unused: no passwords

# Background tasks (audits, "Sync now") run within the request in tests; the tests of
# the worker itself (tests/web/test_background.py) queue them in the database.
TASKS = {
    "default": {
        "BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
        "QUEUES": ["audits", "default"],
    }
}
