"""Who is counted in a body's electorate, and with what weight.

A committee's electorate is its active members, one vote per person. A council's
adds the weight of every seat held by a delegate who is not a member there and not
recalled; a seat weighs one, or, when the council weighs votes by members, the
members represented shared among the delegates of one election.
"""

from __future__ import annotations

from collections.abc import Iterable, Set

from veche.decisions.recalls import Recalled


def weighted_electorate(
    persons: Set[str], seats: Iterable[tuple[str, str, int]], excluded: Set[Recalled]
) -> int:
    """Active members, plus the weight of every seat (key, mandate, weight) of a
    delegate who is not a member here and not recalled."""
    seated = sum(
        weight
        for key, mandate, weight in seats
        if (mandate, key) not in excluded and key not in persons
    )
    return len(persons) + seated


def seat_weight(weighting: str | None, represented: int, elected: int) -> int:
    """A seat's weight under the body's ``weighting`` rule (at least one)."""
    if weighting == "by_members":
        return max(1, represented // max(1, elected))
    return 1
