"""Strike pages: the public map and totals, a workplace's timeline, a committee's registry.

Reads go through ``access``; writes through ``actions``. The public sees
published status only; committee members see and record everything of their
own committee's workplaces.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_http_methods, require_POST

from veche.apps.committees.access import access_committee_by_space, committees_in
from veche.apps.store.reasons import refusal_text
from veche.apps.strike import access, actions, ballots
from veche.apps.strike.forms import BallotForm, StatusForm, WorkplaceForm
from veche.apps.strike.labels import (
    REGION_NAMES,
    STATUS_LABELS,
    strike_map_svg,
    strikers_chart_svg,
)
from veche.apps.strike.models import Workplace
from veche.web.labels import label, translated
from veche.web.templatetags.veche import day as day_format
from veche.web.viewer import run_signed_action, unlocked, viewer


def overview(request: HttpRequest) -> HttpResponse:
    """Public: the map, the chart of strikers and today's totals (published status only)."""
    key = viewer(request)
    totals = access.totals(published_only=True)
    today = totals.today
    regions = translated(REGION_NAMES)
    drawing = strike_map_svg(access.markers(key))
    return render(
        request,
        "strike/overview.html",
        {
            "map": mark_safe(drawing),  # noqa: S308 - every text in the SVG is escaped
            "chart": mark_safe(strikers_chart_svg(totals.days)),  # noqa: S308
            "totals": totals,
            "today": today,
            "by_region": sorted(
                (regions.get(k, k), v) for k, v in (today.by_region if today else {}).items()
            ),
            "by_sector": sorted((today.by_sector if today else {}).items()),
            "workplaces": access.visible_workplaces(key),
            "general_strikes": access.general_strikes(key),
        },
    )


def workplace_detail(request: HttpRequest, workplace: str) -> HttpResponse:
    place, full = access.access_workplace_by_id(viewer(request), workplace)
    return render(
        request,
        "strike/workplace.html",
        {
            "workplace": place,
            "full": full,
            "timeline": [
                (change, label(STATUS_LABELS, change.status))
                for change in access.timeline(place, full)
            ],
            "region": label(REGION_NAMES, place.region),
            "form": StatusForm() if full else None,
            "ballots": _ballots_of(place) if full else [],
        },
    )


def _ballots_of(place: Workplace) -> list[tuple[Any, Any, Any]]:
    """The workplace's strike ballots, the latest first: (ballot, election, outcome)."""
    from veche.apps.elections.models import Election
    from veche.apps.strike.models import StrikeBallot

    rows = list(StrikeBallot.objects.filter(workplace=place.workplace).order_by("-id")[:20])
    found = {e.space: e for e in Election.objects.filter(space__in=[r.election for r in rows])}
    return [
        (row, found.get(row.election), ballots.ballot_outcome(row, found.get(row.election)))
        for row in rows
    ]


@login_required
@require_http_methods(["GET", "POST"])
def ballot_open(request: HttpRequest, workplace: str) -> HttpResponse:
    """A secret strike ballot in one step: the committee's yes/no election, preset."""
    from veche.apps.elections import access as elections_access
    from veche.apps.elections.calls import callable_motions

    key = viewer(request)
    place = access.access_workplace_by_id(key, workplace, full=True).workplace
    motions = callable_motions(place.space, key or "")[:50]
    candidates = [
        (name, t.key, t.box) for name, t in elections_access.trustee_candidates(place.space)
    ]
    form = BallotForm(request.POST or None, motions=motions, candidates=candidates)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        day = data["day"].isoformat()
        opened = run_signed_action(
            request,
            lambda identity: ballots.open_ballot(
                identity,
                place.space,
                motion=data["motion"],
                workplace=place.workplace,
                day=day,
                title=_("Strike ballot: %(workplace)s") % {"workplace": place.name},
                # The signed question is read by every voter: the day in the opener's
                # language and format (the signed ``day`` of strike.ballot stays ISO).
                question=_("Strike from %(day)s?") % {"day": day_format(data["day"])},
                options=(pgettext("strike ballot", "Yes"), pgettext("strike ballot", "No")),
                trustees=data["trustees"],
                threshold=data["threshold"],
                quorum=data["quorum"] or 0,
            ),
            on_refused=lambda error: form.add_error(None, refusal_text(error)),
            done=_("Strike ballot opened and signed."),
        )
        if opened is not None:
            return redirect("elections:detail", opened[0].id)
    return render(
        request,
        "strike/ballot_new.html",
        {"workplace": place, "form": form, "no_call": not motions, "no_candidates": not candidates},
        status=400 if request.method == "POST" and form.errors else 200,
    )


@login_required
@require_POST
def ballot_apply(request: HttpRequest, workplace: str) -> HttpResponse:
    """A member applies a ballot's verified yes (when the result's publisher could not)."""
    place = access.access_workplace_by_id(viewer(request), workplace, full=True).workplace
    election = request.POST.get("election", "")
    if not ballots.StrikeBallot.objects.filter(
        workplace=place.workplace, election=election
    ).exists():
        raise Http404
    run_signed_action(
        request,
        lambda identity: ballots.apply_ballot_result(identity, election),
        done=_("The ballot's result is applied: the strike status is recorded."),
    )
    return redirect("strike:workplace", workplace=place.workplace)


@login_required
@require_POST
def record_status(request: HttpRequest, workplace: str) -> HttpResponse:
    place = access.access_workplace_by_id(viewer(request), workplace, full=True).workplace
    form = StatusForm(request.POST)
    # A locked key is said first: a form is not worth correcting until it can be signed.
    if not form.is_valid() and unlocked(request) is not None:
        messages.error(request, _("The status was not recorded: check the form."))
    else:
        data = form.cleaned_data
        run_signed_action(
            request,
            lambda identity: actions.record_status(
                identity,
                place.space,
                place.workplace,
                day=data["day"].isoformat(),
                status=data["status"],
                out_per_mille=data["out_percent"] * 10,
                note=data["note"],
                published=data["published"],
            ),
            done=_("Status recorded and signed."),
        )
    return redirect("strike:workplace", workplace=place.workplace)


@login_required
@require_http_methods(["GET", "POST"])
def committee_workplaces(request: HttpRequest, space: str) -> HttpResponse:
    committee = access_committee_by_space(viewer(request), space)
    form = WorkplaceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        event = run_signed_action(
            request,
            lambda identity: actions.register_workplace(identity, space, **form.cleaned_data),
            on_refused=lambda error: form.add_error(None, refusal_text(error)),
            done=_("Workplace registered."),
        )
        if event is not None:
            return redirect("strike:workplace", workplace=event.id)
    places = access.workplaces_of(committee)
    return render(
        request,
        "strike/committee.html",
        {
            "committee": committee,
            "workplaces": [(w, label(STATUS_LABELS, w.status, default="")) for w in places],
            "form": form,
        },
        status=400 if request.method == "POST" and form.errors else 200,
    )


def demands_list(request: HttpRequest) -> HttpResponse:
    """Public: the demands letters committees passed, with how many committees endorsed each."""
    return render(request, "strike/demands.html", {"letters": access.demands_letters()})


def demands_letter(request: HttpRequest, event: str) -> HttpResponse:
    motion, committee, endorsers = access.access_demands_letter_by_event(event)
    from veche.apps.committees.federation import ratifications

    # A parent body's common demands count once most of its member committees ratify them.
    ratified = ratifications(motion)
    return render(
        request,
        "strike/letter.html",
        {
            "motion": motion,
            "committee": committee,
            "endorsers": endorsers,
            "ratification": ratified,
            "ratifiers": committees_in(ratified.ratified_by),
        },
    )
