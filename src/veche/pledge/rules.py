# A rule's sentence with values is a %-template that pages translate (apps/store/reasons.py).
# ruff: noqa: UP031
"""The pledge's event kinds and their rules: the election's rules, renamed and bounded.

Lifecycle, all in the pledge's own space (format pledge-v1 §3): ``space.create``
(type ``pledge``) → ``election.roll`` (more members, creator, before opening) →
``trustee.deal`` / ``trustee.complain`` (the trustees' key ceremony) →
``election.open`` (the creator states the threshold key) → ``ballot.cast`` (a
member's pledge: a sealed 0/1, every proof checked; the member's latest counts,
a 0 withdraws; refused when signed after the deadline) → ``election.close`` (the
creator, not before the deadline, states the encrypted total: the sum of every
member's latest pledge) → ``trustee.decrypt`` (a trustee's partial decryption
of that one total, with proofs) → ``pledge.result`` (the total and whether it
reaches the target, both recomputed from the partial decryptions).

The kinds are the election's own, so the trustees' and members' tools (the
browser's ``trustee.js`` and ballot sealing, ``veche trustee``) serve pledges
unchanged; each rule is the election rule (``veche.election.rules``) run on a
:class:`PledgeState`, which *is* an ``ElectionState`` of the pledge's
one-question election; the pledge adds its stage names, the deadline and the
result's ``crossed``. So the node (``veche.apps.pledges``) and the offline
verifier (``veche.pledge.record``) reach the same verdict on every event.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from veche.election import rules as election_rules
from veche.election.rules import KIND_BODIES as ELECTION_BODIES
from veche.election.rules import ElectionState
from veche.events.envelope import CREATE_KIND, Event
from veche.events.registry import EventKind, Registry, RuleViolation
from veche.events.schema import Bool, Int, Obj, Schema
from veche.pledge import reveal
from veche.pledge.reveal import BLIND_KIND, DECRYPT_KIND, RevealState
from veche.pledge.spec import CREATE_BODY, PledgeSpec, parse_pledge

__all__ = [
    "BLIND_KIND",
    "DECRYPT_KIND",
    "KINDS",
    "KIND_BODIES",
    "REGISTRY",
    "PledgeState",
    "apply_event",
    "judge_event",
    "reveal_context",
]

#: The election kinds a pledge runs through, with the election's bodies; only the
#: result is the pledge's own. A node tells a pledge's events from an election's by the
#: type of the space they belong to.
ELECTION_KINDS = (
    "election.roll",
    "trustee.deal",
    "trustee.complain",
    "election.open",
    "ballot.cast",
    "election.close",
    "trustee.decrypt",
)
RESULT_KIND = "pledge.result"

KIND_BODIES: dict[str, Schema] = {
    **{name: ELECTION_BODIES[name] for name in ELECTION_KINDS},
    BLIND_KIND: reveal.BLIND_BODY,
    DECRYPT_KIND: reveal.DECRYPT_BODY,
    # ``total`` is absent exactly when the pledge reveals only whether it crossed (§7).
    RESULT_KIND: Obj(required={"crossed": Bool()}, optional={"total": Int(0)}),
}
KINDS = (CREATE_KIND, *KIND_BODIES)


@dataclass
class PledgeState(ElectionState):
    """An ElectionState of the pledge's one-question election, plus the pledge itself."""

    pledge: PledgeSpec | None = None
    total: int | None = None
    crossed: bool | None = None
    # A crossed-only pledge's rounds and decryptions of the final list (§7).
    reveal: RevealState = field(default_factory=RevealState)
    # What the last judged pledge.blind / pledge.decrypt computed, for its apply.
    reveal_judged: tuple[str, Any] | None = None

    def require_pledge(self) -> PledgeSpec:
        if self.pledge is None:
            raise RuleViolation("pledge", "this space is not a pledge", "space")
        return self.pledge


_STAGE_NAMES = {
    "none": "not created",
    "created": "not open yet",
    "open": "open",
    "closed": "closed",
    "decided": "decided",
}

