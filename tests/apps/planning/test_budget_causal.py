"""`budget.result` is a causal kind (planning-v1 §4, event-v1 §14.2): two nodes
partitioned at the close, a vote signed on node B before voting closed, the result
signed on node A without it. After they sync both ways both apply the same result,
keep B's vote uncounted, and hold the digest a rebuild and a shuffled arrival give.
"""

from __future__ import annotations

import random
from typing import Any

import pytest
from tests.apps.planning.test_budget_pages import client_for

from veche.apps.planning import actions
from veche.apps.planning.models import Budget, BudgetVote
from veche.apps.store.log import ingest, rebuild, record, state_digest
from veche.apps.store.models import StoredEvent

pytestmark = pytest.mark.django_db


def _raws(ids: list[str]) -> list[bytes]:
    rows = dict(StoredEvent.objects.filter(id__in=ids).values_list("id", "raw"))
    return [bytes(rows[i]) for i in ids]


def _only(raws: list[bytes]) -> None:
    """Make this node hold exactly ``raws`` (another node's log), judged afresh."""
    StoredEvent.objects.all().delete()
    rebuild()
    ingest(raws, source="test")


def _partition(plan: Any, *, votes_on_b: int, extra_on_a: int) -> dict[str, Any]:
    """The base log, node B's votes (signed, then taken out of this node) and node A's
    result. ``votes_on_b`` and ``extra_on_a`` move the vote before or after the result
    in the order (section 9 of event-v1 sorts by height)."""
    p = {}
    for name, cost in [("Food parcels", 600_00), ("Lawyers", 400_00), ("Transport", 500_00)]:
        p[name] = actions.propose_project(
            plan.who("Zubr"), plan.space, plan.budget, name=name, cost=cost
        ).id
    plan.to_voting()
    actions.vote(plan.who("Sokol"), plan.space, plan.budget, [p["Food parcels"], p["Lawyers"]])
    actions.vote(plan.who("Zubr"), plan.space, plan.budget, [p["Food parcels"]])
    actions.vote(plan.who("Rusalka"), plan.space, plan.budget, [p["Lawyers"], p["Transport"]])
    base = list(StoredEvent.objects.order_by("height", "id").values_list("id", flat=True))
    # Node B: Vasilek votes for Transport (the last of several votes counts there).
    side_b = [
        actions.vote(plan.who("Vasilek"), plan.space, plan.budget, [p["Transport"]]).id
        for _ in range(votes_on_b)
    ]
    b_raws = _raws(side_b)
    StoredEvent.objects.filter(id__in=side_b).delete()
    rebuild()
    # Node A: never got them; Sokol re-votes the same, then the close.
    side_a = [
        actions.vote(
            plan.who("Sokol"), plan.space, plan.budget, [p["Food parcels"], p["Lawyers"]]
        ).id
        for _ in range(extra_on_a)
    ]
    plan.to_close()
    result = actions.close(plan.who("Rusalka"), plan.space, plan.budget)
    a_raws = _raws([*side_a, result.id])
    return {
        "projects": p,
        "base": _raws(base),
        "a": a_raws,
        "b": b_raws,
        "vote": side_b[-1] if side_b else None,
        "result": result,
    }


def _state() -> tuple[str, list[str], int, list[str], str]:
    budget = Budget.objects.get()
    return budget.status, budget.winners, budget.voters, budget.counted, budget.result_event


