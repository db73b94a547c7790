"""Scottish STV: worked examples checked by hand against rules 45-52, and invariants.

The hand-worked counts are written out in the comments of each test; a slow
paper-by-paper reference count written straight from the rule text checks the
vectorised counter on random elections.
"""

from __future__ import annotations

import hashlib
import random
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from veche.counting.ballots import RankedBallots
from veche.counting.stv import SCALE, count_stv, format_votes, lot_ticket


def units(text: str) -> int:
    """'2.33331' -> 233331 (votes in 1/100000 units)."""
    return int(Fraction(text) * SCALE)


def test_wikipedia_food_election() -> None:
    # Wikipedia's STV example; the Scottish rules give chocolate, orange, strawberry.
    ballots = RankedBallots.from_rankings(
        ["orange", "pear", "chocolate", "strawberry", "bonbon"],
        [([0], 4), ([1, 0], 2), ([2, 3], 8), ([2, 4], 4), ([3], 1), ([4], 1)],
    )
    result = count_stv(ballots, 3)
    assert result.quota == 6
    assert result.winners == ("chocolate", "orange", "strawberry")
    # Chocolate's surplus 6 of 12: transfer value exactly 0.5.
    assert result.stages[1].transfer_value == units("0.5")
    assert result.stages[1].votes == tuple(units(v) for v in ["4", "2", "6", "5", "3"])


def test_surplus_with_truncation_then_exclusion_then_rule_52() -> None:
    # A, B, C, D; 2 seats; 21 papers: quota = 21 // 3 + 1 = 8.
    # Stage 1: A 12, B 2, C 4, D 3. A is elected with a surplus of 4.
    # Stage 2: every A paper goes on at 4/12 = 0.333333.. -> 0.33333 (rule 48(3));
    #   B +7 x 0.33333 = 2.33331, C +5 x 0.33333 = 1.66665; A left with the quota;
    #   4 - 3.99996 = 0.00004 is lost to the truncation.
    # Stage 3: D (3) is lowest and excluded; D's papers go to B at value 1.
    # Stage 4: B 7.33331, C 5.66665; C excluded; its papers have no next preference.
    #   B is the only continuing candidate for the one vacancy: elected (rule 52).
    ballots = RankedBallots.from_rankings(
        ["A", "B", "C", "D"],
        [([0, 1], 7), ([0, 2], 5), ([1], 2), ([2], 4), ([3, 1], 3)],
    )
    result = count_stv(ballots, 2)
    assert result.quota == 8
    assert result.valid_votes == 21
    s1, s2, s3, s4 = result.stages
    assert s1.votes == tuple(units(v) for v in ["12", "2", "4", "3"])
    assert s1.elected == (0,)
    assert s2.action == "surplus" and s2.candidate == 0
    assert s2.transfer_value == units("0.33333")
    assert s2.votes == tuple(units(v) for v in ["8", "4.33331", "5.66665", "3"])
    assert s2.rounding_loss == units("0.00004")
    assert s3.action == "exclusion" and s3.candidate == 3
    assert s3.votes == tuple(units(v) for v in ["8", "7.33331", "5.66665", "0"])
    assert s4.action == "exclusion" and s4.candidate == 2
    assert s4.non_transferable == units("5.66665")
    assert s4.elected_by_rule_52 == (1,)
    assert result.winners == ("A", "B")
    assert result.tie_breaks == ()


def test_surplus_of_transferred_papers_uses_each_papers_value() -> None:
    # 3 seats, 36 papers: quota = 36 // 4 + 1 = 10.
    # Stage 1: A 20, B 3, C 2, D 6, E 5. A elected, surplus 10.
    # Stage 2: A's 20 papers at 10 x 1 / 20 = 0.5 to B: B = 13, elected, surplus 3.
    # Stage 3: B's papers keep their own values (rule 48(4)):
    #   3 papers of value 1   -> 3 x 1   / 13 = 0.230769.. -> 0.23076
    #   20 papers of value 0.5 -> 3 x 0.5 / 13 = 0.115384.. -> 0.11538
    #   C gets 3 x 0.23076 + 20 x 0.11538 = 0.69228 + 2.30760 = 2.99988 -> 4.99988.
    # Stages 4-5: C then E excluded (no further preferences); D elected by rule 52.
    ballots = RankedBallots.from_rankings(
        ["A", "B", "C", "D", "E"],
        [([0, 1, 2], 20), ([1, 2], 3), ([2], 2), ([3], 6), ([4], 5)],
    )
    result = count_stv(ballots, 3)
    assert result.quota == 10
    stage3 = result.stages[2]
    assert stage3.action == "surplus" and stage3.candidate == 1
    assert stage3.votes[2] == units("4.99988")
    assert stage3.rounding_loss == units("0.00012")
    assert [s.candidate for s in result.stages[3:]] == [2, 4]
    assert result.winners == ("A", "B", "D")


