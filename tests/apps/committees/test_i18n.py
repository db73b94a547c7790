"""Committee pages in Belarusian and Russian: kinds, levels and STV stages as words."""

from __future__ import annotations

import html

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation
from tests.factories import World, signed_in_client

from veche.apps.committees import actions
from veche.apps.committees.labels import KIND_LABELS, LEVEL_LABELS, stv_action
from veche.apps.strike.forms import WorkplaceForm

pytestmark = pytest.mark.django_db
# "City" is an adjective for a committee's level and a noun for a workplace's town.
CITY_LEVEL = {"be": "Гарадскі", "ru": "Городской"}
CITY_TOWN = {"be": "Горад", "ru": "Город"}


def _client(w: World, name: str, language: str) -> Client:
    return signed_in_client(w.person(name), name, language=language)


def _page(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return html.unescape(response.content.decode())


@pytest.mark.parametrize("language", ["be", "ru"])
def test_kind_and_level_are_words_on_every_committee_page(language: str) -> None:
    w = World()
    space = w.committee("Sokol", ("Zubr",), name="BSUIR students", kind="college", level="city")
    client = _client(w, "Zubr", language)
    with translation.override(language):
        college = str(KIND_LABELS["college"])
    for url in (
        reverse("committees:list"),
        reverse("committees:detail", args=[space]),
        reverse("committees:federation"),
    ):
        page = _page(client, url)
        assert CITY_LEVEL[language] in page, url
        assert " city<" not in page and ">city<" not in page and "· city" not in page, url
    listing = _page(client, reverse("committees:list"))
    assert f"{college} · {CITY_LEVEL[language]}" in listing
    assert "college ·" not in listing


@pytest.mark.parametrize("language", ["be", "ru"])
def test_city_has_two_translations_by_context(language: str) -> None:
    with translation.override(language):
        assert str(LEVEL_LABELS["city"]) == CITY_LEVEL[language]
        assert str(WorkplaceForm().fields["city"].label) == CITY_TOWN[language]


@pytest.mark.parametrize(
    ("language", "first", "excluded"),
    [
        ("be", "першыя перавагі", "выбывае: Lyn"),
        ("ru", "первые предпочтения", "выбывает: Lyn"),
        ("en", "first preferences", "Lyn excluded"),
    ],
)
def test_stv_stages_say_what_happened(language: str, first: str, excluded: str) -> None:
    w = World()
    electors = ("Sokol", "Zubr", "Rusalka", "Busel", "Lyn", "Vasilek")
    council = w.committee("Chair", name="Minsk city council", kind="council", level="city")
    space = w.committee("Sokol", electors[1:], name="MTZ")
    join = actions.propose(
        w.person("Sokol"),
        space,
        kind="federation_join",
        title="Join",
        text="Link up.",
        target={"parent": council},
    ).id
    for elector in electors:
        actions.vote(w.person(elector), space, join, choice="yes")
    actions.close(w.person("Sokol"), space, join)
    motion = actions.propose(
        w.person("Sokol"),
        space,
        kind="delegate_election",
        title="Two delegates to the city council",
        text="STV",
        method="stv",
        options=[w.person(n).public for n in ("Zubr", "Rusalka", "Busel", "Lyn")],
        seats=2,
    ).id
    # Quota 3: Zubr is elected at once; then the weakest are excluded until Rusalka has it.
    rankings = [[0], [0], [0], [1], [1], [2, 1]]
    for elector, ranking in zip(electors, rankings, strict=True):
        actions.vote(w.person(elector), space, motion, ranking=[[i] for i in ranking])
    page = _page(_client(w, "Sokol", language), reverse("committees:motion", args=[space, motion]))
    assert first in page and excluded in page
    assert ">first<" not in page and ">exclusion<" not in page
    if language != "en":
        assert "3,00000" in page  # exact vote totals in the reader's number format


def test_an_unknown_stage_action_is_shown_as_it_is() -> None:
    assert stv_action("newer-action", "Zubr") == "newer-action"


def _unverified_sentences() -> set[str]:
    """Every literal sentence given to ``Unverified(rule, message, ...)`` in our code."""
    import ast
    from pathlib import Path

    import veche

    found = set()
    for path in Path(veche.__file__).parent.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and getattr(node.func, "id", getattr(node.func, "attr", "")) == "Unverified"
                and len(node.args) > 1
                and isinstance(node.args[1], ast.Constant)
            ):
                found.add(node.args[1].value)
    return found


@pytest.mark.parametrize("language", ["be", "ru"])
def test_every_unverified_reason_is_shown_in_the_readers_language(language: str) -> None:
    from veche.web.views import UNVERIFIED_MESSAGES

    sentences = _unverified_sentences()
    assert len(sentences) >= 6  # the scan finds the rules
    assert sentences <= UNVERIFIED_MESSAGES, sentences - UNVERIFIED_MESSAGES
    with translation.override(language):
        assert not [m for m in UNVERIFIED_MESSAGES if translation.gettext(m) == m]
