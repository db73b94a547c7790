"""Fund codes in the reader's language: accounts, entry categories, payout status and
report periods. The events and the projections keep the codes (and the pure ledger its
English descriptions); pages show these labels."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

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


# How a treasurer reads each account: what the fund holds or is owed (assets), what it
# received (income) and what it paid (expenses), each as a positive sum. The book keeps
# debit minus credit, so income, a credit balance, is shown with its sign turned.
ACCOUNT_TYPES = {
    "cash": "asset",
    "bank": "asset",
    "pledges": "asset",
    "donations": "income",
    "payouts": "expense",
    "costs": "expense",
}
ACCOUNT_TYPE_LABELS = {
    "asset": gettext_lazy("Held and owed to the fund"),
    "income": gettext_lazy("Received"),
    "expense": gettext_lazy("Paid out"),
}
CREDIT_NORMAL = frozenset(a for a, kind in ACCOUNT_TYPES.items() if kind == "income")


@dataclass(frozen=True)
class BalanceRow:
    """A balance as the treasurer reads it: ``amount`` positive in the normal case."""

    account: str
    currency: str
    amount: int
    kind: str

    @property
    def account_label(self) -> str:
        return account_label(self.account)

    @property
    def kind_label(self) -> str:
        return str(ACCOUNT_TYPE_LABELS[self.kind])


def shown_balance(account: str, debit_minus_credit: int) -> int:
    """The balance with the sign a treasurer expects: donations received are positive."""
    return -debit_minus_credit if account in CREDIT_NORMAL else debit_minus_credit


def balance_rows(balances: Iterable[Any]) -> list[BalanceRow]:
    """Balances (rows with account, currency and amount = debit − credit) grouped as
    assets, income, expenses, each with the sign a treasurer expects."""
    order = list(ACCOUNT_TYPE_LABELS)
    rows = [
        BalanceRow(
            b.account,
            b.currency,
            shown_balance(b.account, b.amount),
            ACCOUNT_TYPES.get(b.account, "asset"),
        )
        for b in balances
    ]
    return sorted(rows, key=lambda r: (order.index(r.kind), r.currency, r.account))


def account_label(account: str) -> str:
    return label(ACCOUNT_LABELS, account)


def category_label(category: str) -> str:
    return label(CATEGORY_LABELS, category)


def payout_status_label(status: str) -> str:
    return label(PAYOUT_STATUS_LABELS, status)


# A month standing alone, as a report's period is named ("August 2020"): Django's own
# month names are genitive in Belarusian ("жніўня"), right only inside a full date.
MONTHS = {
    1: pgettext_lazy("month standing alone", "January"),
    2: pgettext_lazy("month standing alone", "February"),
    3: pgettext_lazy("month standing alone", "March"),
    4: pgettext_lazy("month standing alone", "April"),
    5: pgettext_lazy("month standing alone", "May"),
    6: pgettext_lazy("month standing alone", "June"),
    7: pgettext_lazy("month standing alone", "July"),
    8: pgettext_lazy("month standing alone", "August"),
    9: pgettext_lazy("month standing alone", "September"),
    10: pgettext_lazy("month standing alone", "October"),
    11: pgettext_lazy("month standing alone", "November"),
    12: pgettext_lazy("month standing alone", "December"),
}


def period_label(period: str) -> str:
    """A report's period: ``all``, or a month ``2020-08`` as ``August 2020``."""
    if period == "all":
        return _("all time")
    try:
        year, month = (int(part) for part in period.split("-"))
        date(year, month, 1)
    except ValueError:
        return period
    return _("%(month)s %(year)s") % {"month": MONTHS[month], "year": year}
