# A rule's sentence with values is a %-template that pages translate (apps/store/reasons.py).
# ruff: noqa: UP031
"""Participatory budgets: open, propose a project, vote (approval), the result.

All are events of the committee's (or council's) own space signed by its
members. The result is counted by ``veche.counting.budget`` and every node
counts it again from the votes it holds before accepting ``budget.result``,
as it does for a motion's close. See docs/formats/planning-v1.md.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from veche.apps.committees.rules.delegates import children_of, participant
from veche.apps.fund.kinds import fund_of
from veche.apps.planning.models import Budget, BudgetVote, Project, SurveySummary
from veche.apps.store.context import Context
from veche.apps.store.kinds import projection, register
from veche.counting.budget import BudgetResult, count_budget, make_election
from veche.events import Event, RuleViolation
from veche.events.schema import Bool, Enum, EventId, Int, List, Obj, Str, Timestamp

CURRENCIES = ("BYN", "EUR", "USD")
RULES = ("mes", "greedy")
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
        update=("status", "winners", "spent", "voters", "outcomes", "result_event"),
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
    if event.at >= budget.votes_close or budget.status != Budget.Status.OPEN:
        raise RuleViolation("budget-votes-closed", "voting on this budget is closed", "at")
    projects = projects_of(ctx, budget.event)
    for index, project in enumerate(event.body["approve"]):
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
        approve=sorted(event.body["approve"]),
    )
    votes[person] = vote
    ctx.upsert(vote, key=("budget", "voter"), update=("event", "at", "seq", "approve"))


# -- budget.result -----------------------------------------------------------------


def count(budget: Budget, projects: list[Project], ballots: list[list[str]]) -> BudgetResult:
    """The outcome of a budget from its projects and approval ballots (every node's count)."""
    election = make_election(
        budget.amount,
        [(p.event, p.cost, p.name) for p in sorted(projects, key=lambda p: p.event)],
        [b for b in ballots if b],
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
        }
        for o in result.outcomes
    ]


def expected_result(ctx: Context, budget: Budget) -> BudgetResult:
    ctx.flush()
    ballots = [
        v.approve for v in sorted(votes_of(ctx, budget.event).values(), key=lambda v: v.voter)
    ]
    return count(budget, list(projects_of(ctx, budget.event).values()), ballots)


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
    expected = result_body(expected_result(ctx, budget), budget.event)
    if event.body != expected:
        raise RuleViolation(
            "budget-result", "the result does not match the votes this log holds", "body.winners"
        )


def apply_result(ctx: Context, event: Event) -> None:
    budget = budgets_of(ctx, event.space_id)[event.body["budget"]]
    result = expected_result(ctx, budget)
    budget.status = Budget.Status.DECIDED
    budget.winners = list(result.winners)
    budget.spent = int(result.spent)
    budget.voters = result.voters
    budget.outcomes = outcomes_json(result)
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
            }
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
            required={
                "budget": EventId(),
                "approve": List(EventId(), max_length=MAX_PROJECTS, unique=True),
            }
        ),
        rule=check_vote,
        apply=apply_vote,
        summary="a member approves projects of a budget (a later vote replaces an earlier)",
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
        summary="a member closes a budget; every node counts it again from the votes",
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
            "from_fund",
            "proposals_close",
            "votes_close",
            "opened_by",
            "status",
            "winners",
            "spent",
            "voters",
            "outcomes",
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
        digest=("space", "budget", "voter", "event", "at", "seq", "approve"),
        order=("budget", "voter"),
    )
