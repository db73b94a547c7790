"""Strike pages: the public map and totals, a workplace's timeline, a committee's registry.

Reads go through ``access``; writes through ``actions``. The public sees
published status only; committee members see and record everything of their
own committee's workplaces.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from veche.apps.committees.access import can_read_space
from veche.apps.committees.models import Committee
from veche.apps.store.reasons import refusal_text
from veche.apps.strike import access, actions
from veche.apps.strike.forms import StatusForm, WorkplaceForm
from veche.apps.strike.labels import chart_title, map_title, region_names, status_labels
from veche.apps.strike.models import Workplace
from veche.events import RuleViolation
from veche.solidarity.drawing import strike_map, strikers_chart


def _viewer(request: HttpRequest) -> str | None:
    return request.user.public_key if request.user.is_authenticated else None  # type: ignore[union-attr]


def overview(request: HttpRequest) -> HttpResponse:
    """Public: the map, the chart of strikers and today's totals (published status only)."""
    viewer = _viewer(request)
    totals = access.totals(published_only=True)
    today = totals.today
    regions = region_names()
    drawing = strike_map(
        access.markers(viewer),
        title=map_title(),
        status_labels=status_labels(),
        region_names=regions,
    )
    return render(
        request,
        "strike/overview.html",
        {
            "map": mark_safe(drawing),  # noqa: S308 - every text in the SVG is escaped
            "chart": mark_safe(strikers_chart(totals.days, title=chart_title())),  # noqa: S308
            "totals": totals,
            "today": today,
            "by_region": sorted(
                (regions.get(k, k), v) for k, v in (today.by_region if today else {}).items()
            ),
            "by_sector": sorted((today.by_sector if today else {}).items()),
            "workplaces": access.visible_workplaces(viewer),
        },
    )


def workplace_detail(request: HttpRequest, workplace: str) -> HttpResponse:
    found = access.access_workplace(_viewer(request), workplace)
    if found is None:
        raise Http404
    place, full = found
    return render(
        request,
        "strike/workplace.html",
        {
            "workplace": place,
            "full": full,
            "timeline": [
                (change, status_labels().get(change.status, change.status))
                for change in access.timeline(place, full)
            ],
            "region": region_names().get(place.region, place.region),
            "form": StatusForm() if full else None,
        },
    )


@login_required
@require_POST
def record_status(request: HttpRequest, workplace: str) -> HttpResponse:
    found = access.access_workplace(_viewer(request), workplace)
    if found is None or not found[1]:
        raise Http404
    place = found[0]
    form = StatusForm(request.POST)
    identity = request.identity()  # type: ignore[attr-defined]
    if identity is None:
        messages.error(request, _("Your key is locked: sign in again to sign events."))
    elif not form.is_valid():
        messages.error(request, _("The status was not recorded: check the form."))
    else:
        data = form.cleaned_data
        try:
            actions.record_status(
                identity,
                place.space,
                place.workplace,
                day=data["day"].isoformat(),
                status=data["status"],
                out_per_mille=data["out_percent"] * 10,
                note=data["note"],
                published=data["published"],
            )
        except RuleViolation as error:
            messages.error(request, _("Refused: %(reason)s") % {"reason": refusal_text(error)})
        else:
            messages.success(request, _("Status recorded and signed."))
    return redirect("strike:workplace", workplace=place.workplace)


@login_required
@require_http_methods(["GET", "POST"])
def committee_workplaces(request: HttpRequest, space: str) -> HttpResponse:
    if not can_read_space(_viewer(request), space):
        raise Http404
    committee = Committee.objects.get(space=space)
    form = WorkplaceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        identity = request.identity()  # type: ignore[attr-defined]
        if identity is None:
            messages.error(request, _("Your key is locked: sign in again to sign events."))
        else:
            try:
                event = actions.register_workplace(identity, space, **form.cleaned_data)
            except RuleViolation as error:
                form.add_error(None, refusal_text(error))
            else:
                messages.success(request, _("Workplace registered."))
                return redirect("strike:workplace", workplace=event.id)
    places = Workplace.objects.filter(space=space).order_by("name")
    return render(
        request,
        "strike/committee.html",
        {
            "committee": committee,
            "workplaces": [(w, status_labels().get(w.status, "")) for w in places],
            "form": form,
        },
        status=400 if request.method == "POST" and form.errors else 200,
    )


def demands_list(request: HttpRequest) -> HttpResponse:
    """Public: the demands letters committees passed, with how many committees endorsed each."""
    return render(request, "strike/demands.html", {"letters": access.demands_letters()})


def demands_letter(request: HttpRequest, event: str) -> HttpResponse:
    found = access.demands_letter(event)
    if found is None:
        raise Http404
    motion, committee, endorsers = found
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
            "ratifiers": Committee.objects.filter(space__in=ratified.ratified_by).order_by("name"),
        },
    )
