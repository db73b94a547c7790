# A rule's sentence with values is a %-template that pages translate (apps/store/reasons.py).
# ruff: noqa: UP031
"""Chains, equivocation and the deterministic order of a set of events.

Each author's events in a space form a hash chain: seq 1 has no ``prev``; seq
n names the author's seq n-1 event in the same space. Two distinct events with
the same (space, author, seq) are an equivocation: both are kept as evidence and
the author's events from that seq on are held back. The order is by *height*
(1 + the greatest height among ``prev`` and ``deps``; 0 for none) and then by
id: a topological order of the causal graph that a node can extend event by
event as they arrive, and that every node computes alike.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Protocol

from veche.events.envelope import Event

__all__ = [
    "ChainError",
    "Equivocation",
    "OrderedEvents",
    "check_link",
    "equivocations",
    "order_events",
    "parents",
    "place",
]


class ChainError(ValueError):
    def __init__(self, rule: str, message: str) -> None:
        super().__init__(message)
        self.rule = rule
        self.field = "prev"


@dataclass(frozen=True, slots=True)
class Equivocation:
    space: str
    author: str
    seq: int
    event_ids: tuple[str, ...]


def parents(event: Event) -> tuple[str, ...]:
    return ((event.prev,) if event.prev else ()) + event.deps


class Link(Protocol):
    """What the chain check needs of the previous event (an Event, or a store row)."""

    @property
    def author(self) -> str: ...
    @property
    def space_id(self) -> str: ...
    @property
    def seq(self) -> int: ...


def check_link(event: Event, previous: Link | None) -> None:
    """Check that ``previous`` is the right predecessor of ``event`` in its chain."""
    if event.prev is None:
        return
    if previous is None:
        raise ChainError("chain-missing", "the previous event is not held yet")
    if previous.author != event.author:
        raise ChainError("chain-author", "prev is another author's event")
    if previous.space_id != event.space_id:
        raise ChainError("chain-space", "prev belongs to another space")
    if previous.seq != event.seq - 1:
        raise ChainError(
            "chain-seq",
            "prev has seq %(seq)s, expected %(expected)s"
            % {"seq": previous.seq, "expected": event.seq - 1},
        )


def equivocations(events: Iterable[Event]) -> list[Equivocation]:
    """Every (space, author, seq) that holds two or more distinct events."""
    # A set, not a list: the same event received twice (two peers, two
    # bundles) is a duplicate, not evidence of a fork.
    slots: dict[tuple[str, str, int], set[str]] = defaultdict(set)
    for event in events:
        slots[(event.space_id, event.author, event.seq)].add(event.id)
    return [
        Equivocation(space, author, seq, tuple(sorted(ids)))
        for (space, author, seq), ids in sorted(slots.items())
        if len(ids) > 1
    ]


@dataclass(frozen=True, slots=True)
class OrderedEvents:
    ordered: list[Event]
    heights: Mapping[str, int]
    missing: Mapping[str, tuple[str, ...]]
    """Events that cannot be placed yet, with the ids they wait for."""


def order_events(events: Iterable[Event]) -> OrderedEvents:
    """Order a set of events by (height, id); events with absent ancestors are left out."""
    by_id = {event.id: event for event in events}
    heights: dict[str, int] = {}
    missing: dict[str, tuple[str, ...]] = {}

    def height(event_id: str) -> int | None:
        # Iterative depth-first walk: logs can be far deeper than Python's stack.
        stack = [event_id]
        while stack:
            current = stack[-1]
            if current in heights:
                stack.pop()
                continue
            if current in missing:
                stack.pop()
                continue
            event = by_id[current]
            pending = [p for p in parents(event) if p not in heights and p not in missing]
            absent = [p for p in pending if p not in by_id]
            if absent:
                missing[current] = tuple(absent)
                stack.pop()
                continue
            if pending:
                stack.extend(pending)
                continue
            blocked = [p for p in parents(event) if p in missing]
            if blocked:
                missing[current] = tuple(blocked)
            else:
                heights[current] = 1 + max((heights[p] for p in parents(event)), default=-1)
            stack.pop()
        return heights.get(event_id)

    for event_id in by_id:
        height(event_id)
    ordered = sorted((by_id[i] for i in heights), key=lambda e: (heights[e.id], e.id))
    return OrderedEvents(ordered, heights, missing)


def place(events: Mapping[str, Event], known: Mapping[str, int]) -> dict[str, int]:
    """Heights of ``events`` (by id) given the heights of parents outside them.

    A parent that is neither among ``events`` nor in ``known`` is not counted: the
    store places an event without a citation of another space it has not placed
    (event-v1 §14.6). Depth-first and iterative: chains can be far deeper than
    Python's stack.
    """
    heights: dict[str, int] = {}
    for start in events:
        stack = [start]
        while stack:
            current = stack[-1]
            if current in heights:
                stack.pop()
                continue
            above = parents(events[current])
            waiting = [p for p in above if p in events and p not in heights]
            if waiting:
                stack.extend(waiting)
                continue
            stack.pop()
            heights[current] = 1 + max(
                (heights[p] if p in heights else known[p] for p in above
                 if p in heights or p in known),
                default=-1,
            )  # fmt: skip
    return heights
