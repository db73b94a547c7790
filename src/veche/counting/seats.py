"""Party-list proportional representation: D'Hondt and Sainte-Laguë, with thresholds.

Highest-averages methods for a constituent assembly elected from party lists.
Each party's votes are divided by a series of divisors (D'Hondt 1, 2, 3, ...;
Sainte-Laguë 1, 3, 5, ...), and the seats go one by one to the largest
quotients. Quotients are compared exactly as fractions, never as floats.
Parties under a national threshold (a percentage of all valid votes for
parties, counted nationally) get no seats anywhere. With constituencies, each
constituency's seats are allocated among the eligible parties by its own votes.

A seat goes only to a quotient above zero: a party with no votes (in that
constituency) takes no seat there, and a seat that no eligible party with votes
can take stays vacant, neither drawn by lot nor moved elsewhere. So a
constituency where nobody voted, or where every vote went to parties under the
threshold, leaves all its seats vacant (``Allocation.vacant``).

Ties between equal quotients are broken by a written rule: the party with more
votes (in that constituency) comes first; if the votes are equal too, a lot
decides, drawn deterministically from a seed: each tied party gets the ticket
SHA-256("veche-seats-lot-v1|<seed>|<constituency>|<seat number>|<tied indices>|<party
index>") and the smallest ticket wins. The default seed is the SHA-256 digest of
the parties and their votes, so anyone can redraw it.

Results carry the quotient table, marking which quotient took which seat, so
a result page can show the arithmetic.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Literal

__all__ = [
    "Allocation",
    "Method",
    "NationalAllocation",
    "Quotient",
    "SeatError",
    "SeatTie",
    "allocate",
    "allocate_constituencies",
    "divisor",
]

Method = Literal["dhondt", "sainte-lague"]


class SeatError(ValueError):
    """Seats cannot be allocated as asked (no seats, negative votes, bad threshold...)."""


@dataclass(frozen=True, slots=True)
class Quotient:
    """One cell of the quotient table: ``votes / divisor`` of one party."""

    party: int
    divisor: int
    value: Fraction
    seat: int | None  # the seat number (1-based) this quotient won, if any


@dataclass(frozen=True, slots=True)
class SeatTie:
    """Equal quotients competing for one seat, and how the tie was broken."""

    seat: int
    tied: tuple[int, ...]
    chosen: int
    rule: Literal["more votes", "lot"]


@dataclass(frozen=True, slots=True)
class Allocation:
    """Seats of one constituency (or of a single national list)."""

    method: Method
    parties: tuple[str, ...]
    votes: tuple[int, ...]
    seats: tuple[int, ...]
    eligible: tuple[bool, ...]
    seat_order: tuple[int, ...]  # party index that won seat 1, 2, ...
    quotients: tuple[tuple[Quotient, ...], ...]  # per party; empty for ineligible parties
    ties: tuple[SeatTie, ...]
    seed: str
    vacant: int = 0  # seats no eligible party with votes could take (module doc)


@dataclass(frozen=True, slots=True)
class NationalAllocation:
    """Seats per constituency and in total, after the national threshold."""

    method: Method
    parties: tuple[str, ...]
    national_votes: tuple[int, ...]
    threshold_percent: Fraction
    eligible: tuple[bool, ...]
    constituencies: tuple[tuple[str, Allocation], ...]
    seats: tuple[int, ...]  # totals per party
    vacant: int = 0  # the constituencies' vacant seats, summed


def divisor(method: Method, k: int) -> int:
    """The divisor for a party's ``k``-th seat (k = 1, 2, ...)."""
    if method == "dhondt":
        return k
    if method == "sainte-lague":
        return 2 * k - 1
    raise SeatError(f"unknown method {method!r}: use 'dhondt' or 'sainte-lague'")


def _default_seed(parties: Sequence[str], votes: Sequence[int], extra: str = "") -> str:
    h = hashlib.sha256(b"veche-seats-v1\n")
    for name, v in zip(parties, votes, strict=True):
        h.update(f"{name}\n{v}\n".encode())
    h.update(extra.encode())
    return h.hexdigest()


def _lot(seed: str, place: str, seat: int, tied: Sequence[int], party: int) -> bytes:
    members = ",".join(str(p) for p in sorted(tied))
    text = f"veche-seats-lot-v1|{seed}|{place}|{seat}|{members}|{party}"
    return hashlib.sha256(text.encode("utf-8")).digest()


def _check(parties: Sequence[str], votes: Sequence[int], seats: int) -> None:
    if len(parties) != len(votes):
        raise SeatError(f"{len(parties)} parties but {len(votes)} vote counts")
    if len(set(parties)) != len(parties):
        raise SeatError("party names must be unique")
    if seats < 0:
        raise SeatError("the number of seats cannot be negative")
    for name, v in zip(parties, votes, strict=True):
        if isinstance(v, bool) or not isinstance(v, int) or v < 0:
            raise SeatError(f"votes for {name!r} must be a whole number >= 0, got {v!r}")


def _percent(threshold_percent: Fraction | int | str) -> Fraction:
    try:
        value = Fraction(threshold_percent)
    except (ValueError, ZeroDivisionError) as error:
        raise SeatError(f"threshold {threshold_percent!r} is not a number") from error
    if not 0 <= value <= 100:
        raise SeatError(f"threshold must be between 0 and 100 percent, got {value}")
    return value


