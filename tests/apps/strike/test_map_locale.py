"""The strike map and chart in Belarusian and Russian: their numbers as those languages
write them."""

from __future__ import annotations

from datetime import date

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
