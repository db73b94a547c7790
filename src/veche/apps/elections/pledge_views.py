"""Strike pledge pages (format pledge-v1). Reads are permission-checked like an
election's (the committee's readers, the pledge's members and trustees); every write
calls a pledge action through ``run_signed_action``.

A member's pledge is sealed on their phone by the ballot sealing the vote page uses
(``static/veche/ballot.js`` and ``vote.js``): the pledge is a ballot of one question
with one option, checked = 1 (I strike), unchecked = 0 (no, or withdraw). The
trustees' steps are the election's trustee card and endpoints, which serve pledges.
"""

from __future__ import annotations

import json
from typing import Any, cast

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from veche.apps.committees.access import access_committee_by_space, is_participant
from veche.apps.committees.models import Member, Motion
from veche.apps.elections import access, pledge_actions
from veche.apps.elections.actions import export_record
from veche.apps.elections.models import Ballot, Election, Pledge, Voter
from veche.apps.elections.pledge_forms import PledgeForm
from veche.apps.elections.views import _ceremony
from veche.apps.store.reasons import refusal_text
from veche.events import RuleViolation
from veche.pledge.spec import PLEDGE_QUESTION
from veche.web.viewer import account, run_signed_action, unlocked, viewer


def access_pledge(viewer_key: str | None, space: str) -> Pledge:
    """The pledge, if the viewer may read it (as an election: ``access.can_read_election``);
    otherwise 404, unknown and forbidden alike."""
    pledge = Pledge.objects.filter(space=space).first()
    if pledge is None or not access.can_read_election(viewer_key, cast(Election, pledge)):
        raise Http404
    return pledge


def _is_member(key: str | None, pledge: Pledge) -> bool:
    return key is not None and Voter.objects.filter(space=pledge.space, key=key).exists()


