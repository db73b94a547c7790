"""Decisions of other committees that an event cites, checked (event-v1 §14.6).

A seat cites the child's close that elected the delegate, a council's close cites
recalls, a recall cites the election it undoes: each must be a passed motion's applied
close. Where this node holds nothing of the cited space, or holds the close unverified,
the citing event is unverified too.
"""

from __future__ import annotations

from veche.apps.store.context import Cited, Context
from veche.apps.store.models import Status
from veche.events import Event, RuleViolation, Unverified


def cited_close(ctx: Context, event: Event, event_id: str, field: str) -> Event:
    """A passed motion's close event that ``event`` cites, checked. If this node holds
    nothing of its space, or holds it unverified, ``event`` is unverified too."""
    return _passed_close(ctx.cited(event, event_id, field), field)


def held_close(ctx: Context, event: Event, event_id: str, field: str) -> Event | None:
    """Like ``cited_close`` for a proposal that only names another space's decision
    as its own decision's target: checked when this node holds it and could verify
    it, else None (nothing is counted from it, so nothing rests on the claim)."""
    cited = ctx.cited_if_held(event, event_id, field)
    if cited is None or (cited.event.kind == "motion.close" and cited.status == Status.UNVERIFIED):
        return None
    return _passed_close(cited, field)


def _passed_close(cited: Cited, field: str) -> Event:
    if cited.event.kind == "motion.close" and cited.status == Status.UNVERIFIED:
        raise Unverified(
            "unverified-cited", "it relies on a decision that is not verified on this node", field
        )
    if cited.event.kind != "motion.close" or cited.status != Status.APPLIED:
        raise RuleViolation("cite-close", "must name a motion's applied close event", field)
    if not cited.event.body["result"].get("passed"):
        raise RuleViolation("cite-passed", "the motion named did not pass", field)
    return cited.event
