"""The sign-in throttle counts in the database: every server process sees the same
count, a cache clear or a restart does not reset it, and the window's end does."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.test import Client, override_settings
from django.utils import timezone
from tests.factories import PASS

from veche.apps.accounts.actions import create_account
from veche.apps.accounts.models import SignInFailures
from veche.apps.accounts.throttle import (
    FAILURE_WINDOW,
    MAX_FAILURES,
    record_failure,
    throttled,
)

pytestmark = pytest.mark.django_db
WRONG = "guess guess guess"
_OTHER_CACHE = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}


def _sign_in(pseudonym: str = "Sokol", passphrase: str = PASS, address: str = "10.0.0.7") -> int:
    """One attempt as a fresh browser, as any of the server's processes might see it."""
    response = Client(REMOTE_ADDR=address).post(
        "/accounts/sign-in/", {"pseudonym": pseudonym, "passphrase": passphrase}
    )
    return response.status_code


def _age_windows(by: timedelta) -> None:
    for row in SignInFailures.objects.all():
        SignInFailures.objects.filter(pk=row.pk).update(window_start=row.window_start - by)


def test_the_count_is_shared_by_processes_and_survives_a_cache_clear() -> None:
    create_account("Sokol", PASS)
    for attempt in range(MAX_FAILURES):
        # Alternate between two cache backends, clearing each time: as if every
        # attempt reached another gunicorn worker, or the node was restarted.
        if attempt % 2:
            with override_settings(CACHES=_OTHER_CACHE):
                assert _sign_in(passphrase=WRONG) == 200
        else:
            assert _sign_in(passphrase=WRONG) == 200
        cache.clear()
    assert SignInFailures.objects.count() == 2  # one address, one pseudonym
    assert set(SignInFailures.objects.values_list("failures", flat=True)) == {MAX_FAILURES}
    with override_settings(CACHES=_OTHER_CACHE):
        assert _sign_in() == 429
    cache.clear()
    assert _sign_in() == 429


def test_the_window_ends_and_the_count_starts_again() -> None:
    create_account("Sokol", PASS)
    for _ in range(MAX_FAILURES):
        _sign_in(passphrase=WRONG)
    assert _sign_in() == 429
    _age_windows(timedelta(seconds=FAILURE_WINDOW - 60))
    assert _sign_in() == 429  # a minute left
    _age_windows(timedelta(seconds=61))
    assert _sign_in(passphrase=WRONG) == 200  # a new window: one failure so far
    # The expired rows were dropped on that write and new ones opened.
    assert list(SignInFailures.objects.values_list("failures", flat=True)) == [1, 1]
    assert all(
        row.window_start > timezone.now() - timedelta(minutes=1)
        for row in SignInFailures.objects.all()
    )
    assert _sign_in() == 302


def test_throttled_per_address_and_per_pseudonym() -> None:
    create_account("Sokol", PASS)
    create_account("Zubr", PASS)
    # Many pseudonyms from one address: the address is blocked, for every pseudonym.
    for index in range(MAX_FAILURES):
        assert _sign_in(f"Guess{index}", WRONG, address="10.0.0.66") == 200
    assert _sign_in("Zubr", address="10.0.0.66") == 429
    assert _sign_in("Zubr", address="10.0.0.5") == 302
    # One pseudonym from many addresses: the pseudonym is blocked, from everywhere.
    for index in range(MAX_FAILURES):
        assert _sign_in(" sokol ", WRONG, address=f"10.1.0.{index}") == 200
    assert _sign_in("Sokol", address="10.2.0.1") == 429


def test_neither_address_nor_pseudonym_is_stored_in_the_clear() -> None:
    create_account("Sokol", PASS)
    _sign_in("Sokol", WRONG, address="192.168.7.42")
    keys = list(SignInFailures.objects.values_list("key", flat=True))
    assert len(keys) == 2
    for key in keys:
        assert len(key) == 64 and set(key) <= set("0123456789abcdef")
        assert "192.168" not in key and "sokol" not in key.lower()
    # Keyed with the node's secret: another node (or a guess without the key)
    # cannot recompute which address or pseudonym a row is about.
    with override_settings(SECRET_KEY="another node's secret key, long enough to be used"):
        _sign_in("Sokol", WRONG, address="192.168.7.42")
    assert SignInFailures.objects.count() == 4


def test_record_failure_counts_in_the_database() -> None:
    now = timezone.now()
    keys = ["a" * 64, "b" * 64]
    for _ in range(3):
        record_failure(keys, now=now)
    assert dict(SignInFailures.objects.values_list("key", "failures")) == {k: 3 for k in keys}
    assert not throttled(keys, now=now)
    for _ in range(MAX_FAILURES - 3):
        record_failure(keys[:1], now=now)
    assert throttled(keys, now=now) and throttled(keys[:1], now=now)
    assert not throttled(keys[1:], now=now)
    later = now + timedelta(seconds=FAILURE_WINDOW)
    assert not throttled(keys, now=later)
    record_failure(["c" * 64], now=later)  # any write drops expired rows
    assert list(SignInFailures.objects.values_list("key", flat=True)) == ["c" * 64]
