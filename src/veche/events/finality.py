"""Which suspect events are acknowledged, and which of a space's tips an event has seen.

Pure graph arithmetic for event-v1 §14: a *suspect* event (its author equivocated,
or its key was revoked) is held unless an applied event of another person has it
in its causal past. ``acknowledged`` answers that for a whole space in one pass
over its events in order, carrying each event's set of suspect ancestors forward;
suspects are rare, so the sets stay small. ``sees_all`` tells whether an event's
causal past holds every event before it in the order, which is when judging it
in order and judging it on its causal past give the same answer.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence, Set
from dataclasses import dataclass

__all__ = [
    "ChainLink",
    "GraphEvent",
    "Suspect",
    "accepted_branch",
    "acknowledged",
    "ancestors",
    "sees_all",
]


@dataclass(frozen=True, slots=True)
class GraphEvent:
    """What the graph arithmetic needs of an event: who signed it, what it names."""

    id: str
    author: str
    parents: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Suspect:
    """A suspect event; ``revocation`` is the revoking event for a revoked key's."""

    author: str
    revocation: str | None = None


_EMPTY: frozenset[str] = frozenset()


def acknowledged(
    ordered: Iterable[GraphEvent],
    suspects: Mapping[str, Suspect],
    applied: Callable[[str], bool],
    person: Callable[[str], str] = lambda key: key,
) -> set[str]:
    """The suspects that an applied event of another person has in its causal past.

    ``ordered`` is topological (parents first); events it names as parents but does
    not contain are taken to have no suspect ancestors. A revoked key's suspect
    counts as acknowledged only by an event that does not have the revocation in
    its causal past: whoever had seen the revocation cannot make it count.
    """
    markers = {s.revocation for s in suspects.values() if s.revocation is not None}
    tracked = suspects.keys() | markers
    reach: dict[str, frozenset[str]] = {}
    found: set[str] = set()
    for event in ordered:
        seen: frozenset[str] = _EMPTY
        for parent in event.parents:
            inherited = reach.get(parent, _EMPTY)
            if parent in tracked:
                inherited = inherited | {parent}
            if inherited and not inherited <= seen:
                seen = seen | inherited
        if seen:
            reach[event.id] = seen
            if applied(event.id):
                who = person(event.author)
                for suspect_id in seen:
                    suspect = suspects.get(suspect_id)
                    if (
                        suspect is not None
                        and person(suspect.author) != who
                        and (suspect.revocation is None or suspect.revocation not in seen)
                    ):
                        found.add(suspect_id)
    return found


@dataclass(frozen=True, slots=True)
class ChainLink:
    """One event of an author's chain in a space: its id and the id it names in ``prev``."""

    id: str
    prev: str | None


def accepted_branch(chain: Iterable[ChainLink], chosen: Set[str]) -> set[str]:
    """The events of one author's forked chain that stay clean (event-v1 §8, §14.3).

    From seq 1 down, wherever the chain forks, the branch whose first event is in
    ``chosen`` (acknowledged, or accepted by a motion) is followed if exactly one
    is; where none or several are, the clean part ends. Events before the first
    fork and on the followed branches are clean; the rest of the chain is suspect.
    """
    children: dict[str | None, list[str]] = {}
    for link in chain:
        children.setdefault(link.prev, []).append(link.id)
    clean: set[str] = set()
    level = children.get(None, [])
    while level:
        if len(level) == 1:
            (step,) = level
        else:
            picked = [e for e in level if e in chosen]
            if len(picked) != 1:
                break
            (step,) = picked
        clean.add(step)
        level = children.get(step, [])
    return clean


def ancestors(
    parents: Iterable[str], parents_of: Callable[[str], Sequence[str] | None]
) -> set[str]:
    """Every event reachable through ``parents`` that ``parents_of`` knows (it returns
    None for events outside the graph, which are neither counted nor walked through)."""
    found: set[str] = set()
    stack = list(parents)
    while stack:
        current = stack.pop()
        if current in found:
            continue
        above = parents_of(current)
        if above is None:
            continue
        found.add(current)
        stack.extend(above)
    return found


def sees_all(
    parents: Sequence[str],
    tips: Set[str],
    parents_of: Callable[[str], Sequence[str] | None],
    height_of: Callable[[str], int | None],
) -> bool:
    """Does an event with these parents have every one of ``tips`` in its causal past?

    ``tips`` are the events before it in the order that nothing before it names,
    so this is true exactly when everything before it in the order is an ancestor.
    The walk goes down only to the lowest tip's height.
    """
    missing = set(tips) - set(parents)
    if not missing:
        return True
    floor = min((height_of(t) or 0) for t in missing)
    seen: set[str] = set()
    stack = [p for p in parents if (height_of(p) or 0) >= floor]
    while stack and missing:
        current = stack.pop()
        if current in seen:
            continue
        seen.add(current)
        missing.discard(current)
        for parent in parents_of(current) or ():
            if parent not in seen and (height_of(parent) or 0) >= floor:
                stack.append(parent)
    return not missing
