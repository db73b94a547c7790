"""Permission-checked reads of the planning pages: only the committee's members see them.

``access_*`` returns what the viewer may read or raises Http404 (unknown and forbidden
alike).
"""

from __future__ import annotations

from django.http import Http404

from veche.apps.committees.access import access_committee_by_space
from veche.apps.committees.models import Committee
from veche.apps.planning.models import Budget


def access_budgets_by_space(viewer: str | None, space: str) -> tuple[Committee, list[Budget]]:
    committee = access_committee_by_space(viewer, space)
    return committee, list(Budget.objects.filter(space=space).order_by("-proposals_close"))


def access_budget_by_id(viewer: str | None, space: str, budget: str) -> tuple[Committee, Budget]:
    committee = access_committee_by_space(viewer, space)
    row = Budget.objects.filter(space=space, event=budget).first()
    if row is None:
        raise Http404
    return committee, row


def needs_view(viewer: str | None, committee: Committee) -> dict[str, object]:
    """A committee's needs: its own decided surveys' totals and, for a council, its
    member committees' published summaries summed by item (totals only, never answers)."""
    from veche.apps.committees.access import is_participant
    from veche.apps.elections.models import Election
    from veche.apps.planning.kinds import survey_totals
    from veche.apps.planning.models import SurveySummary

    summaries = list(SurveySummary.objects.filter(space=committee.space).order_by("event"))
    names = dict(
        Committee.objects.filter(space__in={s.committee for s in summaries}).values_list(
            "space", "name"
        )
    )
    region: dict[str, int] = {}
    for summary in summaries:
        for item in summary.items:
            region[item["text"]] = region.get(item["text"], 0) + int(item["total"])
    own = []
    published = (
        set(SurveySummary.objects.filter(space=committee.parent).values_list("election", flat=True))
        if committee.parent
        else set()
    )
    for election in (
        Election.objects.filter(committee=committee.space)
        .exclude(result_event="")
        .order_by("space")
    ):
        totals = survey_totals(
            election.body.get("questions", []),
            list(election.counts or []),
            totals=bool(election.body.get("totals")),
        )
        if totals is not None:
            own.append((election, totals, election.space in published))
    return {
        "summaries": [(s, names.get(s.committee, s.committee[:8])) for s in summaries],
        "region": sorted(region.items()),
        "own": own,
        "can_publish": bool(committee.parent) and is_participant(viewer, committee.parent),
        "can_open": is_participant(viewer, committee.space),
    }
