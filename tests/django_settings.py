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
if databases.chosen() == "sqlite":
    os.environ.pop("DATABASE_URL", None)
elif databases.chosen() == "postgres":
    os.environ["DATABASE_URL"] = databases.server_url()

from veche.web.settings import *  # noqa: F403
from veche.web.settings import DATABASES

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
