"""The federation as a node sees it: who sits where, what was ratified.

These are read-time views over several committees' projections, so a recall
takes effect on every page as soon as this node holds it.

A node may follow a council without holding the logs of all its member
committees. A seat citing a mandate of a committee it holds nothing of is
*unverified* (event-v1 §14.6): it is not in the Seat projection, gives no vote
and no access, and counts nowhere. ``unverified_seats`` lists such seat events,
read from the store, so the council's page can show them apart, not counted.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from veche.apps.committees.models import (
    Committee,
    FederationLink,
    Mandate,
    Member,
    Motion,
    Ratification,
    Seat,
)
from veche.apps.store.models import Status, StoredEvent
from veche.events import parse_event


def children(space: str) -> list[str]:
    """Committees this body accepted and that voted to join it (both sides of the link)."""
    accepted = set(FederationLink.objects.filter(space=space).values_list("child", flat=True))
    asked = set(
        Committee.objects.filter(space__in=accepted, parent=space).values_list("space", flat=True)
    )
    return sorted(accepted & asked)


def ancestors(space: str) -> list[str]:
    """Parent, grandparent, … (stops at a loop or a missing link)."""
    chain: list[str] = []
    current = Committee.objects.filter(space=space).values_list("parent", flat=True).first()
    while current and current not in chain and current != space:
        if not FederationLink.objects.filter(
            space=current, child=space if not chain else chain[-1]
        ).exists():
            break
        chain.append(current)
        current = Committee.objects.filter(space=current).values_list("parent", flat=True).first()
    return chain


@dataclass(frozen=True)
class Delegate:
    """A delegate elected to a body by a member committee, as this node verified it."""

    key: str
    pseudonym: str
    child: str
    child_name: str
    mandate: str
    elected_at: str
    seated: bool
    recalled_by: str
    weight: int
    seat_event: str = ""


def delegates_of(parent: str) -> list[Delegate]:
    """Delegates elected to ``parent`` by its member committees, current and recalled.

    Every seat in the projection was verified: its mandate is a close this node
    holds and applied, so each seat has its mandate's row here.
    """
    kids = children(parent)
    seats = {(s.key, s.mandate): s for s in Seat.objects.filter(space=parent)}
    spaces = sorted(set(kids) | {s.child for s in seats.values()})
    names = dict(Committee.objects.filter(space__in=spaces).values_list("space", "name"))
    mandates = list(
        Mandate.objects.filter(parent=parent, space__in=spaces).order_by("space", "at", "key")
    )
    names_by_key = pseudonyms({m.key for m in mandates})
    result = []
    for mandate in mandates:
        seat = seats.get((mandate.key, mandate.event))
        result.append(
            Delegate(
                key=mandate.key,
                pseudonym=names_by_key.get(mandate.key, mandate.key[:8]),
                child=mandate.space,
                child_name=names.get(mandate.space, ""),
                mandate=mandate.event,
                elected_at=mandate.at,
                seated=seat is not None,
                recalled_by=mandate.recalled_by,
                weight=seat.weight if seat else 1,
                seat_event=seat.event if seat else "",
            )
        )
    return result


@dataclass(frozen=True)
class UnverifiedSeat:
    """A seat event this node could not verify: it holds nothing of the electing
    committee's log (or the mandate's decision is itself unverified here). It gives
    no vote and no access and counts nowhere until that log arrives."""

    key: str
    pseudonym: str
    child: str
    child_name: str
    mandate: str
    seat_event: str
    at: str


def unverified_seats(parent: str) -> list[UnverifiedSeat]:
    """The seat events of ``parent`` whose outcome here is unverified (two queries,
    three if any of them names a committee this node knows)."""
    rows = list(
        StoredEvent.objects.filter(space=parent, kind="delegate.seat", status=Status.UNVERIFIED)
        .order_by("height", "id")
        .values_list("raw", flat=True)
    )
    if not rows:
        return []
    events = [parse_event(bytes(raw), verify=False) for raw in rows]
    claims = [(e, str(e.body.get("child", "")), str(e.body.get("mandate", ""))) for e in events]
    names = dict(
        Committee.objects.filter(space__in=sorted({c for _, c, _ in claims})).values_list(
            "space", "name"
        )
    )
    known = pseudonyms({e.author for e in events})
    return sorted(
        (
            UnverifiedSeat(
                key=e.author,
                pseudonym=known.get(e.author, ""),
                child=child,
                child_name=names.get(child, ""),
                mandate=mandate,
                seat_event=e.id,
                at=e.at,
            )
            for e, child, mandate in claims
        ),
        key=lambda s: (s.child_name, s.child, s.at, s.key),
    )


def pseudonyms(keys: set[str]) -> dict[str, str]:
    """A key's pseudonym as its committee knows it (delegates are members below)."""
    return dict(
        Member.objects.filter(key__in=sorted(keys)).order_by("-id").values_list("key", "pseudonym")
    )


def current_delegate_keys(parent: str) -> set[str]:
    return {d.key for d in delegates_of(parent) if not d.recalled_by}


@dataclass
class Ratifications:
    needed: bool
    children: int
    ratified_by: list[str] = field(default_factory=list)

    @property
    def ratified(self) -> bool:
        return 2 * len(self.ratified_by) > self.children


def ratifications(motion: Motion) -> Ratifications:
    """A parent's decision needing ratification passes when most children ratify it."""
    committee = Committee.objects.get(space=motion.space)
    kids = children(motion.space)
    needed = bool(committee.rules.get("ratification")) and motion.status == Motion.Status.PASSED
    by = (
        sorted(
            set(
                Ratification.objects.filter(
                    parent_close=motion.close_event, space__in=kids
                ).values_list("space", flat=True)
            )
        )
        if motion.close_event
        else []
    )
    return Ratifications(needed=needed, children=len(kids), ratified_by=by)


@dataclass
class Node:
    committee: Committee
    delegates: list[Delegate]
    children: list[Node]


def tree(roots: list[str] | None = None, visible: set[str] | None = None) -> list[Node]:
    """The federation from the top down, limited to ``visible`` spaces when given."""
    committees = {c.space: c for c in Committee.objects.all()}
    if roots is None:
        linked = set(FederationLink.objects.values_list("child", flat=True))
        roots = sorted(
            (s for s in committees if s not in linked),
            key=lambda s: (
                ("national", "regional", "city", "local").index(committees[s].level)
                if committees[s].level in ("national", "regional", "city", "local")
                else 9
            ),
        )

    def build(space: str, seen: set[str]) -> Node:
        kids = [
            build(child, seen | {space})
            for child in children(space)
            if child not in seen and (visible is None or child in visible)
        ]
        kids.sort(key=lambda n: n.committee.name)
        return Node(committees[space], delegates_of(space), kids)

    return [build(r, set()) for r in roots if r in committees and (visible is None or r in visible)]


def with_pseudonyms(mandates: list[Mandate]) -> list[Mandate]:
    """The mandates, each with ``pseudonym`` set to its delegate's name (or a short key)."""
    names = pseudonyms({m.key for m in mandates})
    for mandate in mandates:
        mandate.pseudonym = names.get(mandate.key, mandate.key[:8])  # type: ignore[attr-defined]
    return mandates
