"""Plurality, approval and yes/no/abstain votes, with quorum and majority rules.

Every vote carries an integer weight (1 for one member, one vote; more for a
delegate who carries the members they represent). Nothing here breaks a tie:
a tie in a plurality or approval count is reported as a tie (several
winners), and a yes/no vote that is level does not pass, because none of the
majority rules is met by an equal split.

Majority rules, all on weights:

* ``simple``: more yes than no among the votes cast; abstentions count
  towards the quorum but not towards the majority.
* ``absolute``: more than half of the weight of all members vote yes, however
  many voted.
* ``two_thirds``: yes is at least two thirds of yes + no (abstentions again
  not counted).

Quorum is a minimum participation: the weight of all votes cast (yes, no
and abstain) must reach it, given either as a whole number or as a fraction
of the members' total weight (reaching the fraction exactly is enough).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Literal

__all__ = [
    "Choice",
    "Majority",
    "MotionResult",
    "Tally",
    "VoteError",
    "approval",
    "decide_motion",
    "plurality",
    "tally_motion",
]

Choice = Literal["yes", "no", "abstain"]
Majority = Literal["simple", "absolute", "two_thirds"]


class VoteError(ValueError):
    """A vote that cannot be counted (unknown option, bad weight, bad rule)."""


def _weight(weight: int, what: str) -> int:
    if isinstance(weight, bool) or not isinstance(weight, int) or weight < 1:
        raise VoteError(f"{what}: weight must be a whole number >= 1, got {weight!r}")
    return weight


@dataclass(frozen=True, slots=True)
class Tally:
    """Votes per option, the winners (several if tied) and options by votes."""

    options: tuple[str, ...]
    votes: tuple[int, ...]
    winners: tuple[str, ...]
    ranking: tuple[tuple[str, ...], ...]  # groups of equal votes, most votes first
    ballots: int  # total weight of the ballots counted
    seats: int  # how many options were to be chosen

    @property
    def tied(self) -> bool:
        """Options level across the last winning place: more winners than places."""
        return len(self.winners) > self.seats


def _tally(options: tuple[str, ...], counts: list[int], ballots: int, seats: int) -> Tally:
    levels = sorted(set(counts), reverse=True)
    ranking = tuple(
        tuple(o for o, c in zip(options, counts, strict=True) if c == level) for level in levels
    )
    winners: list[str] = []
    for group in ranking:
        if len(winners) >= seats:
            break
        # A group that straddles the last seat is a tie: all of it is reported.
        winners.extend(group)
    return Tally(
        options=options,
        votes=tuple(counts),
        winners=tuple(winners),
        ranking=ranking,
        ballots=ballots,
        seats=seats,
    )


def plurality(options: Sequence[str], votes: Iterable[tuple[str, int]], *, seats: int = 1) -> Tally:
    """Count ``(option, weight)`` votes; the ``seats`` options with most votes win.

    If options are level across the last winning place, all of them are
    listed as winners: ``len(winners) > seats`` signals the tie.
    """
    names = tuple(options)
    if len(set(names)) != len(names):
        raise VoteError("option names must be unique")
    if seats < 1:
        raise VoteError("at least one option must be chosen")
    index = {name: i for i, name in enumerate(names)}
    counts = [0] * len(names)
    ballots = 0
    for number, (option, weight) in enumerate(votes, start=1):
        if option not in index:
            raise VoteError(f"vote {number}: {option!r} is not an option")
        w = _weight(weight, f"vote {number}")
        counts[index[option]] += w
        ballots += w
    return _tally(names, counts, ballots, seats)


def approval(
    options: Sequence[str],
    ballots: Iterable[tuple[Collection[str], int]],
    *,
    seats: int = 1,
) -> Tally:
    """Count approval ballots ``(approved options, weight)``; most approvals win."""
    names = tuple(options)
    if len(set(names)) != len(names):
        raise VoteError("option names must be unique")
    if seats < 1:
        raise VoteError("at least one option must be chosen")
    index = {name: i for i, name in enumerate(names)}
    counts = [0] * len(names)
    total = 0
    for number, (approved, weight) in enumerate(ballots, start=1):
        w = _weight(weight, f"ballot {number}")
        chosen = list(approved)
        if len(set(chosen)) != len(chosen):
            raise VoteError(f"ballot {number}: an option is approved more than once")
        for option in chosen:
            if option not in index:
                raise VoteError(f"ballot {number}: {option!r} is not an option")
            counts[index[option]] += w
        total += w
    return _tally(names, counts, total, seats)


@dataclass(frozen=True, slots=True)
class MotionResult:
    """The outcome of a yes/no/abstain vote and the numbers that decided it."""

    yes: int
    no: int
    abstain: int
    members: int  # total weight of the members entitled to vote
    quorum: int  # weight of votes cast needed (rounded up)
    quorum_met: bool
    majority: Majority
    needed: str  # the rule, in words with the numbers, for the result page
    majority_met: bool
    passed: bool

    @property
    def cast(self) -> int:
        return self.yes + self.no + self.abstain


def tally_motion(votes: Iterable[tuple[Choice, int]]) -> Mapping[Choice, int]:
    """Add up ``(choice, weight)`` votes into yes / no / abstain totals."""
    totals: dict[Choice, int] = {"yes": 0, "no": 0, "abstain": 0}
    for number, (choice, weight) in enumerate(votes, start=1):
        if choice not in totals:
            raise VoteError(f"vote {number}: {choice!r} is not yes, no or abstain")
        totals[choice] += _weight(weight, f"vote {number}")
    return totals


def decide_motion(
    *,
    yes: int,
    no: int,
    abstain: int,
    members: int,
    quorum: int | Fraction = 0,
    majority: Majority = "simple",
) -> MotionResult:
    """Decide a motion from its totals under the committee's quorum and majority rule."""
    for name, value in (("yes", yes), ("no", no), ("abstain", abstain), ("members", members)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise VoteError(f"{name} must be a whole number >= 0, got {value!r}")
    cast = yes + no + abstain
    if cast > members:
        raise VoteError(f"{cast} votes were cast but only {members} members may vote")
    if isinstance(quorum, Fraction):
        if not 0 <= quorum <= 1:
            raise VoteError(f"a quorum fraction must be between 0 and 1, got {quorum}")
        # ceil(quorum * members) with exact integers
        needed_cast = -((-quorum.numerator * members) // quorum.denominator)
    elif isinstance(quorum, int) and not isinstance(quorum, bool) and quorum >= 0:
        needed_cast = quorum
    else:
        raise VoteError(f"quorum must be a whole number or a fraction, got {quorum!r}")
    quorum_met = cast >= needed_cast
    if majority == "simple":
        majority_met = yes > no
        needed = f"more yes than no (yes {yes}, no {no}; abstentions not counted)"
    elif majority == "absolute":
        majority_met = 2 * yes > members
        needed = (
            f"yes from more than half of all {members} members' votes: at least {members // 2 + 1}"
        )
    elif majority == "two_thirds":
        majority_met = yes + no > 0 and 3 * yes >= 2 * (yes + no)
        needed = (
            f"yes at least two thirds of yes + no ({yes} of {yes + no}; abstentions not counted)"
        )
    else:
        raise VoteError(f"unknown majority rule {majority!r}: simple, absolute or two_thirds")
    return MotionResult(
        yes=yes,
        no=no,
        abstain=abstain,
        members=members,
        quorum=needed_cast,
        quorum_met=quorum_met,
        majority=majority,
        needed=needed,
        majority_met=majority_met,
        passed=quorum_met and majority_met,
    )
