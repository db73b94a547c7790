"""Settings for the test run: a throw-away data folder and a cheap Argon2 profile."""

import os
import tempfile

os.environ.setdefault("VECHE_DATA_DIR", tempfile.mkdtemp(prefix="veche-test-"))
os.environ.setdefault("VECHE_KDF_PROFILE", "test")

from veche.web.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # unused: no passwords

# "Sync now" runs within the request in tests; tests/sync/test_sync_runner.py
# turns the background thread on where it tests it.
VECHE_SYNC_BACKGROUND = False
