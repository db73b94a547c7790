"""A passphrase change, a restore or "sign out everywhere" ends every other session of
the account, and a key unlocked in one of them signs nothing more."""

from __future__ import annotations

from importlib import import_module

import pytest
from django.conf import settings
from django.contrib.messages.storage.fallback import FallbackStorage
from django.test import Client, RequestFactory
from django.urls import reverse
from tests.factories import PASS, World, sign_in

from veche.apps.accounts.actions import create_account, end_sessions
from veche.apps.accounts.models import Account
from veche.apps.accounts.unlock import COOKIE, identity_of
from veche.apps.committees.models import Invitation
from veche.web.viewer import run_signed_action

pytestmark = pytest.mark.django_db

NEW = "pine needle ferry lantern"


@pytest.fixture
def space(world: World) -> str:
    space = world.committee("Sokol", name="Kozlova plant strike committee")
    create_account("Sokol", PASS, world.person("Sokol"))
    return space


def _invite(client: Client, space: str) -> bool:
    """Sign an invitation through the committee page; whether one was recorded."""
    before = Invitation.objects.filter(space=space).count()
    client.post(reverse("committees:invite", args=[space]))
    return Invitation.objects.filter(space=space).count() == before + 1


def test_a_passphrase_change_stops_the_other_session_signing(space: str) -> None:
    phone, laptop = sign_in("Sokol"), sign_in("Sokol")
    assert _invite(phone, space)

    changed = laptop.post(reverse("accounts:passphrase"), {"old": PASS, "new": NEW, "again": NEW})
    assert changed.status_code == 302

    # The phone (seized, say) tries to sign: refused, and it is signed out.
    answer = phone.post(reverse("committees:invite", args=[space]))
    assert answer.status_code == 302 and reverse("accounts:sign-in") in answer["Location"]
    assert not _invite(phone, space)
    assert phone.get(reverse("accounts:account")).status_code == 302
    # The session that changed the passphrase keeps signing.
    assert _invite(laptop, space)
    # And the new passphrase is the one that signs in.
    assert (
        Client().post("/accounts/sign-in/", {"pseudonym": "Sokol", "passphrase": NEW}).status_code
        == 302
    )


def test_a_key_unlocked_before_the_change_signs_nothing_after_it(space: str) -> None:
    """The signing check reads the account's generation at the moment of signing: a
    request that passed Django's session check a moment before the change (its account
    loaded with the old generation) still cannot sign."""
    phone = sign_in("Sokol")
    engine = import_module(settings.SESSION_ENGINE)
    request = RequestFactory().post("/")
    request.session = engine.SessionStore(phone.cookies[settings.SESSION_COOKIE_NAME].value)
    request.COOKIES[COOKIE] = phone.cookies[COOKIE].value
    request.user = Account.objects.get(pseudonym="Sokol")  # loaded before the change
    request._messages = FallbackStorage(request)  # type: ignore[attr-defined]
    assert identity_of(request) is not None

    end_sessions(Account.objects.get(pseudonym="Sokol"))  # the change, on another device

    assert request.user.session_generation == 0  # this request's stale view of the account
    assert identity_of(request) is None
    signed = []
    assert run_signed_action(request, signed.append) is None
    assert signed == []
    assert any("sign in again" in str(m) for m in request._messages)  # type: ignore[attr-defined]


def test_sign_out_everywhere_ends_every_session(space: str) -> None:
    phone, laptop = sign_in("Sokol"), sign_in("Sokol")
    assert phone.get(reverse("accounts:account")).status_code == 200
    answer = laptop.post(reverse("accounts:sign-out-everywhere"))
    assert answer.status_code == 302 and answer["Location"] == reverse("accounts:sign-in")
    for client in (phone, laptop):
        assert client.get(reverse("accounts:account")).status_code == 302
        assert not _invite(client, space)
    # Signing in again works as before.
    assert _invite(sign_in("Sokol"), space)


def test_sign_out_everywhere_is_a_post_for_members_only() -> None:
    assert Client().post(reverse("accounts:sign-out-everywhere")).status_code == 302
    create_account("Sokol", PASS)
    assert sign_in("Sokol").get(reverse("accounts:sign-out-everywhere")).status_code == 405


def test_sessions_from_before_the_counter_stay_valid() -> None:
    """Generation 0 keeps Django's own session hash: upgrading ends no session."""
    account, _ = create_account("Sokol", PASS)
    from django.contrib.auth.base_user import AbstractBaseUser

    assert account.get_session_auth_hash() == AbstractBaseUser.get_session_auth_hash(account)
    end_sessions(account)
    assert account.get_session_auth_hash() != AbstractBaseUser.get_session_auth_hash(account)
