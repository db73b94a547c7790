"""The web shell: pages, authorization, languages."""

from __future__ import annotations

import pytest
from django.test import Client
from tests.factories import World, signed_in_client

from veche.apps.committees import actions
from veche.apps.store.models import StoredEvent

pytestmark = pytest.mark.django_db


def _member_client(world: World, name: str) -> Client:
    return signed_in_client(world.person(name), name)


def test_home_for_anonymous_explains_veche() -> None:
    response = Client().get("/")
    assert response.status_code == 200
    assert b"Sign in" in response.content


def test_home_lists_only_my_committees() -> None:
    world = World()
    mine = world.committee("Sokol", ("Zubr",), name="MTZ strike committee")
    world.committee("Vasilek", name="Secret neighbourhood")
    page = _member_client(world, "Zubr").get("/").content.decode()
    assert "MTZ strike committee" in page
    assert "Secret neighbourhood" not in page
    assert mine


def test_event_page_shows_verification_to_members_only() -> None:
    world = World()
    space = world.committee("Sokol", ("Zubr",))
    post = actions.post(world.person("Sokol"), space, "Meeting at 14:00")
    url = f"/events/{post.id}/"
    member = _member_client(world, "Zubr").get(url)
    assert member.status_code == 200
    assert b"Signature and id verified" in member.content
    assert Client().get(url).status_code == 404
    assert _member_client(world, "Outsider").get(url).status_code == 404
    assert Client().get("/events/nonexistent/").status_code == 404


def test_event_page_shows_a_tampered_event_as_failing() -> None:
    world = World()
    space = world.committee("Sokol", ("Zubr",))
    post = actions.post(world.person("Sokol"), space, "Meeting at 14:00")
    StoredEvent.objects.filter(id=post.id).update(raw=post.raw.replace(b"14:00", b"15:00"))
    page = _member_client(world, "Zubr").get(f"/events/{post.id}/")
    assert b"does not verify" in page.content


@pytest.mark.parametrize(
    ("language", "text"), [("ru", "Войти"), ("be", "Увайсці"), ("en", "Sign in")]
)
def test_language_switch(language: str, text: str) -> None:
    client = Client()
    response = client.post("/i18n/setlang/", {"language": language, "next": "/"}, follow=True)
    assert text in response.content.decode()


def test_committee_pages_refuse_outsiders() -> None:
    world = World()
    space = world.committee("Sokol", ("Zubr",))
    assert _member_client(world, "Zubr").get(f"/committees/{space}/").status_code == 200
    assert _member_client(world, "Outsider").get(f"/committees/{space}/").status_code == 404
    anonymous = Client().get(f"/committees/{space}/")
    assert anonymous.status_code == 302 and "/accounts/sign-in/" in anonymous["Location"]


@pytest.mark.parametrize("language", ["be", "ru", "en"])
def test_the_switch_names_each_language_in_itself(language: str) -> None:
    page = Client(headers={"cookie": f"django_language={language}"}).get("/accounts/sign-in/")
    text = page.content.decode()
    for code, name in (("be", "Беларуская"), ("ru", "Русский"), ("en", "English")):
        assert f'lang="{code}">{name}</button>' in text
    for translated in ("Англійская", "Анґельская", "Английский", "Белорусский", "Руская"):
        assert translated not in text
