"""On a phone (360 px, Belarusian and Russian, no JavaScript): the join form refuses a
guessable passphrase with advice, the welcome page and the paper backup fit the
screen. Screenshots go to $VECHE_SCREENSHOTS (default: the test's folder)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from tests.factories import World

from veche.apps.accounts.models import Account
from veche.apps.committees import actions

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]

STRONG = "pine needle ferry lantern"


def _fits(page: Any) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


@pytest.mark.parametrize("language", ["be", "ru"])
def test_joining_on_a_phone_welcome_and_paper_backup(
    live_server: Any, browser: Any, language: str, tmp_path: Path
) -> None:
    world = World()
    space = world.committee("Sokol", name="Забастовочный комитет завода Козлова")
    code, _ = actions.invite(world.person("Sokol"), space)
    context = browser.new_context(viewport={"width": 360, "height": 740}, java_script_enabled=False)
    host = live_server.url.split("//")[1].split(":")[0]
    context.add_cookies(
        [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "domain": host, "path": "/"}]
    )
    page = context.new_page()
    shots = Path(os.environ.get("VECHE_SCREENSHOTS", str(tmp_path)))
    page.goto(f"{live_server.url}/committees/{space}/join/?code={code}")
    page.locator("input[name=pseudonym]").fill("Зубр")
    page.locator("input[name=passphrase]").fill("qwertyuiop12")
    page.locator("input[name=again]").fill("qwertyuiop12")
    page.locator("main button[type=submit]").click()
    page.locator(".field.invalid small.error").first.wait_for()
    assert page.locator("input[name=pseudonym]").input_value() == "Зубр"
    assert len(page.locator(".field.invalid small.error").all_inner_texts()) >= 2
    _fits(page)
    page.screenshot(path=str(shots / f"join-weak-{language}.png"), full_page=True)

    page.locator("input[name=passphrase]").fill(STRONG)
    page.locator("input[name=again]").fill(STRONG)
    page.locator("main button[type=submit]").click()
    page.wait_for_url(lambda url: url.endswith("/accounts/welcome/"))
    page.locator("section.backup").wait_for()
    assert "Забастовочный комитет завода Козлова" in page.locator("main").inner_text()
    _fits(page)
    page.screenshot(path=str(shots / f"welcome-{language}.png"), full_page=True)

    page.goto(f"{live_server.url}/accounts/backup/paper/")
    page.locator(".qr svg").wait_for()
    _fits(page)
    page.screenshot(path=str(shots / f"paper-backup-{language}.png"), full_page=True)
    page.emulate_media(media="print")
    page.screenshot(path=str(shots / f"paper-backup-print-{language}.png"), full_page=True)
    assert Account.objects.get(pseudonym="Зубр").public_key in page.locator("main").inner_text()
    context.close()
