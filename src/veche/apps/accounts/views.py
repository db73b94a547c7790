"""Sign in, sign out, change passphrase."""

from __future__ import annotations

import hashlib

from django.contrib import messages
from django.contrib.auth import authenticate, login, logout
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from veche.apps.accounts import unlock
from veche.apps.accounts.actions import AccountError, change_passphrase
from veche.apps.accounts.forms import PassphraseChangeForm, SignInForm
from veche.events.identity import SealError

# Online guessing is slowed down per pseudonym and per address: each attempt
# costs the node an Argon2id derivation, and a seized member list must not be
# brute-forced through the sign-in page.
MAX_FAILURES = 10
FAILURE_WINDOW = 15 * 60


def _throttle_keys(request: HttpRequest, pseudonym: str) -> list[str]:
    address = request.META.get("REMOTE_ADDR", "")
    name = hashlib.blake2b(pseudonym.strip().casefold().encode(), digest_size=16).hexdigest()
    return [f"veche:sign-in:address:{address}", f"veche:sign-in:name:{name}"]


def _throttled(keys: list[str]) -> bool:
    return any(cache.get(key, 0) >= MAX_FAILURES for key in keys)


def _failed(keys: list[str]) -> None:
    for key in keys:
        cache.add(key, 0, FAILURE_WINDOW)
        try:
            cache.incr(key)
        except ValueError:
            cache.set(key, 1, FAILURE_WINDOW)


@require_http_methods(["GET", "POST"])
def sign_in(request: HttpRequest) -> HttpResponse:
    form = SignInForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        keys = _throttle_keys(request, form.cleaned_data["pseudonym"])
        if _throttled(keys):
            form.add_error(None, _("Too many failed attempts. Wait 15 minutes and try again."))
            return render(request, "accounts/sign_in.html", {"form": form}, status=429)
        account = authenticate(
            request,
            pseudonym=form.cleaned_data["pseudonym"],
            passphrase=form.cleaned_data["passphrase"],
        )
        if account is None:
            _failed(keys)
            form.add_error(None, _("Wrong pseudonym or passphrase."))
        else:
            seed = account.unlocked_seed  # type: ignore[attr-defined]
            login(request, account)
            target = request.GET.get("next", "")
            if not url_has_allowed_host_and_scheme(target, {request.get_host()}):
                target = ""
            response = redirect(target or "home")
            unlock.unlock(request, response, seed)
            return response
    return render(request, "accounts/sign_in.html", {"form": form}, status=200)


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    response = redirect("home")
    unlock.forget(request, response)
    logout(request)
    return response


@login_required
@require_http_methods(["GET", "POST"])
def passphrase(request: HttpRequest) -> HttpResponse:
    form = PassphraseChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            change_passphrase(request.user, form.cleaned_data["old"], form.cleaned_data["new"])  # type: ignore[arg-type]
        except SealError:
            form.add_error("old", _("This is not your current passphrase."))
        except AccountError as error:
            form.add_error("new", error.message)
        else:
            messages.success(request, _("Your passphrase was changed."))
            return redirect("home")
    return render(request, "accounts/passphrase.html", {"form": form})