#: The stage each kind needs (the election rule checks the same; this names the pledge).
_NEEDS = {
    "election.roll": "created",
    "trustee.deal": "created",
    "trustee.complain": "created",
    "election.open": "created",
    "ballot.cast": "open",
    "election.close": "open",
    "trustee.decrypt": "closed",
    BLIND_KIND: "closed",
    DECRYPT_KIND: "closed",
    "pledge.result": "closed",
}


def _need_stage(state: PledgeState, kind: str) -> None:
    if state.stage != _NEEDS[kind]:
        raise RuleViolation(
            "stage", "the pledge is %(stage)s" % {"stage": _STAGE_NAMES[state.stage]}, "kind"
        )


# -- space.create ------------------------------------------------------------------------------


def judge_create(state: PledgeState, event: Event) -> None:
    parse_pledge(event.id, event.author, event.body)
    if event.deps:
        raise RuleViolation("deps", "a pledge's creation cites no other event", "deps")
    keys = [k for entry in event.body["electorate"] for k in entry["keys"]]
    if len(set(keys)) != len(keys):
        raise RuleViolation("electorate-unique", "a key appears twice in the electorate", "body")


def apply_create(state: PledgeState, event: Event) -> None:
    state.pledge = parse_pledge(event.id, event.author, event.body)
    state.spec = state.pledge.election
    state.stage = "created"
    for voter in election_rules._voters_of(state, event.body["electorate"], "body.electorate"):
        state.add_voter(voter)


# -- the steps the election rules judge, with the deadline --------------------------------------


def judge_make(state: PledgeState, event: Event, *, proofs_checked: bool = False) -> None:
    pledge = state.require_pledge()
    if state.voter_of(event.author) is None:
        raise RuleViolation("eligible", "only the pledge's members may pledge", "author")
    if event.at > pledge.deadline:
        raise RuleViolation(
            "deadline",
            "pledging closed at %(deadline)s" % {"deadline": pledge.deadline},
            "at",
        )
    election_rules.judge_cast(state, event, proofs_checked=proofs_checked)


def judge_close(state: PledgeState, event: Event) -> None:
    pledge = state.require_pledge()
    if event.at < pledge.deadline:
        raise RuleViolation(
            "deadline",
            "the pledge closes at its deadline, %(deadline)s" % {"deadline": pledge.deadline},
            "at",
        )
    election_rules.judge_close(state, event)


def judge_result(state: PledgeState, event: Event) -> None:
    pledge = state.require_pledge()
    spec = state.require_spec()
    if event.author != spec.creator and spec.trustee_by_key(event.author) is None:
        raise RuleViolation(
            "creator", "only the creator or a trustee may publish the result", "author"
        )
    if pledge.reveal == "crossed":
        _judge_crossed_result(state, event)
        return
    if "total" not in event.body:
        raise RuleViolation("total", "this pledge's result states its total", "body.total")
    total = election_rules.decrypted_counts(state)[0]
    if event.body["total"] != total:
        raise RuleViolation(
            "total", "this is not the total the partial decryptions give", "body.total"
        )
    if event.body["crossed"] != (total >= pledge.needed):
        raise RuleViolation(
            "crossed",
            "%(total)d pledges of the %(needed)d needed: the target is %(verdict)s"
            % {
                "total": total,
                "needed": pledge.needed,
                "verdict": "reached" if total >= pledge.needed else "not reached",
            },
            "body.crossed",
        )


def apply_result(state: PledgeState, event: Event) -> None:
    state.total = event.body.get("total")
    state.crossed = event.body["crossed"]
    state.counts = (state.total,) if state.total is not None else None
    state.stage = "decided"


# -- a pledge that reveals only whether it crossed (§7) ------------------------------------------


def _only_crossed(state: PledgeState) -> None:
    if state.require_pledge().reveal != "crossed":
        raise RuleViolation(
            "reveal", "this pledge reveals its total: it has no blinding rounds", "kind"
        )


def reveal_context(state: PledgeState) -> reveal.Context:
    pledge = state.require_pledge()
    assert state.key is not None
    return reveal.Context(
        pledge.pledge_id,
        state.key,
        state.require_spec().threshold,
        pledge.needed,
        reveal.closed_total(state.tally, state.key.public_key),
    )


def judge_blind(state: PledgeState, event: Event) -> None:
    _only_crossed(state)
    trustee = election_rules._trustee_index(state, event)
    pending = reveal.judge_blind(reveal_context(state), state.reveal, trustee, event.body)
    state.reveal_judged = (event.id, pending)


