"""Participatory budgets: greedy by votes and Equal Shares, checked against pabutools.

The shipped .pb files (tests/core/counting/data/, written for these tests; the
Polish district one is synthetic data in the shape of a real Pabulib file) and
hundreds of seeded random instances are counted by ``veche.counting.budget``
and by pabutools, the reference implementation, and must fund the same
projects. pabutools funds a project nobody voted for if money is left; Veche
does not (docs/counting.md), so such projects are left out of its winners.
"""

from __future__ import annotations

import random
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from veche.counting.budget import (
    FUNDED_COMPLETION,
    FUNDED_GREEDY,
    FUNDED_SHARES,
    NO_ROOM,
    NO_VOTES,
    UNAFFORDABLE,
    BudgetElection,
    BudgetError,
    count_budget,
    explain,
    greedy,
    make_election,
    method_of_equal_shares,
)
from veche.counting.pabulib import PabulibError, parse_pabulib, read_pabulib, write_pabulib

pabutools = pytest.importorskip("pabutools")

from pabutools.election import Additive_Cardinal_Sat, Cost_Sat  # noqa: E402
from pabutools.election.pabulib import parse_pabulib_from_string  # noqa: E402
from pabutools.election.satisfaction import AdditiveSatisfaction  # noqa: E402
from pabutools.rules import (  # noqa: E402
    completion_by_rule_combination,
    greedy_utilitarian_welfare,
)
from pabutools.rules import method_of_equal_shares as pabutools_mes  # noqa: E402

DATA = Path(__file__).parent / "data"
FILES = sorted(DATA.glob("*.pb"))


class _PointsTimesCost(AdditiveSatisfaction):  # type: ignore[misc]
    """Points x cost: pabutools' greedy then orders projects by points, as Veche's does."""

    def __init__(self, instance: Any, profile: Any, ballot: Any) -> None:
        super().__init__(
            instance,
            profile,
            ballot,
            lambda _i, _p, b, project, _pre: b.get(project, 0) * project.cost,
        )


def reference(text: str, *, completion: bool = True) -> tuple[set[str], list[str]]:
    """pabutools' greedy winners and Equal Shares winners in order of funding.

    Equal Shares is with add1 and greedy completion (or, with ``completion=False``,
    one plain run); cost utilities (``Cost_Sat``) for approval ballots, points
    (``Additive_Cardinal_Sat``, in both stages) for cumulative ones.
    """
    instance, profile = parse_pabulib_from_string(text)
    approval = instance.meta["vote_type"] in ("approval", "choose-1")
    if approval:
        votes = {p.name: profile.approval_score(p) for p in instance}
    else:
        votes = {p.name: sum(b.get(p, 0) for b in profile) for p in instance}
    sat = Cost_Sat if approval else _PointsTimesCost
    by_greedy = greedy_utilitarian_welfare(instance, profile, sat_class=sat)
    greedy_won = {p.name for p in by_greedy if votes[p.name]}
    mes_sat = Cost_Sat if approval else Additive_Cardinal_Sat
    if completion:
        by_mes = completion_by_rule_combination(
            instance,
            profile,
            [pabutools_mes, greedy_utilitarian_welfare],
            [{"sat_class": mes_sat, "voter_budget_increment": 1}, {"sat_class": mes_sat}],
        )
    else:
        by_mes = pabutools_mes(instance, profile, sat_class=mes_sat)
    return greedy_won, [p.name for p in by_mes if votes[p.name]]


