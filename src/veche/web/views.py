"""The shell's own pages: home, and one event with its verification status."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from veche.apps.committees.access import (
    access_event_by_id,
    missing_of,
    readable_deps,
)
from veche.apps.store.models import Status, StoredEvent
from veche.apps.store.reasons import Reason, explain, message_text
from veche.events import EventError, parse_event
from veche.web.home import home_of
from veche.web.labels import EVENT_KIND_LABELS, label
from veche.web.viewer import account, viewer


def home(request: HttpRequest) -> HttpResponse:
    """For a signed-in member, what waits for them and what is new (``web/home.py``);
    for anyone else, what Veche is."""
    if viewer(request) is None:
        return render(request, "veche/home.html", {})
    return render(request, "veche/home.html", {"home": home_of(account(request))})


# The sentences of unverified outcomes (event-v1 §14.6), in the reader's language:
# the store keeps them as the rules wrote them.
UNVERIFIED_MESSAGES = frozenset(
    (
        gettext_noop("it cites an event of a space this node does not hold"),  # store/context.py
        # apps/committees/motions.py
        gettext_noop("the author's seat is not verified on this node"),
        gettext_noop("the motion is not verified on this node"),
        gettext_noop("it relies on a decision that is not verified on this node"),
        gettext_noop(
            "the result differs from the votes held here, and some seats are not verified"
        ),
        gettext_noop("it withdraws a delegate whose seat is not verified on this node"),
        gettext_noop("a candidate's seat is not verified on this node"),
    )
)


def _reason(row: StoredEvent) -> Reason | None:
    """The stored outcome's reason in words; for a pending event, what it waits for."""
    if row.status == Status.PENDING:
        missing = missing_of(row)
        if not missing:
            return None
        return Reason(
            _("waits for events this node does not hold yet: %(events)s")
            % {"events": ", ".join(missing)}
        )
    reason = explain(row.reason)
    if (
        reason is not None
        and row.status == Status.UNVERIFIED
        and reason.message in UNVERIFIED_MESSAGES
    ):
        return Reason(_(reason.message), reason.field, reason.rule)
    return reason


def event_detail(request: HttpRequest, event_id: str) -> HttpResponse:
    row = access_event_by_id(viewer(request), event_id)
    try:
        # A redacted form (event-v1 §16) is read without its signature check, which it
        # cannot pass; a whole event is verified on every page load.
        event = parse_event(bytes(row.raw), verify=not row.redacted)
        verified, problem = event.id == row.id, "" if event.id == row.id else _("id mismatch")
        if event.redacted:
            # A redacted form keeps the id but not the bytes it hashes: nothing on this
            # page load can check its signature (event-v1 §16).
            verified = False
    except EventError as error:
        event, verified = None, False
        problem = f"{error.field}: {message_text(error.message)}"
    deps = list(event.deps) if event is not None else []
    # A dep is linked only when the viewer may read its space.
    held = readable_deps(viewer(request), row, deps)
    return render(
        request,
        "veche/event.html",
        {
            "row": row,
            "kind_label": label(EVENT_KIND_LABELS, row.kind),
            "event": event,
            "verified": verified,
            "redacted": event is not None and bool(event.redacted),
            "redacted_under": event.redacted_under if event is not None else None,
            "problem": problem,
            "reason": _reason(row),
            "unverified": row.status == Status.UNVERIFIED,
            # Deps this node does not hold (a committee's log it never received), or
            # that the viewer may not read, are shown, not linked.
            "deps": [(dep, dep in held) for dep in deps],
            "raw": bytes(row.raw).decode("utf-8", "replace"),
        },
    )
