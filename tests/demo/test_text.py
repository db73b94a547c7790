"""The demo's words: the three languages' files agree, and each mode writes as it says."""

from __future__ import annotations

import copy
import re
from typing import Any

import pytest

from veche.demo.strike import PLANTS
from veche.demo.text import (
    BELARUSIAN,
    LANGUAGES,
    DemoText,
    DemoTextError,
    catalogs,
    check,
    read,
)

CYRILLIC = re.compile(r"[\u0400-\u04FF]")


def test_every_language_has_the_same_keys_lists_and_placeholders() -> None:
    tables = catalogs()  # raises DemoTextError if they disagree
    assert set(tables) == set(LANGUAGES)
    for language in ("be", "ru"):
        for key in tables["en"]["committee"]:
            assert CYRILLIC.search(tables[language]["committee"][key]["name"]), (language, key)


@pytest.mark.parametrize(
    ("break_it", "complaint"),
    [
        (lambda t: t["motion"].pop("strike_call"), "lacks motion.strike_call"),
        (lambda t: t["post"].update(extra="…"), "has extra post.extra"),
        (lambda t: t["election"]["parties"].pop(), "election.parties: 5 items in en, 4 in ru"),
        (
            lambda t: t["motion"]["join"].update(title="Вступить в {parnet}"),
            "motion.join.title: placeholders differ",
        ),
        (lambda t: t["plant"]["maz"].update(city=7), "plant.maz.city: not the same kind of value"),
    ],
)
def test_a_language_that_disagrees_is_refused(break_it: Any, complaint: str) -> None:
    tables = {language: read(language) for language in ("en", "ru")}
    broken = copy.deepcopy(tables)
    break_it(broken["ru"])
    check(tables)
    with pytest.raises(DemoTextError, match=re.escape(complaint)):
        check(broken)


def test_every_plant_has_its_words_one_note_per_status() -> None:
    written = catalogs()["en"]["plant"]
    assert sorted(written) == sorted(plant.key for plant in PLANTS)
    for plant in PLANTS:
        for language in LANGUAGES:
            notes = catalogs()[language]["plant"][plant.key]["notes"]
            assert len(notes) == len(plant.timeline), (language, plant.key)


def test_mixed_writes_each_committee_in_its_own_language() -> None:
    text = DemoText()
    assert text.language("national") == "be" and text.language("bsu-students") == "be"
    assert text.language("kozlova") == "ru" and text.language("minsk-city") == "ru"
    assert {key for key in catalogs()["en"]["committee"] if text.language(key) == "be"} == (
        BELARUSIAN
    )
    # A Russian-speaking plant names the Belarusian-speaking council in Russian.
    join = text.say(
        "mtz", "motion.join.title", parent=text.name("national", writer="mtz", form="acc")
    )
    assert join == "Вступить в Национальный координационный совет стачкомов"
    assert text.name("national") == "Нацыянальная каардынацыйная рада страйкамаў"
    for mode in LANGUAGES:
        forced = DemoText(mode)
        assert {forced.language(key) for key in catalogs()["en"]["committee"]} == {mode}
    with pytest.raises(ValueError, match="mixed, be, ru, en"):
        DemoText("pl")


def test_the_map_knows_every_plant_city_as_each_language_writes_it() -> None:
    from veche.solidarity.geography import CITIES

    for plant in PLANTS:
        for language in LANGUAGES:
            city = catalogs()[language]["plant"][plant.key]["city"]
            assert CITIES[city][0] == plant.region, (language, plant.key, city)
