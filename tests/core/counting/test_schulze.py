"""Schulze: Wikipedia's 45-voter example, equal rankings, ties, and Condorcet consistency."""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from veche.counting.schulze import SchulzeError, schulze

WIKIPEDIA_45 = [
    ("ACBED", 5),
    ("ADECB", 5),
    ("BEDAC", 8),
    ("CABED", 3),
    ("CAEBD", 7),
    ("CBADE", 2),
    ("DCEBA", 7),
    ("EBADC", 8),
]


def strict(order: str) -> list[set[str]]:
    return [{c} for c in order]


def test_wikipedia_45_voter_example() -> None:
    result = schulze(list("ABCDE"), [(strict(s), w) for s, w in WIKIPEDIA_45])
    assert result.voters == 45
    assert result.winners == ("E",)
    assert result.ranking == (("E",), ("A",), ("C",), ("B",), ("D",))
    # The pairwise and strongest-path tables as the article prints them.
    assert result.pairwise == (
        (0, 20, 26, 30, 22),
        (25, 0, 16, 33, 18),
        (19, 29, 0, 17, 24),
        (15, 12, 28, 0, 14),
        (23, 27, 21, 31, 0),
    )
    assert result.strongest_paths == (
        (0, 28, 28, 30, 24),
        (25, 0, 28, 33, 24),
        (25, 29, 0, 29, 24),
        (25, 28, 28, 0, 24),
        (25, 28, 28, 31, 0),
    )


def test_equal_rankings_and_unranked_options() -> None:
    # A first, B and C equal second, D unranked (equal last with nothing else).
    result = schulze(["A", "B", "C", "D"], [([{"A"}, {"B", "C"}], 3)])
    d = result.pairwise
    assert d[0] == (0, 3, 3, 3)
    assert d[1][2] == 0 and d[2][1] == 0  # B = C: neither preferred
    assert d[1][3] == 3 and d[3][1] == 0  # ranked beats unranked
    assert result.ranking == (("A",), ("B", "C"), ("D",))


def test_exact_tie_is_reported_not_broken() -> None:
    result = schulze(["A", "B"], [(strict("AB"), 2), (strict("BA"), 2)])
    assert result.winners == ("A", "B")
    assert result.ranking == (("A", "B"),)


def test_cycle_is_resolved_by_path_strength() -> None:
    # A>B 7:2, B>C 6:3, C>A 5:4 -- a cycle. Paths: A->C via B is min(7, 6) = 6 > 5 = C->A,
    # and B->A via C is min(6, 5) = 5 < 7: A wins on the widest paths.
    ballots = [(strict("ABC"), 4), (strict("BCA"), 2), (strict("CAB"), 3)]
    result = schulze(["A", "B", "C"], ballots)
    d = result.pairwise
    assert (d[0][1], d[1][2], d[2][0]) == (7, 6, 5)  # a cycle: A>B>C>A
    assert result.winners == ("A",)


@pytest.mark.parametrize(
    ("ballots", "fragment"),
    [
        ([([{"X"}], 1)], "not an option"),
        ([([{"A"}, {"A"}], 1)], "more than once"),
        ([([{"A"}], 0)], "weight"),
    ],
)
def test_bad_ballots(ballots: list, fragment: str) -> None:
    with pytest.raises(SchulzeError, match=fragment):
        schulze(["A", "B"], ballots)


def test_duplicate_options_rejected() -> None:
    with pytest.raises(SchulzeError, match="unique"):
        schulze(["A", "A"], [])


@st.composite
def profiles(draw: st.DrawFn) -> tuple[list[str], list[tuple[list[set[str]], int]]]:
    n = draw(st.integers(1, 6))
    options = [f"o{i}" for i in range(n)]
    ballots = []
    for _ in range(draw(st.integers(0, 12))):
        perm = draw(st.permutations(options))
        cut = draw(st.integers(0, n))
        groups: list[set[str]] = []
        for option in perm[:cut]:
            if groups and draw(st.booleans()):
                groups[-1].add(option)
            else:
                groups.append({option})
        ballots.append((groups, draw(st.integers(1, 5))))
    return options, ballots


@settings(max_examples=200, deadline=None)
@given(profiles(), st.randoms(use_true_random=False))
def test_properties(
    profile: tuple[list[str], list[tuple[list[set[str]], int]]], rnd: random.Random
) -> None:
    options, ballots = profile
    result = schulze(options, ballots)
    # The tiers partition the options.
    flat = [o for tier in result.ranking for o in tier]
    assert sorted(flat) == sorted(options)
    d = result.pairwise
    n = len(options)
    # A Condorcet winner is the sole Schulze winner.
    for i in range(n):
        if all(d[i][j] > d[j][i] for j in range(n) if j != i):
            assert result.winners == (options[i],)
    # Every option in a higher tier beats every option in a lower tier on paths.
    p = result.strongest_paths
    position = {o: k for k, tier in enumerate(result.ranking) for o in tier}
    for i, a in enumerate(options):
        for j, b in enumerate(options):
            if position[a] < position[b]:
                assert p[i][j] >= p[j][i]
    shuffled = list(ballots)
    rnd.shuffle(shuffled)
    assert schulze(options, shuffled) == result
