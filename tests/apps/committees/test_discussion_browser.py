"""In Chromium at 360 px, in Belarusian and Russian: a motion with a thread fits the
phone, and a reply opens in place (htmx) and is signed."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from tests.apps.committees.test_browser_committee import _sign_in
from tests.factories import PASS, World

from veche.apps.accounts.actions import create_account
from veche.apps.committees import actions, comments
from veche.apps.committees.models import Comment

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

REPLY = {"be": "Адказаць", "ru": "Ответить"}


@pytest.mark.parametrize("language", ["be", "ru"])
def test_a_motion_with_a_thread_on_a_phone(live_server: Any, browser: Any, language: str) -> None:
    w = World()
    space = w.committee("Sokol", ("Zubr", "Rusalka"), name="Камітэт страйку МТЗ")
    motion = actions.propose(
        w.person("Sokol"), space, kind="general", title="Забастовка с понедельника", text="?"
    ).id
    first = comments.write_comment(
        w.person("Zubr"),
        space,
        subject="motion",
        on=motion,
        text="Смена согласна. Подробности: https://example.org/a/very/long/path/that/"
        "does/not/fit/on/a/phone/at/all?utm_source=telegram&id=12345678901234567890",
    )
    comments.write_comment(
        w.person("Rusalka"),
        space,
        subject="motion",
        on=motion,
        text="Второй цех тоже " + "очень-длинное-слово-без-пробелов" * 3,
        reply_to=first.id,
        quote="Смена согласна",
    )
    create_account("Sokol", PASS, w.person("Sokol"))
    context = browser.new_context(viewport={"width": 360, "height": 740})
    page = context.new_page()
    _sign_in(page, live_server.url, "Sokol")
    context.add_cookies(
        [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url}]
    )
    page.goto(f"{live_server.url}/committees/{space}/motions/{motion}/")
    page.locator("#discussion").wait_for()
    assert "utm_source" not in page.content()
    # Reply in place: htmx fetches the form into the comment's slot.
    page.locator(f"#c-{first.id} .comment-actions a", has_text=REPLY[language]).click()
    box = page.locator(f"#reply-slot-{first.id} textarea[name=text]")
    box.wait_for()
    assert page.url.endswith(f"/motions/{motion}/")  # no page change
    box.fill("Я тоже")
    page.screenshot(path=f"/tmp/discussion-{language}-reply.png", full_page=True)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, width
    page.locator(f"#reply-slot-{first.id} button[type=submit]").click()
    page.locator("#discussion").get_by_text("Я тоже").wait_for()
    assert Comment.objects.filter(reply_to=first.id).count() == 2
    width = page.evaluate("document.documentElement.scrollWidth")
    page.screenshot(path=f"/tmp/discussion-{language}.png", full_page=True)
    assert width <= 360, width
