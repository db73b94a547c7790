# A rule's sentence with values is a %-template that pages translate (apps/store/reasons.py).
# ruff: noqa: UP031
"""Participatory budgets: open, propose a project, vote (approval or points), the result.

All are events of the committee's (or council's) own space signed by its
members. The result is counted by ``veche.counting.budget`` and every node
counts it again before accepting ``budget.result``, as it does for a motion's
close. ``budget.result`` is a causal kind (event-v1 §14.2): it is judged on its
causal past, the votes its signer held, so every node reaches the same verdict
whatever other votes it holds; votes it did not see are kept but not counted.
See docs/formats/planning-v1.md.
"""

from __future__ import annotations

import threading
from fractions import Fraction
from typing import Any

from veche.apps.committees.rules.delegates import children_of, participant
from veche.apps.fund.kinds import fund_of
from veche.apps.planning.models import Budget, BudgetVote, Project, SurveySummary
from veche.apps.store.context import Context
from veche.apps.store.kinds import projection, register
from veche.counting.budget import BudgetResult, count_budget, make_election
from veche.events import Event, RuleViolation
from veche.events.schema import (
    Bool,
    Enum,
    EventId,
    Int,
    List,
    Obj,
    Schema,
    SchemaError,
    Str,
    Timestamp,
)

CURRENCIES = ("BYN", "EUR", "USD")
RULES = ("mes", "greedy")
BALLOTS = ("approval", "points")
MAX_POINTS = 100  # the most points a budget may give each voter
MAX_PROJECTS = 100
MAX_AMOUNT = 10**12  # kopecks


# -- look-ups ----------------------------------------------------------------------


def budgets_of(ctx: Context, space: str) -> dict[str, Budget]:
    return ctx.cached(
        ("budgets", space), lambda: {b.event: b for b in ctx.rows(Budget).filter(space=space)}
    )


def projects_of(ctx: Context, budget: str) -> dict[str, Project]:
    return ctx.cached(
        ("budget-projects", budget),
        lambda: {p.event: p for p in ctx.rows(Project).filter(budget=budget)},
    )


def votes_of(ctx: Context, budget: str) -> dict[str, BudgetVote]:
    return ctx.cached(
        ("budget-votes", budget),
        lambda: {v.voter: v for v in ctx.rows(BudgetVote).filter(budget=budget)},
    )


def require_member(ctx: Context, event: Event) -> str:
    """The author's person: an active member, or a seated delegate in a council."""
    person, _weight, _mandate = participant(ctx, event)
    return person


def require_budget(ctx: Context, event: Event) -> Budget:
    """The budget the event names (body.budget, cited in deps), of this space."""
    budget_id = event.body["budget"]
    cited = ctx.cited(event, budget_id, "body.budget")
    budget = budgets_of(ctx, event.space_id).get(budget_id)
    if cited.event.kind != "budget.open" or budget is None:
        raise RuleViolation(
            "budget-known", "this is not a participatory budget of this committee", "body.budget"
        )
    return budget


def _save_budget(ctx: Context, budget: Budget) -> None:
    ctx.upsert(
        budget,
        key=("event",),
        update=("status", "winners", "spent", "voters", "outcomes", "counted", "result_event"),
    )


# -- budget.open -------------------------------------------------------------------


def check_open(ctx: Context, event: Event) -> None:
    require_member(ctx, event)
    body = event.body
    if body["amount"] < 1 or body["amount"] > MAX_AMOUNT:
        raise RuleViolation("budget-amount", "the budget must be a positive amount", "body.amount")
    if not event.at < body["proposals_close"] < body["votes_close"]:
        raise RuleViolation(
            "budget-windows",
            "proposals must close after the budget opens, and voting after proposals close",
            "body.votes_close",
        )
    ballot = body.get("ballot", "approval")
    if (ballot == "points") != ("points" in body):
        raise RuleViolation(
            "budget-points",
            "a points budget says how many points each voter gives (1 to 100); "
            "an approval budget has no points",
            "body.points",
        )
    if body["from_fund"] and fund_of(ctx, event.space_id) is None:
        raise RuleViolation(
            "fund-exists", "this committee has no fund yet (fund.create)", "body.from_fund"
        )


