"""Party-list seats: textbook known answers, ties, thresholds, constituencies, properties."""

from __future__ import annotations

import hashlib
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from veche.counting.seats import SeatError, allocate, allocate_constituencies


def test_wikipedia_dhondt_example() -> None:
    result = allocate(["A", "B", "C", "D"], [100_000, 80_000, 30_000, 20_000], 8)
    assert result.seats == (4, 3, 1, 0)
    # Seat 8 goes to A's fourth quotient, 25,000, just above B's 20,000 and D's 20,000.
    assert result.seat_order[-1] == 0
    assert result.quotients[0][3].value == 25_000 and result.quotients[0][3].seat == 8
    assert result.quotients[3][0].value == 20_000 and result.quotients[3][0].seat is None


def test_wikipedia_sainte_lague_example() -> None:
    result = allocate(
        ["A", "B", "C", "D"], [100_000, 80_000, 30_000, 20_000], 8, method="sainte-lague"
    )
    assert result.seats == (3, 3, 1, 1)
    assert [q.divisor for q in result.quotients[0]] == [1, 3, 5, 7]
    assert result.quotients[0][1].value == Fraction(100_000, 3)
    # A's third quotient (100,000 / 5) and D's first are both 20,000: more votes first.
    (tie,) = result.ties
    assert tie.tied == (0, 3) and tie.chosen == 0 and tie.rule == "more votes"


@pytest.mark.parametrize(
    ("method", "expected"), [("dhondt", (4, 2, 1)), ("sainte-lague", (3, 2, 2))]
)
def test_three_party_seven_seat_example(method: str, expected: tuple[int, ...]) -> None:
    # The Sainte-Laguë article's example: 53,000 / 24,000 / 23,000 for 7 seats.
    result = allocate(["A", "B", "C"], [53_000, 24_000, 23_000], 7, method=method)  # type: ignore[arg-type]
    assert result.seats == expected


def test_equal_quotients_go_to_the_party_with_more_votes() -> None:
    result = allocate(["A", "B"], [60, 30], 2)
    assert result.seats == (2, 0)
    assert result.ties[0].rule == "more votes" and result.ties[0].chosen == 0


def test_equal_votes_are_decided_by_seeded_lot() -> None:
    chosen = set()
    for seed in ["a", "b", "c", "d", "e", "f", "g"]:
        result = allocate(["A", "B"], [10, 10], 1, seed=seed)
        (tie,) = result.ties
        assert tie.rule == "lot"
        expected = min(
            (0, 1),
            key=lambda p, seed=seed: hashlib.sha256(
                f"veche-seats-lot-v1|{seed}||1|0,1|{p}".encode()
            ).digest(),
        )
        assert tie.chosen == expected and result.seats[expected] == 1
        chosen.add(expected)
    assert chosen == {0, 1}
    assert allocate(["A", "B"], [10, 10], 1).seed == allocate(["A", "B"], [10, 10], 1).seed


def test_threshold_reached_exactly_qualifies() -> None:
    at = allocate(["A", "B", "C", "D"], [50, 30, 15, 5], 10, threshold_percent=5)
    assert at.eligible == (True, True, True, True)
    under = allocate(["A", "B", "C", "D"], [50, 30, 16, 4], 10, threshold_percent="5")
    assert under.eligible == (True, True, True, False)
    assert under.seats[3] == 0 and sum(under.seats) == 10
    assert under.quotients[3] == ()


def test_national_threshold_with_constituencies() -> None:
    # National: A 400, B 250, C 60 of 710; C has 8.45% < 10% and gets nothing,
    # though it beats B in the North.
    result = allocate_constituencies(
        ["A", "B", "C"],
        {"North": (3, [100, 50, 60]), "South": (2, [300, 200, 0])},
        threshold_percent=10,
    )
    assert result.national_votes == (400, 250, 60)
    assert result.eligible == (True, True, False)
    north = dict(result.constituencies)["North"]
    south = dict(result.constituencies)["South"]
    assert north.seats == (2, 1, 0)  # A 100, B 50, A 50 (tie with B's 50: more votes)
    assert south.seats == (1, 1, 0)
    assert result.seats == (3, 2, 0)


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        ((["A"], [1, 2], 1), "parties but"),
        ((["A", "A"], [1, 2], 1), "unique"),
        ((["A"], [-1], 1), ">= 0"),
    ],
)
def test_bad_input(args: tuple[list[str], list[int], int], fragment: str) -> None:
    with pytest.raises(SeatError, match=fragment):
        allocate(*args)


