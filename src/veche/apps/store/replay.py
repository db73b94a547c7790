"""Re-deriving projections from the stored events (``veche log rebuild``).

The state is a function of the set of events (event-v1 §14): ``rebuild`` replays
a scope of spaces in the order of §9, judging every event with the one
``judge``; a causal event that did not see everything before it is judged on a
replay of its causal past alone, inside a savepoint that is rolled back. Holds
are computed in rounds (§14.3): suspects nobody else built on are held, the
scope is replayed, and suspects that no applied event of another person
acknowledges are added, until nothing is added.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Count, QuerySet

from veche.apps.store.context import Context
from veche.apps.store.ingest import chunks
from veche.apps.store.judge import Verdict, judge, judge_rule
from veche.apps.store.kinds import (
    BRANCH_PROVIDERS,
    CAUSAL,
    HOLD_PROVIDERS,
    PERSON_PROVIDERS,
    PROJECTIONS,
)
from veche.apps.store.models import (
    CrossReference,
    EquivocationRecord,
    Status,
    StoredEvent,
    Tip,
)
from veche.events import Event, parse_event
from veche.events.finality import (
    ChainLink,
    GraphEvent,
    Suspect,
    accepted_branch,
    acknowledged,
    ancestors,
    sees_all,
)
from veche.events.order import parents, place

__all__ = ["EQUIVOCATION_REASON", "closure", "rebuild", "recompute_heights"]

logger = logging.getLogger(__name__)

EQUIVOCATION_REASON = "equivocation|author|the author signed two events with one seq in this space"
_MAX_ROUNDS = 8


def closure(spaces: set[str]) -> set[str]:
    """``spaces`` and every space that cites them, directly or not."""
    result = set(spaces)
    frontier = set(spaces)
    while frontier:
        citing = set(
            CrossReference.objects.filter(target__in=list(frontier)).values_list(
                "source", flat=True
            )
        )
        frontier = citing - result
        result |= frontier
    return result


def recompute_heights(scope: set[str]) -> None:
    """Heights of the placed events of ``scope`` again, from their parents.

    An event placed without a citation it could not hold gains that parent when it
    arrives, which may sort after it by the old heights: so heights are computed
    depth-first from the parents, not in the old order.
    """
    names = sorted(scope)
    rows = list(
        StoredEvent.objects.filter(space__in=names, height__isnull=False).values_list(
            "id", "raw", "height"
        )
    )
    events = {event_id: parse_event(bytes(raw), verify=False) for event_id, raw, _ in rows}
    old = {event_id: height for event_id, _, height in rows}
    outside = sorted({p for e in events.values() for p in parents(e)} - events.keys())
    heights: dict[str, int] = {}
    for chunk in chunks(outside):
        heights.update(
            (event_id, _placed(height))
            for event_id, height in StoredEvent.objects.filter(
                id__in=chunk, height__isnull=False
            ).values_list("id", "height")
        )
    heights = place(events, heights)
    changed = [
        StoredEvent(id=event_id, height=heights[event_id])
        for event_id in events
        if heights[event_id] != old[event_id]
    ]
    StoredEvent.objects.bulk_update(changed, ["height"], batch_size=500)


@dataclass(frozen=True, slots=True)
class _Node:
    space: str
    author: str
    seq: int
    prev: str | None
    parents: tuple[str, ...]
    height: int

    @property
    def space_id(self) -> str:
        return self.space


@dataclass
class _Round:
    """One replay of a scope: the graph in order, and each event's verdict."""

    order: list[str] = field(default_factory=list)
    nodes: dict[str, _Node] = field(default_factory=dict)
    verdicts: dict[str, Verdict] = field(default_factory=dict)
    old: dict[str, tuple[str, str]] = field(default_factory=dict)
    tips: dict[str, dict[str, int]] = field(default_factory=lambda: defaultdict(dict))

    def graph(self) -> Iterable[GraphEvent]:
        return (GraphEvent(i, self.nodes[i].author, self.nodes[i].parents) for i in self.order)

    def parents_of(self, event_id: str) -> Sequence[str] | None:
        node = self.nodes.get(event_id)
        return None if node is None else node.parents

    def applied(self, event_id: str) -> bool:
        return self.verdicts[event_id].status == Status.APPLIED

    def height_of(self, event_id: str) -> int | None:
        node = self.nodes.get(event_id)
        return None if node is None else node.height


