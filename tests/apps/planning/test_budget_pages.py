"""The budget pages for each role, and bad input as HTTP posts: refused with a reason,
storing nothing."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from tests.factories import signed_in_client

from veche.apps.fund.models import Payout
from veche.apps.planning.models import Budget, BudgetVote, Project
from veche.apps.store.log import state_digest

pytestmark = pytest.mark.django_db


def client_for(plan: Any, name: str | None, language: str | None = None) -> Client:
    if name is None:
        return Client()
    return signed_in_client(plan.who(name), name, language=language)


def test_pages_are_for_members_only(plan: Any) -> None:
    urls = [f"/planning/{plan.space}/budgets/", f"/planning/{plan.space}/budgets/{plan.budget}/"]
    member = client_for(plan, "Rusalka")
    outsider = client_for(plan, "Outsider")
    for url in urls:
        assert member.get(url).status_code == 200
        assert outsider.get(url).status_code == 404
        anonymous = Client().get(url)
        assert anonymous.status_code == 302
    before = state_digest()
    response = outsider.post(
        f"/planning/{plan.space}/budgets/{plan.budget}/propose/", {"name": "X", "cost": "1"}
    )
    assert response.status_code == 404 and state_digest() == before


def test_a_budget_through_the_pages(plan: Any) -> None:
    zubr = client_for(plan, "Zubr")
    base = f"/planning/{plan.space}/budgets/{plan.budget}/"
    # too dear: refused with the rule's reason, nothing stored
    before = state_digest()
    page = zubr.post(base + "propose/", {"name": "Bus", "cost": "1000.01"}, follow=True)
    assert "may not cost more than the whole budget" in page.content.decode()
    assert state_digest() == before
    zubr.post(base + "propose/", {"name": "Food parcels", "cost": "600"})
    zubr.post(base + "propose/", {"name": "Lawyers", "cost": "400"})
    projects = dict(Project.objects.values_list("name", "event"))
    assert set(projects) == {"Food parcels", "Lawyers"}
    plan.to_voting()
    # a vote for something that is not a project of this budget
    page = zubr.post(base + "vote/", {"approve": [plan.budget]}, follow=True)
    assert "not a project of this budget" in page.content.decode()
    assert not BudgetVote.objects.exists()
    rusalka = client_for(plan, "Rusalka", "be")
    for client in (zubr, client_for(plan, "Sokol"), rusalka):
        client.post(base + "vote/", {"approve": [projects["Food parcels"], projects["Lawyers"]]})
    assert BudgetVote.objects.count() == 3
    plan.to_close()
    page = zubr.post(base + "vote/", {"approve": [projects["Lawyers"]]}, follow=True)
    assert "voting on this budget is closed" in page.content.decode()
    zubr.post(base + "close/")
    budget = Budget.objects.get(event=plan.budget)
    assert budget.status == "decided" and set(budget.winners) == set(projects.values())
    # only a treasurer proposes the payouts
    assert client_for(plan, "Vasilek").post(base + "payouts/").status_code == 403
    zubr.post(base + "payouts/")
    assert sorted(Payout.objects.values_list("amount", flat=True)) == [400_00, 600_00]
    ledger = zubr.get(f"/fund/{plan.space}/").content.decode()
    assert "Lawyers" in ledger and "Food parcels" in ledger
    page = rusalka.get(base).content.decode()
    assert 'data-winner="' in page and "Financed" not in page