def test_seats_no_party_with_votes_can_take_stay_vacant() -> None:
    nobody = allocate(["A", "B"], [0, 0], 3)
    assert nobody.seats == (0, 0) and nobody.vacant == 3 and nobody.seat_order == ()
    # Every party under a 50% threshold: no seat is given at all.
    under = allocate(["A", "B", "C"], [34, 33, 33], 2, threshold_percent=50)
    assert under.seats == (0, 0, 0) and under.vacant == 2
    # One party with votes takes every seat; a party without votes takes none, not by lot.
    alone = allocate(["A", "B"], [5, 0], 3)
    assert alone.seats == (3, 0) and alone.vacant == 0 and alone.ties == ()


def test_an_empty_constituency_leaves_its_seats_vacant() -> None:
    result = allocate_constituencies(
        ["A", "B", "C"],
        {"North": (3, [100, 50, 0]), "South": (2, [0, 0, 0]), "East": (2, [0, 0, 40])},
        threshold_percent=20,
    )
    # C has 40 of 190 (21%) and passes; in the North it has no vote, so no seat there.
    assert result.eligible == (True, True, True)
    seats = {name: a for name, a in result.constituencies}
    assert seats["North"].seats == (2, 1, 0) and seats["North"].vacant == 0
    assert seats["South"].seats == (0, 0, 0) and seats["South"].vacant == 2
    assert seats["East"].seats == (0, 0, 2)
    assert result.seats == (2, 1, 2) and result.vacant == 2
    # Under the threshold nationally: East's only votes do not count, its seats stay vacant.
    strict = allocate_constituencies(
        ["A", "B", "C"], {"North": (3, [100, 50, 0]), "East": (2, [0, 0, 40])}, threshold_percent=25
    )
    assert strict.seats == (2, 1, 0) and strict.vacant == 2


def test_bad_threshold_and_method() -> None:
    with pytest.raises(SeatError, match="between 0 and 100"):
        allocate(["A"], [1], 1, threshold_percent=101)
    with pytest.raises(SeatError, match="not a number"):
        allocate(["A"], [1], 1, threshold_percent="five")
    with pytest.raises(SeatError, match="unknown method"):
        allocate(["A"], [1], 1, method="hare")  # type: ignore[arg-type]


votes_lists = st.lists(st.integers(1, 10_000), min_size=1, max_size=8)


@settings(max_examples=200, deadline=None)
@given(votes_lists, st.integers(0, 40), st.sampled_from(["dhondt", "sainte-lague"]))
def test_properties(votes: list[int], seats: int, method: str) -> None:
    parties = [f"p{i}" for i in range(len(votes))]
    result = allocate(parties, votes, seats, method=method)  # type: ignore[arg-type]
    assert sum(result.seats) == seats
    won = sorted(q.seat for row in result.quotients for q in row if q.seat is not None)
    assert won == list(range(1, seats + 1))
    # House monotonicity: one more seat never takes a seat away from anyone.
    bigger = allocate(parties, votes, seats + 1, method=method)  # type: ignore[arg-type]
    assert all(b >= a for a, b in zip(result.seats, bigger.seats, strict=True))
    # A party with more votes never gets fewer seats.
    for i, vi in enumerate(votes):
        for j, vj in enumerate(votes):
            if vi > vj:
                assert result.seats[i] >= result.seats[j]
    if method == "dhondt" and seats:
        # D'Hondt never gives a party fewer than the floor of its exact quota.
        total = sum(votes)
        for v, s in zip(votes, result.seats, strict=True):
            assert s >= (v * seats) // total
