"""Keep a signed-in member's key usable without the server being able to read it.

At sign-in the seed is encrypted under a fresh random key; the ciphertext goes
into the server-side session, the random key only into the ``veche_unlock``
cookie. Either alone is useless. Sign-out deletes both.
"""

from __future__ import annotations

from collections.abc import Callable

import nacl.exceptions
import nacl.secret
import nacl.utils
from django.conf import settings
from django.http import HttpRequest, HttpResponse

from veche.events import Identity
from veche.events.encoding import EncodingError, b64d, b64e

COOKIE = "veche_unlock"
SESSION_KEY = "veche_sealed_key"


def unlock(request: HttpRequest, response: HttpResponse, seed: bytes) -> None:
    key = nacl.utils.random(nacl.secret.SecretBox.KEY_SIZE)
    request.session[SESSION_KEY] = b64e(bytes(nacl.secret.SecretBox(key).encrypt(seed)))
    response.set_cookie(
        COOKIE,
        b64e(key),
        httponly=True,
        samesite="Strict",
        secure=settings.SESSION_COOKIE_SECURE,
        path="/",
    )


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
    return identity


class UnlockMiddleware:
    """Adds ``request.identity()``: the member's key, unlocked on demand."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.identity = lambda: identity_of(request)  # type: ignore[attr-defined]
        return self.get_response(request)
