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
from veche.events import Event
from veche.events.encoding import b64e
from veche.pledge import rules
from veche.pledge.rules import PledgeState
from veche.pledge.spec import parse_pledge

__all__ = ["StoredPledgeState", "apply", "is_pledge", "judge", "state_of"]


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