def check_against_pabutools(election: BudgetElection, *, ordered: bool = False) -> None:
    text = write_pabulib(election)
    greedy_won, mes_won = reference(text)
    assert set(greedy(election).winners) == greedy_won, text
    result = method_of_equal_shares(election)
    if ordered:
        assert list(result.winners) == mes_won, text
    assert set(result.winners) == set(mes_won), text
    # The explanation adds up: shares paid make each cost, and what voters
    # have left is what they started with minus what they paid.
    paid = Fraction(0)
    for o in result.outcomes:
        if o.reason == FUNDED_SHARES:
            assert sum(a * k for a, k in o.payments) == o.cost
            paid += o.cost
            if o.per_point is not None:
                # Points: each supporter paid per_point x points, or all they had (less).
                assert sum(a * k for _, a, k in o.point_payments) == o.cost
                assert all(a <= o.per_point * p for p, a, _ in o.point_payments)
                assert sum(k for _, _, k in o.point_payments) == o.supporters
                assert o.max_share == max(a for _, a, _ in o.point_payments)
    if result.voter_budget is not None:
        assert sum(result.remaining) == result.voter_budget * result.voters - paid
        assert all(r >= 0 for r in result.remaining)


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_shipped_instances_agree_with_pabutools(path: Path) -> None:
    parsed = read_pabulib(path)
    greedy_won, mes_won = reference(path.read_text(encoding="utf-8"))
    assert set(count_budget(parsed.election, "greedy").winners) == greedy_won
    assert list(count_budget(parsed.election, "mes").winners) == mes_won


def _random_election(rng: random.Random, vote_type: str = "approval") -> BudgetElection:
    m = rng.randint(1, 9)
    n = rng.randint(0, 24)
    budget = rng.randint(4, 80)
    # Few distinct costs and dense ballots make ties (broken by id) common.
    costs = [rng.randint(1, budget) for _ in range(rng.randint(1, 4))]
    projects = [(str(rng.randint(1, 30) * 100 + i), rng.choice(costs)) for i in range(m)]
    density = rng.choice([0.2, 0.4, 0.7])
    ids = [p for p, _ in projects]
    if vote_type == "approval":
        ballots: list[Any] = [{p for p in ids if rng.random() < density} for _ in range(n)]
        # Identical ballots, as real elections have many.
        ballots += [ballots[0]] * rng.randint(0, 5) if ballots else []
    else:
        # Never empty: pabutools cannot read an empty cumulative ballot.
        ballots = [
            {p: rng.randint(1, 5) for p in ids if rng.random() < density} or {ids[0]: 1}
            for _ in range(n)
        ]
    return make_election(budget, projects, ballots, vote_type)  # type: ignore[arg-type]


def test_random_approval_instances_agree_with_pabutools() -> None:
    rng = random.Random(20)
    for _ in range(400):
        check_against_pabutools(_random_election(rng))


def test_random_cumulative_instances_agree_with_pabutools_greedy() -> None:
    rng = random.Random(21)
    for _ in range(100):
        check_against_pabutools(_random_election(rng, "cumulative"))


