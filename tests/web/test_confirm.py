"""Irreversible actions ask first: a POST without ``confirm=yes`` shows what will happen
and signs nothing; the confirmation page's form posts the same fields with it, and then
the action runs. A double tap on the confirmation is still one signed event."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from tests.apps.elections.helpers import setup_election
from tests.factories import World, signed_in_client

from veche.apps.committees import actions
from veche.apps.committees.models import Member, Motion
from veche.apps.elections import actions as elections
from veche.apps.elections.models import Election
from veche.apps.fund import actions as fund_actions
from veche.apps.fund.models import Payout
from veche.apps.store.models import StoredEvent

pytestmark = pytest.mark.django_db

PAST = "2020-08-20T12:00:00Z"
FUTURE = "2099-08-20T12:00:00Z"


def _events() -> int:
    return StoredEvent.objects.count()


def _confirm_form(page: str) -> dict[str, str]:
    """The hidden fields of the confirmation page's form, as a browser would send them."""
    form = page[page.index('class="card">', page.index("<main>")) :]
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form))
    fields.pop("next", None)  # the language switcher's
    return fields


def _committee(w: World) -> str:
    return w.committee("Sokol", ("Zubr", "Rusalka", "Busel"), name="MTZ")


def test_an_early_close_shows_the_tally_and_who_has_not_voted_and_signs_nothing() -> None:
    w = World()
    space = _committee(w)
    motion = actions.propose(
        w.person("Sokol"), space, kind="general", title="Strike", text="?", deadline=FUTURE
    ).id
    actions.vote(w.person("Sokol"), space, motion, choice="yes")
    actions.vote(w.person("Zubr"), space, motion, choice="no")
    sokol = signed_in_client(w.person("Sokol"), "Sokol")
    url = reverse("committees:close", args=[space, motion])
    before = _events()
    page = sokol.post(url)
    assert page.status_code == 200
    text = page.content.decode()
    assert _events() == before and Motion.objects.get(event=motion).status == "open"
    assert "has not passed yet" in text
    assert "2 members entitled to vote have not voted yet." in text
    names = re.search(r'<ul class="confirm-names">(.*?)</ul>', text, re.S)
    assert names is not None
    assert re.findall(r"<bdi>([^<]+)</bdi>", names.group(1)) == ["Busel", "Rusalka"]
    assert "2 of 4 entitled" in text and "the motion fails" in text
    form = _confirm_form(text)
    assert form["confirm"] == "yes" and re.fullmatch(r"[0-9a-f]{32}", form["submission"])
    closed = sokol.post(url, form)
    assert closed.status_code == 302
    assert _events() == before + 1
    assert Motion.objects.get(event=motion).status == "failed"


def test_a_close_after_the_deadline_with_every_vote_in_still_asks_without_warnings() -> None:
    w = World()
    space = w.committee("Sokol", ("Zubr",))
    motion = actions.propose(
        w.person("Sokol"), space, kind="general", title="Tea", text="?", deadline=PAST
    ).id
    for name in ("Sokol", "Zubr"):
        actions.vote(w.person(name), space, motion, choice="yes")
    zubr = signed_in_client(w.person("Zubr"), "Zubr")  # any member, after the deadline
    url = reverse("committees:close", args=[space, motion])
    before = _events()
    text = zubr.post(url).content.decode()
    assert _events() == before
    assert 'role="alert"' not in text and "confirm-names" not in text
    assert "the motion passes" in text
    assert zubr.post(url, _confirm_form(text)).status_code == 302
    assert Motion.objects.get(event=motion).status == "passed"


def test_a_close_that_the_rule_refuses_is_not_asked_about() -> None:
    w = World()
    space = w.committee("Sokol", ("Zubr",))
    motion = actions.propose(w.person("Sokol"), space, kind="general", title="Tea", text="?").id
    zubr = signed_in_client(w.person("Zubr"), "Zubr")
    before = _events()
    page = zubr.post(reverse("committees:close", args=[space, motion]), follow=True)
    assert "only the proposer closes" in page.content.decode()
    assert _events() == before


