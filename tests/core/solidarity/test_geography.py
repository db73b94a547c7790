"""The shipped map: every known city lies in its region; markers stay inside regions."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from veche.solidarity.drawing import MapMarker, strike_map, strikers_chart
from veche.solidarity.geography import CITIES, REGIONS, UnknownRegion, contains, place, region_of
from veche.solidarity.strike import DayTotals


@pytest.mark.parametrize("city", sorted(CITIES))
def test_known_cities_lie_in_their_region(city: str) -> None:
    code, point = CITIES[city]
    assert contains(region_of(code).outline, point)
    others = {r.code for r in REGIONS if contains(r.outline, point)} - {code}
    assert others <= {"minsk"}  # Minsk city lies inside the Minsk region, as on the ground


def test_seven_regions_and_unknown_region() -> None:
    assert len(REGIONS) == 7
    with pytest.raises(UnknownRegion, match="use one of"):
        region_of("crimea")


@pytest.mark.parametrize("region", [r.code for r in REGIONS if r.code != "minsk-city"])
def test_unknown_cities_are_placed_inside_their_region(region: str) -> None:
    for key in ("a", "b", "c", "d"):
        assert contains(region_of(region).outline, place("Nowhere", region, key))


def test_map_and_chart_are_well_formed_svg() -> None:
    markers = [
        MapMarker("w1", "MTZ <Tractor>", "Minsk", "minsk-city", "full_strike", 8000, "/w/1/"),
        MapMarker("w2", "Azot", "Grodno", "grodno", "go_slow", 100),
    ]
    svg = strike_map(markers)
    root = ET.fromstring(svg)
    assert root.tag.endswith("svg")
    assert svg.count("<path") == 7
    assert 'data-status="full_strike"' in svg and "MTZ &lt;Tractor&gt;" in svg
    from datetime import date

    chart = strikers_chart(
        [DayTotals(date(2020, 8, 11), 1, 100), DayTotals(date(2020, 8, 12), 3, 900)]
    )
    ET.fromstring(chart)
    assert "900 workers out" in chart
    ET.fromstring(strikers_chart([]))


def test_the_shipped_svg_is_the_map_the_code_draws() -> None:
    from veche.solidarity.drawing import REGIONS_SVG, regions_map

    shipped = REGIONS_SVG.read_text(encoding="utf-8")
    assert shipped == regions_map()
    root = ET.fromstring(shipped)
    regions = [e for e in root.iter() if e.get("data-region")]
    assert sorted(e.get("data-region") for e in regions) == sorted(r.code for r in REGIONS)