def _random_points_election(rng: random.Random) -> BudgetElection:
    """1-60 voters, 1-12 projects, 1-10 points: ties and near-exhaustion are common.

    Few distinct costs, budgets that are a small multiple of a cost and
    points drawn from few values make equal prices per point (broken by id)
    and add1 runs that spend exactly the budget likely.
    """
    m = rng.randint(1, 12)
    n = rng.randint(1, 60)
    unit = rng.randint(1, 40)
    costs = [unit * rng.randint(1, 4) for _ in range(rng.randint(1, 3))]
    budget = max(costs) * rng.randint(1, 4) + rng.choice([0, 0, 1, unit // 2])
    projects = [(str(rng.randint(1, 30) * 100 + i), rng.choice(costs)) for i in range(m)]
    ids = [p for p, _ in projects]
    density = rng.choice([0.2, 0.4, 0.7])
    top = rng.choice([1, 2, 3, 10])
    ballots: list[Any] = [
        {p: rng.randint(1, top) for p in ids if rng.random() < density}
        or {rng.choice(ids): rng.randint(1, top)}
        for _ in range(n)
    ]
    ballots += [ballots[0]] * rng.randint(0, 5)
    return make_election(budget, projects, ballots, "cumulative")


def test_random_points_instances_agree_with_pabutools_equal_shares() -> None:
    # Same winners, in the same order, as pabutools' Equal Shares with
    # Additive_Cardinal_Sat, add1 and greedy completion, and as one plain run.
    rng = random.Random(24)
    for _ in range(150):
        election = _random_points_election(rng)
        check_against_pabutools(election, ordered=True)
        _, plain = reference(write_pabulib(election), completion=False)
        assert list(method_of_equal_shares(election, completion=False).winners) == plain


def test_equal_shares_splits_by_group_size_and_explains() -> None:
    election = read_pabulib(DATA / "equal_shares_example.pb").election
    assert greedy(election).winners == ("a1", "a2", "a3")
    result = method_of_equal_shares(election)
    assert result.winners == ("a1", "a2", "b1")
    assert result.voter_budget == 67 and result.increments == 7
    a1 = result.outcome("a1")
    assert a1.reason == FUNDED_SHARES
    assert a1.max_share == Fraction(200, 6)
    assert a1.payments == ((Fraction(100, 3), 6),)
    assert explain(a1) == "funded by equal shares: its 6 supporter(s) paid 200 (6 paid 33.33)"
    a3 = result.outcome("a3")
    assert a3.reason == UNAFFORDABLE and a3.left == 2  # 6 x (67 - 2 x 100/3)
    assert "not affordable by its supporters" in explain(a3)
    assert result.remaining[:1] == (Fraction(1, 3),) and result.remaining[-1] == 17
    assert result.spent == 600 and result.completion == ()
    plain = method_of_equal_shares(election, completion=False)
    assert plain.winners == ("a1", "b1") and plain.left == 200


def test_greedy_skips_what_does_not_fit_and_never_funds_projects_without_votes() -> None:
    election = make_election(
        10,
        [("big", 8), ("mid", 5), ("small", 2), ("nobody", 1)],
        [{"mid"}, {"mid", "big"}, {"small"}],
    )
    result = greedy(election)
    assert result.winners == ("mid", "small")
    assert result.outcome("big").reason == NO_ROOM
    assert explain(result.outcome("big")) == (
        "not funded: 1 vote(s), its cost 8 did not fit in the remaining 5"
    )
    assert result.outcome("mid").reason == FUNDED_GREEDY
    assert result.outcome("nobody").reason == NO_VOTES
    assert result.left == 3


def test_completion_funds_what_equal_shares_left() -> None:
    # One voter alone cannot pay for "b" at any add1 step, but greedy completion can.
    election = make_election(10, [("a", 6), ("b", 4)], [{"a"}, {"a"}, {"b"}, {"a", "b"}])
    result = method_of_equal_shares(election)
    assert set(result.winners) == {"a", "b"}
    check_against_pabutools(election)
    assert any(o.reason in (FUNDED_SHARES, FUNDED_COMPLETION) for o in result.outcomes)


def test_ties_are_broken_by_project_id_as_text() -> None:
    election = make_election(5, [("2", 5), ("10", 5)], [{"2"}, {"10"}])
    assert greedy(election).winners == ("10",)
    assert method_of_equal_shares(election).winners == ("10",)


def test_no_voters() -> None:
    election = make_election(5, [("a", 5)], [])
    assert method_of_equal_shares(election).winners == ()
    assert greedy(election).winners == ()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((0, [("a", 1)], []), "the budget must be more than 0"),
        ((5, [("a", 6)], []), "project a costs 6, more than the whole budget 5"),
        ((5, [("a", 0)], []), "project a must cost more than 0"),
        ((5, [("a", "x")], []), "the cost of project a must be a number"),
        ((5, [("a", 1), ("a", 2)], []), "project a is listed twice"),
        ((5, [("a", 1)], [{"b"}]), "ballot 1: vote for unknown project 'b'"),
    ],
)
def test_make_election_refuses_bad_input(args: tuple[Any, ...], message: str) -> None:
    with pytest.raises(BudgetError, match=message):
        make_election(*args)


