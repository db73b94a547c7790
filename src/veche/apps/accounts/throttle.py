"""The sign-in throttle: at most MAX_FAILURES failed sign-ins per window, per address
and per pseudonym.

Online guessing is slowed down per pseudonym and per address: each attempt costs
the node an Argon2id derivation, and a seized member list must not be
brute-forced through the sign-in page. The counts live in the database
(``SignInFailures``), so they hold across server processes and restarts; the
table stores only a keyed hash of each address and pseudonym.

A window opens at the first failure and lasts FAILURE_WINDOW seconds whatever
happens in it; expired rows are deleted whenever a failure is written.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import F
from django.http import HttpRequest
from django.utils import timezone
from django.utils.crypto import salted_hmac

from veche.apps.accounts.models import SignInFailures

__all__ = ["FAILURE_WINDOW", "MAX_FAILURES", "record_failure", "throttle_keys", "throttled"]

MAX_FAILURES = 10
FAILURE_WINDOW = 15 * 60
_SALT = "veche.accounts.sign-in-throttle"


def _hashed(kind: str, value: str) -> str:
    # HMAC-SHA256 keyed with SECRET_KEY: a copy of the table alone does not say
    # which addresses or pseudonyms tried to sign in.
    return salted_hmac(_SALT, f"{kind}:{value}", algorithm="sha256").hexdigest()


def throttle_keys(request: HttpRequest, pseudonym: str) -> list[str]:
    """The keys one sign-in attempt counts against: its address and its pseudonym."""
    address = request.META.get("REMOTE_ADDR", "")
    return [_hashed("address", address), _hashed("name", pseudonym.strip().casefold())]


def _window_opened_after(now: datetime) -> datetime:
    return now - timedelta(seconds=FAILURE_WINDOW)


def throttled(keys: list[str], now: datetime | None = None) -> bool:
    """Whether any of ``keys`` has used up its failures in the current window."""
    cutoff = _window_opened_after(now or timezone.now())
    return SignInFailures.objects.filter(
        key__in=keys, window_start__gt=cutoff, failures__gte=MAX_FAILURES
    ).exists()


def record_failure(keys: list[str], now: datetime | None = None) -> None:
    """Count one failed sign-in against each of ``keys``.

    One transaction: expired windows are dropped first (so a key seen again
    after its window starts over at 1), then each key's row is created or
    incremented in the database (``F() + 1``), never read-modify-written in
    Python, so concurrent processes do not lose counts. On SQLite the
    transaction takes the write lock up front (``transaction_mode IMMEDIATE``);
    on PostgreSQL a concurrent insert of the same key makes ``get_or_create``
    fall back to the other process's row.
    """
    now = now or timezone.now()
    with transaction.atomic():
        SignInFailures.objects.filter(window_start__lte=_window_opened_after(now)).delete()
        for key in sorted(set(keys)):  # one order for every process: no lock cycles
            _row, created = SignInFailures.objects.get_or_create(
                key=key, defaults={"failures": 1, "window_start": now}
            )
            if not created:
                SignInFailures.objects.filter(key=key).update(failures=F("failures") + 1)
