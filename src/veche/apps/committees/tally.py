"""Results of motions as a node shows them: from the projected votes, with recalls
this node holds taken into account at once, and the arithmetic spelled out."""

from __future__ import annotations

from collections.abc import Set
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from veche.apps.committees.models import Committee, Mandate, Member, Motion, Seat, Vote
from veche.apps.committees.rules.motions import counted_votes
from veche.decisions import Recalled, compute_result, weighted_electorate


def recalled_delegates(mandates: list[str], parent: str | None = None) -> dict[Recalled, str]:
    """(mandate, delegate's key) -> the recall decision, for the delegates of these
    mandates (sent to ``parent``, if given) this node knows were recalled."""
    rows = Mandate.objects.filter(event__in=mandates)
    if parent is not None:
        rows = rows.filter(parent=parent)
    return {
        (event, key): decision
        for event, key, decision in rows.exclude(recalled_by="").values_list(
            "event", "key", "recalled_by"
        )
    }


def _electorate(space: str, excluded: Set[Recalled]) -> int:
    """rules.delegates.electorate_weight from the projections as they stand (no ingest context)."""
    persons = set(
        Member.objects.filter(space=space, status=Member.Status.ACTIVE).values_list(
            "person", flat=True
        )
    )
    seats = Seat.objects.filter(space=space).values_list("key", "mandate", "weight")
    return weighted_electorate(persons, seats, excluded)


def result_for_close(space: str, motion_id: str) -> tuple[dict[str, Any], list[dict[str, str]]]:
    """The result a close event should carry, and the recall decisions it cites."""
    motion = Motion.objects.get(space=space, event=motion_id)
    mandates = list(Seat.objects.filter(space=space).values_list("mandate", flat=True).distinct())
    recalls = recalled_delegates(mandates)
    excluded = set(recalls)
    votes = counted_votes(None, motion, excluded)
    electorate = _electorate(space, excluded)
    rules = Committee.objects.get(space=space).rules
    result = compute_result(motion, votes, electorate, rules, represented=electorate)
    spaces = dict(
        Mandate.objects.filter(event__in=sorted({m for m, _ in recalls})).values_list(
            "event", "space"
        )
    )
    cited = [
        {"event": decision, "space": spaces[mandate], "mandate": mandate, "key": key}
        for (mandate, key), decision in sorted(recalls.items(), key=lambda item: item[1])
    ]
    return result, cited


@dataclass(frozen=True)
class Standing:
    """What a motion page shows: the result now (open) or as closed, and who was left out."""

    result: dict[str, Any]
    recalled_votes: int
    stale_votes: int
    # Delegates whose votes the open result leaves out (recalls this node holds).
    excluded: frozenset[Recalled] = frozenset()


def standing(motion: Motion) -> Standing:
    if motion.status != Motion.Status.OPEN:
        return Standing(motion.result, 0, 0)
    result, recalls = result_for_close(motion.space, motion.event)
    stale = Vote.objects.filter(motion=motion.event).exclude(version=motion.version).count()
    excluded = frozenset((r["mandate"], r["key"]) for r in recalls)
    recalled = sum(
        1
        for pair in Vote.objects.filter(
            motion=motion.event, mandate__in=sorted({m for m, _ in excluded})
        ).values_list("mandate", "person")
        if pair in excluded
    )
    return Standing(result, recalled, stale, excluded)


@dataclass(frozen=True)
class UnverifiedVote:
    """A vote on the motion that this node could not verify (the voter's seat is
    unverified here): shown, never counted."""

    key: str
    choice: Any
    version: int
    event: str


@dataclass(frozen=True)
class UnverifiedActs:
    """What was signed on a motion that this node could not verify: each voter's
    latest unverified vote, and closing events whose result rests on such votes or
    on recalls of committees this node holds nothing of."""

    votes: list[UnverifiedVote] = field(default_factory=list)
    closes: list[str] = field(default_factory=list)


def unverified_acts(motion: Motion) -> UnverifiedActs:
    """One query, whatever the number of votes: the motion's unverified events.
    Nothing here is counted; the result shown is the one the node verified."""
    from veche.apps.store.models import Status, StoredEvent
    from veche.events import parse_event

    rows = (
        StoredEvent.objects.filter(
            space=motion.space,
            kind__in=("motion.vote", "motion.close"),
            status=Status.UNVERIFIED,
        )
        .order_by("height", "id")
        .values_list("raw", flat=True)
    )
    latest: dict[str, UnverifiedVote] = {}
    closes: list[str] = []
    for raw in rows:
        event = parse_event(bytes(raw), verify=False)
        body = event.body
        if body.get("motion") != motion.event:
            continue
        if event.kind == "motion.close":
            closes.append(event.id)
            continue
        choice = body.get("choice", body.get("approve", body.get("ranking")))
        latest[event.author] = UnverifiedVote(
            event.author, choice, int(body.get("version", 0)), event.id
        )
    return UnverifiedActs(sorted(latest.values(), key=lambda v: v.key), closes)


@dataclass(frozen=True)
class Overlooked:
    """A delegate whose recall this node holds, decided before a council's close, whose
    vote that close still counted (it did not cite the recall)."""

    key: str
    child: str
    recall: str  # the child's closing event that recalled them
    recalled_at: str


