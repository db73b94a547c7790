"""Plurality, approval, and yes/no/abstain with quorum and the three majority rules."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from veche.counting.simple import (
    VoteError,
    approval,
    decide_motion,
    plurality,
    tally_motion,
)


def test_plurality_with_weights() -> None:
    result = plurality(["A", "B", "C"], [("A", 3), ("B", 1), ("B", 1), ("C", 4)])
    assert result.votes == (3, 2, 4)
    assert result.winners == ("C",) and not result.tied
    assert result.ranking == (("C",), ("A",), ("B",))
    assert result.ballots == 9


def test_plurality_tie_is_reported() -> None:
    result = plurality(["A", "B", "C"], [("A", 2), ("B", 2), ("C", 1)])
    assert result.winners == ("A", "B") and result.tied


def test_two_seats_tie_across_the_last_place() -> None:
    result = plurality(["A", "B", "C", "D"], [("A", 10), ("B", 8), ("C", 8), ("D", 1)], seats=2)
    assert result.winners == ("A", "B", "C") and result.tied
    clear = plurality(["A", "B", "C"], [("A", 10), ("B", 8), ("C", 7)], seats=2)
    assert clear.winners == ("A", "B") and not clear.tied


def test_approval() -> None:
    result = approval(["A", "B", "C"], [({"A", "B"}, 2), ({"B"}, 1), (set(), 1), ({"C", "A"}, 1)])
    assert result.votes == (3, 3, 1)
    assert result.winners == ("A", "B") and result.tied
    assert result.ballots == 5


@pytest.mark.parametrize(
    ("call", "fragment"),
    [
        (lambda: plurality(["A"], [("B", 1)]), "not an option"),
        (lambda: plurality(["A"], [("A", 0)]), "weight"),
        (lambda: plurality(["A", "A"], []), "unique"),
        (lambda: approval(["A"], [({"A", "Z"}, 1)]), "not an option"),
        (lambda: approval(["A"], [(["A", "A"], 1)]), "more than once"),
        (lambda: tally_motion([("maybe", 1)]), "yes, no or abstain"),  # type: ignore[list-item]
        (lambda: decide_motion(yes=5, no=5, abstain=1, members=10), "only 10 members"),
        (
            lambda: decide_motion(yes=1, no=0, abstain=0, members=3, quorum=Fraction(3, 2)),
            "between",
        ),
        (lambda: decide_motion(yes=1, no=0, abstain=0, members=3, majority="most"), "unknown"),  # type: ignore[arg-type]
    ],
)
def test_bad_input(call: object, fragment: str) -> None:
    with pytest.raises(VoteError, match=fragment):
        call()  # type: ignore[operator]


def test_simple_majority_ignores_abstentions() -> None:
    r = decide_motion(yes=4, no=3, abstain=10, members=20, quorum=Fraction(1, 2))
    assert r.quorum == 10 and r.quorum_met and r.majority_met and r.passed
    level = decide_motion(yes=3, no=3, abstain=0, members=6)
    assert not level.passed  # an equal split is not a majority


def test_quorum() -> None:
    # Half of 21 members is 10.5: eleven votes are needed.
    short = decide_motion(yes=10, no=0, abstain=0, members=21, quorum=Fraction(1, 2))
    assert short.quorum == 11 and not short.quorum_met and not short.passed
    met = decide_motion(yes=10, no=0, abstain=1, members=21, quorum=Fraction(1, 2))
    assert met.passed
    absolute = decide_motion(yes=3, no=0, abstain=0, members=21, quorum=4)
    assert not absolute.quorum_met


def test_absolute_majority_of_members() -> None:
    assert not decide_motion(yes=10, no=0, abstain=0, members=20, majority="absolute").passed
    assert decide_motion(yes=11, no=0, abstain=0, members=20, majority="absolute").passed
    assert decide_motion(yes=11, no=0, abstain=0, members=21, majority="absolute").passed


def test_two_thirds() -> None:
    assert decide_motion(yes=20, no=10, abstain=5, members=40, majority="two_thirds").passed
    assert not decide_motion(yes=19, no=10, abstain=5, members=40, majority="two_thirds").passed
    assert not decide_motion(yes=0, no=0, abstain=5, members=5, majority="two_thirds").passed


def test_weighted_open_votes() -> None:
    totals = tally_motion([("yes", 3), ("no", 2), ("yes", 1), ("abstain", 4)])
    assert totals == {"yes": 4, "no": 2, "abstain": 4}
    r = decide_motion(**totals, members=12, quorum=Fraction(2, 3), majority="two_thirds")
    assert r.quorum == 8 and r.passed


@given(
    st.integers(0, 50),
    st.integers(0, 50),
    st.integers(0, 50),
    st.integers(0, 60),
)
def test_majority_rules_agree_with_their_definitions(
    yes: int, no: int, abstain: int, extra: int
) -> None:
    members = yes + no + abstain + extra
    simple = decide_motion(yes=yes, no=no, abstain=abstain, members=members)
    absolute = decide_motion(yes=yes, no=no, abstain=abstain, members=members, majority="absolute")
    two = decide_motion(yes=yes, no=no, abstain=abstain, members=members, majority="two_thirds")
    assert simple.passed == (yes > no)
    assert absolute.passed == (Fraction(yes) > Fraction(members, 2))
    assert two.passed == (yes + no > 0 and Fraction(yes, yes + no) >= Fraction(2, 3))
    # An absolute majority of members is always a simple majority too.
    if absolute.passed:
        assert simple.passed
