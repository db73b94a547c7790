"""Fund codes in the reader's language: accounts, entry categories, payout status and
report periods. The events and the projections keep the codes (and the pure ledger its
English descriptions); pages show these labels."""

from __future__ import annotations

from datetime import date

from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from veche.web.labels import label

# veche.solidarity.ledger.ACCOUNTS
ACCOUNT_LABELS = {
    "donations": gettext_lazy("Donations received"),
    "pledges": gettext_lazy("Pledges (promised, not yet received)"),
    "cash": gettext_lazy("Cash holdings"),
    "bank": gettext_lazy("Bank holdings"),
    "payouts": gettext_lazy("Payouts to strikers"),
    "costs": gettext_lazy("Costs"),
}
# veche.apps.fund.kinds.CATEGORIES, and "payout" for an approved payout's entry
CATEGORY_LABELS = {
    "donation": gettext_lazy("Donation"),
    "pledge": gettext_lazy("Pledge"),
    "pledge_received": gettext_lazy("Pledge received"),
    "cost": gettext_lazy("Cost"),
    "transfer": gettext_lazy("Transfer"),
    "correction": gettext_lazy("Correction"),
    "payout": gettext_lazy("Payout"),
}
# veche.apps.fund.models.Payout.Status
PAYOUT_STATUS_LABELS = {
    "pending": gettext_lazy("awaiting approvals"),
    "effective": gettext_lazy("approved"),
}


def account_label(account: str) -> str:
    return label(ACCOUNT_LABELS, account)


def category_label(category: str) -> str:
    return label(CATEGORY_LABELS, category)


def payout_status_label(status: str) -> str:
    return label(PAYOUT_STATUS_LABELS, status)


def period_label(period: str) -> str:
    """A report's period: ``all``, or a month ``2020-08`` in the reader's format."""
    if period == "all":
        return _("all time")
    try:
        year, month = (int(part) for part in period.split("-"))
        return formats.date_format(date(year, month, 1), "YEAR_MONTH_FORMAT")
    except ValueError:
        return period
