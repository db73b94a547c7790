"""The home page: what waits for a signed-in member, then what is new since their visit."""

from __future__ import annotations

import os
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from tests.apps.elections.helpers import setup_election
from tests.factories import World, signed_in_client

from veche.apps.accounts.models import Account
from veche.apps.committees import actions
from veche.apps.committees.models import Committee, Vote
from veche.apps.elections import actions as elections
from veche.apps.elections.models import TrusteeKey
from veche.apps.fund import actions as fund
from veche.events.envelope import format_time

pytestmark = pytest.mark.django_db

SOON = format_time(datetime.now(UTC) + timedelta(days=2))
PAST_AT = datetime(2020, 8, 11, 18, 0, tzinfo=UTC)


def _needs(client: Client) -> str:
    """The "waiting for you" part of the home page."""
    html = client.get("/").content.decode()
    return html.split('id="needs"', 1)[1].split('id="news"', 1)[0]


def _news(client: Client) -> str:
    html = client.get("/").content.decode()
    return html.split('id="news"', 1)[1]


def test_an_unvoted_motion_waits_with_its_deadline_and_turnout(world: World, signed_in_as):
    space = world.committee("Zubr", ("Sokol", "Rusalka"), name="MTZ strike committee")
    motion = actions.propose(
        world.person("Zubr"),
        space,
        kind="general",
        title="Strike on Monday",
        text="All out.",
        deadline=SOON,
    ).id
    actions.vote(world.person("Zubr"), space, motion, choice="yes")
    sokol, zubr = signed_in_as("Sokol"), signed_in_as("Zubr")
    needs = _needs(sokol)
    assert "Strike on Monday" in needs and "MTZ strike committee" in needs
    assert "voted: 1 of 3" in needs
    assert "deadline" in needs and "Past its deadline" not in needs
    assert f'action="{reverse("committees:vote", args=[space, motion])}"' in needs
    # The proposer voted: nothing waits for them.
    assert "Strike on Monday" not in _needs(zubr)


def test_a_vote_from_the_home_page_goes_back_home(world: World, signed_in_as):
    space = world.committee("Zubr", ("Sokol",))
    motion = actions.propose(
        world.person("Zubr"), space, kind="general", title="Strike", text="."
    ).id
    sokol = signed_in_as("Sokol")
    url = reverse("committees:vote", args=[space, motion])
    response = sokol.post(url, {"choice": "no", "next": "/"})
    assert response.status_code == 302 and response["Location"] == "/"
    assert Vote.objects.get(motion=motion, person=world.person("Sokol").public).choice == "no"
    assert "Strike" not in _needs(sokol)
    # Elsewhere than this node, it goes to the motion's page instead.
    response = sokol.post(url, {"choice": "yes", "next": "https://evil.example/"})
    assert response["Location"] == reverse("committees:motion", args=[space, motion])


def test_a_motion_past_its_deadline_offers_anyone_to_close_it(world: World, signed_in_as):
    space = world.committee("Zubr", ("Sokol",))
    motion = actions.propose(
        world.person("Zubr"),
        space,
        kind="general",
        title="Old motion",
        text=".",
        deadline=format_time(PAST_AT + timedelta(days=1)),
        at=PAST_AT,
    ).id
    actions.vote(world.person("Sokol"), space, motion, choice="yes")
    needs = _needs(signed_in_as("Sokol"))
    # Listed though Sokol voted: it waits for someone to close it.
    assert "Old motion" in needs and "Past its deadline" in needs and "You have voted." in needs
    assert f'action="{reverse("committees:close", args=[space, motion])}"' in needs


def test_an_amended_motion_waits_again(world: World, signed_in_as):
    space = world.committee("Zubr", ("Sokol",))
    motion = actions.propose(
        world.person("Zubr"), space, kind="general", title="Tea break", text="Ten minutes."
    ).id
    actions.vote(world.person("Sokol"), space, motion, choice="yes")
    sokol = signed_in_as("Sokol")
    assert 'data-need="motion"' not in _needs(sokol)
    actions.amend(
        world.person("Zubr"), space, motion, title="Tea break twice", text="Twenty minutes."
    )
    assert "Tea break twice" in _needs(sokol)


def _vouching_committee(world: World, name: str = "Vouching committee") -> str:
    """Zubr's committee with Sokol, which then voted to admit by two vouches."""
    space = world.committee("Zubr", ("Sokol",), name=name)
    rules = dict(Committee.objects.get(space=space).rules, admission="vouching", vouches_needed=2)
    keep = ("quorum_percent", "majority", "admission", "vouches_needed")
    motion = actions.propose(
        world.person("Zubr"),
        space,
        kind="rule_change",
        title="Admission by vouching",
        text="Two vouches.",
        target={"rules": {k: rules[k] for k in keep}},
    ).id
    for name in ("Zubr", "Sokol"):
        actions.vote(world.person(name), space, motion, choice="yes")
    actions.close(world.person("Zubr"), space, motion)
    return space


