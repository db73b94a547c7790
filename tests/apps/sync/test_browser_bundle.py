"""A member downloads a bundle from one node in the browser and imports it on another."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from tests.apps.sync.nodes import Node
from tests.factories import World

from veche.apps.accounts.actions import create_account
from veche.apps.committees import actions
from veche.apps.store.log import state_digest

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

PASSPHRASE = "correct horse battery"


def _sign_in(page: Any, base: str) -> None:
    page.goto(base + "/accounts/sign-in/")
    page.get_by_label("Pseudonym").fill("Zubr")
    page.get_by_label("Passphrase").fill(PASSPHRASE)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_text("Welcome, Zubr").wait_for()


def test_download_on_one_node_import_on_another(
    live_server: Any, page: Any, tmp_path: Path
) -> None:
    world = World()
    space = world.committee("Sokol", ("Zubr",), name="Naftan strike committee")
    actions.post(world.person("Sokol"), space, "Demands letter signed by 300 workers")
    create_account("Zubr", PASSPHRASE, world.person("Zubr"))

    second = Node(tmp_path / "second")
    second.folder.mkdir()
    seed = world.person("Zubr").seed.hex()
    second.python(
        "from veche.apps.accounts.actions import create_account\n"
        "from veche.events import Identity\n"
        f"create_account('Zubr', {PASSPHRASE!r}, Identity(bytes.fromhex({seed!r})))\n"
    )
    second.start()
    try:
        _sign_in(page, live_server.url)
        page.goto(live_server.url + "/sync/bundles/")
        page.get_by_label("Committee").select_option(label="Naftan strike committee")
        # The bundle is written in the background (at once here); the page offers it.
        page.get_by_role("button", name="Download bundle").click()
        page.get_by_text("The bundle is ready").wait_for()
        with page.expect_download() as download_info:
            page.get_by_role("link", name="Download", exact=True).click()
        bundle = tmp_path / "naftan.bundle"
        download_info.value.save_as(bundle)

        base = second.url.rstrip("/")
        _sign_in(page, base)
        page.goto(base + "/sync/bundles/")
        page.get_by_label("Bundle file").set_input_files(str(bundle))
        page.get_by_role("button", name="Import bundle").click()
        page.get_by_text("Bundle imported").wait_for()
        assert second.json("state", "digest", f"--space={space}")["digest"] == state_digest(space)
        page.goto(base + "/committees/")
        assert page.get_by_role("link", name="Naftan strike committee").is_visible()
    finally:
        second.stop()