def apply_open(ctx: Context, event: Event) -> None:
    body = event.body
    budget = Budget(
        space=event.space_id,
        event=event.id,
        title=body["title"],
        amount=body["amount"],
        currency=body["currency"],
        rule=body["rule"],
        ballot=body.get("ballot", "approval"),
        points=body.get("points", 0),
        from_fund=body["from_fund"],
        proposals_close=body["proposals_close"],
        votes_close=body["votes_close"],
        opened_by=event.author,
    )
    budgets_of(ctx, event.space_id)[event.id] = budget
    ctx.insert(budget)


# -- budget.propose ----------------------------------------------------------------


def check_propose(ctx: Context, event: Event) -> None:
    require_member(ctx, event)
    budget = require_budget(ctx, event)
    if event.at >= budget.proposals_close:
        raise RuleViolation("budget-proposals-closed", "proposals for this budget are closed", "at")
    if event.body["cost"] > budget.amount:
        raise RuleViolation(
            "project-cost", "a project may not cost more than the whole budget", "body.cost"
        )
    if len(projects_of(ctx, budget.event)) >= MAX_PROJECTS:
        raise RuleViolation(
            "budget-projects-limit",
            "this budget has %(limit)s projects already" % {"limit": MAX_PROJECTS},
            "body.budget",
        )


def apply_propose(ctx: Context, event: Event) -> None:
    body = event.body
    project = Project(
        space=event.space_id,
        budget=body["budget"],
        event=event.id,
        name=body["name"],
        cost=body["cost"],
        description=body.get("description", ""),
        proposer=event.author,
    )
    projects_of(ctx, body["budget"])[event.id] = project
    ctx.insert(project)


# -- budget.vote -------------------------------------------------------------------


def check_vote(ctx: Context, event: Event) -> None:
    require_member(ctx, event)
    budget = require_budget(ctx, event)
    if event.at < budget.proposals_close:
        raise RuleViolation("budget-votes-not-open", "voting opens when proposals close", "at")
    # Not "and the budget is not decided": a vote signed in time that the result did
    # not see (signed concurrently) is kept, whatever order it arrives in, and is not
    # counted: the result counts its causal past (planning-v1 §4).
    if event.at >= budget.votes_close:
        raise RuleViolation("budget-votes-closed", "voting on this budget is closed", "at")
    body = event.body
    projects = projects_of(ctx, budget.event)
    if budget.ballot == "points":
        if "approve" in body or "points" not in body:
            raise RuleViolation(
                "budget-ballot",
                "this budget takes points ballots: give points to projects (body.points)",
                "body.approve" if "approve" in body else "body.points",
            )
        if any(project not in projects for project in body["points"]):
            raise RuleViolation(
                "budget-project", "this is not a project of this budget", "body.points"
            )
        for points in body["points"].values():
            if type(points) is not int or points < 1:
                raise RuleViolation(
                    "budget-points-value",
                    "points given to a project are a whole number, at least 1",
                    "body.points",
                )
        if sum(body["points"].values()) > budget.points:
            raise RuleViolation(
                "budget-points-total",
                "the points add up to more than the %(points)s each voter has"
                % {"points": budget.points},
                "body.points",
            )
        return
    if "points" in body or "approve" not in body:
        raise RuleViolation(
            "budget-ballot",
            "this budget takes approval ballots: list the approved projects (body.approve)",
            "body.points" if "points" in body else "body.approve",
        )
    for index, project in enumerate(body["approve"]):
        if project not in projects:
            raise RuleViolation(
                "budget-project",
                "this is not a project of this budget",
                f"body.approve[{index}]",
            )


