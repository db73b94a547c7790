"""Strike pages in Belarusian and Russian: status and days in the reader's words and formats."""

from __future__ import annotations

import html

import pytest
from django.conf import settings
from django.test import Client
from tests.factories import World

from veche.apps.strike import actions

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("language", "status", "day"),
    [
        ("be", "поўная забастоўка", "17.08.2020"),
        ("ru", "полная забастовка", "17 августа 2020 г."),
        ("en", "full strike", "Aug. 17, 2020"),
    ],
)
def test_workplace_timeline_in_the_readers_language(language: str, status: str, day: str) -> None:
    world = World()
    space = world.committee("Sokol", name="BMZ strike committee")
    plant = actions.register_workplace(
        world.person("Sokol"),
        space,
        name="BMZ",
        city="Zhlobin",
        region="gomel",
        sector="metallurgy",
        workforce=11000,
    ).id
    actions.record_status(
        world.person("Sokol"),
        space,
        plant,
        day="2020-08-17",
        status="full_strike",
        out_per_mille=700,
        published=True,
    )
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    page = html.unescape(client.get(f"/strike/workplaces/{plant}/").content.decode())
    assert f'<td><time datetime="2020-08-17">{day}</time></td><td>{status}</td>' in page
    assert ">2020-08-17<" not in page and ">full_strike<" not in page
