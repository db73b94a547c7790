"""In Chromium: invite → join → propose → vote → close → result; a recall seen in the parent."""

from __future__ import annotations

import re
from typing import Any

import pytest
from tests.apps.committees.test_motions import _elect, _federate
from tests.factories import PASS, World

from veche.apps.accounts.actions import create_account
from veche.apps.committees import actions
from veche.apps.committees.models import Motion

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _sign_in(page: Any, base: str, name: str) -> None:
    page.goto(base + "/accounts/sign-in/")
    page.get_by_label("Pseudonym").fill(name)
    page.get_by_label("Passphrase").fill(PASS)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_text(f"Welcome, {name}").wait_for()


def test_invite_join_propose_vote_close(live_server: Any, browser: Any) -> None:
    w = World()
    w.committee("Sokol", name="Kozlova plant strike committee")
    create_account("Sokol", PASS, w.person("Sokol"))
    founder = browser.new_context(viewport={"width": 412, "height": 915}).new_page()
    _sign_in(founder, live_server.url, "Sokol")
    founder.get_by_role("link", name="Kozlova plant strike committee").click()
    founder.get_by_role("button", name="Invite someone").click()
    code = founder.locator("strong.code").inner_text().strip()
    assert re.fullmatch(r"[A-Z2-9]{5}(-[A-Z2-9]{5}){3}", code)
    assert founder.locator(".qr svg").count() == 1
    link = founder.locator("code.id").inner_text().strip()

    newcomer = browser.new_context(viewport={"width": 412, "height": 915}).new_page()
    newcomer.goto(link)
    assert newcomer.get_by_label("Invitation code").input_value() == code
    newcomer.get_by_label("Your pseudonym in this committee").fill("Zubr")
    newcomer.get_by_label("Choose a passphrase").fill("a long enough passphrase")
    newcomer.get_by_label("The passphrase, again").fill("a long enough passphrase")
    newcomer.get_by_role("button", name="Join").click()
    newcomer.get_by_role("heading", name="Kozlova plant strike committee").wait_for()

    newcomer.get_by_role("link", name="Propose a motion").click()
    newcomer.get_by_role("link", name="Demands letter").click()  # the kind first
    newcomer.get_by_label("Title").fill("Our four demands")
    newcomer.get_by_label("Text", exact=True).fill("1. End the violence.\n2. Release the detained.")
    newcomer.get_by_role("button", name="Propose").click()
    newcomer.get_by_role("heading", name="Our four demands").wait_for()
    newcomer.get_by_label("Yes").check()
    newcomer.get_by_role("button", name="Vote", exact=True).click()
    newcomer.get_by_text("Your vote was recorded").wait_for()
    motion_url = newcomer.url

    founder.goto(motion_url)
    founder.get_by_label("Yes").check()
    founder.get_by_role("button", name="Vote", exact=True).click()
    founder.get_by_text("Your vote was recorded").wait_for()
    newcomer.reload()
    newcomer.get_by_role("button", name="Close the vote").click()
    newcomer.get_by_role("button", name="Close the vote now").click()  # the confirmation
    newcomer.locator(".badge.passed").first.wait_for()
    assert "Votes cast: 2 of 2 entitled" in newcomer.content()
    assert Motion.objects.get(title="Our four demands").status == "passed"


def test_recall_seen_in_the_parent(live_server: Any, page: Any) -> None:
    w = World()
    council, mtz, _kozlova = _federate(w)
    mandate = _elect(
        w, mtz, ("Sokol", "Zubr", "Rusalka"), ("Zubr", "Rusalka"), 1, [[0, 1], [0, 1], [1, 0]]
    )
    actions.take_seat(w.person("Zubr"), council, mandate)
    create_account("Sokol", PASS, w.person("Sokol"))
    _sign_in(page, live_server.url, "Sokol")
    page.goto(f"{live_server.url}/committees/{council}/")
    row = page.locator("tr", has_text="Zubr")
    assert "seated" in row.inner_text()
    page.goto(f"{live_server.url}/committees/{mtz}/")
    page.get_by_role("link", name="propose a recall").click()
    page.get_by_label("Title").fill("Recall Zubr")
    page.get_by_label("Text", exact=True).fill("He broke his mandate.")
    page.get_by_role("button", name="Propose").click()
    page.get_by_role("heading", name="Recall Zubr").wait_for()
    recall = Motion.objects.get(title="Recall Zubr").event
    for name in ("Zubr", "Rusalka"):
        actions.vote(w.person(name), mtz, recall, choice="yes")
    page.get_by_label("Yes").check()
    page.get_by_role("button", name="Vote", exact=True).click()
    page.get_by_role("button", name="Close the vote").click()
    page.get_by_role("button", name="Close the vote now").click()  # the confirmation
    page.locator(".badge.passed").first.wait_for()
    page.goto(f"{live_server.url}/committees/{council}/")
    assert "recalled" in page.locator("tr", has_text="Zubr").inner_text()
    page.goto(f"{live_server.url}/committees/federation/")
    assert "recalled" in page.locator(".tree-node", has_text="Zubr").last.inner_text()


def test_unverified_seats_and_votes_fit_a_small_phone(live_server: Any, browser: Any) -> None:
    """A node without MTZ's log: Zubr's seat and vote are unverified and shown apart;
    the council, motion and event pages fit 360 px without sideways scrolling."""
    from tests.apps.committees.test_on_trust import _council_log, _light_node

    setup = _council_log()
    _light_node(setup)
    w, council = setup["w"], setup["council"]
    create_account("Vasilek", PASS, w.person("Vasilek"))  # type: ignore[attr-defined]
    page = browser.new_context(viewport={"width": 360, "height": 740}).new_page()
    _sign_in(page, live_server.url, "Vasilek")
    for path, heading in (
        (f"/committees/{council}/", "Seats not verified on this node"),
        (f"/committees/{council}/motions/{setup['strike']}/", "Votes not verified on this node"),
        (f"/committees/{council}/motions/{setup['demands']}/", "Votes not verified on this node"),
        (f"/events/{setup['seat']}/", "Event"),
    ):
        page.goto(live_server.url + path)
        page.get_by_role("heading", name=heading).wait_for()
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 360, (path, width)
    assert "Unverified" in page.content()
