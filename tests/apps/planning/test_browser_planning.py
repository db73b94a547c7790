"""In Chromium (issue 20's must-show): members answer a needs survey with secret ballots,
the council sees only the totals; a participatory budget is voted and its winning projects
appear as payout proposals in the fund."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from tests.apps.elections.helpers import call_election
from tests.apps.elections.test_pledge_general import _plant
from tests.clock import EventClock
from tests.factories import PASS, World

from veche.apps.accounts.actions import create_account
from veche.apps.elections import actions as elections
from veche.apps.fund import actions as fund
from veche.apps.planning import actions
from veche.election import offline
from veche.election.offline import TrusteeKeys

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ITEMS = [("Food parcels per week", 3), ("Legal consultations", 2)]


def sign_in(page: Any, base: str, name: str) -> None:
    page.goto(base + "/accounts/sign-in/")
    page.get_by_label("Pseudonym").fill(name)
    page.get_by_label("Passphrase").fill(PASS)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "sign-in" not in url)


def sign_out(page: Any) -> None:
    page.get_by_role("button", name="Sign out").click()
    page.get_by_role("link", name="Sign in").first.wait_for()


def _take(space: str, events: list[Any]) -> None:
    data = b"".join(e.raw + b"\n" for e in events)
    elections.ingest_file(space, data, source="test")


def _lines(space: str) -> list[bytes]:
    return elections.export_record(space)[:-1].split(b"\n")


def test_survey_totals_and_a_budget_into_the_fund(
    live_server: Any, page: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = EventClock.install(monkeypatch)
    w = World()
    council = w.committee("Chair", name="Minsk city council", kind="council", level="city")
    mtz = _plant(w, council, "Sokol", ("Zubr",), "MTZ")
    for name in ("Chair", "Sokol", "Zubr"):
        create_account(name, PASS, w.person(name))
    trustee = TrusteeKeys.generate()
    motion = call_election(w, mtz, ("Sokol", "Zubr"))
    survey = actions.open_survey(
        w.person("Sokol"),
        mtz,
        motion=motion,
        title="Needs of September",
        items=ITEMS,
        trustees=[(trustee.identity.public, trustee.box_public)],
        threshold=1,
    ).id
    _take(survey, [offline.dealing_event(_lines(survey), trustee)])
    elections.open_election(w.person("Sokol"), survey)
    base = live_server.url

    # Members answer in the browser: their device encrypts the quantities.
    for name, answers in (("Sokol", ("2", "1")), ("Zubr", ("3", None))):
        sign_in(page, base, name)
        page.goto(f"{base}/elections/{survey}/vote/")
        for index, answer in enumerate(answers):
            # "How many": a number input (0..max); the device marks that quantity.
            page.locator(f'fieldset[data-question="{index}"] input[type="number"]').fill(
                answer or "0"
            )
        page.get_by_role("button", name="Encrypt my ballot").click()
        page.get_by_role("button", name="Cast this ballot").click()
        page.locator("#cast-tracker").wait_for()
        sign_out(page)
    elections.close_election(w.person("Sokol"), survey)
    _take(survey, [offline.partial_decryption_event(_lines(survey), trustee)])
    elections.publish_result(w.person("Sokol"), survey)
    actions.publish_survey(w.person("Chair"), council, survey)

    # The committee's result page shows each item's total and no count per quantity.
    sign_in(page, base, "Sokol")
    page.goto(f"{base}/elections/{survey}/result/")
    rows = page.locator("table tr:has(td.num)")
    assert rows.count() == 2
    assert [rows.nth(i).locator("td.num").inner_text() for i in range(2)] == ["5", "1"]
    sign_out(page)

    # The council sees the totals only.
    sign_in(page, base, "Chair")
    page.goto(f"{base}/planning/{council}/needs/")
    food = page.locator('tr[data-item="Food parcels per week"] td.num')
    assert food.inner_text() == "5"
    assert page.locator('tr[data-item="Legal consultations"] td.num').inner_text() == "1"
    sign_out(page)

    # A budget of the MTZ fund: projects proposed and voted in the browser.
    fund.create_fund(
        w.person("Sokol"),
        mtz,
        name="MTZ fund",
        treasurers=[w.person("Sokol").public, w.person("Zubr").public],
        k=2,
    )
    fund.record_donation(w.person("Sokol"), mtz, day="2020-09-01", amount=2000_00, currency="BYN")
    now = datetime.now(UTC).replace(microsecond=0)
    budget = actions.open_budget(
        w.person("Sokol"),
        mtz,
        title="September budget",
        amount=1000_00,
        from_fund=True,
        proposals_close=now + timedelta(hours=1),
        votes_close=now + timedelta(hours=2),
    ).id
    url = f"{base}/planning/{mtz}/budgets/{budget}/"
    sign_in(page, base, "Zubr")
    page.goto(url)
    for name, cost in (("Food parcels", "600"), ("Lawyers", "400"), ("Minibus", "900")):
        page.get_by_label("Project", exact=True).fill(name)
        page.get_by_label("Cost").fill(cost)
        page.get_by_role("button", name="Sign and propose").click()
        page.get_by_text("Project proposed.").wait_for()
    clock.pass_(now + timedelta(hours=1))
    for name in ("Zubr", "Sokol"):
        if name == "Sokol":
            sign_out(page)
            sign_in(page, base, name)
        page.goto(url)
        page.get_by_label("Food parcels").check()
        page.get_by_label("Lawyers").check()
        page.get_by_role("button", name="Sign and vote").click()
        page.get_by_text("Your vote is recorded.").wait_for()
    clock.pass_(now + timedelta(hours=2))
    page.goto(url)
    page.get_by_role("button", name="Sign and count the result").click()
    page.get_by_text("The budget is decided.").wait_for()
    assert page.locator("[data-winner]").count() == 2
    page.get_by_role("button", name="Sign and propose the winners' payouts").click()
    page.get_by_text("The winning projects are proposed as payouts").wait_for()

    # The fund's ledger lists them as pending payouts, awaiting the treasurers.
    page.goto(f"{base}/fund/{mtz}/")
    rows = page.locator("tr[data-payout]")
    assert rows.count() == 2
    assert {
        rows.nth(i).locator(".payout-status").get_attribute("data-status") for i in range(2)
    } == {"pending"}
    assert "Lawyers" in page.content() and "Food parcels" in page.content()