def test_equal_shares_with_points_pays_per_point_and_explains() -> None:
    election = read_pabulib(DATA / "cumulative_points.pb").election
    assert greedy(election).winners == ("1", "3")
    result = method_of_equal_shares(election)
    # 37 add1 steps: from 200 to 237 per voter; at 238 the run would spend 1100.
    assert result.voter_budget == 237 and result.increments == 37
    assert result.winners == ("1", "3") and result.completion == ("3",)
    kitchen = result.outcome("1")
    assert kitchen.reason == FUNDED_SHARES and kitchen.supporters == 4
    # Voter 4 gave 10 points but has only 237: pays it all; the others pay
    # rho x points with (600 - 237) / (6 + 5 + 1) = 121/4 per point.
    assert kitchen.per_point == Fraction(121, 4)
    assert kitchen.point_payments == (
        (10, 237, 1),
        (6, Fraction(363, 2), 1),
        (5, Fraction(605, 4), 1),
        (1, Fraction(121, 4), 1),
    )
    assert kitchen.max_share == 237
    assert explain(kitchen).startswith(
        "funded by equal shares: its 4 supporter(s) gave 22 point(s) and paid 600 at 30.25 "
        "per point (1 with 10 point(s) paid 237 (all they had), 1 with 6 point(s) paid 181.50"
    )
    court = result.outcome("2")
    assert court.reason == UNAFFORDABLE and court.left == Fraction(1997, 4)
    assert explain(court) == (
        "not affordable by its supporters: its 3 supporter(s) (15 point(s)) had 499.25 left, "
        "it costs 500"
    )
    leaflets = result.outcome("3")
    assert leaflets.reason == FUNDED_COMPLETION and leaflets.points_per_cost == Fraction(9, 400)
    assert "0.0225 per unit of cost" in explain(leaflets)
    check_against_pabutools(election, ordered=True)
    with pytest.raises(BudgetError, match="unknown rule"):
        count_budget(election, "phragmen")  # type: ignore[arg-type]


def test_points_completion_goes_by_points_per_cost_as_pabutools() -> None:
    # Equal shares funds "b"; then "a" has more points (5) but "c" more points
    # per unit of cost (4/3 > 5/6): pabutools' greedy with Additive_Cardinal_Sat
    # funds "c", and then "a" no longer fits.
    election = make_election(
        10, [("a", 6), ("b", 3), ("c", 3)], [{"b": 5, "c": 4}, {"a": 5}], "cumulative"
    )
    result = method_of_equal_shares(election)
    check_against_pabutools(election, ordered=True)
    assert result.winners == ("b", "c") and result.completion == ("c",)
    assert result.outcome("a").reason == UNAFFORDABLE


def test_points_ties_are_broken_by_project_id_as_text() -> None:
    election = make_election(5, [("2", 5), ("10", 5)], [{"2": 3}, {"10": 3}], "cumulative")
    assert method_of_equal_shares(election).winners == ("10",)
    check_against_pabutools(election, ordered=True)
    # Equal prices per point in one run: "10" is funded first.
    both = make_election(10, [("2", 5), ("10", 5)], [{"2": 1, "10": 1}] * 2, "cumulative")
    assert method_of_equal_shares(both, completion=False).winners == ("10", "2")
    check_against_pabutools(both, ordered=True)


def test_fractional_points_are_counted_exactly() -> None:
    election = make_election(
        7,
        [("a", 3), ("b", 4), ("c", 2)],
        [{"a": Fraction(1, 2), "b": Fraction(5, 3)}, {"a": 2, "c": Fraction(1, 7)}, {"b": 1}],
        "cumulative",
    )
    scaled = make_election(
        7,
        [("a", 3), ("b", 4), ("c", 2)],
        [{"a": 21, "b": 70}, {"a": 84, "c": 6}, {"b": 42}],
        "cumulative",
    )
    ours = method_of_equal_shares(election)
    assert ours.winners == method_of_equal_shares(scaled).winners
    check_against_pabutools(election, ordered=True)


def test_write_then_read_gives_the_same_election() -> None:
    for path in FILES:
        election = read_pabulib(path).election
        again = parse_pabulib(write_pabulib(election)).election
        assert again.budget == election.budget
        assert again.projects == election.projects
        assert again.ballots == election.ballots


GOOD = """META
key;value
num_projects;2
num_votes;2
budget;100
vote_type;approval
PROJECTS
project_id;cost;name
1;60;Park
2;50;Library
VOTES
voter_id;vote
1;1,2
2;2
"""