def rebuild(spaces: Iterable[str] | None = None) -> int:
    """Drop and re-derive the projections of ``spaces`` (all when None) and of the
    spaces citing them; return how many events were replayed."""
    with transaction.atomic():
        scope = None if spaces is None else closure(set(spaces))
        forks = _record_equivocations(scope)
        first = _load_graph(scope) if forks else None
        accepted: dict[tuple[str, str], set[str]] = {}
        # Branches accepted by motion (§14.5) are known only after a replay; when a
        # computation ends with acceptances it did not start from, it starts again
        # from them (holds are never released within one computation).
        for _ in range(_MAX_ROUNDS):
            result = _compute(scope, forks, first, accepted)
            found_branches: dict[tuple[str, str], set[str]] = {}
            for branch_provider in BRANCH_PROVIDERS:
                found_branches.update(branch_provider(scope))
            if found_branches == accepted:
                break
            accepted = found_branches
        _write(scope, result)
    return len(result.order)


def _compute(
    scope: set[str] | None,
    forks: dict[tuple[str, str], int],
    first: _Round | None,
    accepted: dict[tuple[str, str], set[str]],
) -> _Round:
    """The rounds of event-v1 §14.3, from the given accepted branches."""
    held: dict[str, str] = {}
    if first is not None:
        settled, chosen = _settle_forks(scope, forks, first)
        accepted = {key: accepted.get(key, set()) | chosen.get(key, set()) for key in
                    accepted.keys() | chosen.keys()}  # fmt: skip
        held = dict(settled)
        for event_id, reason in _holds(first, forks, {}, None, {}, accepted).items():
            held.setdefault(event_id, reason)
    for _ in range(_MAX_ROUNDS):
        result = _replay(scope, held)
        revoked: dict[tuple[str, str], tuple[int, str, str]] = {}
        for provider in HOLD_PROVIDERS:
            for key, hold in provider(scope).items():
                revoked[key] = (hold.first_seq, hold.reason, hold.event)
        if not forks and not revoked:
            break
        persons: dict[str, str] = {}
        for person_provider in PERSON_PROVIDERS:
            persons.update(person_provider(scope))
        found = _holds(result, forks, revoked, result.applied, persons, accepted)
        new = {s: reason for s, reason in found.items() if s not in held}
        if not new:
            break
        held.update(new)
    else:
        logger.warning("holds still growing after %d rounds", _MAX_ROUNDS)
    return result


def _settle_forks(
    scope: set[str] | None, forks: dict[tuple[str, str], int], graph: _Round
) -> tuple[dict[str, str], dict[tuple[str, str], set[str]]]:
    """Each fork on its own (event-v1 §14.3): a branch is *supported* if an applied
    event of another person who signed no suspect event has it in its causal past
    when the slot's other branches are held. Where exactly one branch is supported,
    the others are held from the start and the supported one counts as chosen. So
    one branch's effects never spoil the honest events that support the other."""
    chains: dict[tuple[str, str], list[ChainLink]] = defaultdict(list)
    suspects: set[str] = set()
    for event_id in graph.order:
        node = graph.nodes[event_id]
        key = (node.space, node.author)
        if key in forks:
            chains[key].append(ChainLink(event_id, node.prev))
            if node.seq >= forks[key]:
                suspects.add(event_id)
    held: dict[str, str] = {}
    chosen: dict[tuple[str, str], set[str]] = {}
    for key, chain in chains.items():
        children: dict[str | None, list[str]] = defaultdict(list)
        for link in chain:
            children[link.prev].append(link.id)
        for branches in [kids for kids in children.values() if len(kids) > 1]:
            subtrees = {b: _subtree(b, children) for b in branches}
            supported = []
            for branch in branches:
                trial = {e: EQUIVOCATION_REASON for b in branches if b != branch
                         for e in subtrees[b]}  # fmt: skip
                result = _replay(scope, trial)
                persons: dict[str, str] = {}
                for person_provider in PERSON_PROVIDERS:
                    persons.update(person_provider(scope))
                acked = acknowledged(
                    result.graph(),
                    {e: Suspect(key[1]) for e in subtrees[branch]},
                    applied=_applied_outside(result, suspects),
                    person=_person_in(persons),
                )
                if acked:
                    supported.append(branch)
            if len(supported) == 1:
                chosen.setdefault(key, set()).add(supported[0])
                for branch in branches:
                    if branch != supported[0]:
                        held.update(dict.fromkeys(subtrees[branch], EQUIVOCATION_REASON))
    return held, chosen


