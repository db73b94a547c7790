"""compute_result: the arithmetic every node redoes before accepting a closing event (no database)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from veche.apps.committees.models import Motion
from veche.apps.committees.motions import compute_result

RULES = {"quorum_percent": 50, "majority": "simple"}


def _motion(**fields: object) -> Motion:
    defaults = {
        "event": "m" * 43,
        "kind": "general",
        "method": "yes_no",
        "options": [],
        "seats": 1,
        "target": {},
    }
    defaults.update(fields)
    return Motion(**defaults)


def test_yes_no_with_quorum_and_weights() -> None:
    result = compute_result(
        _motion(), [("yes", 3), ("no", 1), ("abstain", 1)], 9, RULES, represented=9
    )
    assert (result["yes"], result["no"], result["abstain"], result["cast"], result["quorum"]) == (
        3,
        1,
        1,
        5,
        5,
    )
    assert result["passed"] is True
    assert (
        compute_result(_motion(), [("yes", 3), ("no", 1)], 9, RULES, represented=9)["passed"]
        is False
    )


def test_two_thirds_and_absolute() -> None:
    votes = [("yes", 6), ("no", 3)]
    assert compute_result(_motion(), votes, 9, {**RULES, "majority": "two_thirds"}, represented=9)[
        "passed"
    ]
    assert not compute_result(
        _motion(), [("yes", 5), ("no", 3)], 12, {**RULES, "majority": "absolute"}, represented=12
    )["passed"]


def test_delegate_election_by_stv_names_keys_and_parent() -> None:
    keys = ["a" * 43, "b" * 43, "c" * 43]
    motion = _motion(
        kind="delegate_election", method="stv", options=keys, seats=1, target={"parent": "p" * 43}
    )
    votes = [([[0], [1]], 1), ([[0], [2]], 1), ([[1], [0]], 1)]
    result = compute_result(motion, votes, 3, RULES, represented=3)
    assert result["elected_keys"] == [keys[0]] and result["parent"] == "p" * 43 and result["passed"]


@given(
    st.lists(st.tuples(st.sampled_from(["yes", "no", "abstain"]), st.integers(1, 5)), max_size=30)
)
def test_result_does_not_depend_on_vote_order(votes: list[tuple[str, int]]) -> None:
    electorate = sum(w for _, w in votes) + 3
    forward = compute_result(_motion(), votes, electorate, RULES, represented=electorate)
    backward = compute_result(
        _motion(), list(reversed(votes)), electorate, RULES, represented=electorate
    )
    assert forward == backward
    assert forward["yes"] + forward["no"] + forward["abstain"] == forward["cast"]
