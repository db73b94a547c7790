"""A member uploads a simulated election in Chromium and sees the report page with its plots."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from tests.factories import PASS, World

from veche.audit import simulate, write_simulation

if not apps.is_installed("veche.apps.audit"):
    pytest.skip("veche.apps.audit is not in INSTALLED_APPS yet", allow_module_level=True)

from veche.apps.accounts.actions import create_account

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_upload_simulated_election_and_read_report(
    live_server: Any, page: Any, tmp_path: Path
) -> None:
    files = write_simulation(simulate(800, seed=3, stuffing=0.2), tmp_path)
    create_account("Zubr", PASS, World().person("Zubr"))
    page.goto(live_server.url + "/accounts/sign-in/")
    page.get_by_label("Pseudonym").fill("Zubr")
    page.get_by_label("Passphrase").fill(PASS)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(live_server.url + "/")

    page.goto(live_server.url + "/audit/new/")
    page.get_by_label("Title").fill("Simulated Belarus 2020")
    page.get_by_label("Official protocol (CSV or Excel .xlsx)").set_input_files(
        str(files["official"])
    )
    page.get_by_label("Witness reports (CSV, optional)").set_input_files(str(files["witness"]))
    page.get_by_label("These are simulated data (the report says so in a banner)").check()
    # The tests' task backend runs the audit within the request (a node's worker runs
    # it in the background: tests/web/test_background.py), so the upload's answer is
    # the report page, a while later.
    page.set_default_navigation_timeout(180_000)
    page.set_default_timeout(180_000)
    page.get_by_role("button", name="Upload and audit").click()

    page.get_by_role("heading", name="Summary").wait_for(timeout=60_000)
    assert page.get_by_text("Simulated election: synthetic data").is_visible()
    images = page.locator("figure img")
    assert images.count() == 6
    for i in range(images.count()):
        image = images.nth(i)
        image.scroll_into_view_if_needed()
        page.wait_for_function(
            "img => img.complete && img.naturalWidth > 0", arg=image.element_handle()
        )
    proven = page.locator("dt", has_text="Stations where falsification is proven")
    assert proven.is_visible()
    page.get_by_role("button", name="Publish the report").click()
    page.get_by_text("The report is published").wait_for()
