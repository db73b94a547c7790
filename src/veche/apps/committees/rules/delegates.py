"""Delegates across committees: who takes part in a body, seats, and recalls cited.

A council's members are the delegates of its member committees. A delegate takes a
seat by citing the child's close that elected them (the mandate); a seat counts only
under a mandate this node verifies (event-v1 §14.6). A council's close cites the
recalls it takes into account, and each must withdraw one of the council's own
seats. The arithmetic (weights, electorate, which recall withdraws whom) is in
``veche.decisions``.
"""

from __future__ import annotations

from typing import Any

from veche.apps.committees.models import FederationLink, Mandate, Seat
from veche.apps.committees.rules.citations import cited_close
from veche.apps.committees.rules.roster import ACTIVE, active_persons, committee_of, roster
from veche.apps.committees.rules.unverified import noting_unverified, unverified_of
from veche.apps.store.context import Context
from veche.apps.store.kinds import projection, register
from veche.decisions import Recalled, seat_weight, weighted_electorate, withdraws
from veche.events import Event, RuleViolation, Unverified
from veche.events.schema import EventId, Int, Obj


def seats_of(ctx: Context, space: str) -> dict[str, Seat]:
    return ctx.cached(
        ("seats", space), lambda: {s.key: s for s in ctx.rows(Seat).filter(space=space)}
    )


def children_of(ctx: Context, space: str) -> set[str]:
    """The committees this body accepted as members (its own log decides that)."""
    return ctx.cached(
        ("children", space),
        lambda: set(ctx.rows(FederationLink).filter(space=space).values_list("child", flat=True)),
    )


def participant(ctx: Context, event: Event) -> tuple[str, int, str]:
    """(person, weight, mandate) of the author: a member, or a seated delegate.

    An author whose only claim is a seat this node could not verify is not refused:
    the event is unverified, like the seat (event-v1 §14.6).
    """
    member = roster(ctx, event.space_id).get(event.author)
    if member is not None and member.status == ACTIVE:
        return member.person, 1, ""
    seat = seats_of(ctx, event.space_id).get(event.author)
    if seat is not None:
        return seat.key, seat.weight, seat.mandate
    claimed = unverified_of(ctx, event.space_id).seats.get(event.author)
    if claimed is not None:
        raise Unverified(
            "unverified-seat",
            "the author's seat is not verified on this node",
            "author",
            missing=(claimed[1],),
        )
    raise RuleViolation(
        "member", "only members and seated delegates of this body may do this", "author"
    )


def electorate_weight(ctx: Context, space: str, excluded: set[Recalled]) -> int:
    """The body's electorate as a close counts it: members and unrecalled seats."""
    return weighted_electorate(
        active_persons(ctx, space),
        ((s.key, s.mandate, s.weight) for s in seats_of(ctx, space).values()),
        excluded,
    )


def cited_recalls(ctx: Context, close: Event) -> set[Recalled]:
    """Delegates withdrawn by the recall decisions a close event names."""
    excluded: set[Recalled] = set()
    seats = seats_of(ctx, close.space_id)
    for index, cited in enumerate(close.body.get("recalls", [])):
        field = f"body.recalls[{index}]"
        # The body's own seats say who sits by which mandate for which committee:
        # a recall can only withdraw such a delegate.
        seat = seats.get(cited["key"])
        if seat is None or seat.mandate != cited["mandate"] or seat.child != cited["space"]:
            claimed = unverified_of(ctx, close.space_id).seats.get(cited["key"])
            if seat is None and claimed is not None and claimed[1] == cited["mandate"]:
                raise Unverified(
                    "unverified-seat",
                    "it withdraws a delegate whose seat is not verified on this node",
                    field,
                    missing=(cited["mandate"],),
                )
            raise RuleViolation(
                "recall", "no delegate sits here by that mandate for that committee", field
            )
        # Unverified if this node holds nothing of the recalling committee's log.
        recall = cited_close(ctx, close, cited["event"], field)
        if not withdraws(recall.body["result"], recall.space_id, cited):
            raise RuleViolation(
                "recall",
                "not that committee's recall of that delegate",
                field,
            )
        excluded.add((cited["mandate"], cited["key"]))
    return excluded


