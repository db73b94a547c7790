"""The demo's planning: the Kozlova fund's participatory budget, decided by Equal Shares,
its winners waiting as the fund's payout proposals; the Kozlova needs survey's totals at
the Minsk city council, and no answer of a member anywhere but in the encrypted ballots."""

from __future__ import annotations

import pytest
from django.test import Client
from tests.demo_snapshot import load_demo_cached

from veche.apps.fund.models import Payout
from veche.apps.planning.models import Budget, Project, SurveySummary
from veche.demo.load import DEMO_PASSPHRASE
from veche.demo.text import DemoText

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


def sign_in(name: str) -> Client:
    client = Client()
    response = client.post("/accounts/sign-in/", {"pseudonym": name, "passphrase": DEMO_PASSPHRASE})
    assert response.status_code == 302
    return client


def test_the_demo_budget_and_survey() -> None:
    load_demo_cached()
    text = DemoText()
    budget = Budget.objects.get()
    assert budget.status == "decided" and budget.rule == "mes" and budget.from_fund
    assert budget.title == text.say("kozlova", "budget.title")
    winners = Project.objects.filter(event__in=budget.winners)
    payouts = Payout.objects.filter(note__contains=f"[budget {budget.event}]")
    assert sorted(p.amount for p in payouts) == sorted(w.cost for w in winners)
    assert {p.status for p in payouts} == {"pending"}
    summary = SurveySummary.objects.get()
    assert [i["total"] for i in summary.items] == [10, 4, 6]
    # The survey is totals-only: its decrypted result is one total per item, no per-quantity count.
    from veche.apps.elections.models import Election

    survey = Election.objects.get(space=summary.election)
    assert survey.body["totals"] is True and list(survey.counts) == [10, 4, 6]
    client = sign_in("Sosna")
    page = client.get(f"/planning/{summary.space}/needs/").content.decode()
    assert 'data-item="' in page
    page = sign_in("Sokol").get(f"/planning/{budget.space}/budgets/{budget.event}/")
    assert page.status_code == 200 and "data-winner" in page.content.decode()
