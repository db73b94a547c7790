"""Permission-checked reads of the fund: members see the ledger, the public only reports."""

from __future__ import annotations

from django.db.models import QuerySet

from veche.apps.committees.access import can_read_space
from veche.apps.fund.models import Approval, Balance, Entry, Fund, Payout, Report


def can_read_ledger(viewer: str | None, space: str) -> bool:
    return can_read_space(viewer, space)


def fund_for(viewer: str | None, space: str) -> Fund | None:
    """The committee's fund if the viewer may read it (caller checks can_read_ledger first)."""
    if not can_read_ledger(viewer, space):
        return None
    return Fund.objects.filter(space=space).first()


def is_treasurer(viewer: str | None, space: str) -> bool:
    fund = fund_for(viewer, space)
    return fund is not None and viewer in fund.treasurers


def ledger_view(space: str) -> dict[str, object]:
    payouts = list(Payout.objects.filter(space=space).order_by("-day", "event"))
    approvers: dict[str, list[str]] = {}
    for payout, treasurer in Approval.objects.filter(space=space).values_list(
        "payout", "treasurer"
    ):
        approvers.setdefault(payout, []).append(treasurer)
    return {
        "balances": list(
            Balance.objects.filter(space=space).exclude(amount=0).order_by("currency", "account")
        ),
        "entries": list(Entry.objects.filter(space=space).order_by("-day", "event")[:200]),
        "payouts": [(p, approvers.get(p.event, [])) for p in payouts],
        "reports": list(Report.objects.filter(space=space).order_by("period")),
    }


def published_reports() -> QuerySet[Report]:
    """Public: every published report on this node."""
    return Report.objects.order_by("-at", "event")


def published_report(event: str) -> Report | None:
    return Report.objects.filter(event=event).first()