def _subtree(root: str, children: dict[str | None, list[str]]) -> set[str]:
    found = {root}
    stack = [root]
    while stack:
        for child in children.get(stack.pop(), ()):
            if child not in found:
                found.add(child)
                stack.append(child)
    return found


def _applied_outside(result: _Round, suspects: set[str]) -> Callable[[str], bool]:
    return lambda event_id: event_id not in suspects and result.applied(event_id)


def _holds(
    graph: _Round,
    forks: dict[tuple[str, str], int],
    revoked: dict[tuple[str, str], tuple[int, str, str]],
    applied: Callable[[str], bool] | None,
    persons: dict[str, str],
    accepted: dict[tuple[str, str], set[str]],
) -> dict[str, str]:
    """Suspects that nobody acknowledged, with their reasons (event-v1 §14.3).

    ``applied`` None is round 0: any event of another author acknowledges.
    """
    candidates: dict[str, Suspect] = {}
    reasons: dict[str, str] = {}
    chains: dict[tuple[str, str], list[ChainLink]] = defaultdict(list)
    for event_id in graph.order:
        node = graph.nodes[event_id]
        key = (node.space, node.author)
        revocation = revoked.get(key)
        if revocation is not None and node.seq >= revocation[0]:
            candidates[event_id] = Suspect(node.author, revocation[2])
            reasons[event_id] = revocation[1]
        if key in forks:
            chains[key].append(ChainLink(event_id, node.prev))
            if node.seq >= forks[key] and event_id not in candidates:
                candidates[event_id] = Suspect(node.author)
                reasons[event_id] = EQUIVOCATION_REASON
    if not candidates:
        return {}
    acked = acknowledged(
        graph.graph(),
        candidates,
        applied=applied or _always,
        person=_person_in(persons),
    )
    for events in accepted.values():
        acked |= _chain_up_to(graph, events)
    clean: set[str] = set()
    for chain in chains.values():
        clean |= accepted_branch(chain, acked)
    return {
        event_id: reason
        for event_id, reason in reasons.items()
        if event_id not in acked and (event_id not in clean or reason != EQUIVOCATION_REASON)
    }


def _chain_up_to(graph: _Round, events: set[str]) -> set[str]:
    """The given events and their authors' earlier events, through ``prev``."""
    found: set[str] = set()
    for event_id in events:
        current: str | None = event_id
        while current is not None and current in graph.nodes and current not in found:
            found.add(current)
            current = graph.nodes[current].prev
    return found


def _always(event_id: str) -> bool:
    return True


def _person_in(persons: dict[str, str]) -> Callable[[str], str]:
    return lambda key: persons.get(key, key)


def _given(verdict: Verdict) -> Callable[[], Verdict]:
    return lambda: verdict


def _load_graph(scope: set[str] | None) -> _Round:
    graph = _Round()
    for event_id, raw, height in (
        _ordered(scope).values_list("id", "raw", "height").iterator(chunk_size=2000)
    ):
        event = parse_event(bytes(raw), verify=False)
        graph.order.append(event_id)
        graph.nodes[event_id] = _Node(
            event.space_id, event.author, event.seq, event.prev, parents(event), _placed(height)
        )
    return graph


def _placed(height: int | None) -> int:
    """A placed event's height (the queries here read placed events only)."""
    assert height is not None, "a pending event has no place in the order"
    return height


def _ordered(scope: set[str] | None) -> QuerySet[StoredEvent]:
    events = StoredEvent.objects.filter(height__isnull=False)
    if scope is not None:
        events = events.filter(space__in=sorted(scope))
    return events.order_by("height", "id")


def _replay(scope: set[str] | None, held: dict[str, str]) -> _Round:
    if scope is None:
        for projection in PROJECTIONS:
            projection.model._default_manager.all().delete()
    else:
        names = sorted(scope)
        for projection in PROJECTIONS:
            projection.model._default_manager.filter(space__in=names).delete()
    ctx = Context()
    result = _Round()
    rows = _ordered(scope).values_list("id", "raw", "status", "reason", "height")
    for event_id, raw, old_status, old_reason, height in rows.iterator(chunk_size=2000):
        event = parse_event(bytes(raw), verify=False)
        node = _Node(
            event.space_id, event.author, event.seq, event.prev, parents(event), _placed(height)
        )
        result.order.append(event_id)
        result.nodes[event_id] = node
        result.old[event_id] = (old_status, old_reason)
        previous = _previous(result, event)
        causal: Callable[[], Verdict] | None = None
        tips = result.tips[node.space]
        if event.kind in CAUSAL and not sees_all(
            node.parents, tips.keys(), result.parents_of, result.height_of
        ):
            causal = _on_causal_past(ctx, event, result, held)
        verdict = judge(ctx, event, previous, held.get(event_id), causal)
        ctx.note_event(event, verdict.status)
        result.verdicts[event_id] = verdict
        if verdict.status == Status.APPLIED:
            for parent in node.parents:
                tips.pop(parent, None)
            tips[event_id] = _placed(height)
    ctx.flush()
    return result


