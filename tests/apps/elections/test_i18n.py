"""Election pages in Belarusian and Russian: stages and seat ties as words, never as codes."""

from __future__ import annotations

import html
from decimal import Decimal
from fractions import Fraction

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation
from tests.apps.elections.helpers import setup_election
from tests.factories import World, signed_in_client

from veche.apps.elections import actions
from veche.apps.elections.labels import STAGE_LABELS, stage_label, tie_text
from veche.apps.elections.views import _decimal, _two_places

pytestmark = pytest.mark.django_db
OPEN = {"be": "адкрыта для галасавання", "ru": "открыто для голосования", "en": "open for voting"}


def _client(world: World, name: str, language: str) -> Client:
    return signed_in_client(world.person(name), name, language=language)


@pytest.mark.parametrize("language", ["be", "ru", "en"])
def test_list_and_detail_name_the_stage_in_the_readers_language(language: str) -> None:
    election = setup_election()
    election.deal_all()
    actions.open_election(election.world.person("Sokol"), election.space)
    client = _client(election.world, "Zubr", language)
    listing = html.unescape(
        client.get(reverse("elections:committee", args=[election.committee])).content.decode()
    )
    detail = html.unescape(
        client.get(reverse("elections:detail", args=[election.space])).content.decode()
    )
    for page in (listing, detail):
        assert f'data-stage="open">{OPEN[language]}</span>' in page
        assert ">open<" not in page


@pytest.mark.parametrize("language", ["be", "ru"])
def test_every_stage_has_a_translation(language: str) -> None:
    with translation.override(language):
        for code, label in STAGE_LABELS.items():
            assert str(label) != code and stage_label(code) == str(label)
            assert not any("a" <= c <= "z" for c in stage_label(code)), stage_label(code)
    assert stage_label("newer-stage") == "newer-stage"  # a code from a newer node, as it is


def test_seat_ties_are_sentences_in_the_readers_language() -> None:
    with translation.override("ru"):
        assert tie_text(3, "lot") == "За место 3 было равенство; его разрешил жребий."
        assert "большим числом голосов" in tie_text(2, "more votes")
    with translation.override("be"):
        assert tie_text(3, "lot") == "За месца 3 была роўнасць; яе вырашыў жэрабя."
    with translation.override("en"):
        assert tie_text(1, "more votes") == ("Seat 1 was a tie, won by the party with more votes.")


def test_quotients_are_decimals_so_the_page_localizes_them() -> None:
    assert _two_places(Fraction(1000, 3)) == Decimal("333.33")
    assert _two_places(Fraction(5, 8)) == Decimal("0.62")  # half to even, exactly
    from django.template import Context, Template

    with translation.override("ru"):
        text = Template("{{ v }}").render(Context({"v": _two_places(Fraction(1000, 3))}))
        threshold = Template("{{ v }}").render(Context({"v": _decimal(Fraction(9, 2))}))
    assert text == "333,33" and threshold == "4,5"  # a 4.5 % threshold, not "9/2"
    assert str(_decimal(Fraction(50))) == "50" and str(_decimal(Fraction(1, 8))) == "0.125"
