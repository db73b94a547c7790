"""Permission-checked reads of the fund: members see the ledger, the public only reports.

``access_*`` returns what the viewer may read or raises Http404 (unknown and forbidden
alike); signing for the fund is the treasurers' (``is_treasurer``: a 403, not a 404).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from veche.apps.committees.access import access_committee_by_space, can_read_space
from veche.apps.committees.models import Committee
from veche.apps.fund.labels import balance_rows
from veche.apps.fund.models import Approval, Balance, Entry, Fund, Payout, Receipt, Report


def can_read_ledger(viewer: str | None, space: str) -> bool:
    return can_read_space(viewer, space)


def check_ledger_readable(viewer: str | None, space: str) -> None:
    """404 unless the viewer may read the committee's ledger (before a fund exists, say)."""
    if not can_read_ledger(viewer, space):
        raise Http404


def access_ledger_by_space(viewer: str | None, space: str) -> tuple[Committee, Fund | None]:
    """The committee and its fund (None until it is set up), if the viewer may read the
    ledger; otherwise 404 (unknown and forbidden alike)."""
    committee = access_committee_by_space(viewer, space)
    return committee, Fund.objects.filter(space=space).first()


def access_fund_by_space(viewer: str | None, space: str) -> Fund | None:
    """The committee's fund (None until it is set up), if the viewer may read the ledger;
    otherwise 404. Whether the viewer may sign for it is ``is_treasurer``."""
    check_ledger_readable(viewer, space)
    return Fund.objects.filter(space=space).first()


def is_treasurer(viewer: str | None, fund: Fund | None) -> bool:
    return fund is not None and viewer in fund.treasurers


def ledger_view(fund: Fund) -> dict[str, object]:
    """The ledger of a fund ``access_ledger_by_space`` returned."""
    space = fund.space
    payouts = list(Payout.objects.filter(space=space).order_by("-day", "event"))
    approvers: dict[str, list[str]] = {}
    for payout, treasurer in Approval.objects.filter(space=space).values_list(
        "payout", "treasurer"
    ):
        approvers.setdefault(payout, []).append(treasurer)
    return {
        "balances": balance_rows(
            Balance.objects.filter(space=space).exclude(amount=0).order_by("currency", "account")
        ),
        "entries": list(Entry.objects.filter(space=space).order_by("-day", "event")[:200]),
        "payouts": [(p, approvers.get(p.event, [])) for p in payouts],
        "reports": list(Report.objects.filter(space=space).order_by("period")),
    }


def access_receipt_by_payout(
    viewer: str | None, space: str, payout: str
) -> tuple[Fund, Payout, Receipt | None]:
    """A payout and its receipt (None when this node does not hold the salt: another
    node proposed it), for the fund's treasurers only. Non-members and unknown payouts
    get 404; members who are not treasurers get ``PermissionDenied`` (403)."""
    fund = access_fund_by_space(viewer, space)
    row = Payout.objects.filter(space=space, event=payout).first()
    if fund is None or row is None:
        raise Http404
    if not is_treasurer(viewer, fund):
        raise PermissionDenied
    return fund, row, Receipt.objects.filter(payout=payout).first()


def published_reports() -> QuerySet[Report]:
    """Public: every published report on this node."""
    return Report.objects.order_by("-at", "event")


def access_report_by_event(event: str) -> Report:
    """Public: a published report; 404 if there is none."""
    report = Report.objects.filter(event=event).first()
    if report is None:
        raise Http404
    return report