def _previous(result: _Round, event: Event) -> _Node | None:
    if event.prev is None:
        return None
    node = result.nodes.get(event.prev)
    if node is not None:
        return node
    info = (
        StoredEvent.objects.filter(id=event.prev, height__isnull=False)
        .values_list("space", "author", "seq", "raw", "height")
        .first()
    )
    if info is None:
        return None
    earlier = parse_event(bytes(info[3]), verify=False)
    return _Node(info[0], info[1], info[2], earlier.prev, parents(earlier), _placed(info[4]))


def _on_causal_past(
    ctx: Context, event: Event, result: _Round, held: dict[str, str]
) -> Callable[[], Verdict]:
    """The verdict of ``event``'s rule on the state of its causal past alone (§14.2)."""

    def verdict() -> Verdict:
        space = event.space_id
        within = ancestors(
            parents(event),
            lambda i: (
                result.nodes[i].parents
                if i in result.nodes and result.nodes[i].space == space
                else None
            ),
        )
        ordered = sorted(within, key=lambda i: (result.nodes[i].height, i))
        raws: dict[str, bytes] = {}
        for chunk in chunks(ordered):
            raws.update(
                (i, bytes(r))
                for i, r in StoredEvent.objects.filter(id__in=chunk).values_list("id", "raw")
            )
        ctx.flush()
        savepoint = transaction.savepoint()
        try:
            for projection in PROJECTIONS:
                projection.model._default_manager.filter(space=space).delete()
            past = ctx.child()
            for event_id in ordered:
                earlier = parse_event(raws[event_id], verify=False)
                known: Callable[[], Verdict] | None = None
                if earlier.kind in CAUSAL:  # its own causal past gives the same verdict
                    known = _given(result.verdicts[event_id])
                decided = judge(
                    past, earlier, _previous(result, earlier), held.get(event_id), known
                )
                past.note_event(earlier, decided.status)
            return judge_rule(past, event)
        finally:
            transaction.savepoint_rollback(savepoint)

    return verdict


def _write(scope: set[str] | None, result: _Round) -> None:
    changed = [
        StoredEvent(id=i, status=v.status, reason=v.reason)
        for i, v in result.verdicts.items()
        if (v.status, v.reason) != result.old[i]
    ]
    StoredEvent.objects.bulk_update(changed, ["status", "reason"], batch_size=500)
    if scope is None:
        Tip.objects.all().delete()
    else:
        Tip.objects.filter(space__in=sorted(scope)).delete()
    Tip.objects.bulk_create(
        [
            Tip(space=space, event=event_id, height=height)
            for space, tips in result.tips.items()
            for event_id, height in tips.items()
        ],
        batch_size=500,
    )


def _record_equivocations(scope: set[str] | None) -> dict[tuple[str, str], int]:
    """Record every equivocation in scope; (space, author) -> the lowest forked seq."""
    if scope is None:
        EquivocationRecord.objects.all().delete()
    else:
        EquivocationRecord.objects.filter(space__in=sorted(scope)).delete()
    query = StoredEvent.objects.all()
    if scope is not None:
        query = query.filter(space__in=sorted(scope))
    doubled = (
        query.values("space", "author", "seq")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .values_list("space", "author", "seq")
    )
    forks: dict[tuple[str, str], int] = {}
    records = []
    for space, author, seq in doubled:
        ids = sorted(
            StoredEvent.objects.filter(space=space, author=author, seq=seq).values_list(
                "id", flat=True
            )
        )
        for other in ids[1:]:
            records.append(
                EquivocationRecord(space=space, author=author, seq=seq, first=ids[0], second=other)
            )
        key = (space, author)
        forks[key] = min(forks.get(key, seq), seq)
    EquivocationRecord.objects.bulk_create(records, ignore_conflicts=True)
    return forks
