"""Accounts: sign-in unlocks the key for the session only; the server alone cannot."""

from __future__ import annotations

import json

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from tests.factories import PASS

from veche.apps.accounts.actions import AccountError, create_account
from veche.apps.accounts.models import Account
from veche.apps.accounts.unlock import COOKIE, SESSION_KEY
from veche.events.encoding import b64e

pytestmark = pytest.mark.django_db


def _sign_in(client: Client, pseudonym: str = "Sokol", passphrase: str = PASS):  # type: ignore[no-untyped-def]
    return client.post("/accounts/sign-in/", {"pseudonym": pseudonym, "passphrase": passphrase})


def test_sign_in_unlocks_key_only_with_cookie_and_session() -> None:
    account, identity = create_account("Sokol", PASS)
    client = Client(enforce_csrf_checks=False)
    response = _sign_in(client)
    assert response.status_code == 302
    cookie_key = client.cookies[COOKIE].value
    assert client.cookies[COOKIE]["httponly"]
    session = Session.objects.get()
    stored = json.dumps(session.get_decoded()) + json.dumps(
        list(Account.objects.values_list("sealed_seed", flat=True))
    )
    # Neither the database (accounts, sessions) nor the cookie holds the seed in the clear.
    for secret in (identity.seed.hex(), b64e(identity.seed)):
        assert secret not in stored
        assert secret not in cookie_key
    assert SESSION_KEY in session.get_decoded()
    home = client.get("/")
    assert home.status_code == 200
    assert b"Welcome, Sokol" in home.content
    assert account.public_key == identity.public


def test_wrong_passphrase_and_unknown_pseudonym_look_alike() -> None:
    create_account("Sokol", PASS)
    wrong = _sign_in(Client(), passphrase="not the passphrase")
    unknown = _sign_in(Client(), pseudonym="Nobody")
    assert wrong.status_code == unknown.status_code == 200
    assert b"Wrong pseudonym or passphrase." in wrong.content
    assert b"Wrong pseudonym or passphrase." in unknown.content


def test_sign_out_forgets_the_key() -> None:
    create_account("Sokol", PASS)
    client = Client()
    _sign_in(client)
    response = client.post("/accounts/sign-out/")
    assert response.status_code == 302
    assert client.cookies[COOKIE].value == ""
    assert Session.objects.filter(session_data__contains=SESSION_KEY).count() == 0
    assert b"Welcome" not in client.get("/").content


def test_sign_out_needs_post_with_csrf() -> None:
    create_account("Sokol", PASS)
    client = Client(enforce_csrf_checks=True)
    page = client.get("/accounts/sign-in/")
    token = page.cookies["csrftoken"].value
    assert (
        client.post("/accounts/sign-in/", {"pseudonym": "Sokol", "passphrase": PASS}).status_code
        == 403
    )
    ok = client.post(
        "/accounts/sign-in/",
        {"pseudonym": "Sokol", "passphrase": PASS, "csrfmiddlewaretoken": token},
    )
    assert ok.status_code == 302
    assert client.get("/accounts/sign-out/").status_code == 405


def test_passphrase_change_re_encrypts() -> None:
    create_account("Sokol", PASS)
    client = Client()
    _sign_in(client)
    old_sealed = Account.objects.get().sealed_seed
    response = client.post(
        "/accounts/passphrase/",
        {"old": PASS, "new": "a brand new passphrase", "again": "a brand new passphrase"},
    )
    assert response.status_code == 302
    assert Account.objects.get().sealed_seed != old_sealed
    assert _sign_in(Client()).status_code == 200  # old passphrase fails
    assert _sign_in(Client(), passphrase="a brand new passphrase").status_code == 302


def test_passphrase_change_with_wrong_old_passphrase_is_refused() -> None:
    create_account("Sokol", PASS)
    client = Client()
    _sign_in(client)
    response = client.post(
        "/accounts/passphrase/",
        {
            "old": "wrong one!!",
            "new": "pine needle ferry lantern",
            "again": "pine needle ferry lantern",
        },
    )
    assert b"This is not your current passphrase." in response.content


@pytest.mark.parametrize(
    ("pseudonym", "passphrase", "field"),
    [("", PASS, "pseudonym"), ("a" * 41, PASS, "pseudonym"), ("ok name", "short", "passphrase")],
)
def test_bad_account_input(pseudonym: str, passphrase: str, field: str) -> None:
    with pytest.raises(AccountError) as error:
        create_account(pseudonym, passphrase)
    assert error.value.field == field


def test_pseudonym_taken() -> None:
    create_account("Sokol", PASS)
    with pytest.raises(AccountError, match="taken"):
        create_account("Sokol", PASS)


def test_guessing_is_throttled() -> None:
    from datetime import timedelta

    from django.core.cache import cache

    from veche.apps.accounts.models import SignInFailures

    cache.clear()
    create_account("Sokol", PASS)
    client = Client()
    for _ in range(10):
        assert _sign_in(client, passphrase="guess guess guess").status_code == 200
    blocked = _sign_in(client)  # even the right passphrase waits now
    assert blocked.status_code == 429
    assert b"Too many failed attempts" in blocked.content
    cache.clear()  # the counts are in the database now: clearing the cache lifts nothing
    assert _sign_in(Client()).status_code == 429
    # Once the 15 minutes are over, the right passphrase works again.
    for row in SignInFailures.objects.all():
        SignInFailures.objects.filter(pk=row.pk).update(
            window_start=row.window_start - timedelta(minutes=15)
        )
    assert _sign_in(Client()).status_code == 302