def test_closing_an_expulsion_says_who_is_expelled() -> None:
    w = World()
    space = _committee(w)
    motion = actions.propose(
        w.person("Sokol"),
        space,
        kind="expulsion",
        title="Expel Busel",
        text="He informs.",
        target={"key": w.person("Busel").public},
    ).id
    for name in ("Sokol", "Zubr", "Rusalka"):
        actions.vote(w.person(name), space, motion, choice="yes")
    sokol = signed_in_client(w.person("Sokol"), "Sokol")
    url = reverse("committees:close", args=[space, motion])
    before = _events()
    text = sokol.post(url).content.decode()
    assert "\u2068Busel\u2069 is expelled" in text
    assert _events() == before
    sokol.post(url, _confirm_form(text))
    assert Member.objects.get(space=space, key=w.person("Busel").public).status == "expelled"


def test_closing_a_key_revocation_says_whose_key_and_from_which_event() -> None:
    w = World()
    space = _committee(w)
    motion = actions.propose(
        w.person("Sokol"),
        space,
        kind="revocation",
        title="Zubr's phone was seized",
        text="Revoke it.",
        target={"key": w.person("Zubr").public, "after_seq": 1},
    ).id
    for name in ("Sokol", "Rusalka", "Busel"):
        actions.vote(w.person(name), space, motion, choice="yes")
    sokol = signed_in_client(w.person("Sokol"), "Sokol")
    before = _events()
    text = sokol.post(reverse("committees:close", args=[space, motion])).content.decode()
    assert "the key of \u2068Zubr\u2069 is revoked" in text and "number 1 " in text
    assert _events() == before


def test_leaving_asks_first_and_then_leaves() -> None:
    w = World()
    space = w.committee("Sokol", ("Zubr",), name="MTZ")
    zubr = signed_in_client(w.person("Zubr"), "Zubr")
    url = reverse("committees:leave", args=[space])
    before = _events()
    text = zubr.post(url).content.decode()
    assert "Leave \u2068MTZ\u2069?" in text and "new invitation" in text
    assert _events() == before
    assert Member.objects.get(space=space, pseudonym="Zubr").status == "active"
    assert zubr.post(url, _confirm_form(text))["Location"] == reverse("home")
    assert Member.objects.get(space=space, pseudonym="Zubr").status == "left"


def test_the_leave_button_is_not_next_to_the_message_box() -> None:
    w = World()
    space = w.committee("Sokol", ("Zubr",))
    page = signed_in_client(w.person("Zubr"), "Zubr").get(
        reverse("committees:detail", args=[space])
    )
    text = page.content.decode()
    leave = text.index(reverse("committees:leave", args=[space]))
    assert text.index('id="membership"') < leave
    assert "onsubmit" not in text  # no JavaScript confirm()
    assert text.index(reverse("committees:post", args=[space])) < text.index('id="membership"')


def test_a_double_tap_on_the_confirmation_is_one_close() -> None:
    w = World()
    space = w.committee("Sokol", ("Zubr",))
    motion = actions.propose(w.person("Sokol"), space, kind="general", title="Tea", text="?").id
    sokol = signed_in_client(w.person("Sokol"), "Sokol")
    url = reverse("committees:close", args=[space, motion])
    first_page = sokol.get(reverse("committees:motion", args=[space, motion])).content.decode()
    key = re.search(
        r'action="' + re.escape(url) + r'">.*?name="submission" value="([0-9a-f]{32})"',
        first_page,
        re.S,
    )
    assert key
    text = sokol.post(url, {"submission": key.group(1)}).content.decode()
    form = _confirm_form(text)
    assert form["submission"] != key.group(1)  # a fresh key for the second form
    before = _events()
    first = sokol.post(url, form)
    again = sokol.post(url, form)
    assert (again.status_code, again["Location"]) == (first.status_code, first["Location"])
    assert _events() == before + 1


def test_approving_a_payout_shows_amount_recipient_and_meaning(fund_world: object) -> None:
    w, space = fund_world  # type: ignore[misc]
    payout, _salt = fund_actions.propose_payout(
        w.person("Sokol"),
        space,
        recipient="R-9",
        amount=150_00,
        currency="BYN",
        source="bank",
        day="2020-08-20",
    )
    actions_before = _events()
    zubr = signed_in_client(w.person("Zubr"), "Zubr")
    url = reverse("fund:approve", args=[space, payout.id])
    text = zubr.post(url).content.decode()
    assert "R-9" in text and "150.00 BYN" in text
    assert "last approval needed" in text
    assert _events() == actions_before
    assert Payout.objects.get(event=payout.id).approvals == 0
    rusalka = signed_in_client(w.person("Rusalka"), "Rusalka")
    assert rusalka.post(url).status_code == 403  # not a treasurer: nothing to confirm
    assert zubr.post(url, _confirm_form(text)).status_code == 302
    assert Payout.objects.get(event=payout.id).status == "effective"


