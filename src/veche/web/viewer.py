"""Who is looking and who signs, for every app's views, and the one way a view signs.

A view asks ``viewer(request)`` for the key every ``access_*`` read takes (``None`` for
someone not signed in), and ``signer(request)`` for the unlocked key an action signs
with. ``run_signed_action`` wraps an action the way every signing view answers: a locked
key and a refused event become a message on the next page, never a stack trace.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from django.contrib import messages
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _

from veche.apps.accounts.models import Account
from veche.apps.accounts.unlock import identity_of
from veche.apps.store.reasons import refusal_text
from veche.events import Identity, RuleViolation

T = TypeVar("T")


def viewer(request: HttpRequest) -> str | None:
    """The signed-in member's public key, or None: what every ``access_*`` read takes."""
    user = request.user
    # An anonymous visitor is not an Account; a signed-in one always is (AUTH_USER_MODEL).
    return user.public_key if isinstance(user, Account) and user.is_authenticated else None


def account(request: HttpRequest) -> Account:
    """The signed-in member's account, for views behind ``login_required`` (404 for
    anyone else, should such a view be reached without it)."""
    user = request.user
    if not isinstance(user, Account) or not user.is_authenticated:
        raise Http404
    return user


def unlocked(request: HttpRequest) -> Identity | None:
    """The signed-in member's key, unlocked by the session's cookie; None if locked."""
    return identity_of(request)


def signer(request: HttpRequest) -> Identity:
    """The key to sign with; 404 if it is locked (the unlock cookie is gone: sign in again)."""
    identity = unlocked(request)
    if identity is None:
        raise Http404
    return identity


def refused(request: HttpRequest, violation: RuleViolation) -> None:
    """A refused event's reason, as a message on the next page."""
    messages.error(request, _("Refused: %(reason)s") % {"reason": refusal_text(violation)})


def run_signed_action(
    request: HttpRequest,
    act: Callable[[Identity], T],
    *,
    done: str = "",
    on_refused: Callable[[RuleViolation], None] | None = None,
    locked_is_404: bool = False,
) -> T | None:
    """Sign and append with ``act``; its result, or None when nothing was recorded.

    A locked key is a message asking to sign in again (or, with ``locked_is_404``, a 404:
    the committee and election pages answer so). A refused event is shown with its
    reason, as a message or through ``on_refused`` (a form's error); ``done`` is the
    message for success.
    """
    identity = signer(request) if locked_is_404 else unlocked(request)
    if identity is None:
        messages.error(request, _("Your key is locked: sign in again to sign events."))
        return None
    try:
        result = act(identity)
    except RuleViolation as violation:
        if on_refused is None:
            refused(request, violation)
        else:
            on_refused(violation)
        return None
    if done:
        messages.success(request, done)
    return result
