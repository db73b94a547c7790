"""Django settings, read from the environment only (never from argv).

``VECHE_DATA_DIR`` (default ``./data``) holds the SQLite database, the node's
secret key and its identity; ``DATABASE_URL`` picks PostgreSQL for hubs.
"""

from __future__ import annotations

import functools
import os
import secrets
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.functional import lazy

from veche.web.db import encryption
from veche.web.proxies import origin_hosts, parse_networks, parse_origins

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(os.environ.get("VECHE_DATA_DIR", "data")).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True, mode=0o700)


def _plain_secret_key(path: Path) -> str:
    try:
        return path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        key = secrets.token_urlsafe(50)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as handle:
            handle.write(key)
        return key


@functools.cache
def _sealed_secret_key() -> str:
    """An encrypted node's secret key, sealed under its database key (purpose
    ``secret-key``): read at its first use, once the node is unlocked. A plain key file
    left from before the node was encrypted is kept, and sealed in place."""
    from veche.web.db import sealed

    key = encryption.held()
    if key is None:
        raise ImproperlyConfigured(
            "this node is locked: Django's secret key is sealed under its database key"
        )
    path = DATA_DIR / "django-secret-key"
    # Made if missing; of processes starting at once, one makes it and all read it.
    sealed.create(path, secrets.token_urlsafe(50).encode("ascii"), "secret-key", key)
    stored = path.read_bytes()
    if not sealed.is_sealed(stored):
        sealed.write(path, stored, "secret-key", key)
        return stored.decode("ascii").strip()
    return sealed.open_bytes(stored, "secret-key", key, name=str(path)).decode("ascii").strip()


def _secret_key() -> str:
    """Per-node random key, created on first start, readable by the owner only.

    On an encrypted node it is sealed, and Django's settings are read before the
    node is unlocked (``veche.cli.base.setup_django``): SECRET_KEY is then a lazy
    string, read at its first use (a signed cookie, a keyed hash), after unlocking.
    """
    from_env = os.environ.get("VECHE_SECRET_KEY")
    if from_env:
        return from_env
    if _EMBEDDED and encryption.is_encrypted(DATA_DIR):
        return lazy(_sealed_secret_key, str)()
    return _plain_secret_key(DATA_DIR / "django-secret-key")


_DATABASE_URL = os.environ.get("DATABASE_URL", "")
_EMBEDDED = not _DATABASE_URL or _DATABASE_URL.startswith("sqlite:")
SECRET_KEY = _secret_key()
DEBUG = os.environ.get("VECHE_DEBUG", "") == "1"
ALLOWED_HOSTS = [
    h.strip()
    for h in os.environ.get("VECHE_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]").split(",")
    if h.strip()
]

# Behind a reverse proxy (docs/node.md, "Production"). Only requests from these
# addresses or networks may say who the client was (X-Forwarded-For) and that it
# came over TLS (X-Forwarded-Proto); from anyone else the headers are dropped
# (veche.web.middleware.TrustedProxyMiddleware). "none" trusts nobody.
VECHE_TRUSTED_PROXIES = parse_networks(os.environ.get("VECHE_TRUSTED_PROXIES", "127.0.0.1,::1"))
# The origins browsers reach the node under (https://veche.example.org): trusted
# for CSRF, and their host names allowed.
CSRF_TRUSTED_ORIGINS = parse_origins(os.environ.get("VECHE_ORIGINS", ""))
ALLOWED_HOSTS += [h for h in origin_hosts(CSRF_TRUSTED_ORIGINS) if h not in ALLOWED_HOSTS]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_tasks",
    "django_tasks_db",
    "veche.web",
    "veche.apps.store",
    "veche.apps.accounts",
    "veche.apps.committees",
    "veche.apps.audit",
    "veche.apps.strike",
    "veche.apps.fund",
    "veche.apps.planning",
    "veche.apps.sync",
    "veche.apps.elections",
]

MIDDLEWARE = [
    "veche.web.middleware.TrustedProxyMiddleware",
    "veche.web.middleware.AccessLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Pages are never kept in caches; static files (answered above) are.
    "veche.web.middleware.NoStoreMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "veche.web.middleware.BusyMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "veche.apps.accounts.unlock.UnlockMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "veche.apps.accounts.submissions.RepeatedSubmissionMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "veche.web.urls"
WSGI_APPLICATION = "veche.web.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "veche.web.context.node",
            ],
            # {% submission_key %} in every form (veche.apps.accounts.submissions).
            "builtins": ["veche.web.templatetags.forms"],
        },
    }
]

_default_db = f"sqlite:///{DATA_DIR / 'veche.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(os.environ.get("DATABASE_URL", _default_db))}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    if encryption.is_encrypted(DATA_DIR):
        # The whole database encrypted (SQLCipher), keyed by the unlocked node key
        # (docs/node.md, "Encryption at rest"); otherwise the same SQLite.
        DATABASES["default"]["ENGINE"] = "veche.web.db.sqlcipher"
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets the web UI read while sync writes; IMMEDIATE avoids
        # lock-upgrade deadlocks between concurrent writers. FULL syncs the log at
        # every commit: a power cut takes back no recorded event (docs/node.md,
        # "Durability").
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
        " PRAGMA foreign_keys=ON; PRAGMA busy_timeout=10000;",
        "transaction_mode": "IMMEDIATE",
    }
    DATABASES["default"].setdefault("TEST", {})["NAME"] = None
