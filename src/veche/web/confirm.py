"""Confirming an irreversible action before it is signed, without JavaScript.

A button that does something nobody can undo (closing a vote, leaving a committee,
approving a payout...) posts to its view as before. The view asks ``confirmed(request)``
first: a POST without ``confirm=yes`` is answered with ``ask(...)``, a page that says
in words what will happen and what follows from it, and whose form posts the same
fields again with ``confirm=yes``. Only that second POST signs.

The page answers 200, so the idempotent-submission middleware forgets the first POST's
key (``apps/accounts/submissions.py``: a page that shows a form was "nothing done");
the confirmation form carries a fresh ``{% submission_key %}``, so a double tap on
"Yes" is still one signed event.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from veche.apps.accounts.submissions import FIELD as SUBMISSION_FIELD

CONFIRM_FIELD = "confirm"
CONFIRM_VALUE = "yes"
# Fields of the first POST that the confirmation form must not repeat: its own.
_NOT_CARRIED = frozenset({"csrfmiddlewaretoken", SUBMISSION_FIELD, CONFIRM_FIELD})


@dataclass(frozen=True)
class Confirmation:
    """What a confirmation page says. Every string is already in the reader's language.

    ``question`` is the page's heading ("Close the vote?"); ``consequences`` are
    sentences on what will happen; ``warnings`` are shown first and marked as alerts
    (a vote closed before its deadline); ``facts`` are (term, value) pairs (a tally,
    an amount); ``names`` are people the action concerns, under ``names_heading``
    (who has not voted). ``button`` says the action ("Close the vote now"); ``back``
    is where "Cancel" leads.
    """

    question: str
    consequences: Sequence[str]
    button: str
    back: str
    warnings: Sequence[str] = ()
    facts: Sequence[tuple[str, str]] = ()
    names_heading: str = ""
    names: Sequence[str] = field(default_factory=tuple)


def isolated(text: str) -> str:
    """A user's string (a title, a pseudonym) set into a sentence, isolated from its
    direction (FSI ... PDI, the text form of ``<bdi>``): a right-to-left or override
    character in it cannot reorder the words around it."""
    return f"\u2068{text}\u2069"


def confirmed(request: HttpRequest) -> bool:
    """Whether this POST is the answer of a confirmation page."""
    return request.method == "POST" and request.POST.get(CONFIRM_FIELD) == CONFIRM_VALUE


def ask(request: HttpRequest, confirmation: Confirmation) -> HttpResponse:
    """The confirmation page: posts to the same address the same fields, confirmed."""
    carried = [
        (name, value)
        for name, values in request.POST.lists()
        if name not in _NOT_CARRIED
        for value in values
    ]
    return render(
        request,
        "veche/confirm.html",
        {
            "confirmation": confirmation,
            "action": request.path,
            "carried": carried,
            "confirm_field": CONFIRM_FIELD,
            "confirm_value": CONFIRM_VALUE,
        },
    )