def test_candidates_to_vouch_for(world: World, signed_in_as):
    space = _vouching_committee(world)
    code, _ = actions.invite(world.person("Zubr"), space)
    actions.join(world.person("Lyn"), space, code, "Lyn")
    sokol = signed_in_as("Sokol")
    needs = _needs(sokol)
    assert "Lyn" in needs and "vouches: 1 of 2" in needs
    assert (
        f'action="{reverse("committees:vouch", args=[space, world.person("Lyn").public])}"' in needs
    )
    actions.vouch(world.person("Sokol"), space, world.person("Lyn").public)
    assert world.person("Lyn").public not in _needs(sokol)
    assert "vouches: 1 of 2" not in _needs(sokol)


def test_payouts_wait_for_a_treasurer_who_has_not_approved(world: World, signed_in_as):
    space = world.committee("Sokol", ("Zubr", "Rusalka"), name="Belshina")
    fund.create_fund(
        world.person("Sokol"),
        space,
        name="Belshina fund",
        treasurers=[world.person(n).public for n in ("Sokol", "Zubr")],
        k=2,
    )
    fund.record_donation(
        world.person("Sokol"), space, day="2020-08-20", amount=50_000, currency="BYN"
    )
    payout, _salt = fund.propose_payout(
        world.person("Sokol"),
        space,
        day="2020-08-21",
        amount=10_000,
        currency="BYN",
        recipient="family-17",
        source="bank",
    )
    zubr, rusalka = signed_in_as("Zubr"), signed_in_as("Rusalka")
    assert 'data-need="payout"' in _needs(zubr) and "approvals: 0 of 2" in _needs(zubr)
    assert 'data-need="payout"' not in _needs(rusalka)  # not a treasurer
    fund.approve_payout(world.person("Zubr"), space, payout.id)
    assert 'data-need="payout"' not in _needs(zubr)


def test_trustee_steps_and_ballots_wait_for_their_member():
    election = setup_election()
    world = election.world
    zubr = signed_in_client(world.person("Zubr"), "Zubr")
    keys = election.trustees[0]
    TrusteeKey.objects.create(
        account=Account.objects.get(pseudonym="Zubr"), key=keys.identity.public, box=keys.box_public
    )
    assert "Your step as a key keeper: deal." in _needs(zubr)
    election.deal_all()
    assert "check the others" in _needs(zubr)
    elections.open_election(world.person("Sokol"), election.space)
    needs = _needs(zubr)
    assert 'data-need="trustee"' not in needs and 'data-need="ballot"' in needs
    election.cast("Zubr", 1)
    assert 'data-need="ballot"' not in _needs(zubr)
    elections.close_election(world.person("Sokol"), election.space)
    assert "decrypt your share" in _needs(zubr)
    election.decrypt(1)
    assert 'data-need="trustee"' not in _needs(zubr)


def test_news_since_the_last_visit_is_marked_unread(world: World, signed_in_as):
    space = world.committee("Zubr", ("Sokol",), name="Grodno Azot")
    actions.post(world.person("Zubr"), space, "First meeting at six.")
    sokol = signed_in_as("Sokol")
    news = _news(sokol)
    assert "First meeting at six." in news and news.count('class="card unread"') == 1
    assert _news(sokol).count('class="card unread"') == 0  # seen
    actions.post(world.person("Zubr"), space, "Second meeting at seven.")
    motion = actions.propose(
        world.person("Zubr"), space, kind="general", title="Go on strike", text="."
    ).id
    actions.vote(world.person("Zubr"), space, motion, choice="yes")
    actions.vote(world.person("Sokol"), space, motion, choice="yes")
    actions.close(world.person("Zubr"), space, motion)
    news = _news(sokol)
    assert news.count('class="card unread"') == 2
    unread = re.findall(r'class="card unread" data-news="(\w+)"', news)
    assert sorted(unread) == ["decision", "post"]
    assert "Your last visit" in news
    # Nobody's own posts are news to them.
    assert "meeting" not in _news(signed_in_as("Zubr"))


def test_a_stranger_sees_what_veche_is():
    html = Client().get("/").content.decode()
    assert 'id="needs"' not in html and reverse("accounts:sign-in") in html


