# A rule's sentence with values is a %-template that pages translate (apps/store/reasons.py).
# ruff: noqa: UP031
"""Motions and votes as event kinds: propose, amend, vote, close.

A motion is proposed, may be amended by its proposer while open (votes cast on an
earlier text no longer count: the voter must vote again), is voted on openly
(yes/no/abstain, approval, ranked by Schulze, or STV for several seats), and is
closed. The close event carries the result, and every node recomputes it from the
votes it holds before accepting the close (``veche.decisions.compute_result``): a
forged result is rejected. A passed motion's effects are in ``motion_effects``; what
each motion kind's proposal must name is in ``motion_targets``.

A close whose result differs from the votes this node holds only by votes of seats
it could not verify, or by recalls it cannot check, is unverified, not refused
(event-v1 §14.6).
"""

from __future__ import annotations

from collections.abc import Set
from typing import Any

from veche.apps.committees.models import Motion, Vote
from veche.apps.committees.rules.appeals import check_appeal_amendment
from veche.apps.committees.rules.delegates import (
    check_delegate_election,
    cited_recalls,
    electorate_weight,
    participant,
    seats_of,
)
from veche.apps.committees.rules.motion_effects import take_effect
from veche.apps.committees.rules.motion_targets import (
    TARGET_CHECKS,
    TARGET_SCHEMA,
    foreign_of_proposal,
)
from veche.apps.committees.rules.roster import active_persons, committee_of
from veche.apps.committees.rules.unverified import noting_unverified, unverified_of
from veche.apps.store.context import Context
from veche.apps.store.kinds import projection, register
from veche.decisions import (
    CHOICES,
    METHODS,
    MOTION_KINDS,
    TARGET_FIELDS_NEEDED,
    Choice,
    Recalled,
    ballot_choice,
    check_options,
    compute_result,
    not_recalled,
)
from veche.events import Event, RuleViolation, Unverified
from veche.events.schema import Enum, EventId, Int, List, Obj, PublicKey, Str, Timestamp

_OPTION = Str(min_length=1, max_length=200)


def motion_of(ctx: Context, event: Event, motion_id: str) -> Motion:
    motion = ctx.cached(
        ("motion", motion_id),
        lambda: ctx.rows(Motion).filter(event=motion_id, space=event.space_id).first(),
    )
    if motion is None:
        if unverified_of(ctx, event.space_id).motion(motion_id):
            raise Unverified(
                "unverified-motion", "the motion is not verified on this node", "body.motion"
            )
        raise RuleViolation("motion", "no such motion in this committee", "body.motion")
    return motion


def _save_motion(ctx: Context, motion: Motion) -> None:
    ctx.memo[("motion", motion.event)] = motion
    motion.save()


def _open_motion(ctx: Context, event: Event) -> Motion:
    motion = motion_of(ctx, event, event.body["motion"])
    if motion.status != Motion.Status.OPEN:
        raise RuleViolation("closed", "the motion is closed", "body.motion")
    return motion


# -- propose and amend -------------------------------------------------------------------


def check_propose(ctx: Context, event: Event) -> None:
    participant(ctx, event)
    committee_of(ctx, event.space_id)
    body = event.body
    motion_kind, method = body["kind"], body["method"]
    target = body.get("target", {})
    for needed in TARGET_FIELDS_NEEDED.get(motion_kind, ()):
        if needed not in target:
            raise RuleViolation(
                "target",
                "a %(kind)s motion needs target.%(field)s" % {"kind": motion_kind, "field": needed},
                "body.target",
            )
    if motion_kind == "delegate_election":
        check_delegate_election(ctx, event)
    elif motion_kind == "general":
        if method == "stv":
            raise RuleViolation("method", "STV is for electing several people", "body.method")
    elif method != "yes_no":
        raise RuleViolation(
            "method",
            "a %(kind)s motion is decided yes or no" % {"kind": motion_kind},
            "body.method",
        )
    check_options(body.get("options"), method)
    check_target = TARGET_CHECKS.get(motion_kind)
    if check_target is not None:
        check_target(ctx, event, target)


