"""Issue 15's must-show, in Chromium at 412 px in Russian: a member signs in and finds
the open motion they have not voted on, with its deadline, on the home page; votes from
there; replies to a comment on the motion; and the proposer, closing early, is shown
who has not voted before anything is signed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.conf import settings
from tests.factories import PASS, World

from veche.apps.accounts.actions import create_account
from veche.apps.committees import actions, comments
from veche.apps.committees.models import Comment, Motion, Vote
from veche.apps.store.models import StoredEvent
from veche.events.envelope import format_time

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTH = 412


def _member_tab(browser: Any, url: str, name: str) -> Any:
    context = browser.new_context(viewport={"width": WIDTH, "height": 860})
    context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": "ru", "url": url}])
    page = context.new_page()
    page.set_default_timeout(20000)
    page.goto(url + "/accounts/sign-in/")
    page.locator("input[name=pseudonym]").fill(name)
    page.locator("input[name=passphrase]").fill(PASS)
    page.locator("main button[type=submit]").click()
    page.wait_for_url(lambda u: "/sign-in/" not in u)
    return page


def _fits(page: Any) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= WIDTH, (page.url, width)


def test_a_members_daily_loop_on_a_phone_in_russian(live_server: Any, browser: Any) -> None:
    w = World()
    space = w.committee("Sokol", ("Zubr", "Rusalka", "Busel"), name="Стачком МТЗ")
    deadline = datetime.now(UTC) + timedelta(days=2)
    motion = actions.propose(
        w.person("Sokol"),
        space,
        kind="general",
        title="Забастовка с понедельника",
        text="Все выходим в понедельник в 8:00.",
        deadline=format_time(deadline),
    ).id
    actions.vote(w.person("Zubr"), space, motion, choice="yes")
    first = comments.write_comment(
        w.person("Zubr"), space, subject="motion", on=motion, text="Смена согласна."
    )
    for name in ("Sokol", "Rusalka"):
        create_account(name, PASS, w.person(name))
    url = live_server.url

    # Rusalka signs in: the home page shows the motion she has not voted on, and its deadline.
    rusalka = _member_tab(browser, url, "Rusalka")
    rusalka.goto(url + "/")
    card = rusalka.locator(f"li[data-motion='{motion}']")
    card.wait_for()
    text = card.inner_text()
    assert "Забастовка с понедельника" in text and "срок" in text
    _fits(rusalka)

    # She votes from the home page and lands back there; the motion no longer waits.
    card.locator("button[value=yes]").click()
    rusalka.wait_for_url(url + "/")
    assert rusalka.locator(f"li[data-motion='{motion}']").count() == 0
    assert Vote.objects.filter(motion=motion, person=w.person("Rusalka").public).exists()

    # She replies to Zubr's comment on the motion.
    rusalka.goto(f"{url}/committees/{space}/motions/{motion}/")
    rusalka.locator(f"#c-{first.id} .comment-actions a", has_text="Ответить").click()
    box = rusalka.locator(f"#reply-slot-{first.id} textarea[name=text]")
    box.wait_for()
    box.fill("Второй цех тоже выходит.")
    rusalka.locator(f"#reply-slot-{first.id} button[type=submit]").click()
    rusalka.locator("#discussion").get_by_text("Второй цех тоже выходит.").wait_for()
    reply = Comment.objects.get(reply_to=first.id)
    assert reply.author == w.person("Rusalka").public
    _fits(rusalka)

    # The proposer tries to close early: the confirmation names who has not voted, and
    # nothing is signed until he confirms.
    sokol = _member_tab(browser, url, "Sokol")
    sokol.goto(f"{url}/committees/{space}/motions/{motion}/")
    events = StoredEvent.objects.count()
    sokol.locator(f"form[action$='/motions/{motion}/close/'] button").click()
    sokol.locator(".confirm-names").wait_for()
    assert sokol.locator(".confirm-names li").all_inner_texts() == ["Busel", "Sokol"]
    _fits(sokol)
    assert StoredEvent.objects.count() == events
    assert Motion.objects.get(event=motion).status == "open"
