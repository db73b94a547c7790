"""Participatory budgets: greedy by votes and the Method of Equal Shares.

A budget election is an amount to spend, projects with costs, and one ballot
per voter: the set of projects the voter approves, or, for cumulative ballots,
points given to projects. Two rules decide which projects are funded:

* ``greedy``: projects in order of votes (approvals, or points), most first;
  each is funded if it still fits in what is left, otherwise skipped and the
  next one is tried. This is pabutools' ``greedy_utilitarian_welfare`` with
  ``Cost_Sat`` (approval) or ``Additive_Cardinal_Sat`` scores.
* ``mes``: the Method of Equal Shares (Peters, Pierczyński, Skowron 2021) for
  approval ballots with cost utilities (a voter's satisfaction is the cost of
  the funded projects they approve, pabutools' ``Cost_Sat``, as equalshares.net
  and the cities using it do), completed the way it is run in practice:
  "add1" (the budget of every voter is raised by 1 unit of money and the rule
  re-run until its outcome is exhaustive or would spend more than the budget;
  then the last outcome within the budget is kept) and then greedy by votes
  for whatever money is still left. This is pabutools'
  ``completion_by_rule_combination(..., [method_of_equal_shares,
  greedy_utilitarian_welfare], [{"sat_class": Cost_Sat,
  "voter_budget_increment": 1}, {"sat_class": Cost_Sat}])``.
  For cumulative ballots the points are the utilities (pabutools'
  ``Additive_Cardinal_Sat``): a supporter pays ``rho`` per point they gave,
  or all they have left; the same add1, then the greedy completion orders
  projects by points per unit of cost (``greedy_utilitarian_welfare`` with
  ``Additive_Cardinal_Sat``), exactly the same pabutools call with
  ``Additive_Cardinal_Sat`` in place of ``Cost_Sat`` in both places.

Both rules break ties by the project id, compared as text (so "10" comes
before "2"), which is pabutools' default lexicographic tie-breaking. One
deliberate difference from pabutools: a project nobody voted for is never
funded (pabutools' greedy funds it last if money is left); this changes no
other project's outcome, because such projects come last in every order.

All arithmetic is exact (``fractions.Fraction``), so the same votes give the
same result on every node. Every project's outcome says why it won or lost.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

__all__ = [
    "BudgetElection",
    "BudgetError",
    "BudgetResult",
    "Project",
    "ProjectOutcome",
    "Rule",
    "VoteType",
    "count_budget",
    "explain",
    "greedy",
    "make_election",
    "method_of_equal_shares",
]

VoteType = Literal["approval", "cumulative"]
Rule = Literal["greedy", "mes"]
RULES: tuple[Rule, ...] = ("greedy", "mes")


class BudgetError(ValueError):
    """A budget election that cannot be counted (bad cost, unknown project, bad rule)."""


@dataclass(frozen=True, slots=True)
class Project:
    """A project that asks for ``cost`` out of the budget."""

    id: str
    cost: Fraction
    name: str = ""


@dataclass(frozen=True, slots=True)
class BudgetElection:
    """A checked election: build it with :func:`make_election`.

    ``ballots`` holds one tuple per voter of ``(project id, points)`` pairs;
    an approval ballot gives every approved project 1 point.
    """

    budget: Fraction
    projects: tuple[Project, ...]
    ballots: tuple[tuple[tuple[str, Fraction], ...], ...]
    vote_type: VoteType = "approval"

    def votes(self) -> dict[str, Fraction]:
        """Approvals (or points) per project id, every project included."""
        if self.vote_type == "approval":
            counted = Counter(project for ballot in self.ballots for project, _ in ballot)
            return {p.id: Fraction(counted[p.id]) for p in self.projects}
        totals = {p.id: Fraction(0) for p in self.projects}
        for ballot in self.ballots:
            for project, points in ballot:
                totals[project] += points
        return totals


def _amount(value: object, what: str) -> Fraction:
    if isinstance(value, bool) or not isinstance(value, int | Fraction | str):
        raise BudgetError(f"{what} must be a number, got {value!r}")
    try:
        return Fraction(value)
    except (ValueError, ZeroDivisionError) as error:
        raise BudgetError(f"{what} must be a number, got {value!r}") from error


def make_election(
    budget: int | Fraction | str,
    projects: Iterable[Project | tuple[str, int | Fraction | str] | tuple[str, object, str]],
    ballots: Iterable[Iterable[str] | Mapping[str, int | Fraction]],
    vote_type: VoteType = "approval",
) -> BudgetElection:
    """Check and build an election.

    ``projects`` are :class:`Project` or ``(id, cost[, name])`` tuples;
    ``ballots`` are sets of approved ids (approval) or ``{id: points}``
    mappings (cumulative; points must be positive). Raises
    :class:`BudgetError` on a cost that is not positive or is over the budget,
    a duplicate id, a vote for an unknown project or a project voted for twice.
    """
    if vote_type not in ("approval", "cumulative"):
        raise BudgetError(f"cannot count {vote_type!r} ballots: only approval and cumulative")
    limit = _amount(budget, "the budget")
    if limit <= 0:
        raise BudgetError(f"the budget must be more than 0, got {limit}")
    checked: list[Project] = []
    seen: set[str] = set()
    for entry in projects:
        if isinstance(entry, Project):
            project = Project(entry.id, _amount(entry.cost, f"the cost of {entry.id}"), entry.name)
        else:
            pid = str(entry[0])
            name = str(entry[2]) if len(entry) > 2 else ""
            project = Project(pid, _amount(entry[1], f"the cost of project {pid}"), name)
        if not project.id:
            raise BudgetError("a project id must not be empty")
        if project.id in seen:
            raise BudgetError(f"project {project.id} is listed twice")
        if project.cost <= 0:
            raise BudgetError(f"project {project.id} must cost more than 0, got {project.cost}")
        if project.cost > limit:
            raise BudgetError(
                f"project {project.id} costs {project.cost}, more than the whole budget {limit}"
            )
        seen.add(project.id)
        checked.append(project)
    rows: list[tuple[tuple[str, Fraction], ...]] = []
    for number, ballot in enumerate(ballots, start=1):
        row: dict[str, Fraction] = {}
        if vote_type == "approval":
            if isinstance(ballot, Mapping):
                raise BudgetError(f"ballot {number}: an approval ballot is a set of project ids")
            pairs: Iterable[tuple[str, object]] = ((pid, 1) for pid in ballot)
        else:
            if not isinstance(ballot, Mapping):
                raise BudgetError(
                    f"ballot {number}: a cumulative ballot maps project ids to points"
                )
            pairs = ballot.items()
        for pid, points in pairs:
            if pid not in seen:
                raise BudgetError(f"ballot {number}: vote for unknown project {pid!r}")
            if pid in row:
                raise BudgetError(f"ballot {number}: project {pid} is voted for twice")
            value = _amount(points, f"ballot {number}: the points for {pid}")
            if value <= 0:
                raise BudgetError(f"ballot {number}: the points for {pid} must be more than 0")
            row[pid] = value
        rows.append(tuple(sorted(row.items())))
    return BudgetElection(limit, tuple(checked), tuple(rows), vote_type)


# Reasons, as codes an app can translate; ``explain`` gives the English sentence.
FUNDED_GREEDY = "funded_greedy"  # fitted in what was left, in order of votes
NO_ROOM = "no_room"  # did not fit in what was left
NO_VOTES = "no_votes"  # nobody voted for it
FUNDED_SHARES = "funded_equal_shares"  # paid for by its supporters' equal shares
UNAFFORDABLE = "unaffordable"  # its supporters' money left was less than its cost
FUNDED_COMPLETION = "funded_completion"  # funded by the greedy completion after equal shares


@dataclass(frozen=True, slots=True)
class ProjectOutcome:
    """Why one project won or lost.

    ``left`` is the money left in the budget when the project was looked at
    (greedy, completion), or, for ``unaffordable``, what its supporters still
    had between them. For projects paid by equal shares, ``max_share`` is the
    most any supporter paid and ``payments`` lists ``(amount, voters)``: how
    many supporters paid each amount (those with less than ``max_share`` left
    paid all they had).

    Cumulative ballots (points utilities) add: ``supporters``, the number of
    ballots giving the project points (``votes`` is then the sum of points);
    for equal shares, ``per_point`` is the price ρ per point (a supporter who
    still had enough paid ``per_point`` × their points) and
    ``point_payments`` lists ``(points, amount, voters)``: how many supporters
    who gave that many points paid that amount (every supporter, those who
    had nothing left with amount 0); ``max_share`` is then the
    most any one supporter paid. For the completion (and ``no_room`` there),
    ``points_per_cost`` is the order it was looked at in: points / cost.
    These stay ``None`` / empty for approval ballots.
    """

    project: str
    won: bool
    reason: str
    votes: Fraction
    cost: Fraction
    order: int | None = None
    left: Fraction | None = None
    max_share: Fraction | None = None
    payments: tuple[tuple[Fraction, int], ...] = ()
    supporters: int | None = None
    per_point: Fraction | None = None
    point_payments: tuple[tuple[Fraction, Fraction, int], ...] = ()
    points_per_cost: Fraction | None = None


@dataclass(frozen=True, slots=True)
class BudgetResult:
    """The outcome: ``winners`` in order of funding, and every project's reason.

    For ``mes``, ``voter_budget`` is each voter's share the kept run started
    from (``budget / voters``, plus ``increments`` units from "add1"),
    ``remaining`` is each voter's money left after equal shares (in ballot
    order), and ``completion`` lists the projects the greedy completion added.
    """

    rule: Rule
    budget: Fraction
    winners: tuple[str, ...]
    spent: Fraction
    outcomes: tuple[ProjectOutcome, ...]
    voters: int
    voter_budget: Fraction | None = None
    increments: int = 0
    remaining: tuple[Fraction, ...] = ()
    completion: tuple[str, ...] = ()

    @property
    def left(self) -> Fraction:
        return self.budget - self.spent

    def outcome(self, project: str) -> ProjectOutcome:
        for o in self.outcomes:
            if o.project == project:
                return o
        raise KeyError(project)


def _money(value: Fraction) -> str:
    if value.denominator == 1:
        return str(value.numerator)
    return f"{float(value):.2f}"


def explain(outcome: ProjectOutcome) -> str:
    """One English sentence saying why the project won or lost."""
    o = outcome
    votes = _money(o.votes)
    if o.reason == FUNDED_GREEDY:
        return f"funded: {votes} vote(s), its cost {_money(o.cost)} fitted in the remaining {_money(o.left or Fraction(0))}"
    if o.reason == NO_ROOM:
        return f"not funded: {votes} vote(s), its cost {_money(o.cost)} did not fit in the remaining {_money(o.left or Fraction(0))}"
    if o.reason == NO_VOTES:
        return "not funded: nobody voted for it"
    if o.reason == FUNDED_SHARES and o.per_point is not None:
        parts = []
        for points, amount, n in o.point_payments:
            whole = " (all they had)" if amount < o.per_point * points else ""
            parts.append(f"{n} with {_money(points)} point(s) paid {_money(amount)}{whole}")
        return (
            f"funded by equal shares: its {o.supporters} supporter(s) gave {votes} point(s) and "
            f"paid {_money(o.cost)} at {_money(o.per_point)} per point ({', '.join(parts)})"
        )
    if o.reason == UNAFFORDABLE and o.supporters is not None:
        return (
            f"not affordable by its supporters: its {o.supporters} supporter(s) "
            f"({votes} point(s)) had {_money(o.left or Fraction(0))} left, "
            f"it costs {_money(o.cost)}"
        )
    if o.points_per_cost is not None and o.reason in (FUNDED_COMPLETION, NO_ROOM):
        fitted = "fitted" if o.won else "did not fit"
        what = "funded by the completion" if o.won else "not funded"
        return (
            f"{what}: {votes} point(s), {o.points_per_cost.numerator / o.points_per_cost.denominator:.6g} "
            f"per unit of cost; its cost {_money(o.cost)} {fitted} in the remaining "
            f"{_money(o.left or Fraction(0))}"
        )
    if o.reason == FUNDED_SHARES:
        paid = ", ".join(f"{n} paid {_money(a)}" for a, n in o.payments)
        return f"funded by equal shares: its {votes} supporter(s) paid {_money(o.cost)} ({paid})"
    if o.reason == UNAFFORDABLE:
        return (
            f"not affordable by its supporters: its {votes} supporter(s) had "
            f"{_money(o.left or Fraction(0))} left, it costs {_money(o.cost)}"
        )
    if o.reason == FUNDED_COMPLETION:
        return (
            f"funded by the completion: {votes} vote(s), its cost {_money(o.cost)} fitted in "
            f"the remaining {_money(o.left or Fraction(0))}"
        )
    return o.reason


def _tie_key(project: Project) -> str:
    return project.id


def _greedy_pass(
    projects: Sequence[Project],
    votes: Mapping[str, Fraction],
    left: Fraction,
    funded_reason: str,
    order_start: int,
    *,
    per_cost: bool = False,
    supporters: Mapping[str, int] | None = None,
) -> tuple[list[str], dict[str, ProjectOutcome], Fraction]:
    """Greedy over ``projects``: by votes, or with ``per_cost`` by votes / cost; ties by id."""
    if per_cost:
        density = {p.id: votes[p.id] / p.cost for p in projects}
        ranked = sorted(projects, key=lambda p: (-density[p.id], _tie_key(p)))
    else:
        ranked = sorted(projects, key=lambda p: (-votes[p.id], _tie_key(p)))
    winners: list[str] = []
    outcomes: dict[str, ProjectOutcome] = {}
    for project in ranked:
        v = votes[project.id]
        extra: dict[str, object] = {}
        if supporters is not None:
            extra["supporters"] = supporters[project.id]
        if per_cost and v > 0:
            extra["points_per_cost"] = density[project.id]
        if v <= 0:
            outcomes[project.id] = ProjectOutcome(
                project.id,
                False,
                NO_VOTES,
                v,
                project.cost,
                **extra,  # type: ignore[arg-type]
            )
        elif project.cost <= left:
            winners.append(project.id)
            outcomes[project.id] = ProjectOutcome(
                project.id,
                True,
                funded_reason,
                v,
                project.cost,
                order=order_start + len(winners),
                left=left,
                **extra,  # type: ignore[arg-type]
            )
            left -= project.cost
        else:
            outcomes[project.id] = ProjectOutcome(
                project.id,
                False,
                NO_ROOM,
                v,
                project.cost,
                left=left,
                **extra,  # type: ignore[arg-type]
            )
    return winners, outcomes, left


def greedy(election: BudgetElection) -> BudgetResult:
    """Greedy by votes: most votes (approvals or points) first, skipping what no longer fits."""
    votes = election.votes()
    winners, outcomes, left = _greedy_pass(
        election.projects, votes, election.budget, FUNDED_GREEDY, 0
    )
    return BudgetResult(
        rule="greedy",
        budget=election.budget,
        winners=tuple(winners),
        spent=election.budget - left,
        outcomes=tuple(outcomes[p.id] for p in election.projects),
        voters=len(election.ballots),
    )


@dataclass(slots=True)
class _Run:
    """One run of equal shares from a given per-voter budget.

    ``payments``, ``group_left`` and ``supporters_left`` are only filled in
    when the run is asked for details (the kept run, not the add1 trials).
    """

    winners: list[int]
    spent: Fraction
    shares: dict[int, Fraction]
    payments: dict[int, list[tuple[Fraction, int]]] = field(default_factory=dict)
    group_left: list[Fraction] = field(default_factory=list)
    supporters_left: dict[int, Fraction] = field(default_factory=dict)
    point_payments: dict[int, list[tuple[Fraction, Fraction, int]]] = field(default_factory=dict)


# Relative margin around a floating-point estimate inside which only exact
# arithmetic decides; float errors here are below 1e-12, far inside it.
_MARGIN = 1e-9


class _Shares:
    """Equal shares over groups of identical ballots, exact but fast.

    With cost utilities every supporter of a funded project pays the same
    amount ``alpha`` or, if they have less, all they have left. So a voter
    who still has money has paid exactly the ``alpha`` of each funded project
    they approve: their budget is ``start - sum(alpha)`` over those projects,
    and any sum of budgets is ``voters * start - sum(alpha_q * count_q)``,
    exact with one Fraction per funded project. Budgets are also kept as
    floats to sort supporters and estimate prices with numpy; every decision
    whose float estimate is within ``_MARGIN`` of a boundary (a voter's
    budget near the price, a total near the cost, two projects' prices near
    each other) is then made again in exact arithmetic, so the outcome is the
    exact rule's.
    """

    def __init__(self, election: BudgetElection) -> None:
        self.projects = election.projects
        index = {p.id: i for i, p in enumerate(self.projects)}
        groups: dict[tuple[int, ...], int] = {}
        self.ballot_group: list[int] = []
        for ballot in election.ballots:
            key = tuple(sorted(index[pid] for pid, _ in ballot))
            self.ballot_group.append(groups.setdefault(key, len(groups)))
        self.n_groups = len(groups)
        weights = np.bincount(
            np.asarray(self.ballot_group, dtype=np.int64), minlength=self.n_groups
        ).astype(np.int64)
        self.weights = weights
        self.fweights = weights.astype(np.float64)
        approves = np.zeros((self.n_groups, len(self.projects)), dtype=np.int8)
        members: list[list[int]] = [[] for _ in self.projects]
        for key, g in groups.items():
            for p in key:
                members[p].append(g)
                approves[g, p] = 1
        self.approves = approves
        self.supporters = [np.asarray(m, dtype=np.int64) for m in members]
        self.costs = [p.cost for p in self.projects]
        self.fcosts = [float(c) for c in self.costs]

    # Exact budgets of alive groups, from the funded projects' alphas.
    def _exact_sum(
        self,
        groups: npt.NDArray[np.int64],
        start: Fraction,
        funded: list[int],
        alphas: list[Fraction],
    ) -> Fraction:
        if not len(groups):
            return Fraction(0)
        w = self.weights[groups]
        total = start * int(w.sum())
        if funded:
            counts = np.dot(w, self.approves[np.ix_(groups, np.asarray(funded, dtype=np.int64))])
            for alpha, count in zip(alphas, counts.tolist(), strict=True):
                if count:
                    total -= alpha * count
        return total

    def _exact_values(
        self,
        groups: npt.NDArray[np.int64],
        start: Fraction,
        funded: list[int],
        alphas: list[Fraction],
    ) -> list[tuple[Fraction, int]]:
        """(exact budget, voters) of alive groups, one pair per budget, by budget."""
        if not len(groups):
            return []
        values, inverse = self._signature_values(groups, start, funded, alphas)
        counts = np.bincount(inverse, weights=self.fweights[groups], minlength=len(values))
        merged: dict[Fraction, int] = {}
        for value, count in zip(values, counts.tolist(), strict=True):
            merged[value] = merged.get(value, 0) + int(count)
        return sorted(merged.items())

    def _price(
        self,
        p: int,
        start: Fraction,
        alive: npt.NDArray[np.bool_],
        budget: npt.NDArray[np.float64],
        funded: list[int],
        alphas: list[Fraction],
        exact: bool,
    ) -> tuple[float, Fraction | None] | None:
        """(float alpha, exact alpha if asked) for project p; None if unaffordable."""
        s = self.supporters[p]
        s = s[alive[s]]
        if not len(s):
            return None
        order = np.argsort(budget[s], kind="stable")
        s = s[order]
        v = budget[s]
        w = self.fweights[s]
        contrib = v * w
        paid_before = np.cumsum(contrib) - contrib
        rich = w.sum() - (np.cumsum(w) - w)
        total = float(contrib.sum())
        cost = self.fcosts[p]
        if total < cost * (1 - _MARGIN):
            return None
        fits = (cost - paid_before) <= v * rich
        if fits.any():
            j = int(np.argmax(fits))
            alpha_f = float((cost - paid_before[j]) / rich[j])
        else:
            alpha_f = float(v[-1])
        if not exact and total > cost * (1 + _MARGIN):
            return alpha_f, None
        tol = _MARGIN * abs(alpha_f)
        lo = int(np.searchsorted(v, alpha_f - tol, side="left"))
        hi = int(np.searchsorted(v, alpha_f + tol, side="right"))
        left = self.costs[p] - self._exact_sum(s[:lo], start, funded, alphas)
        richer = int(self.weights[s[hi:]].sum())
        edge = self._exact_values(s[lo:hi], start, funded, alphas)
        paying = richer + sum(k for _, k in edge)
        for b, k in edge:
            candidate = left / paying
            if candidate <= b:
                return alpha_f, candidate
            left -= b * k
            paying -= k
        if paying == 0:
            return None
        return alpha_f, left / paying

    def run(self, start: Fraction, *, details: bool = False) -> _Run:
        n_projects = len(self.projects)
        alive = np.ones(self.n_groups, dtype=np.bool_)
        budget = np.full(self.n_groups, float(start))
        funded: list[int] = []
        alphas: list[Fraction] = []
        payments: dict[int, list[tuple[Fraction, int]]] = {}
        spent = Fraction(0)
        # Float lower bounds of each project's price per unit of cost; prices only grow.
        bound = {
            p: 1.0 / float(self.weights[self.supporters[p]].sum())
            for p in range(n_projects)
            if len(self.supporters[p])
        }
        while bound:
            best_f = float("inf")
            near: list[tuple[float, int]] = []
            for p in sorted(bound, key=bound.__getitem__):
                if bound[p] > best_f * (1 + 100 * _MARGIN):
                    break
                priced = self._price(p, start, alive, budget, funded, alphas, exact=False)
                if priced is None:
                    del bound[p]
                    continue
                rho_f = priced[0] / self.fcosts[p]
                bound[p] = rho_f * (1 - _MARGIN)
                near.append((rho_f, p))
                best_f = min(best_f, rho_f)
            if not near:
                break
            best: tuple[Fraction, str, int, Fraction] | None = None
            restart = False
            for rho_f, p in near:
                if rho_f > best_f * (1 + 100 * _MARGIN):
                    continue
                priced = self._price(p, start, alive, budget, funded, alphas, exact=True)
                if priced is None or priced[1] is None:
                    del bound[p]
                    restart = True
                    continue
                alpha = priced[1]
                key = (alpha / self.costs[p], self.projects[p].id, p, alpha)
                if best is None or key[:2] < best[:2]:
                    best = key
            if restart or best is None:
                continue  # a near-best project was not affordable after all: price again
            _, _, chosen, alpha = best
            del bound[chosen]
            s = self.supporters[chosen]
            s = s[alive[s]]
            v = budget[s]
            a_f = float(alpha)
            tol = _MARGIN * abs(a_f)
            poor = v < a_f - tol
            edge = np.nonzero(np.abs(v - a_f) <= tol)[0]
            if len(edge):
                values, inverse = self._signature_values(s[edge], start, funded, alphas)
                poor[edge] = np.asarray([x <= alpha for x in values], dtype=np.bool_)[inverse]
            if details:
                payments[chosen] = self._payments(s, poor, alpha, start, funded, alphas)
            alive[s[poor]] = False
            budget[s[poor]] = 0.0
            budget[s[~poor]] -= a_f
            funded.append(chosen)
            alphas.append(alpha)
            spent += self.costs[chosen]
        run = _Run(funded, spent, dict(zip(funded, alphas, strict=True)), payments)
        if details:
            run.group_left = self._left(alive, start, funded, alphas)
            for p in range(n_projects):
                s = self.supporters[p]
                if p not in run.shares and len(s):
                    run.supporters_left[p] = self._exact_sum(s[alive[s]], start, funded, alphas)
        return run

    def _signature_values(
        self,
        groups: npt.NDArray[np.int64],
        start: Fraction,
        funded: list[int],
        alphas: list[Fraction],
    ) -> tuple[list[Fraction], npt.NDArray[np.int64]]:
        """Exact budgets of alive groups: one value per distinct set of funded projects approved."""
        if not funded:
            return [start], np.zeros(len(groups), dtype=np.int64)
        rows = self.approves[np.ix_(groups, np.asarray(funded, dtype=np.int64))]
        unique, inverse = np.unique(rows, axis=0, return_inverse=True)
        values = [
            start - sum((a for a, x in zip(alphas, row, strict=True) if x), Fraction(0))
            for row in unique.tolist()
        ]
        return values, inverse.reshape(-1).astype(np.int64)

    def _payments(
        self,
        s: npt.NDArray[np.int64],
        poor: npt.NDArray[np.bool_],
        alpha: Fraction,
        start: Fraction,
        funded: list[int],
        alphas: list[Fraction],
    ) -> list[tuple[Fraction, int]]:
        paid: dict[Fraction, int] = {}
        rich_w = int(self.weights[s[~poor]].sum())
        if rich_w:
            paid[alpha] = rich_w
        poor_groups = s[poor]
        if len(poor_groups):
            values, inverse = self._signature_values(poor_groups, start, funded, alphas)
            counts = np.bincount(inverse, weights=self.fweights[poor_groups], minlength=len(values))
            for value, count in zip(values, counts.tolist(), strict=True):
                if count:
                    paid[value] = paid.get(value, 0) + int(count)
        return sorted(paid.items(), key=lambda x: (-x[1], -x[0]))

    def _left(
        self,
        alive: npt.NDArray[np.bool_],
        start: Fraction,
        funded: list[int],
        alphas: list[Fraction],
    ) -> list[Fraction]:
        left = [Fraction(0)] * self.n_groups
        groups = np.nonzero(alive)[0].astype(np.int64)
        if len(groups):
            values, inverse = self._signature_values(groups, start, funded, alphas)
            for g, k in zip(groups.tolist(), inverse.tolist(), strict=True):
                left[g] = values[k]
        return left


def _unique_rows(rows: npt.NDArray[Any]) -> tuple[list[tuple[int, ...]], npt.NDArray[np.int64]]:
    """Distinct rows (as tuples of ints) and, for each row, the index of its distinct row."""
    if rows.dtype != object:
        unique, inverse = np.unique(rows, axis=0, return_inverse=True)
        return [tuple(r) for r in unique.tolist()], inverse.reshape(-1).astype(np.int64)
    seen: dict[tuple[int, ...], int] = {}
    inv = [seen.setdefault(tuple(int(x) for x in r), len(seen)) for r in rows.tolist()]
    return list(seen), np.asarray(inv, dtype=np.int64)


class _PointShares:
    """Equal shares with points utilities over groups of identical ballots, exact but fast.

    A supporter of a funded project pays ``rho * points`` or, if they have
    less, all they have left (and then has nothing). So a voter who still has
    money has paid exactly ``rho_q * points_q`` for each funded project ``q``
    they gave points to: their budget is ``start - sum(rho_q * points_q)``,
    and any sum of budgets is ``voters * start - sum(rho_q * points given to
    q by them)``, exact with one Fraction per funded project. Points are
    scaled by a common denominator to whole numbers (scaling every utility by
    the same factor divides every rho by it and changes no decision).

    Budgets are also kept as floats, to sort supporters by budget / points
    and estimate prices with numpy. A float budget is within ``1e-12 *
    start`` of the exact one (one rounding per payment); ``tol`` is a
    thousand times that. Every decision whose estimate is within ``tol`` of a
    boundary (a voter's budget near ``rho * points``, the supporters' money
    near the cost, two projects' rho within their error bounds) is made again
    in exact arithmetic, and the exact price is checked against the float
    partition it assumed (else it is computed exactly over all supporters),
    so the outcome is the exact rule's.
    """

    def __init__(self, election: BudgetElection) -> None:
        self.projects = election.projects
        m = len(self.projects)
        index = {p.id: i for i, p in enumerate(self.projects)}
        scale = 1
        for ballot in election.ballots:
            for _, points in ballot:
                scale = math.lcm(scale, points.denominator)
        self.scale = scale
        groups: dict[tuple[tuple[int, int], ...], int] = {}
        self.ballot_group: list[int] = []
        for ballot in election.ballots:
            key = tuple(sorted((index[pid], int(points * scale)) for pid, points in ballot))
            self.ballot_group.append(groups.setdefault(key, len(groups)))
        self.n_groups = len(groups)
        weights = np.bincount(
            np.asarray(self.ballot_group, dtype=np.int64), minlength=self.n_groups
        ).astype(np.int64)
        self.weights = weights
        self.fweights = weights.astype(np.float64)
        wlist = weights.tolist()
        totals = [0] * m
        for key, g in groups.items():
            for p, u in key:
                totals[p] += wlist[g] * u
        small = max(totals, default=0) < 2**62 and all(u < 2**62 for key in groups for _, u in key)
        utilities = np.zeros((self.n_groups, m), dtype=np.int64 if small else object)
        members: list[list[int]] = [[] for _ in self.projects]
        for key, g in groups.items():
            for p, u in key:
                members[p].append(g)
                utilities[g, p] = u
        self.utilities = utilities
        self.futilities = utilities.astype(np.float64)
        self.supporters = [np.asarray(x, dtype=np.int64) for x in members]
        self.sup_u = [self.futilities[s, p] for p, s in enumerate(self.supporters)]
        self.total_u = totals
        self.costs = [p.cost for p in self.projects]
        self.fcosts = [float(c) for c in self.costs]

    # Exact budgets of alive groups, from the funded projects' rhos.
    def _exact_sum(
        self,
        groups: npt.NDArray[np.int64],
        start: Fraction,
        funded: list[int],
        rhos: list[Fraction],
    ) -> Fraction:
        if not len(groups):
            return Fraction(0)
        w = self.weights[groups]
        total = start * int(w.sum())
        if funded:
            rows = self.utilities[np.ix_(groups, np.asarray(funded, dtype=np.int64))]
            counts = np.dot(w.astype(rows.dtype), rows)
            for rho, count in zip(rhos, counts.tolist(), strict=True):
                if count:
                    total -= rho * int(count)
        return total

    def _exact_budgets(
        self,
        groups: npt.NDArray[np.int64],
        start: Fraction,
        funded: list[int],
        rhos: list[Fraction],
    ) -> list[Fraction]:
        """The exact budget of each of ``groups`` (alive ones), in order."""
        if not len(groups):
            return []
        if not funded:
            return [start] * len(groups)
        rows = self.utilities[np.ix_(groups, np.asarray(funded, dtype=np.int64))]
        unique, inverse = _unique_rows(rows)
        values = [
            start - sum((r * k for r, k in zip(rhos, row, strict=True) if k), Fraction(0))
            for row in unique
        ]
        return [values[k] for k in inverse.tolist()]

    def _values(
        self,
        groups: npt.NDArray[np.int64],
        p: int | None,
        start: Fraction,
        funded: list[int],
        rhos: list[Fraction],
    ) -> list[tuple[Fraction, int, int]]:
        """(exact budget, points for p (0 if p is None), voters) of alive groups, merged."""
        if not len(groups):
            return []
        cols = list(funded) + ([p] if p is not None else [])
        if cols:
            rows = self.utilities[np.ix_(groups, np.asarray(cols, dtype=np.int64))]
            unique, inverse = _unique_rows(rows)
        else:
            unique, inverse = [()], np.zeros(len(groups), dtype=np.int64)
        counts = np.bincount(inverse, weights=self.fweights[groups], minlength=len(unique))
        merged: dict[tuple[Fraction, int], int] = {}
        k = len(funded)
        for row, count in zip(unique, counts.tolist(), strict=True):
            value = start - sum(
                (r * x for r, x in zip(rhos, row[:k], strict=True) if x), Fraction(0)
            )
            key = (value, int(row[k]) if p is not None else 0)
            merged[key] = merged.get(key, 0) + int(count)
        return [(b, u, n) for (b, u), n in merged.items()]

    def _sorted_supporters(
        self, p: int, alive: npt.NDArray[np.bool_], budget: npt.NDArray[np.float64]
    ) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float64], npt.NDArray[np.float64]]:
        s = self.supporters[p]
        mask = alive[s]
        s = s[mask]
        u = self.sup_u[p][mask]
        v = budget[s]
        order = np.argsort(v / u, kind="stable")
        return s[order], u[order], v[order]

    def _estimate(
        self, p: int, alive: npt.NDArray[np.bool_], budget: npt.NDArray[np.float64], tol: float
    ) -> tuple[float, float] | None:
        """(float rho, error bound) for p; None if surely unaffordable."""
        s, u, v = self._sorted_supporters(p, alive, budget)
        if not len(s):
            return None
        w = self.fweights[s]
        contrib = v * w
        uw = u * w
        cc = np.cumsum(contrib)
        paid_before = cc - contrib
        cu = np.cumsum(uw)
        rich_u = cu[-1] - (cu - uw)
        total = float(cc[-1])
        cost = self.fcosts[p]
        slack = tol * float(w.sum()) + 1e-12 * (cost + total)
        if total < cost - slack:
            return None
        fits = (cost - paid_before) <= (v / u) * rich_u
        if fits.any():
            j = int(np.argmax(fits))
            rho = float((cost - paid_before[j]) / rich_u[j])
        else:  # the money is about the cost: everyone pays (nearly) all
            j = len(s) - 1
            rho = float(v[j] / u[j])
        error = (slack + 1e-12 * (cost + float(paid_before[j]))) / float(rich_u[j])
        error += 1e-12 * abs(rho)
        return rho, error

    def _exact_price(
        self,
        p: int,
        estimate: tuple[float, float],
        start: Fraction,
        alive: npt.NDArray[np.bool_],
        budget: npt.NDArray[np.float64],
        funded: list[int],
        rhos: list[Fraction],
        tol: float,
    ) -> Fraction | None:
        """The exact rho of p, or None if its supporters' money is less than its cost."""
        s, u, v = self._sorted_supporters(p, alive, budget)
        rho_f, error = estimate
        gap = v - rho_f * u
        width = tol + error * u
        poor = gap < -width
        rich = gap > width
        for attempt in range(2):
            if attempt:
                poor[:] = False
                rich[:] = False
            edge = ~(poor | rich)
            left = self.costs[p] - self._exact_sum(s[poor], start, funded, rhos)
            rs = s[rich]
            ui = self.utilities[rs, p]
            paying = int(np.dot(self.weights[rs].astype(ui.dtype), ui)) if len(rs) else 0
            values = self._values(s[edge], p, start, funded, rhos)
            values.sort(key=lambda x: x[0] / x[1])
            paying += sum(pts * n for _, pts, n in values)
            rho: Fraction | None = None
            for b, pts, n in values:
                candidate = left / paying
                if candidate * pts <= b:
                    rho = candidate
                    break
                left -= b * n
                paying -= pts * n
            if rho is None:
                if paying == 0:
                    if left > 0:
                        # Every supporter paying all they have (exact sums, whatever
                        # the partition) is less than the cost.
                        return None
                    continue  # the partition was wrong: price over all supporters
                rho = left / paying
            x = float(rho)
            ok = bool(
                np.all(v[poor] <= x * u[poor] * (1 - 1e-12) - tol / 2)
                and np.all(v[rich] >= x * u[rich] * (1 + 1e-12) + tol / 2)
            )
            if ok and rho > 0:
                return rho
        raise AssertionError("exact price over all supporters must be consistent")

    def run(self, start: Fraction, *, details: bool = False) -> _Run:
        n_projects = len(self.projects)
        alive = np.ones(self.n_groups, dtype=np.bool_)
        budget = np.full(self.n_groups, float(start))
        tol = _MARGIN * float(start)
        funded: list[int] = []
        rhos: list[Fraction] = []
        payments: dict[int, list[tuple[Fraction, int]]] = {}
        point_payments: dict[int, list[tuple[Fraction, Fraction, int]]] = {}
        spent = Fraction(0)
        # Float lower bounds of each project's rho; rhos only grow as budgets shrink.
        bound = {
            p: self.fcosts[p] / float(self.total_u[p]) * (1 - 1e-9)
            for p in range(n_projects)
            if len(self.supporters[p])
        }
        while bound:
            best_hi = float("inf")
            near: dict[int, tuple[float, float]] = {}
            for p in sorted(bound, key=bound.__getitem__):
                if bound[p] > best_hi:
                    break
                estimate = self._estimate(p, alive, budget, tol)
                if estimate is None:
                    del bound[p]
                    continue
                rho_f, error = estimate
                bound[p] = rho_f - error
                near[p] = estimate
                best_hi = min(best_hi, rho_f + error)
            if not near:
                break
            best: tuple[Fraction, str, int] | None = None
            restart = False
            for p, (rho_f, error) in near.items():
                if rho_f - error > best_hi:
                    continue
                rho = self._exact_price(p, (rho_f, error), start, alive, budget, funded, rhos, tol)
                if rho is None:
                    del bound[p]
                    restart = True
                    continue
                key = (rho, self.projects[p].id, p)
                if best is None or key[:2] < best[:2]:
                    best = key
            if restart or best is None:
                continue  # a near-best project was not affordable after all: price again
            rho, _, chosen = best
            del bound[chosen]
            s, u, v = self._sorted_supporters(chosen, alive, budget)
            x = float(rho)
            gap = v - x * u
            poor = gap < -tol
            edge = np.nonzero(np.abs(gap) <= tol)[0]
            if len(edge):
                exact = self._exact_budgets(s[edge], start, funded, rhos)
                pts = self.utilities[s[edge], chosen].tolist()
                poor[edge] = np.asarray(
                    [b <= rho * int(k) for b, k in zip(exact, pts, strict=True)], dtype=np.bool_
                )
            if details:
                payments[chosen], point_payments[chosen] = self._payments(
                    chosen, s, poor, rho, start, funded, rhos, alive
                )
            alive[s[poor]] = False
            budget[s[poor]] = 0.0
            budget[s[~poor]] -= x * u[~poor]
            funded.append(chosen)
            rhos.append(rho)
            spent += self.costs[chosen]
        run = _Run(funded, spent, dict(zip(funded, rhos, strict=True)), payments)
        run.point_payments = point_payments
        if details:
            left = [Fraction(0)] * self.n_groups
            groups = np.nonzero(alive)[0].astype(np.int64)
            for g, b in zip(
                groups.tolist(), self._exact_budgets(groups, start, funded, rhos), strict=True
            ):
                left[g] = b
            run.group_left = left
            for p in range(n_projects):
                s = self.supporters[p]
                if p not in run.shares and len(s):
                    run.supporters_left[p] = self._exact_sum(s[alive[s]], start, funded, rhos)
        return run

    def _payments(
        self,
        p: int,
        s: npt.NDArray[np.int64],
        poor: npt.NDArray[np.bool_],
        rho: Fraction,
        start: Fraction,
        funded: list[int],
        rhos: list[Fraction],
        alive: npt.NDArray[np.bool_],
    ) -> tuple[list[tuple[Fraction, int]], list[tuple[Fraction, Fraction, int]]]:
        """``payments`` as for approval, and ``(points, amount, voters)`` for every supporter.

        Supporters who had nothing left are listed in the second with amount 0.
        """
        by_points: dict[tuple[int, Fraction], int] = {}
        everyone = self.supporters[p]
        for groups, price in ((everyone[~alive[everyone]], Fraction(0)), (s[~poor], rho)):
            if not len(groups):
                continue
            unique, inverse = _unique_rows(self.utilities[groups, p].reshape(-1, 1))
            counts = np.bincount(inverse, weights=self.fweights[groups], minlength=len(unique))
            for (k,), n in zip(unique, counts.tolist(), strict=True):
                key = (int(k), price * int(k))
                by_points[key] = by_points.get(key, 0) + int(n)
        for b, k, n in self._values(s[poor], p, start, funded, rhos):
            by_points[(k, b)] = by_points.get((k, b), 0) + n
        paid: dict[Fraction, int] = {}
        for (_, amount), n in by_points.items():
            if amount:
                paid[amount] = paid.get(amount, 0) + n
        scale = self.scale
        listed = sorted(
            ((Fraction(k, scale), amount, n) for (k, amount), n in by_points.items()),
            key=lambda x: (-x[0], -x[1]),
        )
        return sorted(paid.items(), key=lambda x: (-x[1], -x[0])), listed


def method_of_equal_shares(election: BudgetElection, *, completion: bool = True) -> BudgetResult:
    """Equal Shares, "add1" and greedy completion (see the module doc).

    Approval ballots use cost utilities; cumulative ballots use the points as
    utilities (a supporter pays ``rho`` per point), and their completion
    orders projects by points per unit of cost. With ``completion=False``
    only the plain rule runs (each voter starts with ``budget / voters``),
    which can leave money unspent.
    """
    points = election.vote_type == "cumulative"
    votes = election.votes()
    projects = election.projects
    n = len(election.ballots)
    supporters: dict[str, int] | None = None
    if points:
        counted = Counter(project for ballot in election.ballots for project, _ in ballot)
        supporters = {p.id: counted[p.id] for p in projects}
    shares: _Shares | _PointShares | None
    if n == 0:
        shares = None
        run = None
        per_voter = Fraction(0)
        increments = 0
    else:
        shares = _PointShares(election) if points else _Shares(election)
        per_voter = election.budget / n
        run = shares.run(per_voter)
        increments = 0
        supported = [i for i in range(len(projects)) if len(shares.supporters[i])]
        while completion:
            if _exhaustive(projects, run.winners, run.spent, election.budget, supported):
                break
            trial = shares.run(per_voter + 1)
            if trial.spent > election.budget:
                break
            run, per_voter, increments = trial, per_voter + 1, increments + 1
        run = shares.run(per_voter, details=True)
    outcomes: dict[str, ProjectOutcome] = {}
    winners: list[str] = []
    spent = Fraction(0)
    remaining: tuple[Fraction, ...] = ()
    if run is not None and shares is not None:
        for place, p in enumerate(run.winners, start=1):
            pid = projects[p].id
            winners.append(pid)
            if supporters is None:
                outcomes[pid] = ProjectOutcome(
                    pid,
                    True,
                    FUNDED_SHARES,
                    votes[pid],
                    projects[p].cost,
                    order=place,
                    max_share=run.shares[p],
                    payments=tuple(run.payments[p]),
                )
            else:
                scale = shares.scale if isinstance(shares, _PointShares) else 1
                outcomes[pid] = ProjectOutcome(
                    pid,
                    True,
                    FUNDED_SHARES,
                    votes[pid],
                    projects[p].cost,
                    order=place,
                    max_share=max(a for a, _ in run.payments[p]),
                    payments=tuple(run.payments[p]),
                    supporters=supporters[pid],
                    per_point=run.shares[p] * scale,
                    point_payments=tuple(run.point_payments[p]),
                )
        spent = run.spent
        remaining = tuple(run.group_left[g] for g in shares.ballot_group)
        for i, had in run.supporters_left.items():
            project = projects[i]
            outcomes[project.id] = ProjectOutcome(
                project.id,
                False,
                UNAFFORDABLE,
                votes[project.id],
                project.cost,
                left=had,
                supporters=None if supporters is None else supporters[project.id],
            )
    added: list[str] = []
    if completion:
        rest = [p for p in projects if p.id not in winners]
        added, extra, _left = _greedy_pass(
            rest,
            votes,
            election.budget - spent,
            FUNDED_COMPLETION,
            len(winners),
            per_cost=points,
            supporters=supporters,
        )
        for pid, o in extra.items():
            if o.won or pid not in outcomes:
                outcomes[pid] = o
        winners += added
        spent += sum((o.cost for o in extra.values() if o.won), Fraction(0))
    for project in projects:
        if project.id not in outcomes:
            outcomes[project.id] = ProjectOutcome(
                project.id,
                False,
                NO_VOTES,
                votes[project.id],
                project.cost,
                supporters=None if supporters is None else supporters[project.id],
            )
    return BudgetResult(
        rule="mes",
        budget=election.budget,
        winners=tuple(winners),
        spent=spent,
        outcomes=tuple(outcomes[p.id] for p in projects),
        voters=n,
        voter_budget=per_voter if n else None,
        increments=increments,
        remaining=remaining,
        completion=tuple(added),
    )


def _exhaustive(
    projects: Sequence[Project],
    winners: Sequence[int],
    spent: Fraction,
    budget: Fraction,
    candidates: Sequence[int],
) -> bool:
    chosen = set(winners)
    return all(i in chosen or projects[i].cost + spent > budget for i in candidates)


def count_budget(election: BudgetElection, rule: Rule = "mes") -> BudgetResult:
    """Count ``election`` by ``rule`` ("mes", the default, or "greedy")."""
    if rule == "greedy":
        return greedy(election)
    if rule == "mes":
        return method_of_equal_shares(election)
    raise BudgetError(f"unknown rule {rule!r}: use one of {', '.join(RULES)}")
