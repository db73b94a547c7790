"""veche.decisions: the arithmetic of motions over plain values (no database)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest

from veche.decisions import (
    ballot_choice,
    check_options,
    compute_result,
    not_recalled,
    seat_weight,
    weighted_electorate,
    withdraws,
)
from veche.events import RuleViolation


@dataclass(frozen=True)
class Terms:
    """A motion's terms as a plain value: what the pure core reads of a Motion row."""

    event: str = "m" * 43
    kind: str = "general"
    method: str = "yes_no"
    options: list[str] = field(default_factory=list)
    seats: int = 1
    target: dict[str, Any] = field(default_factory=dict)


def test_compute_result_takes_plain_terms() -> None:
    result = compute_result(Terms(), [("yes", 2), ("no", 1)], 4, {}, represented=4)
    assert (result["yes"], result["no"], result["quorum"], result["passed"]) == (2, 1, 2, True)


def test_a_recall_result_names_one_delegate() -> None:
    terms = Terms(kind="recall", target={"mandate": "M", "key": "K"})
    result = compute_result(terms, [("yes", 1)], 1, {}, represented=1)
    assert (result["mandate"], result["key"]) == ("M", "K")


def test_recalled_delegates_votes_are_left_out() -> None:
    votes = [("yes", 1, "", "alice"), ("no", 3, "M", "bob"), ("no", 2, "M", "carol")]
    assert not_recalled(votes, {("M", "bob")}) == [("yes", 1), ("no", 2)]


def test_electorate_counts_unrecalled_seats_of_non_members() -> None:
    seats = [("bob", "M", 3), ("carol", "M", 2), ("alice", "N", 5)]
    assert weighted_electorate({"alice"}, seats, {("M", "bob")}) == 1 + 2


def test_seat_weight() -> None:
    assert seat_weight("per_delegate", 100, 3) == 1
    assert seat_weight(None, 100, 3) == 1
    assert seat_weight("by_members", 100, 3) == 33
    assert seat_weight("by_members", 1, 3) == 1


def test_a_recall_withdraws_only_the_delegate_it_names() -> None:
    cited = {"event": "E", "space": "S", "mandate": "M", "key": "K"}
    recall = {"kind": "recall", "mandate": "M", "key": "K"}
    assert withdraws(recall, "S", cited)
    assert not withdraws(recall, "T", cited)
    assert not withdraws({**recall, "key": "L"}, "S", cited)
    assert not withdraws({**recall, "kind": "general"}, "S", cited)


def test_ballots() -> None:
    assert ballot_choice("yes_no", 0, {"choice": "yes"}) == "yes"
    assert ballot_choice("approval", 3, {"approve": [2, 0]}) == [0, 2]
    with pytest.raises(RuleViolation, match="one candidate per place"):
        ballot_choice("stv", 3, {"ranking": [[0, 1]]})
    with pytest.raises(RuleViolation, match="'choice' vote"):
        ballot_choice("yes_no", 0, {"approve": [0]})
    check_options(["a", "b"], "ranked")
    with pytest.raises(RuleViolation, match="no options"):
        check_options(["a", "b"], "yes_no")