def test_tie_for_exclusion_broken_by_looking_back() -> None:
    # 1 seat, 18 papers: quota 10.
    # Stage 1: A 8, B 4, C 5, D 1. D excluded; D's paper goes to B.
    # Stage 2: A 8, B 5, C 5: B and C tie for lowest. At stage 1 B had 4, C 5,
    #   so B is excluded (rule 51(2)(a)). Had C gone instead, C's 5 papers would
    #   have given B the quota: the look-back decides the election.
    # Stage 3: B's "B C" papers go to C: C 9, A 8 -> A excluded, C elected (rule 52).
    ballots = RankedBallots.from_rankings(
        ["A", "B", "C", "D"],
        [([0], 8), ([1, 2], 4), ([2, 1], 5), ([3, 1], 1)],
    )
    result = count_stv(ballots, 1)
    assert result.quota == 10
    assert [s.candidate for s in result.stages[1:]] == [3, 1, 0]
    (tie,) = result.tie_breaks
    assert tie.purpose == "exclusion"
    assert tie.tied == (1, 2) and tie.chosen == 1
    assert tie.rule == "51(2)(a)" and tie.looked_back_to == 1
    assert result.winners == ("C",)


def test_tie_equal_at_every_stage_is_drawn_by_seeded_lot() -> None:
    # A and B have 3 first preferences each and there is no earlier stage:
    # rule 51(2)(b), a lot. The lot is the smallest SHA-256 ticket.
    ballots = RankedBallots.from_rankings(["A", "B", "C"], [([0, 2], 3), ([1, 2], 3), ([2], 5)])
    drawn = {}
    for seed in ["alpha", "beta", "gamma", "delta", "epsilon", "zeta"]:
        result = count_stv(ballots, 1, seed=seed)
        tie = result.tie_breaks[0]
        assert tie.rule == "51(2)(b)" and tie.tied == (0, 1)
        expected = min(
            (0, 1),
            key=lambda c, seed=seed: hashlib.sha256(
                f"veche-stv-lot-v1|{seed}|1|0,1|{c}".encode()
            ).digest(),
        )
        assert tie.chosen == expected
        assert result.stages[1].candidate == expected
        drawn[seed] = expected
    assert set(drawn.values()) == {0, 1}  # the seed really matters
    # The default seed is the ballots' digest, whatever order they came in.
    again = RankedBallots.from_rankings(["A", "B", "C"], [([2], 5), ([1, 2], 3), ([0, 2], 3)])
    assert count_stv(ballots, 1).seed == count_stv(again, 1).seed == ballots.digest()
    assert count_stv(ballots, 1).tie_breaks == count_stv(again, 1).tie_breaks


def test_equal_surpluses_at_first_stage_are_ordered_by_lot() -> None:
    # A and B both reach the quota (6) with 7 votes at stage 1: equal surpluses with
    # no earlier stage, so rule 49(3) decides whose surplus goes first.
    ballots = RankedBallots.from_rankings(
        ["A", "B", "C", "D"], [([0, 2], 7), ([1, 3], 7), ([2], 1), ([3], 1)]
    )
    result = count_stv(ballots, 3, seed="s")
    surplus_ties = [t for t in result.tie_breaks if t.purpose == "surplus"]
    assert surplus_ties and surplus_ties[0].rule == "49(3)"
    first = min((0, 1), key=lambda c: lot_ticket("s", 1, (0, 1), c))
    assert result.stages[1].candidate == first
    assert result.elected[0] == first


def test_withdrawn_candidates_are_skipped() -> None:
    ballots = RankedBallots.from_rankings(
        ["A", "B", "C"], [([0, 1], 3), ([1], 2), ([2], 4)], withdrawn=[0]
    )
    result = count_stv(ballots, 1)
    assert result.stages[0].votes[0] == 0
    assert result.stages[0].votes[1] == 5 * SCALE
    assert result.winners == ("B",)


def test_empty_ballots_are_not_valid_votes() -> None:
    ballots = RankedBallots.from_rankings(["A", "B"], [([], 5), ([0], 3), ([1], 2)])
    result = count_stv(ballots, 1)
    assert result.valid_votes == 5 and result.invalid_papers == 5
    assert result.quota == 3
    assert result.winners == ("A",)


def test_format_votes() -> None:
    assert format_votes(233331) == "2.33331"
    assert format_votes(5) == "0.00005"
    assert format_votes(-100000) == "-1.00000"


# -- a slow reference count, paper by paper, straight from the rule text ------------


