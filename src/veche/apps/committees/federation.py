"""The federation as a node sees it: who sits where, what was ratified.

These are read-time views over several committees' projections, so a recall
takes effect on every page as soon as this node holds it.

A node may follow a council without holding the logs of all its member
committees; a seat citing a mandate of a committee it holds nothing of is
judged on trust (``store.log``). Such seats are listed too, marked
``unchecked``: they count in the council's votes, so the pages say so.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef, Q, QuerySet

from veche.apps.committees.models import (
    Committee,
    FederationLink,
    Mandate,
    Member,
    Motion,
    Ratification,
    Seat,
)
from veche.apps.store.models import StoredEvent
from veche.apps.store.reasons import TRUSTED_PREFIX


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
    key: str
    pseudonym: str
    child: str
    child_name: str
    mandate: str
    elected_at: str
    seated: bool
    recalled_by: str
    weight: int
    # The seat event, and whether its mandate is unchecked here: this node holds
    # nothing of the electing committee's log, so the seat counts as claimed.
    seat_event: str = ""
    unchecked: bool = False


def _seats(parent: str) -> QuerySet[Seat]:
    """Seats in ``parent``, each annotated with ``checked`` (this node derived the
    mandate from the child's log) and ``on_trust`` (the seat event's stored reason
    says it was judged on trust). Read-only: nothing here is stored or digested."""
    return Seat.objects.filter(space=parent).annotate(
        checked=Exists(Mandate.objects.filter(event=OuterRef("mandate"), key=OuterRef("key"))),
        on_trust=Exists(
            StoredEvent.objects.filter(id=OuterRef("event"), reason__startswith=TRUSTED_PREFIX)
        ),
    )


def unchecked_seats(parent: str) -> QuerySet[Seat]:
    """Seats in ``parent`` whose mandate this node has not checked (taken on trust)."""
    return _seats(parent).filter(Q(checked=False) | Q(on_trust=True))


def _unchecked(seat: Seat) -> bool:
    return not seat.checked or seat.on_trust  # type: ignore[attr-defined]


def delegates_of(parent: str) -> list[Delegate]:
    """Delegates elected to ``parent`` by its member committees, current and recalled,
    then every other seated delegate: seats whose mandate this node cannot check
    (it holds nothing of the electing committee's log) are listed, ``unchecked``."""
    kids = children(parent)
    seats = {(s.key, s.mandate): s for s in _seats(parent)}
    spaces = sorted(set(kids) | {s.child for s in seats.values()})
    names = dict(Committee.objects.filter(space__in=spaces).values_list("space", "name"))
    mandates = list(
        Mandate.objects.filter(parent=parent)
        .filter(Q(space__in=kids) | Q(event__in=sorted({s.mandate for s in seats.values()})))
        .order_by("space", "at")
    )
    listed = {(m.key, m.event) for m in mandates}
    others = sorted(
        (s for pair, s in seats.items() if pair not in listed),
        key=lambda s: (names.get(s.child, ""), s.child, s.key),
    )
    names_by_key = pseudonyms({m.key for m in mandates} | {s.key for s in others})
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
                unchecked=seat is not None and _unchecked(seat),
            )
        )
    for seat in others:
        result.append(
            Delegate(
                key=seat.key,
                pseudonym=names_by_key.get(seat.key, seat.key[:8]),
                child=seat.child,
                child_name=names.get(seat.child, ""),
                mandate=seat.mandate,
                elected_at="",
                seated=True,
                recalled_by="",
                weight=seat.weight,
                seat_event=seat.event,
                unchecked=_unchecked(seat),
            )
        )
    return result


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
