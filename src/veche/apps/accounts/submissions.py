"""Idempotent form submissions: a repeated POST gets the first one's outcome.

Every form a page renders carries a hidden ``submission`` field, new at each rendering
(``{% submission_key %}``). The first POST of a signed-in member with a key records it
(a unique row, committed before the view runs) and, when the view answers with a
redirect, stores that answer and the messages it gave. A repeat of the key, even one
arriving while the first is still being signed, waits for the first to finish and then
gets the same redirect and messages, and nothing is done twice: a double-tapped vote is
one vote, a retried upload one audit. A first POST that fails or shows its form again
(a 200 with the errors, a 500) forgets its key, so the member can correct and send it.

Requests without the field (the command line, sync, tests' clients) are not affected.
"""

from __future__ import annotations

import re
import secrets
import time
from collections.abc import Callable
from datetime import timedelta

from django.contrib import messages
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from veche.apps.accounts.models import Account, Submission

FIELD = "submission"
KEEP = timedelta(days=1)
# A repeat waits this long for the first submission's answer.
WAIT_SECONDS = 60.0
_KEY = re.compile(r"\A[0-9a-f]{32}\Z")
_FORMS = ("application/x-www-form-urlencoded", "multipart/form-data")
_REDIRECTS = (301, 302, 303, 307, 308)

Handler = Callable[[HttpRequest], HttpResponse]


def new_key() -> str:
    return secrets.token_hex(16)


class RepeatedSubmissionMiddleware:
    """Placed after the messages middleware: it needs the member and their messages."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        key = self._key(request)
        account = request.user
        if key is None or not isinstance(account, Account):
            return self.get_response(request)
        try:
            with transaction.atomic():
                Submission.objects.create(account=account, key=key, path=request.path[:300])
        except IntegrityError:
            return self._repeat(request, account, key)
        Submission.objects.filter(account=account, created_at__lt=timezone.now() - KEEP).delete()
        try:
            response = self.get_response(request)
        except BaseException:
            Submission.objects.filter(account=account, key=key).delete()
            raise
        if response.status_code in _REDIRECTS and response.has_header("Location"):
            given = [
                [m.level, str(m.message), m.extra_tags or ""]
                for m in getattr(getattr(request, "_messages", None), "_queued_messages", [])
            ]
            Submission.objects.filter(account=account, key=key).update(
                status=response.status_code, location=response["Location"], messages=given
            )
        else:  # nothing done that a repeat should not do again
            Submission.objects.filter(account=account, key=key).delete()
        return response

    @staticmethod
    def _key(request: HttpRequest) -> str | None:
        if request.method != "POST" or not request.user.is_authenticated:
            return None
        if request.content_type not in _FORMS:
            return None
        key = request.POST.get(FIELD, "")
        return key if _KEY.match(key) else None

    def _repeat(self, request: HttpRequest, account: Account, key: str) -> HttpResponse:
        deadline = time.monotonic() + WAIT_SECONDS
        while True:
            first = Submission.objects.filter(account=account, key=key).first()
            if first is None:  # the first one failed or asked for corrections
                return self(request)
            if first.status is not None:
                break
            if time.monotonic() > deadline:
                return render(
                    request,
                    "veche/still_working.html",
                    {"message": _("This form is still being sent. Reload the page in a moment.")},
                    status=409,
                )
            time.sleep(0.05)
        if first.path != request.path[:300]:  # a key from another form: not a repeat
            return render(
                request,
                "veche/still_working.html",
                {"message": _("This form was already used. Open the page again and resend.")},
                status=409,
            )
        for level, text, tags in first.messages:
            messages.add_message(request, level, text, extra_tags=tags)
        response = HttpResponseRedirect(first.location)
        response.status_code = first.status
        return response
