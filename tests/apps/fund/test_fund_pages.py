"""Every fund URL for each role: treasurer, member, non-member, anonymous."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from tests.factories import signed_in_client

from veche.apps.fund import actions
from veche.apps.fund.models import Balance, Entry, Payout, Report

pytestmark = pytest.mark.django_db


def client_for(fund: Any, name: str | None) -> Client:
    return Client() if name is None else signed_in_client(fund.who(name), name)


ROLES = {"treasurer": "Zubr", "member": "Rusalka", "outsider": "Outsider", "anonymous": None}


def _donation(day: str = "2020-08-14") -> dict[str, str]:
    return {
        "donation-day": day,
        "donation-amount": "150.50",
        "donation-currency": "BYN",
        "donation-account": "bank",
        "donation-donor": "Anon-42",
        "donation-memo": "",
    }


def _expect(response: Any, role: str, allowed: int) -> None:
    if role == "anonymous":
        assert response.status_code == 302 and "/accounts/sign-in/" in response["Location"]
    elif role == "outsider":
        assert response.status_code == 404
    else:
        assert response.status_code == allowed, (role, response.status_code)


@pytest.mark.parametrize("role", list(ROLES))
def test_ledger_page(fund: Any, role: str) -> None:
    response = client_for(fund, ROLES[role]).get(f"/fund/{fund.space}/")
    _expect(response, role, 200)
    if role == "treasurer":
        assert b"Record a donation" in response.content
    if role == "member":
        assert b"Balances" in response.content and b"Record a donation" not in response.content


@pytest.mark.parametrize("role", list(ROLES))
def test_treasurer_only_posts(fund: Any, role: str) -> None:
    client = client_for(fund, ROLES[role])
    posts = [
        ("donation/", _donation()),
        (
            "cost/",
            {
                "cost-day": "2020-08-15",
                "cost-amount": "10",
                "cost-currency": "BYN",
                "cost-account": "bank",
                "cost-memo": "leaflets",
            },
        ),
        (
            "payout/",
            {
                "payout-day": "2020-08-20",
                "payout-recipient": "R-5",
                "payout-amount": "100",
                "payout-currency": "BYN",
                "payout-source": "bank",
                "payout-note": "",
            },
        ),
    ]
    for path, data in posts:
        response = client.post(f"/fund/{fund.space}/{path}", data)
        if role == "member":
            assert response.status_code == 403
        else:
            _expect(response, role, 302)
    expected = 3 if role == "treasurer" else 0
    assert Entry.objects.filter(space=fund.space).count() + Payout.objects.count() == expected


@pytest.mark.parametrize("role", list(ROLES))
def test_approve_and_publish(fund: Any, role: str) -> None:
    actions.record_donation(
        fund.who("Sokol"), fund.space, day="2020-08-14", amount=500_00, currency="BYN"
    )
    payout, _ = actions.propose_payout(
        fund.who("Sokol"),
        fund.space,
        recipient="R-9",
        amount=100_00,
        currency="BYN",
        source="bank",
        day="2020-08-20",
    )
    actions.approve_payout(fund.who("Sokol"), fund.space, payout.id)
    client = client_for(fund, ROLES[role])
    response = client.post(f"/fund/{fund.space}/payouts/{payout.id}/approve/", {"confirm": "yes"})
    published = client.post(f"/fund/{fund.space}/publish/", {"publish-period": "2020-08"})
    if role == "member":
        assert response.status_code == 403 and published.status_code == 403
    else:
        _expect(response, role, 302)
        _expect(published, role, 302)
    effective = Payout.objects.get(event=payout.id).status == "effective"
    assert effective == (role == "treasurer")
    assert Report.objects.exists() == (role == "treasurer")


def test_a_refused_entry_shows_the_reason(fund: Any) -> None:
    client = client_for(fund, "Zubr")
    actions.publish_report(fund.who("Zubr"), fund.space, "2020-08")
    response = client.post(f"/fund/{fund.space}/donation/", _donation(), follow=True)
    assert b"closed by a published report" in response.content
    assert not Balance.objects.filter(space=fund.space).exists()
    bad = client.post(
        f"/fund/{fund.space}/donation/", {**_donation(), "donation-amount": "-3"}, follow=True
    )
    assert b"Nothing was recorded" in bad.content


@pytest.mark.parametrize("role", list(ROLES))
def test_published_reports_are_public(fund: Any, role: str) -> None:
    actions.record_donation(
        fund.who("Sokol"),
        fund.space,
        day="2020-08-14",
        amount=500_00,
        currency="BYN",
        donor="Secret-Donor",
    )
    payout, _ = actions.propose_payout(
        fund.who("Sokol"),
        fund.space,
        recipient="Worker-77",
        amount=100_00,
        currency="BYN",
        source="bank",
        day="2020-08-20",
    )
    actions.approve_payout(fund.who("Sokol"), fund.space, payout.id)
    actions.approve_payout(fund.who("Zubr"), fund.space, payout.id)
    event = actions.publish_report(fund.who("Zubr"), fund.space, "2020-08")
    client = client_for(fund, ROLES[role])
    listing = client.get("/fund/reports/")
    assert listing.status_code == 200 and b"August 2020" in listing.content
    page = client.get(f"/fund/reports/{event.id}/")
    data = client.get(f"/fund/reports/{event.id}/report.json")
    assert page.status_code == 200 and data.status_code == 200
    for body in (page.content, data.content):
        assert b"Worker-77" not in body and b"Secret-Donor" not in body
    assert client.get(f"/fund/reports/{'A' * 43}/").status_code == 404


@pytest.mark.parametrize("role", ["member", "outsider", "anonymous"])
def test_creating_a_fund_needs_membership(role: str) -> None:
    from tests.factories import World

    world = World()
    space = world.committee("Sokol", ("Rusalka",))

    class W:
        def who(self, name: str) -> Any:
            return world.person(name)

    client = client_for(W(), ROLES[role])
    response = client.post(
        f"/fund/{space}/create/",
        {"name": "Fund", "treasurers": world.person("Rusalka").public, "k": "1"},
    )
    _expect(response, role, 302)
    from veche.apps.fund.models import Fund

    assert Fund.objects.filter(space=space).exists() == (role == "member")


@pytest.mark.parametrize(
    ("period", "language", "said"),
    [
        ("2020-13", "ru", "«2020-13» — такого месяца нет."),
        ("August", "be", "Напішыце месяц, напрыклад 2020-08, або all — за ўвесь час."),
        ("2020-13", "en", "“2020-13” is no month of the calendar."),
    ],
)
def test_a_bad_period_is_refused_in_the_readers_language(
    fund: Any, period: str, language: str, said: str
) -> None:
    import html

    from django.conf import settings

    client = client_for(fund, "Zubr")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.post(f"/fund/{fund.space}/publish/", {"publish-period": period}, follow=True)
    assert said in html.unescape(response.content.decode())
    assert "no such month" not in response.content.decode()
    assert not Report.objects.exists()
