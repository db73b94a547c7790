"""Participatory budgets through the one write path: open, propose, vote, the result that
every node counts again, and the fund's payout proposals for the winners.

Every refusal is checked for its rule, its message listed in store/reasons.py, and for
leaving the state digest as it was.
"""

from __future__ import annotations

import random
from typing import Any

import pytest

from veche.apps.fund.models import Payout
from veche.apps.planning import actions
from veche.apps.planning.models import Budget, BudgetVote, Project
from veche.apps.store.log import ingest, rebuild, record, state_digest
from veche.apps.store.models import StoredEvent
from veche.apps.store.reasons import FIXED_MESSAGES
from veche.events import RuleViolation

pytestmark = pytest.mark.django_db


def refused(call: Any, rule: str) -> RuleViolation:
    before = state_digest()
    with pytest.raises(RuleViolation) as caught:
        call()
    assert caught.value.rule == rule, caught.value
    assert caught.value.message in FIXED_MESSAGES, caught.value.message
    assert state_digest() == before
    return caught.value


def _projects(plan: Any) -> dict[str, str]:
    made = {}
    for name, cost in [("Food parcels", 600_00), ("Lawyers", 400_00), ("Transport", 500_00)]:
        made[name] = actions.propose_project(
            plan.who("Zubr"), plan.space, plan.budget, name=name, cost=cost
        ).id
    return made


def _vote_and_close(plan: Any) -> dict[str, str]:
    p = _projects(plan)
    plan.to_voting()
    actions.vote(plan.who("Sokol"), plan.space, plan.budget, [p["Food parcels"], p["Lawyers"]])
    actions.vote(plan.who("Zubr"), plan.space, plan.budget, [p["Food parcels"]])
    actions.vote(plan.who("Vasilek"), plan.space, plan.budget, [p["Transport"]])
    actions.vote(plan.who("Rusalka"), plan.space, plan.budget, [p["Lawyers"], p["Transport"]])
    plan.to_close()
    actions.close(plan.who("Rusalka"), plan.space, plan.budget)
    return p


def test_a_budget_is_decided_by_equal_shares_and_explained(plan: Any) -> None:
    p = _vote_and_close(plan)
    budget = Budget.objects.get(event=plan.budget)
    assert budget.status == "decided"
    assert budget.voters == 4
    assert p["Lawyers"] in budget.winners
    costs = {p["Food parcels"]: 600_00, p["Lawyers"]: 400_00, p["Transport"]: 500_00}
    assert budget.spent == sum(costs[w] for w in budget.winners) <= 1000_00
    reasons = {o["project"]: (o["won"], o["reason"]) for o in budget.outcomes}
    assert set(reasons) == set(costs)
    assert reasons[p["Lawyers"]][0] is True


def test_a_later_vote_replaces_the_earlier(plan: Any) -> None:
    p = _projects(plan)
    plan.to_voting()
    actions.vote(plan.who("Sokol"), plan.space, plan.budget, [p["Lawyers"]])
    actions.vote(plan.who("Sokol"), plan.space, plan.budget, [p["Transport"]])
    assert BudgetVote.objects.get(budget=plan.budget).approve == [p["Transport"]]


def test_bad_input_is_refused(plan: Any) -> None:
    p = _projects(plan)
    world = plan.world
    stranger_space = world.committee("Chuzhoy", name="Another committee")
    assert stranger_space
    # a project costing more than the whole budget
    refused(
        lambda: actions.propose_project(
            plan.who("Zubr"), plan.space, plan.budget, name="Bus", cost=1000_01
        ),
        "project-cost",
    )
    # voting before the proposals close
    refused(
        lambda: actions.vote(plan.who("Zubr"), plan.space, plan.budget, [p["Lawyers"]]),
        "budget-votes-not-open",
    )
    plan.to_voting()
    # a proposal after the window
    refused(
        lambda: actions.propose_project(
            plan.who("Zubr"), plan.space, plan.budget, name="Late", cost=10_00
        ),
        "budget-proposals-closed",
    )
    # a non-member's vote
    refused(
        lambda: actions.vote(world.person("Chuzhoy"), plan.space, plan.budget, [p["Lawyers"]]),
        "member",
    )
    # a vote for an unknown project (an existing event that is not a project)
    refused(
        lambda: actions.vote(plan.who("Zubr"), plan.space, plan.budget, [plan.budget]),
        "budget-project",
    )
    actions.vote(plan.who("Zubr"), plan.space, plan.budget, [p["Lawyers"]])
    # closing while voting is open
    refused(lambda: actions.close(plan.who("Zubr"), plan.space, plan.budget), "budget-votes-open")
    plan.to_close()
    # a forged outcome: other winners than the votes give
    forged = {"budget": plan.budget, "winners": [p["Transport"]], "spent": 500_00, "voters": 1}
    refused(
        lambda: record(
            plan.who("Zubr"),
            space=plan.space,
            kind="budget.result",
            body=forged,
            deps=[plan.budget],
        ),
        "budget-result",
    )
    # a vote after the close
    refused(
        lambda: actions.vote(plan.who("Sokol"), plan.space, plan.budget, [p["Lawyers"]]),
        "budget-votes-closed",
    )
    actions.close(plan.who("Zubr"), plan.space, plan.budget)
    refused(lambda: actions.close(plan.who("Zubr"), plan.space, plan.budget), "budget-decided")


def test_winners_become_payout_proposals_needing_approvals(plan: Any) -> None:
    p = _vote_and_close(plan)
    refused(
        lambda: actions.propose_payouts(plan.who("Rusalka"), plan.space, plan.budget),
        "treasurer",
    )
    made = actions.propose_payouts(plan.who("Sokol"), plan.space, plan.budget)
    winners = Budget.objects.get(event=plan.budget).winners
    assert len(made) == len(winners) >= 1
    payouts = Payout.objects.filter(space=plan.space)
    costs = dict(Project.objects.filter(budget=plan.budget).values_list("event", "cost"))
    assert sorted(x.amount for x in payouts) == sorted(costs[w] for w in winners)
    assert {x.status for x in payouts} == {"pending"}
    assert all(f"[budget {plan.budget}]" in x.note for x in payouts)
    # proposing again adds nothing
    assert actions.propose_payouts(plan.who("Sokol"), plan.space, plan.budget) == []
    assert Project.objects.filter(event=p["Lawyers"]).exists()


def test_shuffled_arrival_gives_the_same_digest_as_a_rebuild(plan: Any) -> None:
    _vote_and_close(plan)
    digest = state_digest()
    rebuild()
    assert state_digest() == digest
    raws = [bytes(r) for r in StoredEvent.objects.values_list("raw", flat=True)]
    random.Random(20).shuffle(raws)
    StoredEvent.objects.all().delete()
    rebuild()
    report = ingest(raws, source="test")
    assert report.count("applied") == len(raws)
    assert state_digest() == digest