def check_delegate_election(ctx: Context, proposal: Event) -> None:
    """A delegate election is by STV or approval, in a committee that has joined a
    parent body, among members' or seated delegates' keys, for fewer seats than
    candidates."""
    body = proposal.body
    if body["method"] not in ("stv", "approval"):
        raise RuleViolation("method", "delegates are elected by STV or approval", "body.method")
    if not committee_of(ctx, proposal.space_id).parent:
        raise RuleViolation("parent", "the committee has not joined a parent body yet", "body.kind")
    members = roster(ctx, proposal.space_id)
    seats = seats_of(ctx, proposal.space_id)
    for index, key in enumerate(body.get("options", [])):
        candidate = members.get(key)
        if (candidate is None or candidate.status != ACTIVE) and key not in seats:
            if key in unverified_of(ctx, proposal.space_id).seats:
                raise Unverified(
                    "unverified-seat",
                    "a candidate's seat is not verified on this node",
                    f"body.options[{index}]",
                )
            raise RuleViolation(
                "candidate",
                "candidates must be members' or seated delegates' keys",
                f"body.options[{index}]",
            )
    if body.get("seats", 1) >= len(body.get("options", [])):
        raise RuleViolation("seats", "there must be more candidates than seats", "body.seats")


def check_recall_target(ctx: Context, proposal: Event, target: dict[str, Any]) -> None:
    """A recall names one delegate this committee elected: the mandate and their key."""
    mandate = cited_close(ctx, proposal, target["mandate"], "body.target.mandate")
    if mandate.space_id != proposal.space_id:
        raise RuleViolation("recall", "a committee recalls its own delegates", "body.target")
    if target["key"] not in mandate.body["result"].get("elected_keys", []):
        raise RuleViolation(
            "recall-delegate",
            "this person is not a delegate of that election",
            "body.target.key",
        )


def check_seat(ctx: Context, event: Event) -> None:
    """A seat counts only under a mandate this node verifies (event-v1 §14.6): the
    child's applied close of a passed delegate election that names this body as its
    parent and the author among ``elected_keys``, with the seat's claims matching it.

    A mandate gives at most ``len(elected_keys)`` seats, one per elected key: only an
    elected key may sit by it, and a key holds one seat in a body.
    """
    if event.author in seats_of(ctx, event.space_id):
        raise RuleViolation("seat-once", "you already hold a seat here", "author")
    body = event.body
    # Decided by this body's own log, before anything is read from the child's.
    if body["child"] not in children_of(ctx, event.space_id):
        raise RuleViolation(
            "federation", "the electing committee is not a member of this body", "body.mandate"
        )
    mandate = cited_close(ctx, event, body["mandate"], "body.mandate")
    result = mandate.body["result"]
    elected = result.get("elected_keys", [])
    claims = (mandate.space_id, result.get("represented"), len(elected))
    if (
        result.get("kind") != "delegate_election"
        or result.get("parent") != event.space_id
        or event.author not in elected
        or claims != (body["child"], body["represented"], body["elected"])
    ):
        raise RuleViolation(
            "mandate", "this mandate does not send you to this body", "body.mandate"
        )


def apply_seat(ctx: Context, event: Event) -> None:
    body = event.body
    committee = committee_of(ctx, event.space_id)
    seat = Seat(
        space=event.space_id,
        key=event.author,
        mandate=body["mandate"],
        child=body["child"],
        weight=seat_weight(
            committee.rules.get("weighting"), int(body["represented"]), int(body["elected"])
        ),
        event=event.id,
    )
    seats_of(ctx, event.space_id)[seat.key] = seat
    ctx.insert(seat)


def _foreign_of_seat(event: Event) -> dict[str, str]:
    return {event.body["mandate"]: event.body["child"]}


def register_all() -> None:
    register(
        "delegate.seat",
        body=Obj(
            required={
                "mandate": EventId(),
                "child": EventId(),
                "represented": Int(0),
                "elected": Int(1, 50),
            }
        ),
        rule=noting_unverified(check_seat),
        apply=apply_seat,
        foreign=_foreign_of_seat,
        summary="a delegate takes a seat in the parent body, citing their mandate",
    )
    projection(
        Mandate,
        digest=("space", "event", "key", "parent", "represented", "seats", "recalled_by", "at"),
        order=("event", "key"),
    )
    projection(Seat, digest=("space", "key", "mandate", "child", "weight", "event"), order=("key",))