@login_required
def committee_pledges(request: HttpRequest, committee: str) -> HttpResponse:
    key = viewer(request)
    found = access_committee_by_space(key, committee)
    return render(
        request,
        "elections/pledges.html",
        {
            "committee": found,
            # Only pledges a member of the committee opened: naming a committee in a
            # pledge does not make it the committee's.
            "pledges": Pledge.objects.filter(
                committee=committee,
                creator__in=Member.objects.filter(space=committee).values("key"),
            ).order_by("-created_at")[:100],
            "participant": is_participant(key, committee),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def pledge_create(request: HttpRequest, committee: str) -> HttpResponse:
    key = viewer(request)
    found = access_committee_by_space(key, committee)
    if not is_participant(key, committee):
        raise Http404
    from veche.apps.strike.models import Workplace

    workplaces = list(
        Workplace.objects.filter(space=committee).order_by("name").values_list("workplace", "name")
    )
    motions = list(
        Motion.objects.filter(space=committee, status=Motion.Status.OPEN)
        .order_by("-proposed_at")
        .values_list("event", "title")[:50]
    )
    candidates = [(name, t.key, t.box) for name, t in access.trustee_candidates(committee)]
    form = PledgeForm(
        request.POST or None, workplaces=workplaces, motions=motions, candidates=candidates
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        event = run_signed_action(
            request,
            lambda identity: pledge_actions.create_pledge(
                identity,
                title=data["title"],
                workplace=data["workplace"],
                shop=data["shop"] or None,
                strike_date=data["strike_date"].isoformat(),
                deadline=form.deadline_text(),
                trustees=data["all_trustees"],
                threshold=data["threshold"],
                needed=data["needed"],
                percent=format(data["percent"].normalize(), "f")
                if data["percent"] is not None
                else None,
                workforce=data["workforce"],
                committee=committee,
                strike_call=data["strike_call"] or None,
                registry=data["registry"] or None,
                reveal=data["reveal"] or "total",
            ),
            on_refused=lambda violation: form.add_error(None, refusal_text(violation)),
            locked_is_404=True,
        )
        if event is not None:
            return redirect("elections:pledge", event.id)
    return render(
        request,
        "elections/pledge_create.html",
        {"committee": found, "form": form, "no_candidates": not candidates},
    )


def _pledge_json(pledge: Pledge) -> dict[str, Any]:
    """What the member's phone seals against: format election-v1 §6 for the pledge."""
    return {
        "v": 1,
        "election": pledge.space,
        "public_key": pledge.public_key,
        "questions": [PLEDGE_QUESTION.crypto().to_json()],
    }


@login_required
def pledge_detail(request: HttpRequest, space: str) -> HttpResponse:
    key = viewer(request)
    pledge = access_pledge(key, space)
    as_election = cast(Election, pledge)
    mine = access.my_trustee(account(request), as_election)
    answered = (
        Ballot.objects.filter(space=space, author=key)
        .order_by("-id")
        .values_list("at", flat=True)
        .first()
        if key
        else None
    )
    strike_call = (
        Motion.objects.filter(space=pledge.committee, event=pledge.strike_call).first()
        if pledge.strike_call
        else None
    )
    ceremony = _ceremony(as_election, mine)
    reveal_step = ""
    crossed_only = pledge.body.get("reveal") == "crossed"
    if crossed_only and pledge.stage == "closed":
        # Rounds and the decryption of the blinded list run with the CLI (pledge-v1 §7).
        ceremony = {**ceremony, "due": ""}
        rounds = [r["trustee"] for r in pledge.reveal.get("rounds", [])]
        partials = pledge.reveal.get("partials", {})
        if mine is not None:
            if not partials and mine.index not in rounds:
                reveal_step = "blind"
            elif len(rounds) >= pledge.body["threshold"] and str(mine.index) not in partials:
                reveal_step = "decrypt"
    return render(
        request,
        "elections/pledge.html",
        {
            "pledge": pledge,
            "crossed_only": crossed_only,
            "reveal_step": reveal_step,
            "blinding_rounds": len(pledge.reveal.get("rounds", [])),
            "ceremony": ceremony,
            "complaints": access.complaints_of(as_election),
            "mine": mine,
            "is_creator": key == pledge.creator,
            "is_member": _is_member(key, pledge),
            "members": Voter.objects.filter(space=space).values("index").distinct().count(),
            "answered": answered,
            "strike_call": strike_call,
            "report": pledge_actions.verify_stored_pledge(space)
            if pledge.stage == "decided"
            else None,
        },
    )


@login_required
def pledge_make(request: HttpRequest, space: str) -> HttpResponse:
    """The phone's page: seal "I strike" (checked) or "no / withdraw" (unchecked)."""
    key = viewer(request)
    pledge = access_pledge(key, space)
    if not _is_member(key, pledge) or pledge.stage != "open":
        raise Http404
    return render(
        request,
        "elections/pledge_make.html",
        {"pledge": pledge, "pledge_json": _pledge_json(pledge)},
    )


@login_required
@require_POST
def pledge_cast(request: HttpRequest, space: str) -> JsonResponse:
    """Take the sealed pledge from the member's phone and sign it with the member's key."""
    key = viewer(request)
    pledge = access_pledge(key, space)
    if not _is_member(key, pledge):
        raise Http404
    try:
        ballot = json.loads(request.body)["ballot"]
    except (ValueError, KeyError, TypeError):
        return JsonResponse({"ok": False, "error": _("The page sent no pledge.")}, status=400)
    identity = unlocked(request)
    if identity is None:
        return JsonResponse(
            {"ok": False, "error": _("Your key is locked: sign in again, then pledge.")},
            status=403,
        )
    try:
        event = pledge_actions.make_pledge(identity, space, ballot)
    except RuleViolation as violation:
        return JsonResponse(
            {"ok": False, "error": refusal_text(violation), "field": violation.field}, status=422
        )
    tracker = (
        Ballot.objects.filter(space=space, event=event.id).values_list("tracker", flat=True).first()
    )
    return JsonResponse({"ok": True, "event": event.id, "tracker": tracker})


@login_required
@require_POST
def pledge_step(request: HttpRequest, space: str, step: str) -> HttpResponse:
    key = viewer(request)
    pledge = access_pledge(key, space)
    act = {
        "start": pledge_actions.open_pledge,
        "close": pledge_actions.close_pledge,
        "result": pledge_actions.publish_pledge_result,
    }.get(step)
    if act is None or (key != pledge.creator and step != "result"):
        raise Http404
    run_signed_action(request, lambda identity: act(identity, space), locked_is_404=True)
    return redirect("elections:pledge", space)


def pledge_record(request: HttpRequest, space: str) -> HttpResponse:
    pledge = access_pledge(viewer(request), space)
    response = HttpResponse(export_record(space), content_type="application/x-ndjson")
    response["Content-Disposition"] = f'attachment; filename="pledge-{pledge.space[:12]}.jsonl"'
    return response


def general_progress(viewer_key: str | None, motion: Motion) -> dict[str, Any] | None:
    """For a council's strike call that counts plants (pledge-v1 §8): the member
    committees whose pledges have reached their targets, K, and whether the viewer may
    pass the call now. None for any other motion. (The caller checked read access.)"""
    from veche.apps.committees.models import Committee
    from veche.apps.elections.pledge_general import counted_plants, plants_needed

    needed = plants_needed(motion.target)
    if motion.kind != "strike_call" or needed is None:
        return None
    plants = counted_plants(motion.space) if motion.status == Motion.Status.OPEN else []
    names = dict(
        Committee.objects.filter(space__in=[p.committee for p in plants]).values_list(
            "space", "name"
        )
    )
    return {
        "needed": needed,
        "plants": [names.get(p.committee, p.committee[:10]) for p in plants],
        "count": len(plants),
        "can_pass": motion.status == Motion.Status.OPEN
        and len(plants) >= needed
        and is_participant(viewer_key, motion.space),
    }


@login_required
@require_POST
def general_strike(request: HttpRequest, council: str, motion: str) -> HttpResponse:
    """Any member or seated delegate of the council passes its strike call once enough
    plants' pledges have reached their targets; the rule recounts."""
    key = viewer(request)
    access_committee_by_space(key, council)
    if not is_participant(key, council):
        raise Http404
    row = Motion.objects.filter(space=council, event=motion).first()
    if row is None:
        raise Http404
    run_signed_action(
        request,
        lambda identity: pledge_actions.general_strike(identity, council, motion),
        done=_("The general strike call has passed."),
        locked_is_404=True,
    )
    return redirect("committees:motion", council, motion)
