"""Federation-wide pledges (pledge-v1 §8): a council's strike call passes when enough of
its member committees' pledges have crossed their targets.

The council votes the number: its ``strike_call`` motion carries ``{"plants": K}`` in
its target. ``pledge.general`` in the council's space cites K or more plants'
``pledge.strike`` events in ``deps`` (each: a member committee's strike call passed by
its own pledge's verified, crossed result); its rule checks each, one plant per member
committee, so the event is valid exactly when K plants' recomputed results reached
their targets. Nobody's judgement enters, as with ``pledge.strike``.

A plant's event is of another space and is judged only where it is held: the kind
declares no "on trust" citations, so a ``pledge.general`` whose citations this node does
not hold waits for them instead of being refused.
"""

# ruff: noqa: UP031 - the %-template is the sentence listed in store/reasons.py
from __future__ import annotations

from dataclasses import dataclass

from veche.apps.store.context import Context
from veche.events import Event, RuleViolation

GENERAL_KIND = "pledge.general"
MAX_PLANTS = 64  # one event cites every counted result in deps (event-v1: at most 64)

__all__ = [
    "GENERAL_KIND",
    "MAX_PLANTS",
    "PlantResult",
    "apply_general",
    "counted_plants",
    "judge_general",
    "plants_needed",
    "register_general",
]


def plants_needed(target: object) -> int | None:
    """K of a council strike call's target, or None when it has no ``plants``."""
    if isinstance(target, dict):
        plants = target.get("plants")
        if type(plants) is int:
            return plants
    return None


def _call(ctx: Context, event: Event) -> tuple[object, int]:
    """The council's open strike call named by ``body.motion`` and its K."""
    from veche.apps.committees.models import Motion
    from veche.apps.committees.rules.motions import motion_of

    motion = motion_of(ctx, event, event.body["motion"])
    needed = plants_needed(motion.target)
    if motion.kind != "strike_call" or needed is None:
        raise RuleViolation(
            "general-call",
            "the motion is not a strike call with a number of plants",
            "body.motion",
        )
    if motion.status != Motion.Status.OPEN:
        raise RuleViolation(
            "motion", "the strike call is not an open motion of this council", "body.motion"
        )
    return motion, needed


@dataclass(frozen=True)
class PlantResult:
    """One plant counted: its committee, the pledge and the ``pledge.strike`` by which
    its verified result passed the committee's own strike call."""

    committee: str
    pledge: str
    strike: str


def _counted(ctx: Context, event: Event) -> list[PlantResult]:
    """The plants ``body.strikes`` names, each checked, one per member committee.

    A plant is counted by its ``pledge.strike``, not by the bare ``pledge.result``: that
    event's rule checked, in the plant's own space and causal past, that the result
    crossed and that the pledge's electorate is the committee's members. The membership
    of a plant is not in the causal past of the council's event, so recounting it here
    would judge the same event differently by arrival order."""
    from veche.apps.committees.rules.delegates import children_of
    from veche.apps.store.models import Status

    strikes: list[str] = event.body["strikes"]
    if any(strike not in event.deps for strike in strikes):
        raise RuleViolation(
            "pledge-strike", "cite every counted plant's pledge.strike in deps", "deps"
        )
    members = children_of(ctx, event.space_id)
    counted: dict[str, PlantResult] = {}
    for index, strike in enumerate(strikes):
        field = f"body.strikes[{index}]"
        cited = ctx.cited(event, strike, field)
        if cited.event.kind != "pledge.strike" or cited.status != Status.APPLIED:
            raise RuleViolation(
                "pledge-strike",
                "not a strike call passed by a pledge's verified result on this node",
                field,
            )
        committee = cited.event.space_id
        if committee not in members:
            raise RuleViolation(
                "pledge-committee",
                "the pledge's committee is not a member committee of this council",
                field,
            )
        if committee in counted:
            raise RuleViolation(
                "plant-twice", "two strike calls of one committee count as one plant", field
            )
        counted[committee] = PlantResult(
            committee=committee, pledge=str(cited.event.body["pledge"]), strike=strike
        )
    return list(counted.values())


def judge_general(ctx: Context, event: Event) -> None:
    from veche.apps.committees.rules.delegates import participant

    participant(ctx, event)
    _motion, needed = _call(ctx, event)
    plants = _counted(ctx, event)
    if len(plants) < needed:
        raise RuleViolation(
            "plants",
            "%(n)d plants have reached their targets, the call needs %(needed)d"
            % {"n": len(plants), "needed": needed},
            "body.strikes",
        )


def apply_general(ctx: Context, event: Event) -> None:
    from veche.apps.committees.models import Motion

    motion, needed = _call(ctx, event)
    assert isinstance(motion, Motion)
    plants = _counted(ctx, event)
    motion.status = Motion.Status.PASSED
    motion.result = {
        "passed": True,
        "kind": "pledge-general",
        "plants": len(plants),
        "needed": needed,
    }
    motion.close_event = event.id
    motion.closed_at = event.at
    ctx.memo[("motion", motion.event)] = motion
    motion.save()


def counted_plants(council: str) -> list[PlantResult]:
    """Read-time: the member committees of ``council`` whose strike call a crossed pledge
    passed (an applied ``pledge.strike`` this node holds), one per committee, the
    earliest each: what a ``pledge.general`` may cite."""
    from veche.apps.committees.federation import children
    from veche.apps.store.models import Status, StoredEvent
    from veche.events import parse_event

    found: dict[str, PlantResult] = {}
    rows = (
        StoredEvent.objects.filter(
            space__in=children(council), kind="pledge.strike", status=Status.APPLIED
        )
        .order_by("height", "id")
        .values_list("raw", flat=True)
    )
    for raw in rows:
        strike = parse_event(bytes(raw), verify=False)
        found.setdefault(
            strike.space_id,
            PlantResult(
                committee=strike.space_id, pledge=str(strike.body["pledge"]), strike=strike.id
            ),
        )
    return sorted(found.values(), key=lambda p: p.committee)


def register_general() -> None:
    from veche.apps.store.kinds import register
    from veche.events.schema import EventId, List, Obj

    register(
        GENERAL_KIND,
        body=Obj(
            required={
                "motion": EventId(),
                "strikes": List(EventId(), min_length=1, max_length=MAX_PLANTS),
            }
        ),
        rule=judge_general,
        apply=apply_general,
        summary="enough member committees' pledges passed their strike calls: the council's "
        "strike call passes",
    )