def _eligible(votes: Sequence[int], threshold: Fraction) -> tuple[bool, ...]:
    total = sum(votes)
    # votes / total >= threshold / 100, exactly: reaching the threshold qualifies.
    return (
        tuple(v * 100 >= threshold * total and v > 0 for v in votes)
        if total
        else tuple(False for _ in votes)
    )


def _allocate(
    method: Method,
    parties: Sequence[str],
    votes: Sequence[int],
    *,
    seats: int,
    eligible: Sequence[bool],
    seed: str,
    place: str,
) -> Allocation:
    won = [0] * len(parties)
    order: list[int] = []
    ties: list[SeatTie] = []
    # Only a quotient above zero takes a seat: a party without votes here takes none.
    contenders = [p for p in range(len(parties)) if eligible[p] and votes[p] > 0]
    for seat in range(1, seats + 1 if contenders else 1):
        best = max(Fraction(votes[p], divisor(method, won[p] + 1)) for p in contenders)
        level = [p for p in contenders if Fraction(votes[p], divisor(method, won[p] + 1)) == best]
        if len(level) > 1:
            rule: Literal["more votes", "lot"]
            most = max(votes[p] for p in level)
            richest = [p for p in level if votes[p] == most]
            if len(richest) == 1:
                chosen, rule = richest[0], "more votes"
            else:
                chosen = min(richest, key=lambda p: _lot(seed, place, seat, richest, p))
                rule = "lot"
            ties.append(SeatTie(seat=seat, tied=tuple(level), chosen=chosen, rule=rule))
        else:
            chosen = level[0]
        won[chosen] += 1
        order.append(chosen)
    seat_of: dict[tuple[int, int], int] = {}
    counter = [0] * len(parties)
    for number, p in enumerate(order, start=1):
        counter[p] += 1
        seat_of[(p, counter[p])] = number
    # Show each eligible party's quotients up to one past its last seat, and at
    # least as far as the smallest winning quotient, so the cut-off is visible.
    table: list[tuple[Quotient, ...]] = []
    for p in range(len(parties)):
        if not eligible[p]:
            table.append(())
            continue
        depth = max(won[p] + 1, 1) if seats else 1
        table.append(
            tuple(
                Quotient(
                    party=p,
                    divisor=divisor(method, k),
                    value=Fraction(votes[p], divisor(method, k)),
                    seat=seat_of.get((p, k)),
                )
                for k in range(1, depth + 1)
            )
        )
    return Allocation(
        method=method,
        parties=tuple(parties),
        votes=tuple(votes),
        seats=tuple(won),
        eligible=tuple(eligible),
        seat_order=tuple(order),
        quotients=tuple(table),
        ties=tuple(ties),
        seed=seed,
        vacant=seats - len(order),
    )


def allocate(
    parties: Sequence[str],
    votes: Sequence[int],
    seats: int,
    *,
    method: Method = "dhondt",
    threshold_percent: Fraction | int | str = 0,
    seed: str | None = None,
) -> Allocation:
    """Allocate ``seats`` among ``parties`` by ``method`` from one list of votes.

    ``threshold_percent`` is a percentage of all the votes given (e.g. ``5`` or
    ``"3.5"``); a party with fewer votes gets no seat. Ties: more votes first,
    then a lot drawn from ``seed`` (default: digest of the parties and votes).
    """
    divisor(method, 1)
    _check(parties, votes, seats)
    threshold = _percent(threshold_percent)
    lot_seed = seed if seed is not None else _default_seed(parties, votes)
    return _allocate(
        method,
        parties,
        votes,
        seats=seats,
        eligible=_eligible(votes, threshold),
        seed=lot_seed,
        place="",
    )


def allocate_constituencies(
    parties: Sequence[str],
    constituencies: Mapping[str, tuple[int, Sequence[int]]],
    *,
    method: Method = "dhondt",
    threshold_percent: Fraction | int | str = 0,
    seed: str | None = None,
) -> NationalAllocation:
    """Allocate each constituency's seats after a national threshold.

    ``constituencies`` maps a constituency name to (its seats, votes per party
    in the order of ``parties``). The threshold is judged on the national
    totals; each constituency then shares its own seats among the parties
    that passed it, by its own votes.
    """
    divisor(method, 1)
    threshold = _percent(threshold_percent)
    if not constituencies:
        raise SeatError("there are no constituencies")
    national = [0] * len(parties)
    for name, (seats, votes) in constituencies.items():
        try:
            _check(parties, votes, seats)
        except SeatError as error:
            raise SeatError(f"constituency {name!r}: {error}") from error
        for p, v in enumerate(votes):
            national[p] += v
    eligible = _eligible(national, threshold)
    lot_seed = (
        seed
        if seed is not None
        else _default_seed(
            parties,
            national,
            "".join(f"{n}:{s}:{list(v)}" for n, (s, v) in sorted(constituencies.items())),
        )
    )
    results: list[tuple[str, Allocation]] = []
    totals = [0] * len(parties)
    for name, (seats, votes) in constituencies.items():
        allocation = _allocate(
            method, parties, list(votes), seats=seats, eligible=eligible, seed=lot_seed, place=name
        )
        results.append((name, allocation))
        for p, s in enumerate(allocation.seats):
            totals[p] += s
    return NationalAllocation(
        method=method,
        parties=tuple(parties),
        national_votes=tuple(national),
        threshold_percent=threshold,
        eligible=eligible,
        constituencies=tuple(results),
        seats=tuple(totals),
        vacant=sum(allocation.vacant for _, allocation in results),
    )