def reference_count(
    n: int, papers: list[tuple[int, ...]], seats: int, seed: str
) -> tuple[list[int], int]:
    """Rules 45-52 on individual papers with Fraction arithmetic, truncating like 48(3)."""
    cont = set(range(n))
    valid = [p for p in papers if p]
    quota = len(valid) // (seats + 1) + 1
    # each paper: [ranking, position, value (Fraction), holder]
    state = [[p, 0, Fraction(1), p[0]] for p in valid]
    votes = {c: Fraction(0) for c in range(n)}
    for s in state:
        votes[s[3]] += 1
    history = [dict(votes)]
    elected: list[int] = []
    pending: list[int] = []

    def tie(group: list[int], highest: bool) -> int:
        group = sorted(group)
        for past in reversed(history[:-1]):
            vals = [past[c] for c in group]
            if len(set(vals)) > 1:
                best = max(vals) if highest else min(vals)
                group = [c for c in group if past[c] == best]
                if len(group) == 1:
                    return group[0]
        return min(group, key=lambda c: lot_ticket(seed, len(history), group, c))

    def end_of_stage() -> None:
        reached = [c for c in cont if votes[c] >= quota]
        while reached:
            top = max(votes[c] for c in reached)
            level = [c for c in reached if votes[c] == top]
            c = level[0] if len(level) == 1 else tie(level, True)
            reached.remove(c)
            if len(elected) < seats:
                cont.discard(c)
                elected.append(c)
                if votes[c] > quota:
                    pending.append(c)
        if seats - len(elected) > 0 and len(cont) <= seats - len(elected):
            rest = sorted(cont)
            while rest:
                top = max(votes[c] for c in rest)
                level = [c for c in rest if votes[c] == top]
                c = level[0] if len(level) == 1 else tie(level, True)
                rest.remove(c)
                cont.discard(c)
                elected.append(c)

    def move(paper: list, value: Fraction) -> None:
        ranking, pos = paper[0], paper[1]
        pos += 1
        while pos < len(ranking) and ranking[pos] not in cont:
            pos += 1
        paper[1], paper[2] = pos, value
        if pos < len(ranking):
            paper[3] = ranking[pos]
            votes[ranking[pos]] += value
        else:
            paper[3] = None

    end_of_stage()
    while len(elected) < seats and (cont or pending):
        if pending:
            top = max(votes[c] for c in pending)
            level = [c for c in pending if votes[c] == top]
            src = level[0] if len(level) == 1 else tie(level, True)
            pending.remove(src)
            total, surplus = votes[src], votes[src] - quota
            for paper in [p for p in state if p[3] == src]:
                tv = Fraction(int(surplus * paper[2] * SCALE / total), SCALE)
                move(paper, tv)
            votes[src] = Fraction(quota)
        else:
            low = min(votes[c] for c in cont)
            level = [c for c in cont if votes[c] == low]
            loser = level[0] if len(level) == 1 else tie(level, False)
            cont.discard(loser)
            for paper in [p for p in state if p[3] == loser]:
                move(paper, paper[2])
            votes[loser] = Fraction(0)
        history.append(dict(votes))
        end_of_stage()
    return elected, quota


@st.composite
def elections(draw: st.DrawFn) -> tuple[int, list[tuple[int, ...]], int]:
    n = draw(st.integers(2, 6))
    seats = draw(st.integers(1, n - 1))
    ranking = st.permutations(list(range(n))).flatmap(
        lambda perm: st.integers(0, len(perm)).map(lambda k: tuple(perm[:k]))
    )
    papers = draw(st.lists(ranking, min_size=1, max_size=60))
    return n, papers, seats


@settings(max_examples=150, deadline=None)
@given(elections())
def test_matches_paper_by_paper_reference(election: tuple[int, list[tuple[int, ...]], int]) -> None:
    n, papers, seats = election
    ballots = RankedBallots.from_rankings([f"c{i}" for i in range(n)], [(p, 1) for p in papers])
    result = count_stv(ballots, seats, seed="ref")
    expected, quota = reference_count(n, papers, seats, "ref")
    assert result.quota == quota
    assert list(result.elected) == expected


@settings(max_examples=100, deadline=None)
@given(elections(), st.randoms(use_true_random=False))
def test_invariants(election: tuple[int, list[tuple[int, ...]], int], rnd: random.Random) -> None:
    n, papers, seats = election
    names = [f"c{i}" for i in range(n)]
    ballots = RankedBallots.from_rankings(names, [(p, 1) for p in papers])
    result = count_stv(ballots, seats)
    # Every stage accounts for every valid vote.
    for stage in result.stages:
        assert sum(stage.votes) + stage.non_transferable + stage.rounding_loss == (
            result.valid_votes * SCALE
        )
        assert stage.rounding_loss >= 0 and stage.non_transferable >= 0
    assert len(result.elected) == len(set(result.elected)) == seats
    excluded = {s.candidate for s in result.stages if s.action == "exclusion"}
    assert not excluded & set(result.elected)
    # Order of the ballots (and grouping into weights) changes nothing.
    shuffled = list(papers)
    rnd.shuffle(shuffled)
    again = RankedBallots.from_rankings(names, [(p, 1) for p in shuffled])
    assert count_stv(again, seats).elected == result.elected


def test_large_count_is_exact_and_fast() -> None:
    rng = random.Random(7)
    names = [f"c{i}" for i in range(12)]
    merged: list[tuple[tuple[int, ...], int]] = []
    for _ in range(3000):
        perm = list(range(12))
        rng.shuffle(perm)
        merged.append((tuple(perm[: rng.randint(1, 12)]), rng.randint(1, 400)))
    ballots = RankedBallots.from_rankings(names, merged)
    result = count_stv(ballots, 4)
    assert len(result.winners) == 4
    for stage in result.stages:
        assert sum(stage.votes) + stage.non_transferable + stage.rounding_loss == (
            result.valid_votes * SCALE
        )
