# A rule's sentence with values is a %-template that pages translate (apps/store/reasons.py).
# ruff: noqa: UP031
"""What a ballot on a motion must say, checked against the motion's method and options."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from veche.decisions.terms import CHOICES, Choice
from veche.events import RuleViolation

# method -> the one body field a vote by that method gives.
_BALLOT_FIELD = {"yes_no": "choice", "approval": "approve", "ranked": "ranking", "stv": "ranking"}


def check_options(options: Sequence[str] | None, method: str) -> None:
    """A yes/no motion has no options; every other method needs two or more."""
    if method == "yes_no":
        if options:
            raise RuleViolation("options", "a yes/no motion has no options", "body.options")
    elif not options or len(options) < 2:
        raise RuleViolation("options", "this method needs at least two options", "body.options")


def ballot_choice(method: str, option_count: int, body: Mapping[str, Any]) -> Choice:
    """The choice a vote's body gives, as counted (approvals sorted), or a RuleViolation."""
    given = [k for k in ("choice", "approve", "ranking") if k in body]
    expected = _BALLOT_FIELD[method]
    if given != [expected]:
        raise RuleViolation(
            "ballot", "this motion takes a '%(field)s' vote" % {"field": expected}, "body"
        )
    if expected == "choice":
        if body["choice"] not in CHOICES:
            raise RuleViolation("choice", "vote yes, no or abstain", "body.choice")
        return body["choice"]
    if expected == "approve":
        picked = body["approve"]
        if len(set(picked)) != len(picked) or any(not 0 <= i < option_count for i in picked):
            raise RuleViolation(
                "approve", "approve distinct options of this motion", "body.approve"
            )
        return sorted(picked)
    ranking = body["ranking"]
    flat = [i for group in ranking for i in group]
    if not flat or len(set(flat)) != len(flat) or any(not 0 <= i < option_count for i in flat):
        raise RuleViolation("ranking", "rank distinct options of this motion", "body.ranking")
    if any(len(group) != 1 for group in ranking) and method == "stv":
        raise RuleViolation(
            "ranking", "an STV ballot ranks one candidate per place", "body.ranking"
        )
    if any(not group for group in ranking):
        raise RuleViolation("ranking", "empty place in the ranking", "body.ranking")
    return ranking
