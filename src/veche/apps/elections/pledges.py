"""The ``pledge`` space type on the node: secret strike pledges (format pledge-v1).

A pledge runs through the election's own event kinds (``ballot.cast`` carries a
pledge) plus ``pledge.result``; which rules judge an event is decided by the
type of its space. The rules are ``veche.pledge.rules`` run on a
``StoredPledgeState``: the election's stored state (voters, trustees, ballots,
copy check and partial decryptions in the election tables, by space) with the
pledge's own facts in the ``Pledge`` row. So ``veche pledge verify`` on the
exported record reaches the verdict this node reached on every event.
"""

from __future__ import annotations

from veche.apps.elections.kinds import StoredElectionState
from veche.apps.elections.models import (
    Complaint,
    PartialDecryption,
    Pledge,
    Trustee,
)
from veche.apps.store.context import Context
from veche.crypto.elgamal import Ciphertext
from veche.crypto.threshold import Dealing
from veche.crypto.threshold import PartialDecryption as CryptoPartial
from veche.election import rules as election_rules
from veche.events import Event, RuleViolation
from veche.events.encoding import b64e
from veche.pledge import rules
from veche.pledge.reveal import RevealState
from veche.pledge.rules import PledgeState
from veche.pledge.spec import parse_pledge

__all__ = [
    "StoredPledgeState",
    "apply",
    "check_electorate",
    "is_pledge",
    "judge",
    "state_of",
]


class StoredPledgeState(StoredElectionState, PledgeState):
    """The pledge's state: the election's rows by space, and the ``Pledge`` row."""


def is_pledge(ctx: Context, space: str | None) -> bool:
    """Is this space a pledge on this node (its create applied here)?"""
    if space is None:
        return False
    return bool(
        ctx.cached(
            ("pledge-space", space),
            lambda: ctx.rows(Pledge).filter(space=space).exists(),
        )
    )


def _load(ctx: Context, space: str) -> StoredPledgeState:
    state = StoredPledgeState(ctx, space)
    pledge = ctx.rows(Pledge).filter(space=space).first()
    if pledge is None:
        return state
    state.pledge = parse_pledge(space, pledge.creator, pledge.body)
    state.spec = state.pledge.election
    state.stage = pledge.stage
    for trustee in ctx.rows(Trustee).filter(space=space, dealing__isnull=False).order_by("index"):
        state.dealings[trustee.index] = Dealing.from_json(trustee.dealing)
    state.complaints = [
        (c.trustee, c.dealer, c.reason)
        for c in ctx.rows(Complaint).filter(space=space).order_by("event")
    ]
    if state.stage in ("open", "closed", "decided"):
        state.key = election_rules.election_key(state)
    state.tally = tuple(Ciphertext.from_json(ct) for ct in pledge.tally)
    state.counted = pledge.counted
    state.casts = pledge.casts
    for partial in ctx.rows(PartialDecryption).filter(space=space).order_by("trustee"):
        state.partials[partial.trustee] = CryptoPartial.from_json(partial.partial)
    state.total = pledge.total
    state.crossed = pledge.crossed
    state.reveal = RevealState.from_json(pledge.reveal)
    state.counts = (pledge.total,) if pledge.total is not None else None
    return state


def state_of(ctx: Context, space: str) -> StoredPledgeState:
    return ctx.cached(("pledge-state", space), lambda: _load(ctx, space))


def judge(ctx: Context, event: Event) -> None:
    rules.judge_event(state_of(ctx, event.space_id), event)


def _save(ctx: Context, state: StoredPledgeState, event: Event) -> None:
    fields = {
        "stage": state.stage,
        "public_key": state.key.public_key.encode() if state.key else "",
        "casts": state.casts,
        "counted": state.counted,
        "tally": [ct.to_json() for ct in state.tally],
        "total": state.total,
        "crossed": state.crossed,
    }
    if event.kind == rules.RESULT_KIND:
        fields["result_event"] = event.id
    if event.kind in (rules.BLIND_KIND, rules.DECRYPT_KIND):
        fields["reveal"] = state.reveal.to_json()
    ctx.rows(Pledge).filter(space=state.space).update(**fields)


def apply(ctx: Context, event: Event) -> None:
    space = event.space_id
    if event.kind == "space.create":
        body = event.body
        spec = parse_pledge(space, event.author, body)
        Pledge.objects.create(
            space=space,
            title=body["title"],
            creator=event.author,
            committee=body.get("committee", ""),
            strike_call=body.get("strike_call", ""),
            workplace=spec.workplace,
            shop=spec.shop or "",
            strike_date=spec.strike_date,
            deadline=spec.deadline,
            needed=spec.needed,
            body=body,
            created_at=event.at,
            stage="created",
        )
        ctx.memo.pop(("pledge-space", space), None)
        for trustee in spec.election.trustees:
            Trustee.objects.create(
                space=space, index=trustee.index, key=trustee.key, box=b64e(trustee.box)
            )
    state = state_of(ctx, space)
    state.applying_at = event.at
    rules.apply_event(state, event)
    if event.kind == "trustee.deal":
        ctx.rows(Trustee).filter(space=space, index=event.body["dealing"]["dealer"]).update(
            dealing=event.body["dealing"], dealing_event=event.id
        )
    elif event.kind == "trustee.complain":
        complaint = state.complaints[-1]
        Complaint.objects.create(
            space=space,
            event=event.id,
            trustee=complaint[0],
            dealer=complaint[1],
            reason=complaint[2],
        )
    elif event.kind == "trustee.decrypt":
        PartialDecryption.objects.create(
            space=space,
            trustee=event.body["partial"]["trustee"],
            event=event.id,
            partial=event.body["partial"],
        )
    if event.kind not in {"election.roll", "trustee.deal"}:
        _save(ctx, state, event)


