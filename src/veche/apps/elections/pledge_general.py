"""Federation-wide pledges (pledge-v1 §8): a council's strike call passes when enough of
its member committees' pledges have crossed their targets.

The council votes the number: its ``strike_call`` motion carries ``{"plants": K}`` in
its target. ``pledge.general`` in the council's space cites K or more ``pledge.result``
events in ``deps``; its rule recounts them from this node's verified pledges, one plant
per member committee, so the event is valid exactly when K plants' recomputed results
reached their targets. Nobody's judgement enters, as with ``pledge.strike``.

A result is an event of another space and is judged only where it is held: the kind
declares no "on trust" citations, so a ``pledge.general`` whose results this node does
not hold waits for them instead of being refused.
"""

# ruff: noqa: UP031 - the %-template is the sentence listed in store/reasons.py
from __future__ import annotations

from dataclasses import dataclass

from veche.apps.elections.models import Pledge
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
    """One plant counted: its committee, the pledge and its verified result."""

    committee: str
    pledge: str
    result: str
    total: int
    needed: int


def _counted(ctx: Context, event: Event) -> list[PlantResult]:
    """The results ``body.results`` names, each checked, one plant per member committee."""
    from veche.apps.committees.rules.delegates import children_of
    from veche.apps.elections.pledges import check_electorate

    results: list[str] = event.body["results"]
    for index, result in enumerate(results):
        if result not in event.deps:
            raise RuleViolation(
                "pledge-result", "cite every counted result in deps", f"body.results[{index}]"
            )
    rows = {
        p.result_event: p
        for p in ctx.rows(Pledge).filter(result_event__in=sorted(set(results)), stage="decided")
    }
    members = children_of(ctx, event.space_id)
    counted: dict[str, PlantResult] = {}
    for index, result in enumerate(results):
        field = f"body.results[{index}]"
        pledge = rows.get(result)
        if pledge is None:
            raise RuleViolation(
                "pledge-result", "this node holds no such verified pledge result", field
            )
        if not pledge.crossed:
            raise RuleViolation(
                "pledge-result", "the pledge's verified result did not reach its target", field
            )
        if not pledge.committee or pledge.committee not in members:
            raise RuleViolation(
                "pledge-committee",
                "the pledge's committee is not a member committee of this council",
                field,
            )
        if pledge.committee in counted:
            raise RuleViolation(
                "plant-twice", "two results of one committee count as one plant", field
            )
        check_electorate(ctx, pledge.committee, pledge, field)
        counted[pledge.committee] = PlantResult(
            committee=pledge.committee,
            pledge=pledge.space,
            result=result,
            total=pledge.total or 0,
            needed=pledge.needed,
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
            "body.results",
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
    """Read-time: the member committees of ``council`` whose latest crossed pledge result
    this node holds, one per committee (the pledges a ``pledge.general`` could cite).
    A pledge whose electorate is not its committee's members is left out, as the rule
    would refuse it."""
    from veche.apps.committees.federation import children
    from veche.apps.elections.pledges import check_electorate

    kids = set(children(council))
    found: dict[str, PlantResult] = {}
    ctx = Context()
    for pledge in (
        Pledge.objects.filter(committee__in=sorted(kids), stage="decided", crossed=True)
        .exclude(result_event="")
        .order_by("created_at", "space")
    ):
        try:
            check_electorate(ctx, pledge.committee, pledge, "body.results")
        except RuleViolation:
            continue
        found[pledge.committee] = PlantResult(
            committee=pledge.committee,
            pledge=pledge.space,
            result=pledge.result_event,
            total=pledge.total or 0,
            needed=pledge.needed,
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
                "results": List(EventId(), min_length=1, max_length=MAX_PLANTS),
            }
        ),
        rule=judge_general,
        apply=apply_general,
        summary="enough member committees' pledges reached their targets: the council's "
        "strike call passes",
    )