def test_the_committee_page_marks_open_motions_voted(world: World, signed_in_as):
    space = world.committee("Zubr", ("Sokol",))
    voted = actions.propose(
        world.person("Zubr"), space, kind="general", title="Motion A", text="."
    ).id
    actions.propose(world.person("Zubr"), space, kind="general", title="Motion B", text=".")
    actions.vote(world.person("Sokol"), space, voted, choice="no")
    html = signed_in_as("Sokol").get(reverse("committees:detail", args=[space])).content.decode()
    assert html.count('data-voted="yes"') == 1 and html.count('data-voted="no"') == 1


def _member_of(world: World, count: int) -> None:
    """Sokol in ``count`` committees, each with an unvoted motion, a passed decision, a
    post and a candidate waiting for vouches."""
    for n in range(count):
        space = _vouching_committee(world, f"Committee {count}-{n}")
        actions.propose(world.person("Zubr"), space, kind="general", title=f"Open {n}", text=".")
        done = actions.propose(
            world.person("Zubr"), space, kind="general", title=f"Done {n}", text="."
        ).id
        actions.vote(world.person("Zubr"), space, done, choice="yes")
        actions.vote(world.person("Sokol"), space, done, choice="yes")
        actions.close(world.person("Zubr"), space, done)
        actions.post(world.person("Zubr"), space, f"Post {n}")
        code, _ = actions.invite(world.person("Zubr"), space)
        actions.join(world.person(f"Candidate{n}"), space, code, f"Candidate{n}")


def _home_queries(count: int) -> int:
    world = World()
    _member_of(world, count)
    client = signed_in_client(world.person("Sokol"), "Sokol")
    client.get("/")  # the first visit makes the visit's row
    with CaptureQueriesContext(connection) as captured:
        response = client.get("/")
    assert response.status_code == 200
    assert response.content.decode().count('data-need="motion"') == min(count, 20)
    return len(captured)


@pytest.mark.slow
def test_the_home_page_costs_the_same_at_1_and_50_committees():
    one = _home_queries(1)
    Account.objects.all().delete()
    assert _home_queries(50) == one


@pytest.mark.browser
@pytest.mark.parametrize("language", ["be", "ru"])
def test_the_home_page_fits_a_phone_without_javascript(
    live_server: Any, browser: Any, language: str, tmp_path: Path
) -> None:
    """At 360 px, in be and ru, with JavaScript off: what waits (an unvoted motion with
    its deadline, a past-deadline one, a candidate) and the news fit without sideways
    scrolling, and a vote from the home page lands back there. Screenshots go to
    $VECHE_SCREENSHOTS if set."""
    from django.conf import settings
    from tests.factories import PASS

    from veche.apps.accounts.actions import create_account

    world = World()
    space = _vouching_committee(world, "Мінскі трактарны завод — стачачны камітэт")
    code, _ = actions.invite(world.person("Zubr"), space)
    actions.join(world.person("Lyn"), space, code, "Лынь")
    motion = actions.propose(
        world.person("Zubr"),
        space,
        kind="general",
        title="Страйк з панядзелка",
        text="Усе выходзім.",
        deadline=SOON,
    ).id
    actions.propose(
        world.person("Zubr"),
        space,
        kind="general",
        title="Старая прапанова без канца",
        text=".",
        deadline=format_time(PAST_AT + timedelta(days=1)),
        at=PAST_AT,
    )
    actions.post(world.person("Zubr"), space, "Сход а 18:00 каля прахадной. " * 8)
    create_account("Sokol", PASS, world.person("Sokol"))
    context = browser.new_context(viewport={"width": 360, "height": 740}, java_script_enabled=False)
    host = live_server.url.split("//")[1].split(":")[0]
    context.add_cookies(
        [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "domain": host, "path": "/"}]
    )
    page = context.new_page()
    page.goto(live_server.url + "/accounts/sign-in/")
    page.locator("input[name=pseudonym]").fill("Sokol")
    page.locator("input[name=passphrase]").fill(PASS)
    page.locator("main button[type=submit]").click()
    page.wait_for_url(lambda url: "/sign-in/" not in url)
    page.goto(live_server.url + "/")
    card = page.locator(f"li[data-motion='{motion}']")
    card.wait_for()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    deadline = {"be": "тэрмін", "ru": "срок"}[language]
    assert deadline in card.inner_text()
    shots = Path(os.environ.get("VECHE_SCREENSHOTS", str(tmp_path)))
    page.screenshot(path=str(shots / f"home-{language}.png"), full_page=True)
    card.locator("button[value=yes]").click()
    page.wait_for_url(live_server.url + "/")
    assert page.locator(f"li[data-motion='{motion}']").count() == 0
    assert Vote.objects.filter(motion=motion, person=world.person("Sokol").public).exists()
