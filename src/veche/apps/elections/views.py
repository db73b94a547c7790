"""Election pages. Reads are permission-checked (``access``); every write calls an action
(through ``run_signed_action``; a locked key answers 404, or 403 to a ballot being cast).

The voting page encrypts on the voter's device (``static/veche/ballot.js``);
``cast`` receives only the encrypted ballot and signs it with the member's
session-unlocked key. Trustees upload event files they signed offline.
"""

from __future__ import annotations

import json
import typing
from decimal import ROUND_HALF_EVEN, Decimal
from fractions import Fraction
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
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
from veche.apps.elections.forms import ElectionForm, TrusteeKeyForm
from veche.apps.elections.labels import tie_text
from veche.apps.elections.models import Ballot, Election, Trustee, Voter
from veche.apps.store.log import reason_text
from veche.apps.store.reasons import refusal_text
from veche.election.outcome import compute_outcome
from veche.election.spec import parse_spec
from veche.events import Event, RuleViolation, parse_event
from veche.events.envelope import EventError
from veche.web.confirm import Confirmation, ask, confirmed, isolated
from veche.web.viewer import account, refused, run_signed_action, unlocked, viewer

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
    candidates = [(name, t.key, t.box) for name, t in access.trustee_candidates(committee)]
    form = ElectionForm(request.POST or None, motions=motions, candidates=candidates)
    if request.method == "POST" and form.is_valid():
        event = _create(request, committee, form)
        if event is not None:
            return redirect("elections:detail", event.id)
    return render(
        request,
        "elections/create.html",
        {
            "committee": found,
            "form": form,
            "no_call": not motions,
            "no_candidates": not candidates,
            "has_key": access.active_trustee_key(account(request)) is not None,
        },
    )


def _create(request: HttpRequest, committee: str, form: ElectionForm) -> Event | None:
    """Create the election the valid form describes; None with the form's errors set."""
    data = form.cleaned_data
    party_list = data["method"] == "party_list"
    constituencies = data["constituencies"] if party_list else []
    electorate = None
    if constituencies:
        try:
            electorate = actions.electorate_in_constituencies(
                committee, data["motion"], [(name, members) for name, _s, members in constituencies]
            )
        except actions.ConstituencyError as error:
            for problem, names in (
                (_("Not members of the electorate: %(names)s."), error.unknown),
                (_("In no constituency: %(names)s."), error.missing),
                (_("In two constituencies: %(names)s."), error.twice),
            ):
                if names:
                    form.add_error("constituencies", problem % {"names": ", ".join(names)})
            return None
    return run_signed_action(
        request,
        lambda identity: actions.create_election(
            identity,
            committee=committee,
            title=data["title"],
            questions=[form.question_body()],
            method=data["method"],
            seats=sum(s for _n, s, _m in constituencies) if constituencies else data["seats"],
            trustees=data["all_trustees"],
            threshold=data["threshold"],
            electorate=electorate,
            divisor=(data["divisor"] or "dhondt") if party_list else None,
            threshold_percent=(
                str(data["threshold_percent"].normalize())
                if party_list and data["threshold_percent"]
                else None
            ),
            constituencies=[(name, seats) for name, seats, _m in constituencies] or None,
            public_board=data["public_board"],
            motion=data["motion"],
        ),
        on_refused=lambda violation: form.add_error(None, refusal_text(violation)),
        locked_is_404=True,
    )