@pytest.mark.parametrize(("votes_on_b", "extra_on_a"), [(1, 3), (3, 0), (1, 0)])
def test_a_result_signed_without_a_concurrent_vote_is_applied_on_both_nodes(
    plan: Any, votes_on_b: int, extra_on_a: int
) -> None:
    side = _partition(plan, votes_on_b=votes_on_b, extra_on_a=extra_on_a)
    result = side["result"]
    # On node A, before the sync: the three votes it held.
    on_a = _state()
    assert on_a[0] == "decided" and on_a[2] == 3 and on_a[4] == result.id
    assert result.body["voters"] == 3
    # Node A receives B's votes: kept (applied), not counted; the result stands.
    report = ingest(side["b"], source="node B")
    assert report.count("applied") == len(side["b"])
    assert _state() == on_a
    assert BudgetVote.objects.get(event=side["vote"])  # the latest vote held here
    digest_a = state_digest()
    rebuild()
    assert state_digest() == digest_a
    # Node B: its own log, then A's events. The result is judged on its causal past.
    _only(side["base"] + side["b"])
    assert Budget.objects.get().status == "open"
    report = ingest(side["a"], source="node A")
    assert report.count("applied") == len(side["a"]), report
    assert StoredEvent.objects.get(id=result.id).status == "applied"
    assert _state() == on_a
    assert state_digest() == digest_a
    rebuild()
    assert state_digest() == digest_a
    # Any arrival order.
    everything = side["base"] + side["a"] + side["b"]
    for seed in range(3):
        shuffled = list(everything)
        random.Random(seed).shuffle(shuffled)
        _only(shuffled)
        assert state_digest() == digest_a, seed
    # The page: the result's figures and explanations, and the vote it did not count.
    page = client_for(plan, "Rusalka").get(f"/planning/{plan.space}/budgets/{plan.budget}/")
    html = page.content.decode()
    assert f'data-uncounted="{side["vote"]}"' in html
    assert "3 voters" in html
    page = client_for(plan, "Zubr", "ru").get(f"/planning/{plan.space}/budgets/{plan.budget}/")
    assert "Votes not counted" not in page.content.decode()


def test_a_forged_result_is_refused_on_its_causal_past(plan: Any) -> None:
    side = _partition(plan, votes_on_b=1, extra_on_a=0)
    p = side["projects"]
    # On node B (which holds Vasilek's vote), a result with B's count but signed as if
    # from A's log would not match A's causal past: forge one naming Transport alone.
    _only(side["base"] + side["b"])
    forged_body = {"budget": plan.budget, "winners": [p["Transport"]], "spent": 500_00}
    forged_body["voters"] = 4
    before = state_digest()
    from veche.events import RuleViolation

    with pytest.raises(RuleViolation) as caught:
        record(
            plan.who("Zubr"),
            space=plan.space,
            kind="budget.result",
            body=forged_body,
            deps=[plan.budget],
        )
    assert caught.value.rule == "budget-result"
    assert state_digest() == before
    # Node A's honest result arrives at B and is applied, a forged concurrent one is not.
    ingest(side["a"], source="node A")
    assert Budget.objects.get().result_event == side["result"].id


def test_two_results_signed_on_two_sides_the_first_in_order_stands(plan: Any) -> None:
    side = _partition(plan, votes_on_b=0, extra_on_a=0)
    a_result = side["result"]
    # Node B closes too, without A's result (it holds the same votes).
    _only(side["base"])
    b_result = actions.close(plan.who("Zubr"), plan.space, plan.budget)
    b_raws = _raws([b_result.id])
    ingest(side["a"], source="node A")
    statuses = dict(StoredEvent.objects.filter(kind="budget.result").values_list("id", "status"))
    digest_b = state_digest()
    _only(side["base"] + side["a"])
    ingest(b_raws, source="node B")
    assert state_digest() == digest_b
    rebuild()
    assert state_digest() == digest_b
    assert (
        dict(StoredEvent.objects.filter(kind="budget.result").values_list("id", "status"))
        == statuses
    )
    assert sorted(statuses.values()) == ["applied", "rejected"]
    stood = Budget.objects.get().result_event
    assert statuses[stood] == "applied"
    assert stood == min(statuses)  # same height (both built on the same log): by id
    refused_one = next(i for i, s in statuses.items() if s == "rejected")
    assert StoredEvent.objects.get(id=refused_one).reason.startswith("conflict")
    assert set(statuses) == {a_result.id, b_result.id}
