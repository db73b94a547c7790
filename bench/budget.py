"""Participatory budget speed: Veche's Method of Equal Shares beside pabutools' on one instance.

Generates (seeded) a city-wide budget of 100 projects and 100,000 approval
voters: costs from 20,000 to 600,000 out of a budget of 10,000,000, project
popularity skewed (a few projects approved by a third of the voters, most by
a few per cent), voters in five districts that favour their own projects,
2 to 10 approvals each. Then times, in the same run and process:

* Veche: ``method_of_equal_shares`` (cost utilities; with "add1" and greedy
  completion, or one plain run);
* pabutools: ``method_of_equal_shares`` with ``Cost_Sat``, or for the full rule
  ``completion_by_rule_combination`` of it (``voter_budget_increment=1``) and
  ``greedy_utilitarian_welfare`` (``Cost_Sat``): the reference implementation.

Two figures for approval ballots, each pabutools' time / Veche's on the same instance in the same
run (ratio >= 1: Veche at least as fast), and the bench fails if the winners
differ (projects nobody voted for left out, see docs/counting.md):

* one run of Equal Shares (no completion) on 100 projects x 100,000 voters,
  the size issue 20 asks for;
* the full rule with add1 and completion on 100 projects x 5,000 voters: at
  100,000 voters pabutools needs one ~40 s run per add1 step (about 20
  minutes), so only Veche is timed at that size (``veche_full_rule_s``).

A third figure is the same for points (cumulative) ballots, made from the
same kind of voters, each spreading 10 points over 1 to 5 projects:

* the full rule for points (points utilities, ``Additive_Cardinal_Sat`` in
  pabutools, add1 and greedy completion by points per cost) on 100 projects x
  10,000 voters, both timed.

Both get their own in-memory form of the same votes (building it is not
timed). ``--quick`` uses 40 projects x 5,000 voters for one run and 30 x 1,000
for the full rule (approval and points).
"""

from __future__ import annotations

import random
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

from common import emit, figure, parser, peak_rss_mb
from veche.counting.budget import BudgetElection, make_election, method_of_equal_shares

DISTRICTS = 5