def apply_vote(ctx: Context, event: Event) -> None:
    person = require_member(ctx, event)
    budget = event.body["budget"]
    votes = votes_of(ctx, budget)
    held = votes.get(person)
    # The latest vote counts, whatever order the events arrive in.
    if held is not None and (held.at, held.seq, held.event) >= (event.at, event.seq, event.id):
        return
    vote = BudgetVote(
        space=event.space_id,
        budget=budget,
        voter=person,
        event=event.id,
        at=event.at,
        seq=event.seq,
        approve=sorted(event.body.get("approve", [])),
        points=dict(sorted(event.body.get("points", {}).items())),
    )
    votes[person] = vote
    ctx.upsert(vote, key=("budget", "voter"), update=("event", "at", "seq", "approve", "points"))


# -- budget.result -----------------------------------------------------------------


def ballot_of(budget: Budget, vote: BudgetVote) -> list[str] | dict[str, int]:
    """What a vote gives to count: approved ids, or {project id: points}."""
    return dict(vote.points) if budget.ballot == "points" else list(vote.approve)


def count(
    budget: Budget, projects: list[Project], ballots: list[list[str] | dict[str, int]]
) -> BudgetResult:
    """The outcome of a budget from its projects and ballots (every node's count):
    approval ballots, or points ballots counted as cumulative ones."""
    election = make_election(
        budget.amount,
        [(p.event, p.cost, p.name) for p in sorted(projects, key=lambda p: p.event)],
        [b for b in ballots if b],
        "cumulative" if budget.ballot == "points" else "approval",
    )
    return count_budget(election, "greedy" if budget.rule == "greedy" else "mes")


def _number(value: Fraction | None) -> str | None:
    return None if value is None else str(value)


def outcomes_json(result: BudgetResult) -> list[dict[str, Any]]:
    return [
        {
            "project": o.project,
            "won": o.won,
            "reason": o.reason,
            "votes": _number(o.votes),
            "cost": _number(o.cost),
            "order": o.order,
            "left": _number(o.left),
            "max_share": _number(o.max_share),
            "payments": [[str(a), n] for a, n in o.payments],
            **_points_json(o),
        }
        for o in result.outcomes
    ]


def _points_json(o: Any) -> dict[str, Any]:
    """What a points (cumulative) count adds to an outcome: supporters, the price of a
    point under equal shares, who paid what by their points, the completion's order."""
    extra: dict[str, Any] = {}
    if getattr(o, "supporters", None) is not None:
        extra["supporters"] = o.supporters
    if getattr(o, "per_point", None) is not None:
        extra["per_point"] = str(o.per_point)
        extra["point_payments"] = [[str(p), str(a), n] for p, a, n in o.point_payments]
    if getattr(o, "points_per_cost", None) is not None:
        extra["points_per_cost"] = str(o.points_per_cost)
    return extra


def expected_result(ctx: Context, budget: Budget) -> tuple[BudgetResult, list[str]]:
    """The count from the votes this state holds, and those votes' event ids."""
    ctx.flush()
    votes = sorted(votes_of(ctx, budget.event).values(), key=lambda v: v.voter)
    ballots = [ballot_of(budget, v) for v in votes]
    result = count(budget, list(projects_of(ctx, budget.event).values()), ballots)
    return result, sorted(v.event for v in votes)


# What check_result counted, for apply_result to write: a result is judged on its causal
# past (when it did not see everything before it, on a replay of that past alone), while
# its effect is written to the state in order, which may hold votes it did not see. The
# store runs a kind's projector right after its rule allowed the event (for a causal
# result once in the replayed past, then once in order), so the latest few counts are
# enough; older ones are dropped.
# Per thread: the rule and its projector run in the ingesting thread, and two threads may
# ingest into different spaces at once.
_LOCAL = threading.local()
_COUNTED_KEPT = 64


def _counted() -> dict[str, tuple[BudgetResult, list[str]]]:
    counted: dict[str, tuple[BudgetResult, list[str]]] | None = getattr(_LOCAL, "counted", None)
    if counted is None:
        counted = _LOCAL.counted = {}
    return counted


def result_body(result: BudgetResult, budget: str) -> dict[str, Any]:
    return {
        "budget": budget,
        "winners": list(result.winners),
        "spent": int(result.spent),
        "voters": result.voters,
    }


