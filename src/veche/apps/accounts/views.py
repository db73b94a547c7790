"""Sign in, sign out (here or everywhere), change passphrase, the welcome page, and the
key backup: download, paper copy, restore."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import authenticate, login, logout
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from veche.apps.accounts import backup, unlock
from veche.apps.accounts.actions import AccountError, change_passphrase, end_sessions
from veche.apps.accounts.forms import (
    MAX_BACKUP_PHOTO,
    PassphraseChangeForm,
    RestoreForm,
    SignInForm,
)
from veche.apps.accounts.throttle import record_failure, throttle_keys, throttled
from veche.apps.committees.access import committees_of
from veche.events.identity import SealError
from veche.web.viewer import account as account_of


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
@require_POST
def sign_out_everywhere(request: HttpRequest) -> HttpResponse:
    """End every session of the account, this one too: a lost or seized phone stays
    signed in nowhere, and a key unlocked on it signs nothing more."""
    end_sessions(account_of(request))
    response = redirect("accounts:sign-in")
    unlock.forget(request, response)
    logout(request)
    messages.success(
        request, _("You are signed out everywhere. Sign in again on the devices you use.")
    )
    return response


@login_required
@require_http_methods(["GET", "POST"])
def passphrase(request: HttpRequest) -> HttpResponse:
    member = account_of(request)
    form = PassphraseChangeForm(request.POST or None, related=(member.pseudonym,))
    if request.method == "POST" and form.is_valid():
        try:
            change_passphrase(member, form.cleaned_data["old"], form.cleaned_data["new"])
        except SealError:
            form.add_error("old", _("This is not your current passphrase."))
        except AccountError as error:
            form.add_error("new", error.message)
        else:
            unlock.renew(request)  # this session stays; every other one has ended
            messages.success(
                request,
                _(
                    "Your passphrase was changed, and every other session of your account "
                    "has ended. Make a new backup: the old one opens with the old passphrase."
                ),
            )
            return redirect("accounts:account")
    return render(request, "accounts/passphrase.html", {"form": form})


@login_required
@require_GET
def welcome(request: HttpRequest) -> HttpResponse:
    """After joining: what a member can do next, and the key backup."""
    member = account_of(request)
    committees = list(committees_of(member.public_key)[:20])
    return render(request, "accounts/welcome.html", {"committees": committees})


@login_required
@require_GET
def account(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/account.html", {})


@login_required
@require_GET
def key_file(request: HttpRequest) -> HttpResponse:
    """The sealed key file: it opens only with the account's current passphrase."""
    member = account_of(request)
    response = HttpResponse(backup.key_file(member), content_type="application/json")
    response["Content-Disposition"] = f'attachment; filename="veche-{member.public_key[:8]}.key"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_GET
def paper(request: HttpRequest) -> HttpResponse:
    """The printable paper backup: the sealed key file as a QR code, and how to restore."""
    member = account_of(request)
    response = render(
        request,
        "accounts/paper.html",
        {"qr": backup.paper_qr_svg(member), "node": request.build_absolute_uri("/")},
    )
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_GET
def paper_png(request: HttpRequest) -> HttpResponse:
    """The paper backup's QR code as a PNG, to save on another device."""
    member = account_of(request)
    response = HttpResponse(backup.paper_qr_png(member), content_type="image/png")
    response["Content-Disposition"] = (
        f'attachment; filename="veche-{member.public_key[:8]}-backup.png"'
    )
    response["Cache-Control"] = "no-store"
    return response


@require_http_methods(["GET", "POST"])
def restore(request: HttpRequest) -> HttpResponse:
    """Restore an account from a key backup (file or photo of the QR), then sign in.

    Open to anyone, like sign-in, and throttled like it: a wrong passphrase counts as a
    failed sign-in for the address and for the backup's key."""
    form = RestoreForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["backup"]
        try:
            if upload.size > MAX_BACKUP_PHOTO:
                raise backup.BackupError(_("This file is too large for a key backup."))
            found = backup.read(upload.read())
        except backup.BackupError as error:
            form.add_error("backup", error.message)
        else:
            keys = throttle_keys(request, found.public)
            if throttled(keys):
                form.add_error(None, _("Too many failed attempts. Wait 15 minutes and try again."))
                return render(request, "accounts/restore.html", {"form": form}, status=429)
            try:
                member, identity = backup.restore(
                    found, form.cleaned_data["passphrase"], form.cleaned_data["pseudonym"]
                )
            except backup.BackupError as error:
                record_failure(keys)
                form.add_error("passphrase", error.message)
            except AccountError as error:
                form.add_error("pseudonym", error.message)
            else:
                if request.user.is_authenticated:
                    logout(request)
                login(request, member, backend="veche.apps.accounts.backend.PassphraseBackend")
                response = redirect("accounts:welcome")
                unlock.unlock(request, response, identity.seed)
                messages.success(
                    request,
                    _("Your account is restored on this node as %(pseudonym)s.")
                    % {"pseudonym": member.pseudonym},
                )
                return response
    return render(request, "accounts/restore.html", {"form": form})