def generate(projects: int, voters: int, seed: int = 20, *, points: bool = False) -> BudgetElection:
    rng = random.Random(seed)
    budget = 100 * voters  # 100 units per voter, as in a city's budget per resident voting
    costs = [rng.randint(2, 60) * budget // 1000 for _ in range(projects)]
    district = [i % DISTRICTS for i in range(projects)]
    popularity = [0.02 + 0.3 * rng.random() ** 3 for _ in range(projects)]
    ids = [str(i + 1) for i in range(projects)]
    ballots: list[set[str]] = []
    spread: list[dict[str, int]] = []
    for _ in range(voters):
        home = rng.randrange(DISTRICTS)
        weights = [p * (4 if d == home else 1) for p, d in zip(popularity, district, strict=True)]
        if points:
            k = rng.randint(1, 5)
            picked = sorted({ids[i] for i in rng.choices(range(projects), weights=weights, k=k)})
            given = [1] * len(picked)
            for _ in range(10 - len(picked)):
                given[rng.randrange(len(picked))] += 1
            spread.append(dict(zip(picked, given, strict=True)))
            continue
        k = rng.randint(2, 10)
        chosen = {ids[i] for i in rng.choices(range(projects), weights=weights, k=k)}
        ballots.append(chosen)
    if points:
        return make_election(budget, list(zip(ids, costs, strict=True)), spread, "cumulative")
    return make_election(budget, list(zip(ids, costs, strict=True)), ballots)


def pabutools_profile(election: BudgetElection):  # type: ignore[no-untyped-def]
    from pabutools.election import (
        ApprovalBallot,
        ApprovalProfile,
        CumulativeBallot,
        CumulativeProfile,
        Instance,
        Project,
    )

    instance = Instance(budget_limit=election.budget)
    by_id = {}
    for p in election.projects:
        project = Project(p.id, p.cost)
        instance.add(project)
        by_id[p.id] = project
    if election.vote_type == "cumulative":
        points = CumulativeProfile(
            [
                CumulativeBallot({by_id[pid]: int(x) for pid, x in ballot})
                for ballot in election.ballots
            ],
            instance=instance,
        )
        return instance, points
    profile = ApprovalProfile(
        [ApprovalBallot([by_id[pid] for pid, _ in ballot]) for ballot in election.ballots]
    )
    return instance, profile


def run_pabutools(instance, profile, *, completion: bool, points: bool = False) -> set[str]:  # type: ignore[no-untyped-def]
    from pabutools.election import Additive_Cardinal_Sat, Cost_Sat
    from pabutools.rules import (
        completion_by_rule_combination,
        greedy_utilitarian_welfare,
        method_of_equal_shares,
    )

    sat = Additive_Cardinal_Sat if points else Cost_Sat
    if not completion:
        outcome = method_of_equal_shares(instance, profile, sat_class=sat)
    else:
        outcome = completion_by_rule_combination(
            instance,
            profile,
            [method_of_equal_shares, greedy_utilitarian_welfare],
            [{"sat_class": sat, "voter_budget_increment": 1}, {"sat_class": sat}],
        )
    return {p.name for p in outcome}


def compare(
    projects: int, voters: int, *, completion: bool, points: bool = False
) -> tuple[dict[str, Any], bool]:
    election = generate(projects, voters, points=points)
    votes = election.votes()
    start = time.perf_counter()
    ours = method_of_equal_shares(election, completion=completion)
    ours_s = time.perf_counter() - start
    instance, profile = pabutools_profile(election)
    start = time.perf_counter()
    theirs = {
        p
        for p in run_pabutools(instance, profile, completion=completion, points=points)
        if votes[p]
    }
    theirs_s = time.perf_counter() - start
    same = set(ours.winners) == theirs
    what = "Equal Shares + add1 + greedy completion" if completion else "Equal Shares, one run"
    if points:
        what = "Points ballots: " + what
    print(
        f"{what}, {projects} projects x {voters} voters, budget {election.budget}: "
        f"{len(ours.winners)} funded, {ours.increments} add1 step(s); "
        f"Veche {ours_s:.2f} s, pabutools {theirs_s:.2f} s, same winners: {same}",
        flush=True,
    )
    if not same:
        print(f"  Veche {sorted(ours.winners)}\n  pabutools {sorted(theirs)}")
    row = figure(
        "budget",
        f"{what}, {projects} projects x {voters} voters (s)",
        ours_s,
        "pabutools 1.2.3",
        theirs_s,
        lower_is_better=True,
        target=1.0,
        same_winners=same,
        add1_steps=ours.increments,
    )
    return row, same


def main() -> int:
    args = parser(__doc__ or "").parse_args()
    rows: list[dict[str, Any]] = []
    ok = True
    if args.quick:
        sizes = [(40, 5_000, False, False), (30, 1_000, True, False), (30, 1_000, True, True)]
    else:
        sizes = [(100, 100_000, False, False), (100, 5_000, True, False), (100, 10_000, True, True)]
    for projects, voters, completion, points in sizes:
        row, same = compare(projects, voters, completion=completion, points=points)
        rows.append(row)
        ok = ok and same
    if not args.quick:
        # pabutools would need about 20 minutes for the full rule at this size
        # (one run per add1 step, ~40 s each), so Veche is timed alone here.
        election = generate(100, 100_000)
        start = time.perf_counter()
        ours = method_of_equal_shares(election)
        seconds = time.perf_counter() - start
        print(
            f"Veche alone, Equal Shares + add1 + greedy completion, 100 projects x 100000 "
            f"voters: {seconds:.2f} s, {ours.increments} add1 step(s), {len(ours.winners)} funded"
        )
        rows[0]["veche_full_rule_s"] = round(seconds, 2)
    rows[-1]["peak_rss_mb"] = peak_rss_mb()
    emit(rows)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