def check_result(ctx: Context, event: Event) -> None:
    require_member(ctx, event)
    budget = require_budget(ctx, event)
    if budget.status != Budget.Status.OPEN:
        raise RuleViolation("budget-decided", "this budget is decided already", "body.budget")
    if event.at < budget.votes_close:
        raise RuleViolation("budget-votes-open", "voting on this budget is still open", "at")
    result, counted = expected_result(ctx, budget)
    if event.body != result_body(result, budget.event):
        raise RuleViolation(
            "budget-result", "the result does not match the votes this log holds", "body.winners"
        )
    kept = _counted()
    kept.pop(event.id, None)
    kept[event.id] = (result, counted)
    while len(kept) > _COUNTED_KEPT:
        del kept[next(iter(kept))]


def apply_result(ctx: Context, event: Event) -> None:
    budget = budgets_of(ctx, event.space_id)[event.body["budget"]]
    if budget.status != Budget.Status.OPEN:
        # Two results signed on two sides of a partition: the first in order stands,
        # the later is refused as a conflict (event-v1 §14.2).
        raise RuleViolation("budget-decided", "this budget is decided already", "body.budget")
    given = _counted().get(event.id)
    result, counted = given if given is not None else expected_result(ctx, budget)
    budget.status = Budget.Status.DECIDED
    budget.winners = list(result.winners)
    budget.spent = int(result.spent)
    budget.voters = result.voters
    budget.outcomes = outcomes_json(result)
    budget.counted = counted
    budget.result_event = event.id
    _save_budget(ctx, budget)


# -- survey.summary ------------------------------------------------------------------


def survey_totals(
    questions: list[dict[str, Any]], flat: list[int], *, totals: bool = True
) -> list[dict[str, Any]] | None:
    """Each item's total from a survey election's decrypted result. A survey (election
    body ``totals``) decrypts one count per item, its total, and nothing else. None if
    the election is not such a survey: an election that decrypted a count per option
    (a histogram) is no survey, its totals cannot be published."""
    if not totals or len(flat) != len(questions):
        return None
    for question in questions:
        for option in question["options"]:
            text = str(option).strip()
            if not (text.isascii() and text.isdigit()):
                return None
    return [{"text": q["text"], "total": int(t)} for q, t in zip(questions, flat, strict=True)]


def summarised(ctx: Context, space: str) -> set[str]:
    """The survey elections whose totals this council holds."""
    return ctx.cached(
        ("survey-summaries", space),
        lambda: set(ctx.rows(SurveySummary).filter(space=space).values_list("election", flat=True)),
    )


def check_summary(ctx: Context, event: Event) -> None:
    from veche.apps.elections.models import Election
    from veche.apps.store.models import Status

    participant(ctx, event)
    body = event.body
    cited = ctx.cited(event, body["result"], "body.result")
    if (
        cited.event.kind != "election.result"
        or cited.status != Status.APPLIED
        or cited.event.space_id != body["election"]
    ):
        raise RuleViolation(
            "survey-result",
            "not the verified result of this survey's election on this node",
            "body.result",
        )
    election = ctx.rows(Election).filter(space=body["election"]).first()
    if election is None or not election.committee:
        raise RuleViolation(
            "survey-result",
            "not the verified result of this survey's election on this node",
            "body.election",
        )
    if election.committee not in children_of(ctx, event.space_id):
        raise RuleViolation(
            "survey-committee",
            "the survey's committee is not a member committee of this council",
            "body.election",
        )
    if body["election"] in summarised(ctx, event.space_id):
        raise RuleViolation(
            "survey-once", "this survey's totals are published here already", "body.election"
        )
    totals = survey_totals(
        election.body.get("questions", []),
        list(election.counts or []),
        totals=bool(election.body.get("totals")),
    )
    if totals is None or election.body.get("constituencies"):
        raise RuleViolation(
            "survey-shape",
            "a survey decrypts only each item's total (election totals), never a count per option",
            "body.election",
        )
    if body["items"] != totals or body["title"] != election.title:
        raise RuleViolation(
            "survey-totals",
            "the totals are not those the survey's decrypted result gives",
            "body.items",
        )