def _bad(old: str, new: str) -> str:
    assert old in GOOD
    return GOOD.replace(old, new, 1)


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("key;value\n", 1, "starts with the line META"),
        (_bad("PROJECTS\n", "PROJEKTS\n"), 7, "unknown section 'PROJEKTS'"),
        (_bad("VOTES\n", "META\n"), 11, "section META appears twice"),
        (_bad("VOTES\nvoter_id;vote\n1;1,2\n2;2\n", ""), 10, "the file has no VOTES section"),
        (_bad("project_id;cost;name", "id;cost;name"), 8, "must have the column(s) project_id"),
        (_bad("voter_id;vote\n", "voter_id;choice\n"), 12, "must have the column(s) vote"),
        (_bad("1;60;Park", "1;160;Park"), 9, "project 1 costs 160, more than the budget 100"),
        (_bad("1;60;Park", "1;sixty;Park"), 9, "the cost of project 1 must be a number"),
        (_bad("2;50;Library", "1;50;Library"), 10, "project id '1' is already used on line 9"),
        (_bad("2;2\n", "2;3\n"), 14, "vote for unknown project '3'"),
        (_bad("2;2\n", "2;2,2\n"), 14, "a project appears twice"),
        (_bad("2;2\n", "1;2\n"), 14, "voter id '1' is already used on line 13"),
        (
            _bad("vote_type;approval", "vote_type;ordinal"),
            6,
            "vote type 'ordinal' cannot be counted",
        ),
        (_bad("num_votes;2", "num_votes;3"), 4, "META says num_votes is 3, the file has 2"),
        (_bad("budget;100\n", ""), 7, "the META section has no 'budget'"),
        (_bad("budget;100", "budget;-5"), 5, "the budget must be a number"),
        (_bad("2;50;Library", "2;50"), 10, "this PROJECTS row has 2 column(s), the header has 3"),
        (_bad("1;60;Park", '1;60;"Park'), 9, "not valid"),
    ],
)
def test_bad_files_are_refused_with_line_numbers(text: str, line: int, message: str) -> None:
    with pytest.raises(PabulibError) as caught:
        parse_pabulib(text)
    assert caught.value.line == line, str(caught.value)
    assert message in str(caught.value)


def test_cumulative_points_must_match_the_vote() -> None:
    text = (DATA / "cumulative_points.pb").read_text(encoding="utf-8")
    with pytest.raises(PabulibError, match=r"line 18: 2 project\(s\) voted for but 1 points"):
        parse_pabulib(text.replace("1;1,2;6,4", "1;1,2;6"))
    with pytest.raises(PabulibError, match="line 18: points must be a number"):
        parse_pabulib(text.replace("1;1,2;6,4", "1;1,2;6,x"))


def test_choose_one_allows_one_project() -> None:
    text = (DATA / "choose_one.pb").read_text(encoding="utf-8")
    with pytest.raises(PabulibError, match="line 15: a choose-1 vote names more than one"):
        parse_pabulib(text.replace("1;x\n", "1;x,y\n"))