# -- pledge.strike: a crossed pledge becomes the committee's decision ----------------------

STRIKE_KIND = "pledge.strike"


def _strike_pledge(ctx: Context, event: Event) -> Pledge:
    pledge = ctx.rows(Pledge).filter(space=event.body["pledge"]).first()
    if pledge is None or pledge.stage != "decided" or pledge.result_event != event.body["result"]:
        raise RuleViolation(
            "pledge-result", "this node holds no such verified pledge result", "body.result"
        )
    if not pledge.crossed:
        raise RuleViolation(
            "pledge-result",
            "the pledge's verified result did not reach its target",
            "body.result",
        )
    if pledge.committee != event.space_id:
        raise RuleViolation(
            "pledge-committee", "the pledge belongs to another committee", "body.pledge"
        )
    if not pledge.strike_call:
        raise RuleViolation("strike-call", "the pledge names no strike call", "body.pledge")
    if event.body["result"] not in event.deps:
        raise RuleViolation("pledge-result", "cite the pledge's result in deps", "deps")
    return pledge


def check_electorate(
    ctx: Context, committee: str, pledge: Pledge, field: str = "body.pledge"
) -> None:
    """The pledge is ``committee``'s: its creator and every one of its members are keys of
    that committee's members, one pledge per person. (Otherwise a member could open a
    pledge for keys of their own and pass the call alone.)"""
    from veche.apps.committees.models import Member
    from veche.apps.elections.models import Voter

    voters = list(ctx.rows(Voter).filter(space=pledge.space).values_list("key", "index"))
    keys = [key for key, _index in voters] + [pledge.creator]
    persons = dict(
        ctx.rows(Member).filter(space=committee, key__in=keys).values_list("key", "person")
    )
    if any(key not in persons for key in keys):
        raise RuleViolation(
            "pledge-electorate",
            "the pledge was opened or answered by keys that are not this committee's members",
            field,
        )
    person_of_voter: dict[int, str] = {}
    seen: dict[str, int] = {}
    for key, index in voters:
        person = persons[key]
        if (
            person_of_voter.setdefault(index, person) != person
            or seen.setdefault(person, index) != index
        ):
            raise RuleViolation(
                "pledge-electorate",
                "a member of this committee has more than one pledge in it",
                field,
            )


def judge_strike(ctx: Context, event: Event) -> None:
    from veche.apps.committees.models import Motion
    from veche.apps.committees.rules.roster import require_member

    require_member(ctx, event)
    pledge = _strike_pledge(ctx, event)
    check_electorate(ctx, event.space_id, pledge)
    motion = ctx.rows(Motion).filter(space=event.space_id, event=pledge.strike_call).first()
    if motion is None or motion.status != Motion.Status.OPEN:
        raise RuleViolation(
            "motion", "the strike call is not an open motion of this committee", "body.pledge"
        )


def apply_strike(ctx: Context, event: Event) -> None:
    import dataclasses

    from veche.apps.committees.models import Motion
    from veche.apps.committees.rules.motions import motion_of
    from veche.apps.strike.kinds import apply_status, workplaces_of

    pledge = _strike_pledge(ctx, event)
    motion = motion_of(ctx, event, pledge.strike_call)
    motion.status = Motion.Status.PASSED
    motion.result = {
        "passed": True,
        "kind": "pledge",
        "pledge": pledge.space,
        "total": pledge.total,
        "needed": pledge.needed,
    }
    motion.close_event = event.id
    motion.closed_at = event.at
    ctx.memo[("motion", motion.event)] = motion
    motion.save()
    registry = pledge.body.get("registry")
    if registry and registry in workplaces_of(ctx, event.space_id):
        status = {
            "workplace": registry,
            "day": pledge.strike_date,
            "status": "full_strike",
            "out_per_mille": 1000,
            "published": True,
            "note": pledge.title,
        }
        apply_status(ctx, dataclasses.replace(event, body=status))


def _foreign_of_strike(event: Event) -> dict[str, str]:
    return {event.body["result"]: event.body["pledge"]}


def register_strike() -> None:
    from veche.apps.store.kinds import register
    from veche.events.schema import EventId, Obj

    register(
        STRIKE_KIND,
        body=Obj(required={"pledge": EventId(), "result": EventId()}),
        rule=judge_strike,
        apply=apply_strike,
        summary="a strike pledge's verified result reached its target: its strike call passes",
        foreign=_foreign_of_strike,
    )
