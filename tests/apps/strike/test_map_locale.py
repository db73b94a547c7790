"""The strike map and chart in Belarusian and Russian: their numbers as those languages
write them."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from django.utils import translation

from veche.apps.strike.labels import number, strike_map_svg, strikers_chart_svg
from veche.solidarity.drawing import MapMarker
from veche.solidarity.strike import DayTotals

MARKERS = [MapMarker("w1", "MTZ", "Minsk", "minsk-city", "full_strike", 31590)]
DAYS = [DayTotals(date(2020, 8, 11), 1, 900), DayTotals(date(2020, 8, 12), 3, 31590)]


@pytest.mark.parametrize("lang", ["be", "ru"])
def test_numbers_are_grouped_as_the_language_does(lang: str) -> None:
    with translation.override(lang):
        assert number(31590) == "31\u202f590"
        drawn = strike_map_svg(MARKERS) + strikers_chart_svg(DAYS)
    assert "31\u202f590" in drawn
    assert "31,590" not in drawn
    assert "workers" not in drawn  # the map's totals line is translated


def test_english_keeps_its_comma() -> None:
    with translation.override("en"):
        assert number(31590) == "31,590"


def test_the_cli_knows_the_sites_languages() -> None:
    from django.conf import settings

    from veche.cli.base import LANGUAGES

    assert tuple(code for code, _name in settings.LANGUAGES) == LANGUAGES


@pytest.mark.django_db
@pytest.mark.parametrize(("lang", "word"), [("be", "Мінск"), ("ru", "Минск"), ("en", "Minsk")])
def test_the_cli_draws_the_map_in_the_language_asked(tmp_path: Path, lang: str, word: str) -> None:
    from veche.cli import main

    out = tmp_path / "map.svg"
    assert main(["strike", "map", "-o", str(out), "--language", lang]) == 0
    drawn = out.read_text(encoding="utf-8")
    assert word in drawn
    if lang != "en":
        assert "Minsk" not in drawn and "workplaces" not in drawn
    chart = tmp_path / "chart.svg"
    assert main(["strike", "chart", "-o", str(chart), "--lang", lang]) == 0
    assert chart.read_text(encoding="utf-8").startswith("<svg")