def apply_summary(ctx: Context, event: Event) -> None:
    from veche.apps.elections.models import Election

    body = event.body
    election = ctx.rows(Election).get(space=body["election"])
    summarised(ctx, event.space_id).add(body["election"])
    ctx.insert(
        SurveySummary(
            space=event.space_id,
            event=event.id,
            committee=election.committee,
            election=body["election"],
            result=body["result"],
            title=body["title"],
            items=body["items"],
            author=event.author,
        )
    )


class _PointsSchema(Schema):
    """``budget.vote``'s ``points``: an object of at most 100 entries. What its keys and
    values must be (projects of the budget, whole numbers from 1) is the rule's check,
    which says which it is (planning-v1 §3)."""

    def check(self, value: Any, path: str) -> None:
        if not isinstance(value, dict):
            raise SchemaError(path, "type", "must be an object")
        if len(value) > MAX_PROJECTS:
            raise SchemaError(path, "max-length", "at most %(n)d items" % {"n": MAX_PROJECTS})


def register_all() -> None:
    register(
        "budget.open",
        body=Obj(
            required={
                "title": Str(min_length=2, max_length=200),
                "amount": Int(1, MAX_AMOUNT),
                "currency": Enum(CURRENCIES),
                "rule": Enum(RULES),
                "from_fund": Bool(),
                "proposals_close": Timestamp(),
                "votes_close": Timestamp(),
            },
            optional={"ballot": Enum(BALLOTS), "points": Int(1, MAX_POINTS)},
        ),
        rule=check_open,
        apply=apply_open,
        summary="a member opens a participatory budget: its amount, windows and counting rule",
    )
    register(
        "budget.propose",
        body=Obj(
            required={
                "budget": EventId(),
                "name": Str(min_length=2, max_length=200),
                "cost": Int(1, MAX_AMOUNT),
            },
            optional={"description": Str(max_length=2000)},
        ),
        rule=check_propose,
        apply=apply_propose,
        summary="a member proposes a project with its cost for a budget",
    )
    register(
        "budget.vote",
        body=Obj(
            required={"budget": EventId()},
            optional={
                "approve": List(EventId(), max_length=MAX_PROJECTS, unique=True),
                "points": _PointsSchema(),
            },
        ),
        rule=check_vote,
        apply=apply_vote,
        summary="a member approves projects of a budget, or gives them points "
        "(a later vote replaces an earlier)",
    )
    register(
        "budget.result",
        body=Obj(
            required={
                "budget": EventId(),
                "winners": List(EventId(), max_length=MAX_PROJECTS, unique=True),
                "spent": Int(0, MAX_AMOUNT),
                "voters": Int(0, 10**9),
            }
        ),
        rule=check_result,
        apply=apply_result,
        summary="a member closes a budget; every node counts it again from the votes it saw",
        causal=True,
    )
    register(
        "survey.summary",
        body=Obj(
            required={
                "election": EventId(),
                "result": EventId(),
                "title": Str(min_length=2, max_length=200),
                "items": List(
                    Obj(required={"text": Str(min_length=1, max_length=500), "total": Int()}),
                    min_length=1,
                    max_length=20,
                ),
            }
        ),
        rule=check_summary,
        apply=apply_summary,
        summary="a member committee's needs-survey totals, published to its council",
    )
    projection(
        SurveySummary,
        digest=("space", "event", "committee", "election", "result", "title", "items", "author"),
        order=("event",),
    )
    projection(
        Budget,
        digest=(
            "space",
            "event",
            "title",
            "amount",
            "currency",
            "rule",
            "ballot",
            "points",
            "from_fund",
            "proposals_close",
            "votes_close",
            "opened_by",
            "status",
            "winners",
            "spent",
            "voters",
            "outcomes",
            "counted",
            "result_event",
        ),
        order=("event",),
    )
    projection(
        Project,
        digest=("space", "budget", "event", "name", "cost", "description", "proposer"),
        order=("event",),
    )
    projection(
        BudgetVote,
        digest=("space", "budget", "voter", "event", "at", "seq", "approve", "points"),
        order=("budget", "voter"),
    )
