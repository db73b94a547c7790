"""The shared ways to get a signed-in test client (tests/factories.py, tests/conftest.py)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.conf import settings
from django.test import Client
from tests.factories import World, sign_in, signed_in_client

pytestmark = pytest.mark.django_db


def test_signed_in_as_signs_in_the_worlds_person(
    world: World, signed_in_as: Callable[..., Client]
) -> None:
    space = world.committee("Sokol", ("Zubr",), name="MTZ")
    zubr = signed_in_as("Zubr", language="be")
    assert zubr.cookies[settings.LANGUAGE_COOKIE_NAME].value == "be"
    assert zubr.get(f"/committees/{space}/").status_code == 200
    assert signed_in_as("Outsider").get(f"/committees/{space}/").status_code == 404


def test_sign_in_again_as_an_existing_account(world: World) -> None:
    signed_in_client(world.person("Sokol"), "Sokol")
    assert "_auth_user_id" in sign_in("Sokol").session
    with pytest.raises(AssertionError):
        sign_in("Nobody")
