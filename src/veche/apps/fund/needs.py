"""Payouts waiting for a treasurer's approval, for the home page.

Two queries however many funds and payouts: the funds of the member's committees (to
see where they are a treasurer), then the pending payouts there they have not approved.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Exists, OuterRef

from veche.apps.fund.models import Approval, Fund, Payout

LIMIT = 50


@dataclass(frozen=True)
class PendingPayout:
    payout: Payout
    fund: Fund


def payouts_to_approve(key: str, spaces: Iterable[str]) -> list[PendingPayout]:
    """Pending payouts of the funds (of the committees ``spaces``, where the member is
    active) that name ``key`` a treasurer and that it has not approved, oldest first."""
    # Treasurers are a JSON list: matched here, not in SQL (SQLite has no JSON contains).
    funds = {
        f.space: f for f in Fund.objects.filter(space__in=sorted(spaces)) if key in f.treasurers
    }
    if not funds:
        return []
    approved = Approval.objects.filter(payout=OuterRef("event"), treasurer=key)
    rows = (
        Payout.objects.filter(space__in=sorted(funds), status=Payout.Status.PENDING)
        .annotate(approved=Exists(approved))
        .filter(approved=False)
        .order_by("day", "event")[:LIMIT]
    )
    return [PendingPayout(payout=p, fund=funds[p.space]) for p in rows]
