"""Every strike URL for each role: committee member, non-member, anonymous."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from tests.factories import World, signed_in_client

from veche.apps.strike import actions
from veche.apps.strike.models import StatusChange, Workplace

pytestmark = pytest.mark.django_db
ROLES = {"member": "Zubr", "outsider": "Outsider", "anonymous": None}


@pytest.fixture
def plant(db: None) -> tuple[World, str, str, str]:
    world = World()
    space = world.committee("Sokol", ("Zubr",), name="BMZ strike committee")
    shown = actions.register_workplace(
        world.person("Sokol"),
        space,
        name="BMZ",
        city="Zhlobin",
        region="gomel",
        sector="metallurgy",
        workforce=11000,
    ).id
    hidden = actions.register_workplace(
        world.person("Sokol"),
        space,
        name="BMZ rolling mill",
        city="Zhlobin",
        region="gomel",
        sector="metallurgy",
        workforce=900,
    ).id
    actions.record_status(
        world.person("Sokol"),
        space,
        shown,
        day="2020-08-17",
        status="full_strike",
        out_per_mille=700,
        published=True,
    )
    actions.record_status(
        world.person("Sokol"),
        space,
        hidden,
        day="2020-08-17",
        status="go_slow",
        out_per_mille=300,
        published=False,
    )
    return world, space, shown, hidden


def client_for(world: World, name: str | None) -> Client:
    return Client() if name is None else signed_in_client(world.person(name), name)


@pytest.mark.parametrize("role", list(ROLES))
def test_overview_is_public_and_shows_only_published(plant: Any, role: str) -> None:
    world, _, _, _ = plant
    page = client_for(world, ROLES[role]).get("/strike/").content.decode()
    assert "<svg" in page and 'data-status="full_strike"' in page
    assert "7,700" in page or "7700" in page
    if role != "member":
        assert "rolling mill" not in page and 'data-status="go_slow"' not in page
    else:
        assert 'data-status="go_slow"' in page  # members see their own committee's markers


@pytest.mark.parametrize("role", list(ROLES))
def test_workplace_pages(plant: Any, role: str) -> None:
    world, _, shown, hidden = plant
    client = client_for(world, ROLES[role])
    assert client.get(f"/strike/workplaces/{shown}/").status_code == 200
    assert client.get(f"/strike/workplaces/{hidden}/").status_code == (
        200 if role == "member" else 404
    )


@pytest.mark.parametrize("role", list(ROLES))
def test_recording_status_needs_membership(plant: Any, role: str) -> None:
    world, _, shown, _ = plant
    response = client_for(world, ROLES[role]).post(
        f"/strike/workplaces/{shown}/status/",
        {
            "day": "2020-08-18",
            "status": "partial",
            "out_percent": "40",
            "note": "",
            "published": "on",
        },
    )
    if role == "anonymous":
        assert response.status_code == 302 and "/accounts/sign-in/" in response["Location"]
    elif role == "outsider":
        assert response.status_code == 404
    else:
        assert response.status_code == 302
    count = StatusChange.objects.filter(workplace=shown).count()
    assert count == (2 if role == "member" else 1)
    if role == "member":
        assert Workplace.objects.get(workplace=shown).public_out_per_mille == 400


@pytest.mark.parametrize("role", list(ROLES))
def test_committee_registry_page(plant: Any, role: str) -> None:
    world, space, _, _ = plant
    client = client_for(world, ROLES[role])
    response = client.get(f"/strike/committees/{space}/")
    posted = client.post(
        f"/strike/committees/{space}/",
        {
            "name": "BMZ depot",
            "city": "Zhlobin",
            "region": "gomel",
            "sector": "transport",
            "workforce": "120",
        },
    )
    if role == "anonymous":
        assert response.status_code == 302 and posted.status_code == 302
        assert "/accounts/sign-in/" in posted["Location"]
    elif role == "outsider":
        assert response.status_code == 404 and posted.status_code == 404
    else:
        assert response.status_code == 200 and posted.status_code == 302
    assert Workplace.objects.filter(name="BMZ depot").exists() == (role == "member")


def test_a_refused_status_shows_why(plant: Any) -> None:
    world, _, shown, _ = plant
    response = client_for(world, "Zubr").post(
        f"/strike/workplaces/{shown}/status/",
        {"day": "2020-08-18", "status": "working", "out_percent": "40"},
        follow=True,
    )
    assert b"has no one out" in response.content
