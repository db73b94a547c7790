"""In Chromium: record a strike status and see it on the map; approve a payout as two
treasurers; publish the report and verify the files the public downloads."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from tests.factories import PASS, World

from veche.apps.accounts.actions import create_account
from veche.apps.fund import actions as fund
from veche.apps.strike import actions as strike
from veche.solidarity.report import verify_report

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page: Any, base: str, name: str) -> None:
    page.goto(base + "/accounts/sign-in/")
    page.get_by_label("Pseudonym").fill(name)
    page.get_by_label("Passphrase").fill(PASS)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_text(f"Welcome, {name}").wait_for()


def sign_out(page: Any) -> None:
    page.get_by_role("button", name="Sign out").click()
    page.get_by_role("link", name="Sign in").first.wait_for()


def test_strike_map_payout_and_report(live_server: Any, page: Any, tmp_path: Path) -> None:
    world = World()
    space = world.committee("Sokol", ("Zubr", "Vasilek"), name="Belshina strike committee")
    for name in ("Zubr", "Vasilek"):
        create_account(name, PASS, world.person(name))
    plant = strike.register_workplace(
        world.person("Sokol"),
        space,
        name="Belshina",
        city="Bobruisk",
        region="mogilev",
        sector="tyres",
        workforce=8000,
    ).id
    fund.create_fund(
        world.person("Sokol"),
        space,
        name="Belshina fund",
        treasurers=[world.person("Zubr").public, world.person("Vasilek").public],
        k=2,
    )
    fund.record_donation(
        world.person("Zubr"), space, day="2020-08-14", amount=900_00, currency="BYN"
    )
    base = live_server.url

    # A member records a published full strike; the public map shows it.
    sign_in(page, base, "Zubr")
    page.goto(f"{base}/strike/workplaces/{plant}/")
    page.get_by_label("From (day)").fill("2020-08-17")
    page.get_by_label("Status", exact=True).select_option("full_strike")
    page.get_by_label("Share of workers out (%)").fill("60")
    page.get_by_label("Publish (the public sees this status on the map)").check()
    page.get_by_role("button", name="Sign and record").click()
    page.get_by_text("Status recorded and signed.").wait_for()

    # Treasurer one proposes and approves a payout: still pending.
    page.goto(f"{base}/fund/{space}/")
    page.get_by_label("Recipient id (pseudonymous, from the vetting committee)").fill("BS-07")
    page.locator("#id_payout-day").fill("2020-08-20")
    page.locator("#id_payout-amount").fill("300")
    page.locator("#id_payout-source").select_option("bank")
    page.get_by_role("button", name="Sign and propose the payout").click()
    page.get_by_role("heading", name="Payout receipt").first.wait_for()
    assert page.locator("[data-salt]").inner_text()
    page.get_by_role("link", name="Back to the fund").click()
    page.get_by_role("button", name="Approve").click()
    page.get_by_role("button", name="Sign the approval").click()  # the confirmation
    page.get_by_text("Approval signed.").wait_for()
    assert page.locator(".payout-status").get_attribute("data-status") == "pending"
    assert page.locator(".payout-status").inner_text() == "awaiting approvals"
    sign_out(page)

    # Anyone sees the strike on the map.
    page.goto(f"{base}/strike/")
    marker = page.locator('.strike-map [data-status="full_strike"]')
    assert marker.count() == 1
    assert "Belshina" in page.locator(".strike-map").inner_html()

    # Treasurer two approves: the payout takes effect; then publishes August.
    sign_in(page, base, "Vasilek")
    page.goto(f"{base}/fund/{space}/")
    page.get_by_role("button", name="Approve").click()
    page.get_by_role("button", name="Sign the approval").click()  # the confirmation
    page.get_by_text("Approval signed.").wait_for()
    assert page.locator(".payout-status").get_attribute("data-status") == "effective"
    assert page.locator(".payout-status").inner_text() == "approved"
    assert "600.00" in page.locator('[data-account="bank-BYN"]').inner_text()
    page.get_by_label("Period (a month like 2020-08, or all)").fill("2020-08")
    page.get_by_role("button", name="Sign and publish the report").click()
    page.get_by_text("Report published.").wait_for()
    sign_out(page)

    # The public downloads the report and verifies it offline.
    page.goto(f"{base}/fund/reports/")
    page.get_by_role("link", name="Belshina fund: August 2020").click()
    page.get_by_text("1 payout · 1 recipient").wait_for()
    report_url = page.url
    (tmp_path / "report.html").write_bytes(page.request.get(report_url + "report.html").body())
    (tmp_path / "report.json").write_bytes(page.request.get(report_url + "report.json").body())
    result = verify_report(tmp_path)
    assert result.ok, result.problems
