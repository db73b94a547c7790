"""Labels of the planning pages: counting rules and why a project won or lost."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from veche.apps.fund.templatetags.money import money

RULE_LABELS = {
    "mes": gettext_lazy("Method of Equal Shares (proportional)"),
    "greedy": gettext_lazy("Most votes first (greedy)"),
}
STATUS_LABELS = {
    "open": gettext_lazy("open"),
    "decided": gettext_lazy("decided"),
}


def _amount(text: str | None, currency: str) -> str:
    """A Fraction of kopecks as money text (rounded to the kopeck for display)."""
    value = Fraction(text or "0")
    return money(round(value), currency)


def explanation(outcome: dict[str, Any], currency: str) -> str:
    """Why the project won or lost, in the reader's language."""
    votes = round(Fraction(outcome["votes"] or "0"))
    cost = _amount(outcome["cost"], currency)
    left = _amount(outcome["left"], currency)
    reason = outcome["reason"]
    if reason == "funded_equal_shares":
        paid = ", ".join(
            ngettext("%(n)s voter paid %(amount)s", "%(n)s voters paid %(amount)s", n)
            % {"n": n, "amount": _amount(a, currency)}
            for a, n in outcome["payments"]
        )
        return _(
            "Funded by equal shares: its %(votes)s supporters paid its cost %(cost)s "
            "between them (%(paid)s)."
        ) % {"votes": votes, "cost": cost, "paid": paid}
    if reason == "unaffordable":
        return _(
            "Not funded: its %(votes)s supporters had %(left)s of their shares left, "
            "it costs %(cost)s."
        ) % {"votes": votes, "left": left, "cost": cost}
    if reason in ("funded_greedy", "funded_completion"):
        return _("Funded: %(votes)s votes; its cost %(cost)s fitted in the %(left)s left.") % {
            "votes": votes,
            "cost": cost,
            "left": left,
        }
    if reason == "no_room":
        return _(
            "Not funded: %(votes)s votes; its cost %(cost)s did not fit in the %(left)s left."
        ) % {"votes": votes, "cost": cost, "left": left}
    if reason == "no_votes":
        return _("Not funded: nobody voted for it.")
    return str(reason)
