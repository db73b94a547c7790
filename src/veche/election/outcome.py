"""From decrypted counts to the outcome: winners, or seats with their quotient tables.

The tally is a flat list, constituency by constituency, question by question,
option by option (one constituency when the election has none). Plurality and
approval winners come from ``veche.counting.simple``; party-list seats from
``veche.counting.seats`` (D'Hondt or Sainte-Laguë, national threshold, seats
per constituency, ties by more votes then a lot anyone can redraw).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from veche.counting.seats import Allocation, NationalAllocation, allocate, allocate_constituencies
from veche.counting.simple import plurality
from veche.election.spec import ElectionSpec

__all__ = ["Outcome", "compute_outcome", "split_counts"]


@dataclass(frozen=True, slots=True)
class Outcome:
    counts: tuple[int, ...]  # per option over all questions, summed over constituencies
    by_question: tuple[tuple[int, ...], ...]
    by_constituency: tuple[tuple[int, ...], ...]  # the raw flat tally cut per constituency
    winners: tuple[tuple[str, ...], ...]  # per question; more than `seats` names = a tie
    seats: tuple[int, ...] | None  # party list: seats per party
    allocation: Allocation | NationalAllocation | None


def split_counts(spec: ElectionSpec, flat: Sequence[int]) -> list[list[int]]:
    """Cut the flat tally into one list per constituency."""
    width = spec.tally_width
    if len(flat) != width * spec.districts:
        raise ValueError(f"expected {width * spec.districts} counts, got {len(flat)}")
    return [list(flat[d * width : (d + 1) * width]) for d in range(spec.districts)]


def compute_outcome(spec: ElectionSpec, flat: Sequence[int]) -> Outcome:
    districts = split_counts(spec, flat)
    totals = [sum(column) for column in zip(*districts, strict=True)]
    if spec.totals:
        # A survey's tally holds each question's total and nothing else: no winner.
        return Outcome(
            counts=tuple(totals),
            by_question=tuple((t,) for t in totals),
            by_constituency=tuple(tuple(d) for d in districts),
            winners=tuple(() for _ in spec.questions),
            seats=None,
            allocation=None,
        )
    by_question: list[tuple[int, ...]] = []
    position = 0
    for question in spec.questions:
        by_question.append(tuple(totals[position : position + len(question.options)]))
        position += len(question.options)
    winners: list[tuple[str, ...]] = []
    seats: tuple[int, ...] | None = None
    allocation: Allocation | NationalAllocation | None = None
    if spec.method == "party_list":
        parties = spec.questions[0].options
        if spec.constituencies:
            allocation = allocate_constituencies(
                parties,
                {
                    name: (number, districts[d])
                    for d, (name, number) in enumerate(spec.constituencies)
                },
                method=spec.divisor,
                threshold_percent=spec.threshold_percent,
            )
        else:
            allocation = allocate(
                parties,
                totals,
                spec.seats,
                method=spec.divisor,
                threshold_percent=spec.threshold_percent,
            )
        seats = allocation.seats
        winners.append(tuple(p for p, s in zip(parties, seats, strict=True) if s > 0))
    else:
        for question, counts in zip(spec.questions, by_question, strict=True):
            # Counting by weight: one "vote" per option carrying its count. An option
            # with no vote never wins a place, even when fewer options than seats
            # have votes (with an empty tally nobody wins).
            tally = plurality(
                question.options,
                [(o, c) for o, c in zip(question.options, counts, strict=True) if c > 0],
                seats=spec.seats,
            )
            voted = {o for o, c in zip(question.options, counts, strict=True) if c > 0}
            winners.append(tuple(o for o in tally.winners if o in voted))
    return Outcome(
        counts=tuple(totals),
        by_question=tuple(by_question),
        by_constituency=tuple(tuple(d) for d in districts),
        winners=tuple(winners),
        seats=seats,
        allocation=allocation,
    )
