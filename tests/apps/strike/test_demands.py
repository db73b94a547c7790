"""A demands letter is a passed motion; other committees endorse it; the letter page lists them."""

from __future__ import annotations

import pytest
from django.test import Client
from tests.factories import World

from veche.apps.committees import actions
from veche.apps.committees.models import Motion

pytestmark = pytest.mark.django_db

DEMANDS = "1. End the violence against peaceful people.\n3. Release everyone detained."


def _pass(world: World, space: str, voters: tuple[str, ...], **motion: object) -> Motion:
    event = actions.propose(world.person(voters[0]), space, **motion)  # type: ignore[arg-type]
    for name in voters:
        actions.vote(world.person(name), space, event.id, choice="yes")
    actions.close(world.person(voters[0]), space, event.id)
    return Motion.objects.get(event=event.id)


def test_letter_page_lists_endorsements_across_the_federation() -> None:
    world = World()
    kozlova = world.committee("Sokol", ("Zubr",), name="Kozlova plant strike committee")
    letter = _pass(
        world,
        kozlova,
        ("Sokol", "Zubr"),
        kind="demands",
        title="Kozlova workers' demands",
        text=DEMANDS,
    )
    assert letter.status == "passed"
    unpassed = actions.propose(
        world.person("Sokol"),
        kozlova,
        kind="demands",
        title="Draft demands",
        text="Still discussing",
    )
    endorsers = []
    for founder, name in (("Bobr", "MTZ strike committee"), ("Los", "Grodno Azot committee")):
        space = world.committee(founder, name=name)
        _pass(
            world,
            space,
            (founder,),
            kind="endorsement",
            title="We endorse Kozlova's demands",
            text="Endorsed.",
            target={"motion": letter.close_event},
        )
        endorsers.append(name)
    world.committee("Lis", name="Silent committee")
    anonymous = Client()
    listing = anonymous.get("/strike/demands/").content.decode()
    assert "Kozlova workers&#x27; demands" in listing and "2 endorsements" in listing
    assert "Draft demands" not in listing
    page = anonymous.get(f"/strike/demands/{letter.event}/").content.decode()
    assert "End the violence" in page and "Endorsed by 2 committees" in page
    for name in endorsers:
        assert name in page
    assert "Silent committee" not in page
    assert anonymous.get(f"/strike/demands/{unpassed.id}/").status_code == 404
