"""The one judgment of an event, used alike by ingest and by rebuild.

An event is judged against the state a ``Context`` holds: its chain first (the
previous event of its author in its space, event-v1 §7), then whether it is held
(a suspect nobody acknowledged, §14.3), then its kind's schema and rule (§10).
Only an applied event runs its projector.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction

from veche.apps.store.context import Context
from veche.apps.store.kinds import APPLY, KINDS
from veche.apps.store.models import Status
from veche.events import Event, RuleViolation, Unverified
from veche.events.order import ChainError, Link, check_link

__all__ = ["CONFLICT_REASON", "Verdict", "check_chain", "judge", "judge_rule", "reason_of"]

CONFLICT_REASON = (
    "conflict|event|it conflicts with a concurrent decision that comes before it in the order"
)


@dataclass(frozen=True, slots=True)
class Verdict:
    status: Status
    reason: str = ""


def reason_of(violation: RuleViolation | ChainError) -> str:
    """The stored form of a refusal: ``rule|field|message``."""
    message = violation.message if isinstance(violation, RuleViolation) else str(violation)
    return f"{violation.rule}|{violation.field}|{message}"


def check_chain(event: Event, previous: Link | None) -> Verdict | None:
    """A rejection if ``previous`` is not the right predecessor, else None."""
    try:
        check_link(event, previous)
    except ChainError as error:
        return Verdict(Status.REJECTED, f"{error.rule}|prev|{error}")
    return None


def judge(
    ctx: Context,
    event: Event,
    previous: Link | None,
    held: str | None = None,
    on_causal_past: Callable[[], Verdict] | None = None,
) -> Verdict:
    """Judge ``event`` in ``ctx`` and, if it is applied, project it.

    ``held`` is the reason the event is held (event-v1 §14.3), or None.
    ``on_causal_past``, for a causal kind that did not see everything before it
    (§14.2), gives the rule's verdict on its causal past; the projector then runs
    here, on the state in order.
    """
    broken = check_chain(event, previous)
    if broken is not None:
        return broken
    if held is not None:
        return Verdict(Status.HELD, held)
    if on_causal_past is None:
        return judge_rule(ctx, event)
    verdict = on_causal_past()
    if verdict.status != Status.APPLIED:
        return verdict
    # Allowed on its causal past; its effect is written to the state in order. If
    # that state lacks what the effect needs (the motion it closes was refused in
    # order because of a concurrent decision before it), the earlier decision
    # stands and this one is refused (event-v1 §14.2).
    ctx.flush()
    savepoint = transaction.savepoint()
    try:
        APPLY[event.kind](ctx, event)
        ctx.flush()
    except (RuleViolation, RuntimeError, LookupError):
        transaction.savepoint_rollback(savepoint)
        ctx.discard()
        return Verdict(Status.REJECTED, CONFLICT_REASON)
    transaction.savepoint_commit(savepoint)
    return verdict


def judge_rule(ctx: Context, event: Event) -> Verdict:
    """The kind's schema and rule, then its projector if allowed."""
    try:
        KINDS.judge(ctx, event)
    except Unverified as unverified:
        return Verdict(Status.UNVERIFIED, reason_of(unverified))
    except RuleViolation as violation:
        return Verdict(Status.REJECTED, reason_of(violation))
    APPLY[event.kind](ctx, event)
    return Verdict(Status.APPLIED)