@pytest.fixture
def fund_world() -> tuple[World, str]:
    w = World()
    space = w.committee("Sokol", ("Zubr", "Rusalka"), name="Belshina")
    fund_actions.create_fund(
        w.person("Sokol"),
        space,
        name="Solidarity",
        treasurers=[w.person("Sokol").public, w.person("Zubr").public],
        k=1,
    )
    fund_actions.record_donation(
        w.person("Sokol"),
        space,
        amount=500_00,
        currency="BYN",
        account="bank",
        day="2020-08-19",
        donor="",
        memo="",
    )
    return w, space


def test_closing_an_election_says_how_many_have_not_voted() -> None:
    election = setup_election()
    election.deal_all()
    elections.open_election(election.world.person("Sokol"), election.space)
    election.cast("Zubr", 1)
    creator = signed_in_client(election.world.person("Sokol"), "Sokol")
    url = reverse("elections:step", args=[election.space, "close"])
    before = _events()
    text = creator.post(url).content.decode()
    assert "4 voters have not cast a ballot yet." in text and "1 of 5 voters" in text
    assert _events() == before
    assert Election.objects.get(space=election.space).stage == "open"
    assert creator.post(url, _confirm_form(text)).status_code == 302
    assert Election.objects.get(space=election.space).stage == "closed"


@pytest.mark.parametrize("language", ["be", "ru"])
def test_the_confirmation_is_in_the_readers_language(language: str) -> None:
    w = World()
    space = w.committee("Sokol", ("Zubr",))
    motion = actions.propose(w.person("Sokol"), space, kind="general", title="Tea", text="?").id
    sokol = signed_in_client(w.person("Sokol"), "Sokol", language=language)
    text = sokol.post(reverse("committees:close", args=[space, motion])).content.decode()
    assert "Close the vote now" not in text and "Who has not voted" not in text
    assert "Zubr" in text


def test_anonymous_and_outsiders_get_no_confirmation() -> None:
    w = World()
    space = w.committee("Sokol", ("Zubr",))
    motion = actions.propose(w.person("Sokol"), space, kind="general", title="Tea", text="?").id
    outsider = signed_in_client(w.person("Outsider"), "Outsider")
    for url in (
        reverse("committees:close", args=[space, motion]),
        reverse("committees:leave", args=[space]),
    ):
        assert outsider.post(url).status_code == 404
        assert Client().post(url).status_code == 302


@pytest.mark.browser
@pytest.mark.parametrize("language", ["be", "ru"])
def test_the_close_confirmation_and_a_propose_form_fit_a_phone(
    live_server: Any, browser: Any, language: str, tmp_path: Path
) -> None:
    """At 360 px, in be and ru: the early close's confirmation (tally, who has not voted)
    and the revocation's propose form, without sideways scrolling; with JavaScript off,
    the confirmation still works. Screenshots go to $VECHE_SCREENSHOTS if set."""
    from django.conf import settings
    from tests.factories import PASS

    from veche.apps.accounts.actions import create_account

    w = World()
    space = _committee(w)
    motion = actions.propose(
        w.person("Sokol"),
        space,
        kind="general",
        title="Страйк з панядзелка",
        text="?",
        deadline=FUTURE,
    ).id
    actions.vote(w.person("Zubr"), space, motion, choice="yes")
    create_account("Sokol", PASS, w.person("Sokol"))
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
    shots = Path(os.environ.get("VECHE_SCREENSHOTS", str(tmp_path)))
    page.goto(f"{live_server.url}/committees/{space}/motions/{motion}/")
    before = _events()
    page.locator(f"form[action$='/motions/{motion}/close/'] button").click()
    page.locator(".confirm-names").wait_for()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert page.locator(".confirm-names li").all_inner_texts() == ["Busel", "Rusalka", "Sokol"]
    page.screenshot(path=str(shots / f"close-confirmation-{language}.png"), full_page=True)
    assert _events() == before
    page.locator("main form.card button[type=submit]").click()
    page.locator(".badge.failed").wait_for()
    assert _events() == before + 1
    page.goto(f"{live_server.url}/committees/{space}/motions/new/?kind=revocation")
    page.locator("select[name=member]").wait_for()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.screenshot(path=str(shots / f"propose-revocation-{language}.png"), full_page=True)
    context.close()
