"""Sign in, sign out, change passphrase."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import authenticate, login, logout
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from veche.apps.accounts import unlock
from veche.apps.accounts.actions import AccountError, change_passphrase
from veche.apps.accounts.forms import PassphraseChangeForm, SignInForm
from veche.apps.accounts.throttle import record_failure, throttle_keys, throttled
from veche.events.identity import SealError


@require_http_methods(["GET", "POST"])
def sign_in(request: HttpRequest) -> HttpResponse:
    form = SignInForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        # Throttled per address and per pseudonym (see veche.apps.accounts.throttle).
        keys = throttle_keys(request, form.cleaned_data["pseudonym"])
        if throttled(keys):
            form.add_error(None, _("Too many failed attempts. Wait 15 minutes and try again."))
            return render(request, "accounts/sign_in.html", {"form": form}, status=429)
        account = authenticate(
            request,
            pseudonym=form.cleaned_data["pseudonym"],
            passphrase=form.cleaned_data["passphrase"],
        )
        seed = getattr(account, "unlocked_seed", None)
        if account is None or seed is None:
            record_failure(keys)
            form.add_error(None, _("Wrong pseudonym or passphrase."))
        else:
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
