"""Django settings, read from the environment only (never from argv).

``VECHE_DATA_DIR`` (default ``./data``) holds the SQLite database, the node's
secret key and its identity; ``DATABASE_URL`` picks PostgreSQL for hubs.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(os.environ.get("VECHE_DATA_DIR", "data")).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True, mode=0o700)


def _secret_key() -> str:
    """Per-node random key, created on first start, readable by the owner only."""
    from_env = os.environ.get("VECHE_SECRET_KEY")
    if from_env:
        return from_env
    path = DATA_DIR / "django-secret-key"
    try:
        return path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        key = secrets.token_urlsafe(50)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as handle:
            handle.write(key)
        return key


SECRET_KEY = _secret_key()
DEBUG = os.environ.get("VECHE_DEBUG", "") == "1"
ALLOWED_HOSTS = [
    h.strip()
    for h in os.environ.get("VECHE_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]").split(",")
    if h.strip()
]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "veche.web",
    "veche.apps.store",
    "veche.apps.accounts",
    "veche.apps.committees",
    "veche.apps.audit",
    "veche.apps.strike",
    "veche.apps.fund",
    "veche.apps.sync",
    "veche.apps.elections",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "veche.apps.accounts.unlock.UnlockMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
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
        },
    }
]

_default_db = f"sqlite:///{DATA_DIR / 'veche.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(os.environ.get("DATABASE_URL", _default_db))}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets the web UI read while sync writes; IMMEDIATE avoids
        # lock-upgrade deadlocks between concurrent writers.
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
        " PRAGMA foreign_keys=ON; PRAGMA busy_timeout=10000;",
        "transaction_mode": "IMMEDIATE",
    }
    DATABASES["default"].setdefault("TEST", {})["NAME"] = None

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
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Argon2id cost for member passphrases: see veche.events.identity.KDF_PROFILES.
VECHE_KDF_PROFILE = os.environ.get("VECHE_KDF_PROFILE", "interactive")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {
        # Request bodies (passphrases) are never logged; Django logs only paths.
        "django": {"handlers": ["console"], "level": "WARNING"},
        "veche": {"handlers": ["console"], "level": "INFO"},
    },
}
