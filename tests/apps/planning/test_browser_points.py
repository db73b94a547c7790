"""In Chromium at 360 px: a points budget's vote page. The number inputs are big enough
to tap, the page does not scroll sideways, the script says how many points are left
(and how many too many), the server refuses a ballot over the total with the reason and
keeps what was typed, and a good ballot is signed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from tests.apps.planning.test_browser_planning import sign_in
from tests.clock import EventClock
from tests.factories import PASS, World

from veche.apps.accounts.actions import create_account
from veche.apps.planning import actions
from veche.apps.planning.models import BudgetVote

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_points_ballot_at_360_px(
    live_server: Any, browser: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = EventClock.install(monkeypatch)
    w = World()
    space = w.committee("Sokol", ("Zubr",), name="Minsk city committee")
    create_account("Zubr", PASS, w.person("Zubr"))
    now = datetime.now(UTC).replace(microsecond=0)
    budget = actions.open_budget(
        w.person("Sokol"),
        space,
        title="September budget",
        amount=1000_00,
        rule="greedy",
        ballot="points",
        points=10,
        proposals_close=now + timedelta(hours=1),
        votes_close=now + timedelta(hours=2),
    ).id
    projects = {
        name: actions.propose_project(w.person("Sokol"), space, budget, name=name, cost=cost).id
        for name, cost in (("Food parcels", 600_00), ("Lawyers", 400_00))
    }
    clock.pass_(now + timedelta(hours=1))
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="en-US")
    page = context.new_page()
    try:
        base = live_server.url
        sign_in(page, base, "Zubr")
        page.goto(f"{base}/planning/{space}/budgets/{budget}/")
        food, lawyers = page.get_by_label("Food parcels"), page.get_by_label("Lawyers")
        left = page.locator("#points-left")
        assert left.inner_text() == "Points left: 10"
        food.fill("7")
        lawyers.fill("5")
        assert left.inner_text() == "Too many points: 2 over"
        for box in (food.bounding_box(), lawyers.bounding_box()):
            assert box is not None and box["height"] >= 44 and box["x"] + box["width"] <= 360
        assert food.get_attribute("inputmode") == "numeric"
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        page.get_by_role("button", name="Sign and vote").click()
        page.get_by_text("You gave 12 points in all; you have 10 to give.").wait_for()
        assert food.input_value() == "7" and lawyers.input_value() == "5"
        assert not BudgetVote.objects.exists()
        lawyers.fill("3")
        assert left.inner_text() == "Points left: 0"
        page.get_by_role("button", name="Sign and vote").click()
        page.get_by_text("Your vote is recorded.").wait_for()
        vote = BudgetVote.objects.get()
        assert vote.points == {projects["Food parcels"]: 7, projects["Lawyers"]: 3}
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
    finally:
        context.close()