else:
    # A hub keeps its PostgreSQL connections between requests (one per server thread):
    # a new one costs an authentication and a backend with cold caches, ~15 ms of the
    # server's CPU per request (bench/web_load.py). Checked before reuse.
    DATABASES["default"]["CONN_MAX_AGE"] = int(os.environ.get("VECHE_DB_CONN_MAX_AGE", "300"))
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

if _EMBEDDED and encryption.is_encrypted(DATA_DIR):
    # Uploads (audit protocols, bundles) stay in memory, never in a plain temporary
    # file in /tmp: the audit's three files of at most 200 MB each, with room to spare.
    FILE_UPLOAD_HANDLERS = ["django.core.files.uploadhandler.MemoryFileUploadHandler"]
    FILE_UPLOAD_MAX_MEMORY_SIZE = 640 * 1024 * 1024

# Background work (audits, syncs) is queued in the node's own database and run by the
# worker `veche serve` starts (veche.web.background).
TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        "QUEUES": ["audits", "default"],
    }
}

AUTH_USER_MODEL = "accounts.Account"
AUTHENTICATION_BACKENDS = ["veche.apps.accounts.backend.PassphraseBackend"]
AUTH_PASSWORD_VALIDATORS: list[dict[str, str]] = []
LOGIN_URL = "accounts:sign-in"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

# A phone can be seized: sessions end when the browser closes and after 12 hours.
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_AGE = 12 * 3600
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
HTTPS = os.environ.get("VECHE_HTTPS", "") == "1"
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
CSRF_COOKIE_HTTPONLY = True
# Over TLS, browsers are told to come back only over TLS (sent on HTTPS answers only).
SECURE_HSTS_SECONDS = int(
    os.environ.get("VECHE_HSTS_SECONDS", str(365 * 24 * 3600) if HTTPS else "0")
)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

LANGUAGE_CODE = "en"
LANGUAGES = [("be", "Беларуская"), ("ru", "Русский"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Django ships no Belarusian date and number formats: ours are in veche/locale/be.
FORMAT_MODULE_PATH = ["veche.locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "Europe/Minsk"

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
# `veche serve` collects the static files with a content hash in each name
# (VECHE_STATIC_MANIFEST=1): pages link to those, and WhiteNoise lets browsers and
# proxies keep them for ever ("immutable"). Unhashed names stay cached 60 s.
STATIC_MANIFEST = os.environ.get("VECHE_STATIC_MANIFEST", "") == "1"
# Each collected file gets a .gz and (the brotli package installed) a .br beside it,
# sent to browsers that accept them. Only the hashed copies are kept and compressed:
# half the work at every start (brotli's best level takes seconds on libsodium); the
# unhashed names are still served, from the app folders through the finders above.
WHITENOISE_KEEP_ONLY_HASHED_FILES = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if STATIC_MANIFEST
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Argon2id cost for member passphrases: see veche.events.identity.KDF_PROFILES.
VECHE_KDF_PROFILE = os.environ.get("VECHE_KDF_PROFILE", "interactive")
# At most this many derivations at once on this machine, across server processes
# (each takes the profile's memory: 64 MiB for "interactive"); a request waits up
# to VECHE_KDF_WAIT seconds for one, then gets "busy, retry" (veche.apps.accounts.kdf).
VECHE_KDF_SLOTS = max(1, int(os.environ.get("VECHE_KDF_SLOTS", "2")))
VECHE_KDF_WAIT = float(os.environ.get("VECHE_KDF_WAIT", "3"))

# One line per request on stderr (veche.web.middleware.AccessLogMiddleware): the
# path without its query (invitation codes, ballot trackers), no cookies, no
# headers; the client's address as a keyed hash unless VECHE_ACCESS_LOG_ADDRESSES=1.
VECHE_ACCESS_LOG = os.environ.get("VECHE_ACCESS_LOG", "1") == "1"
VECHE_ACCESS_LOG_ADDRESSES = os.environ.get("VECHE_ACCESS_LOG_ADDRESSES", "") == "1"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"access": {"format": "%(asctime)s %(message)s"}},
    "handlers": {
        "console": {"class": "veche.web.log_handlers.StderrHandler"},
        "access": {"class": "veche.web.log_handlers.StderrHandler", "formatter": "access"},
    },
    "loggers": {
        # Request bodies (passphrases) are never logged; Django logs only paths.
        "django": {"handlers": ["console"], "level": "WARNING"},
        "veche": {"handlers": ["console"], "level": "INFO"},
        "veche.access": {
            "handlers": ["access"],
            "level": "INFO" if VECHE_ACCESS_LOG else "WARNING",
            "propagate": False,
        },
    },
}