def test_larger_random_instances_agree_with_pabutools_equal_shares() -> None:
    # Hundreds of voters with budgets that are not round numbers: the float
    # estimates and the exact decisions both matter here.
    rng = random.Random(22)
    for _ in range(12):
        m = rng.randint(5, 15)
        n = rng.randint(100, 400)
        budget = rng.randint(10_000, 1_000_000)
        projects = [(str(i + 1), rng.randint(budget // 50, budget // 3)) for i in range(m)]
        popularity = [rng.random() ** 2 for _ in range(m)]
        ballots = [{str(i + 1) for i in range(m) if rng.random() < popularity[i]} for _ in range(n)]
        election = make_election(budget, projects, ballots)
        instance, profile = parse_pabulib_from_string(write_pabulib(election))
        theirs = pabutools_mes(instance, profile, sat_class=Cost_Sat)
        ours = method_of_equal_shares(election, completion=False)
        assert set(ours.winners) == {p.name for p in theirs}
        assert ours.spent == sum(o.cost for o in ours.outcomes if o.won)
        # Every funded project is paid exactly: the payments add up to its cost.
        for o in ours.outcomes:
            if o.won:
                assert sum(a * k for a, k in o.payments) == o.cost


def test_prices_exactly_at_the_voters_budgets_are_decided_exactly() -> None:
    # 1,000 voters with 1 each; "a" costs exactly what its 600 supporters hold,
    # "b" one unit more than its 400 supporters hold: every comparison is an
    # equality a float could get either way.
    rng = random.Random(23)
    extra = ["c", "d", "e", "f"]
    ballots = [
        {"a" if i < 600 else "b", *(x for x in extra if rng.random() < 0.5)} for i in range(1000)
    ]
    election = make_election(1000, [("a", 600), ("b", 401), *((x, 300) for x in extra)], ballots)
    check_against_pabutools(election)
    plain = method_of_equal_shares(election, completion=False)
    assert plain.outcome("a").max_share == 1
    assert plain.outcome("b").reason == UNAFFORDABLE and plain.outcome("b").left == 400


def test_larger_points_instances_agree_with_pabutools_equal_shares() -> None:
    # Hundreds of voters, budgets that are not round numbers and, in some
    # instances, points in quarters: float estimates and exact decisions both matter.
    rng = random.Random(25)
    for number in range(10):
        m = rng.randint(5, 15)
        n = rng.randint(100, 300)
        budget = rng.randint(10_000, 1_000_000)
        projects = [(str(i + 1), rng.randint(budget // 50, budget // 3)) for i in range(m)]
        popularity = [rng.random() ** 2 for _ in range(m)]
        quarters = number % 3 == 0
        ballots = [
            {
                str(i + 1): Fraction(rng.randint(1, 40), 4) if quarters else rng.randint(1, 10)
                for i in range(m)
                if rng.random() < popularity[i]
            }
            or {"1": 1}
            for _ in range(n)
        ]
        election = make_election(budget, projects, ballots, "cumulative")
        _, theirs = reference(write_pabulib(election), completion=False)
        ours = method_of_equal_shares(election, completion=False)
        assert list(ours.winners) == theirs
        for o in ours.outcomes:
            if o.won:
                assert sum(a * k for _, a, k in o.point_payments) == o.cost


def test_points_prices_exactly_at_the_voters_budgets_are_decided_exactly() -> None:
    # 1,000 voters with 3 each. "a": its 600 supporters give 7 points and it
    # costs exactly what they hold, so its price is 3/7 per point, exactly
    # every supporter's budget / points (not a float); "b" costs 1 more than
    # its 400 supporters hold. The extras only cost more per point.
    rng = random.Random(26)
    extra = ["c", "d", "e", "f"]
    ballots = [
        {
            "a" if i < 600 else "b": 7 if i < 600 else 3,
            **{x: 1 for x in extra if rng.random() < 0.5},
        }
        for i in range(1000)
    ]
    election = make_election(
        3000, [("a", 1800), ("b", 1201), *((x, 2000) for x in extra)], ballots, "cumulative"
    )
    check_against_pabutools(election, ordered=True)
    plain = method_of_equal_shares(election, completion=False)
    assert plain.outcome("a").per_point == Fraction(3, 7)
    assert plain.outcome("a").point_payments == ((7, 3, 600),)
    assert plain.outcome("b").reason == UNAFFORDABLE and plain.outcome("b").left == 1200


def test_exact_point_price_does_not_trust_a_wrong_estimate() -> None:
    # The exact price is checked against the float partition it assumed; fed
    # an estimate that is off, it recomputes over all supporters and still
    # gives the exact price (white box: the estimate is never this wrong).
    from veche.counting.budget import _PointShares

    rng = random.Random(27)
    for _ in range(30):
        election = _random_points_election(rng)
        shares = _PointShares(election)
        start = election.budget / len(election.ballots)
        alive = np.ones(shares.n_groups, dtype=np.bool_)
        budget = np.full(shares.n_groups, float(start))
        tol = 1e-9 * float(start)
        for p in range(len(election.projects)):
            estimate = shares._estimate(p, alive, budget, tol)
            if estimate is None:
                continue
            right = shares._exact_price(p, estimate, start, alive, budget, [], [], tol)
            for factor in (0.5, 0.99, 1.01, 2.0):
                wrong = (estimate[0] * factor, 0.0)
                assert shares._exact_price(p, wrong, start, alive, budget, [], [], tol) == right
