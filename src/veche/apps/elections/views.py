"""Election pages. Reads are permission-checked (``access``); every write calls an action
(through ``run_signed_action``; a locked key answers 404, or 403 to a ballot being cast).

The voting page encrypts on the voter's device (``static/veche/ballot.js``);
``cast`` receives only the encrypted ballot and signs it with the member's
session-unlocked key. Trustees upload event files they signed offline.
"""

from __future__ import annotations

import json
from decimal import ROUND_HALF_EVEN, Decimal
from fractions import Fraction
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from veche.apps.committees.access import access_committee_by_space, is_participant
from veche.apps.elections import access, actions
from veche.apps.elections.access import (
    access_board_by_space,
    access_election_by_space,
    is_voter,
    trustee_index,
)
from veche.apps.elections.calls import callable_motions
from veche.apps.elections.forms import ElectionForm
from veche.apps.elections.labels import tie_text
from veche.apps.elections.models import Election
from veche.apps.store.log import reason_text
from veche.apps.store.reasons import refusal_text
from veche.election.outcome import compute_outcome
from veche.election.spec import parse_spec
from veche.events import RuleViolation
from veche.web.viewer import refused, run_signed_action, unlocked, viewer

MAX_UPLOAD = 256 * 1024


@login_required
def committee_elections(request: HttpRequest, committee: str) -> HttpResponse:
    key = viewer(request)
    found = access_committee_by_space(key, committee)
    return render(
        request,
        "elections/list.html",
        {
            "committee": found,
            "elections": access.elections_of(found),
            "participant": is_participant(key, committee),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def election_create(request: HttpRequest, committee: str) -> HttpResponse:
    key = viewer(request)
    found = access_committee_by_space(key, committee)
    if not is_participant(key, committee):
        raise Http404
    motions = callable_motions(committee, key or "")[:50]
    form = ElectionForm(request.POST or None, motions=motions)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        party_list = data["method"] == "party_list"
        event = run_signed_action(
            request,
            lambda identity: actions.create_election(
                identity,
                committee=committee,
                title=data["title"],
                questions=[form.question_body()],
                method=data["method"],
                seats=data["seats"],
                trustees=data["trustees"],
                threshold=data["threshold"],
                divisor=(data["divisor"] or "dhondt") if party_list else None,
                threshold_percent=(
                    str(data["threshold_percent"].normalize())
                    if party_list and data["threshold_percent"]
                    else None
                ),
                public_board=data["public_board"],
                motion=data["motion"],
            ),
            on_refused=lambda violation: form.add_error(None, refusal_text(violation)),
            locked_is_404=True,
        )
        if event is not None:
            return redirect("elections:detail", event.id)
    return render(
        request,
        "elections/create.html",
        {"committee": found, "form": form, "no_call": not motions},
    )


def _spec(election: Election) -> Any:
    return parse_spec(election.space, election.creator, election.body)


def _call(election: Election) -> dict[str, Any] | None:
    """Who called the election, for its pages: the committee and motion it names, whether
    this node checked that call, and their names where this node holds them."""
    body = election.body
    if "call" not in body:
        return None
    committee, motion = access.caller_of(election)
    return {
        "checked": election.call_checked,
        "committee": body["committee"],
        "committee_name": committee.name if committee else "",
        "motion": body["motion"],
        "motion_title": motion.title if motion else "",
        "linked": election.call_checked and committee is not None and motion is not None,
        "committee_url": reverse("committees:detail", args=[body["committee"]]),
        "motion_url": reverse("committees:motion", args=[body["committee"], body["motion"]]),
    }


@login_required
def election_detail(request: HttpRequest, space: str) -> HttpResponse:
    key = viewer(request)
    election = access_election_by_space(key, space)
    return render(
        request,
        "elections/detail.html",
        {
            "election": election,
            "spec": _spec(election),
            "trustees": access.trustees_of(election),
            "complaints": access.complaints_of(election),
            "is_creator": key == election.creator,
            "is_voter": is_voter(key, election),
            "my_trustee": trustee_index(key, election),
            "my_ballot": access.latest_ballot(key, election),
            "call": _call(election),
        },
    )


@login_required
def election_json(request: HttpRequest, space: str) -> JsonResponse:
    """What a voter's device encrypts against: format v1 §6 (election id, key, questions)."""
    election = access_election_by_space(viewer(request), space)
    if not election.public_key:
        raise Http404
    spec = _spec(election)
    return JsonResponse(
        {
            "v": 1,
            "election": space,
            "public_key": election.public_key,
            "questions": [q.crypto().to_json() for q in spec.questions],
        }
    )


@login_required
def vote(request: HttpRequest, space: str) -> HttpResponse:
    key = viewer(request)
    election = access_election_by_space(key, space)
    if not is_voter(key, election) or election.stage != "open":
        raise Http404
    return render(
        request,
        "elections/vote.html",
        {
            "election": election,
            "spec": _spec(election),
            "election_json": {
                "v": 1,
                "election": space,
                "public_key": election.public_key,
                "questions": [q.crypto().to_json() for q in _spec(election).questions],
            },
        },
    )


@login_required
@require_POST
def cast(request: HttpRequest, space: str) -> JsonResponse:
    """Take an encrypted ballot from the voter's device and sign it with the member's key."""
    key = viewer(request)
    election = access_election_by_space(key, space)
    if not is_voter(key, election):
        raise Http404
    try:
        ballot = json.loads(request.body)["ballot"]
    except (ValueError, KeyError, TypeError):
        return JsonResponse({"ok": False, "error": _("The page sent no ballot.")}, status=400)
    identity = unlocked(request)
    if identity is None:
        return JsonResponse(
            {"ok": False, "error": _("Your key is locked: sign in again, then cast.")}, status=403
        )
    try:
        event = actions.cast_ballot(identity, space, ballot)
    except RuleViolation as violation:
        return JsonResponse(
            {"ok": False, "error": refusal_text(violation), "field": violation.field}, status=422
        )
    tracker = access.tracker_of(election, event.id)
    return JsonResponse({"ok": True, "event": event.id, "tracker": tracker})


def board(request: HttpRequest, space: str) -> HttpResponse:
    election = access_board_by_space(viewer(request), space)
    wanted = request.GET.get("tracker", "").strip()
    ballots = access.ballots_of(election)
    found = ballots.filter(tracker=wanted).first() if wanted else None
    return render(
        request,
        "elections/board.html",
        {
            "election": election,
            "ballots": ballots.values_list("tracker", "counted", "at"),
            "wanted": wanted,
            "found": found,
        },
    )


def _quotient_tables(allocation: Any) -> list[dict[str, Any]]:
    """Rows per party of (quotient, seat) for the page, per constituency."""
    parts = (
        list(allocation.constituencies)
        if hasattr(allocation, "constituencies")
        else [("", allocation)]
    )
    tables = []
    for name, part in parts:
        longest = max(part.quotients, key=len, default=())
        divisors = [q.divisor for q in longest]
        rows = []
        for p, party in enumerate(part.parties):
            # Decimals, so that the page writes them in the reader's number format.
            cells: list[tuple[Decimal | str, int | None]] = [
                (_two_places(Fraction(q.value)), q.seat) for q in part.quotients[p]
            ]
            cells += [("–", None)] * (len(divisors) - len(cells))  # under the threshold
            rows.append(
                {
                    "party": party,
                    "votes": part.votes[p],
                    "eligible": part.eligible[p],
                    "seats": part.seats[p],
                    "cells": cells,
                }
            )
        ties = [tie_text(tie.seat, tie.rule) for tie in part.ties]
        tables.append({"name": name, "divisors": divisors, "rows": rows, "ties": ties})
    return tables


def _decimal(value: Fraction) -> Decimal:
    """A fraction with a short decimal form (4.5 percent) as a decimal, for the page."""
    number = Decimal(value.numerator) / Decimal(value.denominator)
    return (
        number.quantize(Decimal(1)) if number == number.to_integral_value() else number.normalize()
    )


def _two_places(value: Fraction) -> Decimal:
    return (Decimal(value.numerator) / Decimal(value.denominator)).quantize(
        Decimal("0.01"), rounding=ROUND_HALF_EVEN
    )


def result(request: HttpRequest, space: str) -> HttpResponse:
    election = access_board_by_space(viewer(request), space)
    spec = _spec(election)
    report = actions.verify_stored_election(space)
    outcome = compute_outcome(spec, election.counts) if election.counts is not None else None
    questions = []
    if outcome is not None:
        for question, counts, winners in zip(
            spec.questions, outcome.by_question, outcome.winners, strict=True
        ):
            questions.append(
                {
                    "text": question.text,
                    "rows": list(zip(question.options, counts, strict=True)),
                    "winners": winners,
                }
            )
    return render(
        request,
        "elections/result.html",
        {
            "election": election,
            "spec": spec,
            "report": report,
            "call": _call(election),
            "questions": questions,
            "threshold_percent": _decimal(spec.threshold_percent),
            "tables": _quotient_tables(outcome.allocation)
            if outcome and outcome.allocation
            else [],
        },
    )


def record_download(request: HttpRequest, space: str) -> HttpResponse:
    election = access_board_by_space(viewer(request), space)
    response = HttpResponse(actions.export_record(space), content_type="application/x-ndjson")
    response["Content-Disposition"] = f'attachment; filename="election-{election.space[:12]}.jsonl"'
    return response


@login_required
@require_POST
def trustee_upload(request: HttpRequest, space: str) -> HttpResponse:
    """Event files signed offline: trustees' dealings, complaints and partial decryptions,
    and voters' offline ballots. Only the election's trustees and voters may upload."""
    key = viewer(request)
    election = access_election_by_space(key, space)
    if trustee_index(key, election) is None and not is_voter(key, election):
        raise Http404
    upload = request.FILES.get("file")
    if upload is None or upload.size is None or upload.size > MAX_UPLOAD:
        messages.error(request, _("Choose the event file 'veche trustee' wrote (at most 256 KiB)."))
        return redirect("elections:detail", space)
    try:
        report = actions.ingest_file(space, upload.read(), source="upload:trustee")
    except RuleViolation as violation:
        refused(request, violation)
        return redirect("elections:detail", space)
    bad = [o for o in report.outcomes if o.status not in ("applied", "duplicate")]
    if bad:
        messages.error(
            request,
            _("Refused: %(reason)s") % {"reason": reason_text(bad[0].reason) or bad[0].status},
        )
    else:
        messages.success(request, _("Taken: %(n)d event(s).") % {"n": len(report.outcomes)})
    return redirect("elections:detail", space)


@login_required
@require_POST
def step(request: HttpRequest, space: str, step: str) -> HttpResponse:
    key = viewer(request)
    election = access_election_by_space(key, space)
    act = {
        "open": actions.open_election,
        "close": actions.close_election,
        "tally": actions.publish_result,
    }.get(step)
    if act is None or (key != election.creator and step != "tally"):
        raise Http404
    run_signed_action(request, lambda identity: act(identity, space), locked_is_404=True)
    if step == "tally" and access.is_decided(election):
        return redirect("elections:result", space)
    return redirect("elections:detail", space)