def apply_blind(state: PledgeState, event: Event) -> None:
    if state.reveal_judged is None or state.reveal_judged[0] != event.id:
        judge_blind(state, event)
    assert state.reveal_judged is not None
    reveal.apply_blind(state.reveal, state.reveal_judged[1])
    state.reveal_judged = None


def judge_reveal_decrypt(state: PledgeState, event: Event) -> None:
    _only_crossed(state)
    trustee = election_rules._trustee_index(state, event)
    part, factors = reveal.judge_decrypt(reveal_context(state), state.reveal, trustee, event.body)
    state.reveal_judged = (event.id, (trustee, part, factors))


def apply_reveal_decrypt(state: PledgeState, event: Event) -> None:
    if state.reveal_judged is None or state.reveal_judged[0] != event.id:
        judge_reveal_decrypt(state, event)
    assert state.reveal_judged is not None
    trustee, part, factors = state.reveal_judged[1]
    reveal.apply_decrypt(state.reveal, trustee, part, factors)
    state.reveal_judged = None


def judge_total_decrypt(state: PledgeState, event: Event) -> None:
    if state.require_pledge().reveal == "crossed":
        raise RuleViolation(
            "reveal",
            "this pledge reveals only whether its target was reached: its total is never decrypted",
            "kind",
        )
    election_rules.judge_decrypt(state, event)


def _judge_crossed_result(state: PledgeState, event: Event) -> None:
    if "total" in event.body:
        raise RuleViolation(
            "total",
            "this pledge reveals only whether its target was reached, not its total",
            "body.total",
        )
    crossed = reveal.crossed_of(reveal_context(state), state.reveal)
    if event.body["crossed"] != crossed:
        raise RuleViolation(
            "crossed",
            "the decryptions of the blinded list show the target was %(verdict)s"
            % {"verdict": "reached" if crossed else "not reached"},
            "body.crossed",
        )


Rule = Callable[[PledgeState, Event], None]


RULES: dict[str, tuple[Rule, Rule]] = {
    **{name: election_rules.RULES[name] for name in ELECTION_KINDS},
    "ballot.cast": (judge_make, election_rules.apply_cast),
    "election.close": (judge_close, election_rules.apply_close),
    "trustee.decrypt": (judge_total_decrypt, election_rules.apply_decrypt),
    BLIND_KIND: (judge_blind, apply_blind),
    DECRYPT_KIND: (judge_reveal_decrypt, apply_reveal_decrypt),
    RESULT_KIND: (judge_result, apply_result),
}


def _judge(kind: str) -> Rule:
    rule = RULES[kind][0]

    def judged(state: PledgeState, event: Event) -> None:
        _need_stage(state, kind)
        rule(state, event)

    return judged


def _build_registry() -> Registry[PledgeState]:
    registry: Registry[PledgeState] = Registry()
    registry.register(EventKind(CREATE_KIND, CREATE_BODY, judge_create))
    for name in RULES:
        registry.register(EventKind(name, KIND_BODIES[name], _judge(name)))
    return registry


REGISTRY = _build_registry()


def judge_event(state: PledgeState, event: Event, *, proofs_checked: bool = False) -> None:
    """Schema, then (for every event but the create) its parents, the stage and the rule;
    raises RuleViolation. ``proofs_checked``: a pledge's proofs were verified already."""
    if event.kind == CREATE_KIND:
        if state.stage != "none":
            raise RuleViolation("create", "the pledge exists already", "kind")
        REGISTRY.judge(state, event)
        return
    kind = REGISTRY.get(event.kind)
    kind.check_body(event)
    election_rules.judge_parents(state, event)
    if state.stage == "none":
        raise RuleViolation("create", "the pledge's space.create comes first", "kind")
    _need_stage(state, event.kind)
    if event.kind == "ballot.cast":
        judge_make(state, event, proofs_checked=proofs_checked)
    else:
        RULES[event.kind][0](state, event)


def apply_event(state: PledgeState, event: Event) -> None:
    if event.kind == CREATE_KIND:
        apply_create(state, event)
    else:
        RULES[event.kind][1](state, event)