@login_required
@require_http_methods(["GET", "POST"])
def trustee_key(request: HttpRequest) -> HttpResponse:
    """A member's public trustee key on this node: made in the browser (the secret stays in
    the key file the page downloads) or pasted from ``veche trustee keygen``."""
    member = account(request)
    form = TrusteeKeyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        key, box = form.cleaned_data["key_box"]
        try:
            actions.register_trustee_key(member, key, box)
        except actions.TrusteeKeyTaken:
            form.add_error("key_box", _("Another member registered this trustee key."))
        else:
            messages.success(request, _("Your trustee key is registered."))
            back = request.GET.get("next", "")
            if back and url_has_allowed_host_and_scheme(
                back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
            ):
                return redirect(back)
            return redirect("elections:trustee-key")
    return render(
        request,
        "elections/trustee_key.html",
        {"form": form, "current": access.active_trustee_key(member)},
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


def _ceremony(election: Election, mine: Trustee | None) -> dict[str, Any]:
    """Who is waiting for whom: the trustees (with pseudonyms where known), those who
    have not dealt or decrypted, the signed-in trustee's step due and the creator's."""
    trustees = access.trustees_of(election)
    names = access.trustee_names(election, [t.key for t, _d in trustees])
    rows: list[dict[str, Any]] = [
        {"trustee": t, "name": names.get(t.key, ""), "dealt": bool(t.dealing), "decrypted": d}
        for t, d in trustees
    ]
    decrypted = sum(1 for r in rows if r["decrypted"])
    threshold = int(election.body["threshold"])
    stage = election.stage
    due = ""
    if mine is not None:
        mine_decrypted = any(d for t, d in trustees if t.index == mine.index)
        if stage == "created":
            due = "check" if mine.dealing else "deal"
        elif stage == "closed" and not mine_decrypted:
            due = "decrypt"
    creator = ""
    if stage == "created" and all(r["dealt"] for r in rows):
        creator = "open"
    elif stage == "open":
        creator = "close"
    elif stage == "closed" and decrypted >= threshold:
        creator = "tally"
    return {
        "rows": rows,
        "not_dealt": [r for r in rows if not r["dealt"]],
        "not_decrypted": [r for r in rows if not r["decrypted"]],
        "decrypted": decrypted,
        "threshold": threshold,
        "due": due,
        "creator": creator,
    }


@login_required
def election_detail(request: HttpRequest, space: str) -> HttpResponse:
    key = viewer(request)
    election = access_election_by_space(key, space)
    mine = access.my_trustee(account(request), election)
    return render(
        request,
        "elections/detail.html",
        {
            "election": election,
            "spec": _spec(election),
            "ceremony": _ceremony(election, mine),
            "complaints": access.complaints_of(election),
            "is_creator": key == election.creator,
            "is_voter": is_voter(key, election),
            "my_trustee": trustee_index(key, election),
            "mine": mine,
            "my_ballot": access.latest_ballot(key, election),
            "call": _call(election),
        },
    )


def _my_trustee_or_404(request: HttpRequest, space: str) -> tuple[Election, Trustee]:
    """The election (or strike pledge, which runs as one) and the viewer's trustee in it."""
    try:
        election = access_election_by_space(viewer(request), space)
    except Http404:
        from veche.apps.elections.pledge_views import access_pledge

        election = typing.cast(Election, access_pledge(viewer(request), space))
    mine = access.my_trustee(account(request), election)
    if mine is None:
        raise Http404
    return election, mine


@login_required
def trustee_task(request: HttpRequest, space: str) -> JsonResponse:
    """What the signed-in trustee's browser needs for its next step (contract A): computed
    from the record by ``veche.election.trustee_task``; 404 to anyone but a trustee."""
    from veche.election.trustee_task import trustee_task as task_of

    _election, mine = _my_trustee_or_404(request, space)
    data = actions.export_record(space)
    lines = data[:-1].split(b"\n") if data else []
    try:
        task = task_of(lines, mine.key)
    except ValueError:
        return JsonResponse(
            {
                "ok": False,
                "code": "record",
                "error": _("This election's record does not verify on this node: no step now."),
            },
            status=409,
        )
    return JsonResponse(task)


MAX_TRUSTEE_LINES = 16


@login_required
@require_POST
def trustee_events(request: HttpRequest, space: str) -> JsonResponse:
    """The events the trustee's browser signed (dealing, complaints, partial decryption),
    taken through the same path as an uploaded event file; only the trustee's own."""
    _election, mine = _my_trustee_or_404(request, space)
    try:
        lines = json.loads(request.body)["lines"]
        if not (
            isinstance(lines, list)
            and 0 < len(lines) <= MAX_TRUSTEE_LINES
            and all(isinstance(line, str) for line in lines)
        ):
            raise TypeError
        data = "\n".join(lines).encode()
    except (ValueError, KeyError, TypeError):
        return JsonResponse({"ok": False, "error": _("The page sent no event.")}, status=400)
    if len(data) > MAX_UPLOAD:
        return JsonResponse({"ok": False, "error": _("The page sent too much.")}, status=400)
    for line in lines:
        try:
            event = parse_event(line.encode())
        except EventError:
            break
        if event.author != mine.key or event.kind not in actions.TRUSTEE_KINDS:
            return JsonResponse(
                {"ok": False, "error": _("Only your own trustee events are taken here.")},
                status=422,
            )
    try:
        report = actions.ingest_file(space, data, source="upload:trustee")
    except RuleViolation as violation:
        return JsonResponse({"ok": False, "error": refusal_text(violation)}, status=422)
    bad = [o for o in report.outcomes if o.status not in ("applied", "duplicate")]
    if bad:
        reason = reason_text(bad[0].reason) or bad[0].status
        return JsonResponse(
            {"ok": False, "error": _("Refused: %(reason)s") % {"reason": reason}}, status=422
        )
    return JsonResponse({"ok": True, "taken": len(report.outcomes)})


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
                    # A survey (``totals``) decrypted each item's total, nothing per option.
                    "rows": [(_("Total"), counts[0])]
                    if spec.totals
                    else list(zip(question.options, counts, strict=True)),
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
    if step == "close" and election.stage == "open" and not confirmed(request):
        return ask(request, _close_confirmation(election))
    run_signed_action(request, lambda identity: act(identity, space), locked_is_404=True)
    if step == "tally" and access.is_decided(election):
        return redirect("elections:result", space)
    return redirect("elections:detail", space)


def _close_confirmation(election: Election) -> Confirmation:
    """What closing an election's vote does: the ballots so far are final."""
    voters = Voter.objects.filter(space=election.space).count()
    voted = (
        Ballot.objects.filter(space=election.space, counted=True).values("voter").distinct().count()
    )
    missing = voters - voted
    warnings = (
        [
            ngettext(
                "%(n)d voter has not cast a ballot yet.",
                "%(n)d voters have not cast a ballot yet.",
                missing,
            )
            % {"n": missing}
        ]
        if missing > 0
        else []
    )
    return Confirmation(
        question=_("Close the vote in “%(title)s”?") % {"title": isolated(election.title)},
        consequences=[
            _(
                "No ballot can be cast or changed after this: voters who have not voted lose their vote."
            ),
            _(
                "The encrypted tally of the ballots cast is signed and recorded; the trustees "
                "then decrypt it and the result is published."
            ),
        ],
        button=_("Close the vote now"),
        back=reverse("elections:detail", args=[election.space]),
        warnings=warnings,
        facts=[
            (
                _("Ballots cast"),
                _("%(voted)d of %(voters)d voters") % {"voted": voted, "voters": voters},
            )
        ],
    )
