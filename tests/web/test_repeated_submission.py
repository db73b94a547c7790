"""A repeated form submission gets the first one's outcome (accounts/submissions.py).

The double tap of the issue: two POSTs of one member's vote, with the key the page gave
the form, at the same moment. One vote is signed, no equivocation is suspected, both
answers send the member back to the motion with the same message, and the member's
next vote (a new page, a new key) counts. On SQLite and on PostgreSQL.
"""

from __future__ import annotations

import re
import threading
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from tests.apps.store.test_one_writer import _file_database  # noqa: F401 - autouse fixture
from tests.factories import World, signed_in_client

from veche.apps.accounts.models import Submission
from veche.apps.committees import actions
from veche.apps.committees.models import Vote
from veche.apps.store.models import EquivocationRecord, StoredEvent

pytestmark = pytest.mark.django_db(transaction=True)


def _signed_in(world: World, name: str) -> Client:
    return signed_in_client(world.person(name), name)


def _vote_form(client: Client, space: str, motion: str) -> dict[str, str]:
    """The hidden fields of the motion page's vote form, as a browser would send them."""
    page = client.get(f"/committees/{space}/motions/{motion}/").content.decode()
    form = re.search(r'<form[^>]*action="[^"]*/vote/"[^>]*>(.*?)</form>', page, re.S)
    assert form, "the motion page has a vote form"
    hidden = dict(re.findall(r'type="hidden" name="([^"]+)" value="([^"]*)"', form.group(1)))
    assert re.fullmatch(r"[0-9a-f]{32}", hidden["submission"])
    return hidden


def _motion(world: World) -> tuple[str, str]:
    space = world.committee("Sokol", ("Zubr",))
    motion = actions.propose(world.person("Sokol"), space, kind="general", title="Tea", text="?")
    return space, motion.id


def _votes(space: str, author: str) -> int:
    return StoredEvent.objects.filter(space=space, author=author, kind="motion.vote").count()


def test_a_double_tapped_vote_is_signed_once_and_both_answers_agree() -> None:
    world = World()
    space, motion = _motion(world)
    zubr = _signed_in(world, "Zubr")
    form = _vote_form(zubr, space, motion) | {"choice": "yes"}
    url = f"/committees/{space}/motions/{motion}/vote/"
    twin = Client()
    twin.cookies = zubr.cookies  # the same browser, the same session

    start = threading.Barrier(2)
    answers: list[Any] = [None, None]

    def tap(index: int, client: Client) -> None:
        try:
            start.wait()
            answers[index] = client.post(url, form, follow=True)
        except BaseException as error:
            answers[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=tap, args=pair) for pair in enumerate((zubr, twin))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    for answer in answers:
        assert not isinstance(answer, BaseException), answer
        assert answer.redirect_chain[-1][0] == f"/committees/{space}/motions/{motion}/"
        assert "Your vote was recorded" in answer.content.decode()

    assert _votes(space, world.person("Zubr").public) == 1
    assert not EquivocationRecord.objects.exists()
    assert list(Vote.objects.filter(motion=motion).values_list("choice", flat=True)) == ["yes"]
    # A later vote, from the page shown again (a new key), is counted.
    zubr.post(url, _vote_form(zubr, space, motion) | {"choice": "no"})
    assert _votes(space, world.person("Zubr").public) == 2
    assert list(Vote.objects.filter(motion=motion).values_list("choice", flat=True)) == ["no"]


def test_a_resent_form_is_answered_from_the_first_and_keys_are_per_member() -> None:
    world = World()
    space, motion = _motion(world)
    zubr = _signed_in(world, "Zubr")
    url = f"/committees/{space}/motions/{motion}/vote/"
    form = _vote_form(zubr, space, motion) | {"choice": "yes"}
    first = zubr.post(url, form)
    again = zubr.post(url, form | {"choice": "no"})  # the back button, then send again
    assert (again.status_code, again["Location"]) == (first.status_code, first["Location"])
    assert _votes(space, world.person("Zubr").public) == 1
    assert Vote.objects.get(motion=motion).choice == "yes"
    # The same key sent to another form is no repeat of this one: refused, not run.
    other = zubr.post(f"/committees/{space}/motions/{motion}/close/", form)
    assert other.status_code == 409
    # Another member's key space is their own.
    sokol = _signed_in(world, "Sokol")
    assert sokol.post(url, form).status_code == 302
    assert _votes(space, world.person("Sokol").public) == 1


def test_a_form_shown_again_with_its_errors_forgets_its_key() -> None:
    world = World()
    space = world.committee("Sokol", ("Zubr",))
    zubr = _signed_in(world, "Zubr")
    page = zubr.get(f"/committees/{space}/motions/new/").content.decode()
    key = re.search(r'name="submission" value="([0-9a-f]{32})"', page)
    assert key
    url = f"/committees/{space}/motions/new/"
    wrong = zubr.post(url, {"submission": key.group(1), "kind": "general", "title": ""})
    assert wrong.status_code == 200  # the form again, with what to correct
    assert not Submission.objects.exists()
    fixed = {"submission": key.group(1), "kind": "general", "title": "Tea", "text": "?"}
    fixed["method"] = "yes_no"
    assert zubr.post(url, fixed).status_code == 302
    assert StoredEvent.objects.filter(space=space, kind="motion.propose").count() == 1


def test_requests_without_a_key_are_left_alone() -> None:
    world = World()
    space, motion = _motion(world)
    zubr = _signed_in(world, "Zubr")
    url = f"/committees/{space}/motions/{motion}/vote/"
    zubr.post(url, {"choice": "yes"})
    zubr.post(url, {"choice": "yes"})
    zubr.post(url, {"choice": "yes", "submission": "not a key"})
    assert _votes(space, world.person("Zubr").public) == 3
    assert not Submission.objects.exists()
