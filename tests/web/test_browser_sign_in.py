"""A person signs in with Chromium and sees their committees."""

from __future__ import annotations

from typing import Any

import pytest
from tests.factories import PASS, World

from veche.apps.accounts.actions import create_account

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_sign_in_and_see_home(live_server: Any, page: Any) -> None:
    world = World()
    world.committee("Sokol", ("Zubr",), name="BMZ Zhlobin strike committee")
    create_account("Zubr", PASS, world.person("Zubr"))
    page.goto(live_server.url + "/")
    page.get_by_role("link", name="Sign in").first.click()
    page.get_by_label("Pseudonym").fill("Zubr")
    page.get_by_label("Passphrase").fill(PASS)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_text("Welcome, Zubr").wait_for()
    assert page.get_by_role("link", name="BMZ Zhlobin strike committee").is_visible()
    page.get_by_role("button", name="Sign out").click()
    page.get_by_role("link", name="Sign in").first.wait_for()
