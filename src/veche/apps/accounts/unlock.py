"""Keep a signed-in member's key usable without the server being able to read it.

At sign-in the seed is encrypted under a fresh random key; the ciphertext goes
into the server-side session, the random key only into the ``veche_unlock``
cookie. Either alone is useless. Sign-out deletes both.

The session also records the account's session generation at sign-in. A passphrase
change, a restore or "sign out everywhere" raises the account's generation, and a key
is unlocked only while the two agree, read from the database at the moment of signing:
a session stolen with a seized phone signs nothing after the owner changed the
passphrase elsewhere, even on a request already past Django's own session check.
"""

from __future__ import annotations

from collections.abc import Callable

import nacl.exceptions
import nacl.secret
import nacl.utils
from django.conf import settings
from django.contrib.auth import update_session_auth_hash
from django.http import HttpRequest, HttpResponse

from veche.apps.accounts.models import Account
from veche.events import Identity
from veche.events.encoding import EncodingError, b64d, b64e

COOKIE = "veche_unlock"
SESSION_KEY = "veche_sealed_key"
GENERATION_KEY = "veche_key_generation"


def unlock(request: HttpRequest, response: HttpResponse, seed: bytes) -> None:
    key = nacl.utils.random(nacl.secret.SecretBox.KEY_SIZE)
    request.session[SESSION_KEY] = b64e(bytes(nacl.secret.SecretBox(key).encrypt(seed)))
    request.session[GENERATION_KEY] = getattr(request.user, "session_generation", 0)
    response.set_cookie(
        COOKIE,
        b64e(key),
        httponly=True,
        samesite="Strict",
        secure=settings.SESSION_COOKIE_SECURE,
        path="/",
    )


def renew(request: HttpRequest) -> None:
    """Keep this session (and its unlocked key) after the account's generation was
    raised by this very request (a passphrase change): every other session ends."""
    user = request.user
    if isinstance(user, Account):
        request.session[GENERATION_KEY] = user.session_generation
        update_session_auth_hash(request, user)


def forget(request: HttpRequest, response: HttpResponse) -> None:
    request.session.pop(SESSION_KEY, None)
    response.delete_cookie(COOKIE, path="/", samesite="Strict")


def identity_of(request: HttpRequest) -> Identity | None:
    """The signed-in member's identity, or None if locked (no cookie, or sign-out)."""
    if not request.user.is_authenticated:
        return None
    sealed = request.session.get(SESSION_KEY)
    cookie = request.COOKIES.get(COOKIE)
    if not sealed or not cookie:
        return None
    try:
        seed = nacl.secret.SecretBox(b64d(cookie, 32)).decrypt(b64d(sealed))
    except (EncodingError, nacl.exceptions.CryptoError):
        return None
    identity = Identity(seed)
    if identity.public != request.user.public_key:
        return None
    # Read now, not from the account loaded at the start of the request: a change of
    # passphrase on another device a moment ago must already stop this signature.
    current = (
        Account.objects.filter(pk=request.user.pk)
        .values_list("session_generation", flat=True)
        .first()
    )
    if current is None or request.session.get(GENERATION_KEY, 0) != current:
        return None
    return identity


class UnlockMiddleware:
    """Adds ``request.identity()``: the member's key, unlocked on demand."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.identity = lambda: identity_of(request)  # type: ignore[attr-defined]
        return self.get_response(request)