def apply_propose(ctx: Context, event: Event) -> None:
    body = event.body
    person, _, _ = participant(ctx, event)
    target = dict(body.get("target", {}))
    if body["kind"] == "delegate_election":
        target["parent"] = committee_of(ctx, event.space_id).parent
    motion = Motion(
        space=event.space_id,
        event=event.id,
        proposer=person,
        kind=body["kind"],
        title=body["title"],
        text=body["text"],
        method=body["method"],
        options=body.get("options", []),
        seats=body.get("seats", 1),
        deadline=body.get("deadline", ""),
        target=target,
        proposed_at=event.at,
    )
    _save_motion(ctx, motion)


def check_amend(ctx: Context, event: Event) -> None:
    person, _, _ = participant(ctx, event)
    motion = _open_motion(ctx, event)
    if person != motion.proposer:
        raise RuleViolation("proposer", "only the proposer amends a motion", "author")
    if "options" in event.body:
        check_options(event.body.get("options"), motion.method)
    if motion.kind == "appeal":
        title, text = event.body.get("title", motion.title), event.body.get("text", motion.text)
        check_appeal_amendment(title, text, motion.target)


def apply_amend(ctx: Context, event: Event) -> None:
    motion = motion_of(ctx, event, event.body["motion"])
    for field in ("title", "text", "options"):
        if field in event.body:
            setattr(motion, field, event.body[field])
    motion.version += 1
    motion.amendments = [
        *motion.amendments,
        {"event": event.id, "at": event.at, "title": motion.title, "text": motion.text},
    ]
    _save_motion(ctx, motion)


# -- votes -------------------------------------------------------------------------------


def check_vote(ctx: Context, event: Event) -> None:
    participant(ctx, event)
    motion = _open_motion(ctx, event)
    if event.body["version"] != motion.version:
        raise RuleViolation(
            "version", "the motion was amended since: read it again and vote", "body.version"
        )
    ballot_choice(motion.method, len(motion.options), event.body)


def apply_vote(ctx: Context, event: Event) -> None:
    person, weight, mandate = participant(ctx, event)
    motion = motion_of(ctx, event, event.body["motion"])
    ctx.upsert(
        Vote(
            space=event.space_id,
            motion=motion.event,
            person=person,
            key=event.author,
            event=event.id,
            version=motion.version,
            choice=ballot_choice(motion.method, len(motion.options), event.body),
            mandate=mandate,
            weight=weight,
            at=event.at,
        ),
        key=("motion", "person"),
        update=("key", "event", "version", "choice", "mandate", "weight", "at"),
    )


def counted_votes(
    ctx: Context | None, motion: Motion, excluded: Set[Recalled]
) -> list[tuple[Choice, int]]:
    """(choice, weight) of every current vote but recalled delegates' (a delegate's
    person is their key)."""
    query = (ctx.rows(Vote) if ctx is not None else Vote.objects).filter(
        motion=motion.event, version=motion.version
    )
    return not_recalled(
        query.order_by("person").values_list("choice", "weight", "mandate", "person"), excluded
    )


# -- close -------------------------------------------------------------------------------


def check_close(ctx: Context, event: Event) -> None:
    person, _, _ = participant(ctx, event)
    motion = _open_motion(ctx, event)
    persons = active_persons(ctx, event.space_id)
    proposer_gone = motion.proposer not in persons and motion.proposer not in seats_of(
        ctx, event.space_id
    )
    # The deadline is shown to everyone; the close event records who closed it when.
    if person != motion.proposer and not motion.deadline and not proposer_gone:
        raise RuleViolation(
            "close", "only the proposer closes a motion without a deadline", "author"
        )
    excluded = cited_recalls(ctx, event)
    entitled = electorate_weight(ctx, event.space_id, excluded)
    expected = compute_result(
        motion,
        counted_votes(ctx, motion, excluded),
        entitled,
        committee_of(ctx, event.space_id).rules,
        represented=entitled,
    )
    if event.body["result"] != expected:
        claimed = unverified_of(ctx, event.space_id).seats
        if claimed:
            # Seats this node could not verify would change the electorate and may
            # have cast votes: the difference may be theirs, so nothing is decided.
            raise Unverified(
                "unverified-votes",
                "the result differs from the votes held here, and some seats are not verified",
                "body.result",
                missing=tuple(sorted({m for _, m in claimed.values() if m})),
            )
        raise RuleViolation(
            "result", "the result does not match the votes this log holds", "body.result"
        )


