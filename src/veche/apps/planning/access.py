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