def overlooked_recalls(motion: Motion) -> list[Overlooked]:
    """Recalls a closed council motion did not take into account although they were
    decided before it closed. The close may have been made where the recall had not
    arrived yet (nodes need not be connected), or by someone who ignored it: the page
    says so, and every node still records the result the close carries. A few
    queries, whatever the number of votes or seats."""
    from veche.apps.store.models import StoredEvent

    if motion.status == Motion.Status.OPEN or not motion.close_event:
        return []
    cited = cited_recalls(motion.close_event)
    seats = {
        (mandate, key): child
        for mandate, key, child in Seat.objects.filter(space=motion.space).values_list(
            "mandate", "key", "child"
        )
    }
    recalled = {
        pair: decision
        for pair, decision in recalled_delegates(
            sorted({m for m, _ in seats}), parent=motion.space
        ).items()
        if pair in seats and pair not in cited
    }
    if not recalled:
        return []
    voted = {
        (mandate, person)
        for mandate, person in Vote.objects.filter(
            motion=motion.event,
            version=motion.version,
            mandate__in=sorted({m for m, _ in recalled}),
        ).values_list("mandate", "person")
    }
    when = dict(
        StoredEvent.objects.filter(id__in=sorted(set(recalled.values()))).values_list("id", "at")
    )
    return sorted(
        (
            Overlooked(key, seats[(mandate, key)], decision, when.get(decision, ""))
            for (mandate, key), decision in recalled.items()
            if (mandate, key) in voted and when.get(decision, "") <= motion.closed_at
        ),
        key=lambda item: (item.recalled_at, item.key),
    )


class _NotHeld(Exception):
    """The close event is not stored here (not cached: it may arrive later)."""


def cited_recalls(close_event: str) -> frozenset[Recalled]:
    """The delegates a close event left out: the recall decisions it cites."""
    try:
        return _parsed_recalls(close_event)
    except _NotHeld:
        return frozenset()


@lru_cache(maxsize=1024)
def _parsed_recalls(close_event: str) -> frozenset[Recalled]:
    # An event id is the hash of its bytes, so what it cites never changes: a page
    # that asks twice (tally, overlooked recalls) parses once.
    from veche.apps.store.models import StoredEvent
    from veche.events import parse_event

    raw = StoredEvent.objects.filter(id=close_event).values_list("raw", flat=True).first()
    if raw is None:
        raise _NotHeld(close_event)
    body = parse_event(bytes(raw), verify=False).body
    return frozenset((r.get("mandate", ""), r.get("key", "")) for r in body.get("recalls", []))


def tally_from_log(space: str, motion_id: str) -> dict[str, Any]:
    """Recount a motion from the stored events alone (not from the Vote projection).

    Used to check the projection and by the benchmark: parse every vote event of the
    space, keep each person's last vote on the current text, and count.
    """
    from veche.apps.store.models import StoredEvent
    from veche.events import parse_event

    motion = Motion.objects.get(space=space, event=motion_id)
    persons = dict(Member.objects.filter(space=space).values_list("key", "person"))
    weights = {
        key: (weight, mandate)
        for key, weight, mandate in Seat.objects.filter(space=space).values_list(
            "key", "weight", "mandate"
        )
    }
    latest: dict[str, tuple[int, Any, int]] = {}
    rows = (
        StoredEvent.objects.filter(space=space, kind="motion.vote", status="applied")
        .order_by("height", "id")
        .values_list("raw", flat=True)
    )
    for raw in rows.iterator(chunk_size=5000):
        event = parse_event(bytes(raw), verify=False)
        body = event.body
        if body["motion"] != motion_id:
            continue
        person = persons.get(event.author, event.author)
        weight = weights.get(event.author, (1, ""))[0]
        choice = body.get("choice", body.get("approve", body.get("ranking")))
        latest[person] = (body["version"], choice, weight)
    votes = [
        (choice, weight)
        for person, (version, choice, weight) in sorted(latest.items())
        if version == motion.version
    ]
    rules = Committee.objects.get(space=space).rules
    electorate = _electorate(space, set())
    return compute_result(motion, votes, electorate, rules, represented=electorate)


def stv_stages(motion: Motion, current: Standing | None = None) -> list[dict[str, Any]]:
    """The STV count stage by stage, for the motion page (recomputed from the votes the
    result counts: recalled delegates' are left out, as in ``current`` for an open
    motion and as the close event cites for a closed one)."""
    from veche.counting.ballots import RankedBallots
    from veche.counting.stv import count_stv, format_votes

    if motion.method != "stv":
        return []
    if motion.status == Motion.Status.OPEN:
        excluded = (current or standing(motion)).excluded
    else:
        excluded = cited_recalls(motion.close_event) if motion.close_event else frozenset()
    ballots = [
        (tuple(group[0] for group in choice), weight)
        for choice, weight in counted_votes(None, motion, excluded)
    ]
    if not ballots:
        return []
    counted = count_stv(
        RankedBallots.from_rankings(motion.options, ballots), motion.seats, seed=motion.event
    )
    return [
        {
            "number": stage.number,
            "action": stage.action,
            "candidate": stage.candidate,
            "votes": [format_votes(v) for v in stage.votes],
            "non_transferable": format_votes(stage.non_transferable),
            "elected": list(stage.elected),
        }
        for stage in counted.stages
    ] + [{"quota": str(counted.quota)}]
