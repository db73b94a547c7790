"""At 360 px in Belarusian and Russian: a treasurer proposes a payout of "350,50" and
gets the recipient's receipt (card and QR); after the approvals and the report, the
recipient checks their payout on the public report page. Nothing scrolls sideways."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from tests.factories import PASS, World

from veche.apps.accounts.actions import create_account
from veche.apps.fund import actions as fund
from veche.apps.fund.models import Payout, Receipt

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _no_sideways_scroll(page: Any) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, width


@pytest.mark.parametrize("language", ["be", "ru"])
def test_receipt_and_check_at_360(
    live_server: Any, browser: Any, tmp_path: Path, language: str
) -> None:
    world = World()
    space = world.committee("Sokol", ("Zubr",), name="Стачкам Беларуськалія")
    create_account("Zubr", PASS, world.person("Zubr"))
    treasurers = [world.person("Sokol").public, world.person("Zubr").public]
    fund.create_fund(
        world.person("Sokol"), space, name="Фонд салідарнасці", treasurers=treasurers, k=2
    )
    fund.record_donation(
        world.person("Sokol"), space, day="2020-08-14", amount=9000_00, currency="BYN"
    )
    base = live_server.url
    shots = Path(os.environ.get("VECHE_SCREENSHOTS", str(tmp_path)))
    context = browser.new_context(viewport={"width": 360, "height": 740})
    context.add_cookies([{"name": "django_language", "value": language, "url": base}])
    page = context.new_page()
    page.set_default_timeout(15000)

    page.goto(base + "/accounts/sign-in/")
    page.locator("#id_pseudonym").fill("Zubr")
    page.locator("#id_passphrase").fill(PASS)
    page.locator("#id_passphrase").press("Enter")
    page.wait_for_url(lambda url: "sign-in" not in url)
    page.goto(f"{base}/fund/{space}/")
    page.locator("#id_payout-day").fill("2020-08-20")
    page.locator("#id_payout-recipient").fill("Рабочы-5")
    page.locator("#id_payout-amount").fill("1 350,50")
    page.locator("#id_payout-source").select_option("bank")
    page.locator("form[action$='/payout/'] button[type=submit]").click()
    page.locator(".receipt [data-salt]").wait_for()
    payout = Payout.objects.get(space=space)
    salt = Receipt.objects.get(payout=payout.event).salt
    assert payout.amount == 1350_50
    assert page.locator("[data-salt]").inner_text() == salt
    assert "1\u00a0350,50 BYN" in page.locator(".receipt").inner_text()
    assert page.locator(".receipt .qr svg").count() == 1
    _no_sideways_scroll(page)
    page.screenshot(path=str(shots / f"fund-receipt-{language}.png"), full_page=True)

    fund.approve_payout(world.person("Sokol"), space, payout.event)
    fund.approve_payout(world.person("Zubr"), space, payout.event)
    report = fund.publish_report(world.person("Zubr"), space, "2020-08")
    context.clear_cookies()
    context.add_cookies([{"name": "django_language", "value": language, "url": base}])
    page.goto(f"{base}/fund/reports/{report.id}/")
    page.locator("#id_recipient").fill("Рабочы-5")
    page.locator("#id_amount").fill("1350,5")
    page.locator("#id_salt").fill(salt)
    page.locator("form[action*='/fund/reports/'] button[type=submit]").click()
    page.locator('[data-check="found"]').wait_for()
    assert page.locator("tr.found").count() == 1
    text = (
        page.locator("main").inner_text()
        if page.locator("main").count()
        else page.inner_text("body")
    )
    assert "payout" not in text and "Money" not in text
    _no_sideways_scroll(page)
    page.screenshot(path=str(shots / f"fund-report-check-{language}.png"), full_page=True)
    context.close()
