"""Labels of the planning pages: counting rules and why a project won or lost."""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal
from fractions import Fraction
from typing import Any

from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from veche.apps.fund.templatetags.money import money

RULE_LABELS = {
    "mes": gettext_lazy("Method of Equal Shares (proportional)"),
    "greedy": gettext_lazy("Most votes first (greedy)"),
}
BALLOT_LABELS = {
    "approval": gettext_lazy("Approval: each member ticks the projects they support"),
    "points": gettext_lazy("Points: each member shares out a number of points"),
}
STATUS_LABELS = {
    "open": gettext_lazy("open"),
    "decided": gettext_lazy("decided"),
}


def _amount(text: str | None, currency: str) -> str:
    """A Fraction of kopecks as money text (rounded to the kopeck for display)."""
    value = Fraction(text or "0")
    return money(round(value), currency)


def _amount_fine(text: str, currency: str) -> str:
    """A price per point, which may be a fraction of a kopeck: to the kopeck if it is at
    least one, else to four decimals of the major unit."""
    value = Fraction(text)
    if value >= 1:
        return money(round(value), currency)
    # Four decimals of the major unit, in the reader's number format, never via floats.
    major = (Decimal(value.numerator) / Decimal(value.denominator) / 100).quantize(
        Decimal("0.0001"), rounding=ROUND_HALF_EVEN
    )
    return f"{formats.number_format(major, decimal_pos=4, force_grouping=True)} {currency}".strip()


def explanation(outcome: dict[str, Any], currency: str, ballot: str = "approval") -> str:
    """Why the project won or lost, in the reader's language."""
    if ballot == "points":
        return _points_explanation(outcome, currency)
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


def _points_explanation(outcome: dict[str, Any], currency: str) -> str:
    """Why a project of a points budget won or lost: its votes are points given."""
    points = Fraction(outcome["votes"] or "0")
    votes = round(points)
    cost = _amount(outcome["cost"], currency)
    left = _amount(outcome["left"], currency)
    reason = outcome["reason"]
    if reason == "funded_equal_shares":
        paid = ", ".join(
            ngettext(
                "%(n)s voter who gave %(points)s paid %(amount)s",
                "%(n)s voters who gave %(points)s paid %(amount)s",
                n,
            )
            % {"n": n, "points": round(Fraction(p)), "amount": _amount(a, currency)}
            for p, a, n in outcome.get("point_payments", [])
        )
        price = outcome.get("per_point") or str(Fraction(outcome["cost"] or "0") / points)
        return _(
            "Funded by equal shares: its supporters gave it %(votes)s points and paid its cost "
            "%(cost)s between them by their points, each %(per_point)s a point (%(paid)s)."
        ) % {"votes": votes, "cost": cost, "per_point": _amount_fine(price, currency),
             "paid": paid}  # fmt: skip
    if reason == "unaffordable":
        return _(
            "Not funded: its supporters gave it %(votes)s points and had %(left)s of their "
            "shares left; it costs %(cost)s."
        ) % {"votes": votes, "left": left, "cost": cost}
    if reason in ("funded_greedy", "funded_completion"):
        return _("Funded: %(votes)s points; its cost %(cost)s fitted in the %(left)s left.") % {
            "votes": votes,
            "cost": cost,
            "left": left,
        }
    if reason == "no_room":
        return _(
            "Not funded: %(votes)s points; its cost %(cost)s did not fit in the %(left)s left."
        ) % {"votes": votes, "cost": cost, "left": left}
    if reason == "no_votes":
        return _("Not funded: nobody gave it points.")
    return str(reason)