def apply_close(ctx: Context, event: Event) -> None:
    motion = motion_of(ctx, event, event.body["motion"])
    result = event.body["result"]
    motion.status = Motion.Status.PASSED if result["passed"] else Motion.Status.FAILED
    motion.result = result
    motion.close_event = event.id
    motion.closed_at = event.at
    _save_motion(ctx, motion)
    if result["passed"]:
        take_effect(ctx, event, motion)


def _foreign_of_close(event: Event) -> dict[str, str]:
    return {r["event"]: r["space"] for r in event.body.get("recalls", [])}


# The result object is checked field by field against the recomputed result, so
# its schema only has to admit the fields compute_result writes.
class _AnyValue(Str):
    def check(self, value: Any, path: str) -> None:
        return None


_RESULT_FIELDS = {
    name: _AnyValue()
    for name in (
        "method",
        "cast",
        "electorate",
        "quorum",
        "yes",
        "no",
        "abstain",
        "passed",
        "votes",
        "winners",
        "elected",
        "ranking",
        "quota",
        "stages",
        "elected_keys",
        "parent",
        "kind",
        "mandate",
        "key",
        "represented",
    )
}


def register_all() -> None:
    register(
        "motion.propose",
        body=Obj(
            required={
                "kind": Enum(MOTION_KINDS),
                "title": Str(min_length=3, max_length=300),
                "text": Str(min_length=1, max_length=20000),
                "method": Enum(METHODS),
            },
            optional={
                "options": List(_OPTION, max_length=50, unique=True),
                "seats": Int(1, 50),
                "deadline": Timestamp(),
                "target": TARGET_SCHEMA,
            },
        ),
        rule=noting_unverified(check_propose),
        apply=apply_propose,
        summary="propose a motion",
        foreign=foreign_of_proposal,
    )
    register(
        "motion.amend",
        body=Obj(
            required={"motion": EventId()},
            optional={
                "title": Str(min_length=3, max_length=300),
                "text": Str(min_length=1, max_length=20000),
                "options": List(_OPTION, max_length=50, unique=True),
            },
        ),
        rule=noting_unverified(check_amend),
        apply=apply_amend,
        summary="the proposer amends an open motion",
    )
    register(
        "motion.vote",
        body=Obj(
            required={"motion": EventId(), "version": Int(0)},
            optional={
                "choice": Enum(CHOICES),
                "approve": List(Int(0, 49), max_length=50),
                "ranking": List(List(Int(0, 49), min_length=1, max_length=50), max_length=50),
            },
        ),
        rule=noting_unverified(check_vote),
        apply=apply_vote,
        summary="vote on an open motion (a later vote replaces an earlier one)",
    )
    register(
        "motion.close",
        body=Obj(
            required={"motion": EventId(), "result": Obj(optional=_RESULT_FIELDS)},
            optional={
                "recalls": List(
                    Obj(
                        required={
                            "event": EventId(),
                            "space": EventId(),
                            "mandate": EventId(),
                            "key": PublicKey(),
                        }
                    ),
                    max_length=64,
                    unique=True,
                )
            },
        ),
        rule=noting_unverified(check_close),
        apply=apply_close,
        foreign=_foreign_of_close,
        causal=True,
        summary="close a motion with its result, which every node recomputes",
    )
    projection(
        Motion,
        digest=(
            "space",
            "event",
            "proposer",
            "kind",
            # ``title``, ``text`` and the ``amendments`` (which copy them) are content
            # (event-v1 §16): the digest covers them through the event ids
            "method",
            "options",
            "seats",
            "deadline",
            "target",
            "version",
            "status",
            "result",
            "close_event",
            "proposed_at",
            "closed_at",
        ),
        order=("event",),
    )
    projection(
        Vote,
        digest=(
            "space",
            "motion",
            "person",
            "key",
            "event",
            "version",
            "choice",
            "mandate",
            "weight",
            "at",
        ),
        order=("motion", "person"),
    )
