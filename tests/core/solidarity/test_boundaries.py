"""The shipped boundaries: seven valid polygons; labels that do not overlap; statuses
told apart by colour and by shape."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import pytest

from veche.solidarity.drawing import (
    STATUS_COLOURS,
    STATUS_MARKERS,
    MapMarker,
    place_labels,
    strike_map,
    strikers_chart,
)
from veche.solidarity.geography import (
    BOUNDARIES,
    CITIES,
    CODES,
    HEIGHT,
    REGIONS,
    WIDTH,
    BadBoundaries,
    load_regions,
    region_of,
)
from veche.solidarity.strike import STATUSES

Point = tuple[float, float]


def _area(ring: tuple[Point, ...]) -> float:
    return (
        sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1], strict=True))
        / 2
    )


def _cross(a: Point, b: Point, c: Point) -> float:
    return (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0])


def _segments_cross(p1: Point, p2: Point, q1: Point, q2: Point) -> bool:
    d1, d2 = _cross(q1, q2, p1), _cross(q1, q2, p2)
    d3, d4 = _cross(p1, p2, q1), _cross(p1, p2, q2)
    return d1 * d2 < 0 and d3 * d4 < 0


def test_the_file_holds_the_seven_codes_as_simple_polygons() -> None:
    assert sorted(r.code for r in REGIONS) == sorted(CODES)
    for region in REGIONS:
        for ring in region.rings:
            assert len(ring) >= 3
            assert abs(_area(ring)) > 0
            edges = list(zip(ring, ring[1:] + ring[:1], strict=True))
            for (i, a), (j, b) in itertools.combinations(enumerate(edges), 2):
                if j - i > 1 and not (i == 0 and j == len(edges) - 1):
                    assert not _segments_cross(*a, *b), (region.code, i, j)
    # Minsk city is a hole of the Minsk region, not drawn over it.
    assert len(region_of("minsk").holes) == 1
    assert not region_of("minsk").holds(CITIES["Minsk"][1])


@pytest.mark.parametrize("city", sorted(CITIES))
def test_each_city_is_in_exactly_its_region(city: str) -> None:
    code, point = CITIES[city]
    assert [r.code for r in REGIONS if r.holds(point)] == [code]


def test_areas_are_about_the_real_ones() -> None:
    # Square degrees: Vitebsk is the largest region, Grodno the smallest, Minsk city tiny.
    areas = {r.code: abs(_area(r.outline)) - sum(abs(_area(h)) for h in r.holes) for r in REGIONS}
    assert max(areas, key=lambda c: areas[c]) == "vitebsk"
    assert min((c for c in areas if c != "minsk-city"), key=lambda c: areas[c]) == "grodno"
    assert 0.05 < areas["minsk-city"] < 0.12
    assert 27 < sum(areas.values()) < 29.5


def test_a_file_without_a_region_is_refused(tmp_path: Path) -> None:
    data = json.loads(BOUNDARIES.read_text(encoding="utf-8"))
    data["features"] = [f for f in data["features"] if f["properties"]["code"] != "gomel"]
    broken = tmp_path / "regions.geojson"
    broken.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(BadBoundaries, match="no polygon for gomel"):
        load_regions(broken)
    broken.write_text("{not json", encoding="utf-8")
    with pytest.raises(BadBoundaries):
        load_regions(broken)


LONG_NAMES = {
    "minsk-city": "г. Минск",
    "brest": "Брестская область",
    "vitebsk": "Витебская область",
    "gomel": "Гомельская область",
    "grodno": "Гродненская область",
    "minsk": "Минская область",
    "mogilev": "Могилёвская область",
}


@pytest.mark.parametrize("with_totals", [False, True])
def test_region_labels_do_not_overlap_and_stay_on_the_map(with_totals: bool) -> None:
    totals = {c: "12 бастуют, 31\u202f590 чел." for c in CODES} if with_totals else {}
    labels = place_labels(LONG_NAMES, totals)
    assert len(labels) == 7
    for a, b in itertools.combinations(labels, 2):
        assert not a.box.overlaps(b.box), (a.code, b.code)
    for label in labels:
        assert 0 <= label.box.x0 < label.box.x1 <= WIDTH
        assert 0 <= label.box.y0 < label.box.y1 <= HEIGHT
    minsk_city = next(label for label in labels if label.code == "minsk-city")
    assert minsk_city.anchor is not None  # a leader line back to the small shape


def test_each_status_has_its_own_colour_and_shape() -> None:
    assert set(STATUS_COLOURS) == set(STATUSES) == set(STATUS_MARKERS)
    assert len(set(STATUS_COLOURS.values())) == len(STATUSES)
    assert len(set(STATUS_MARKERS.values())) == len(STATUSES)
    assert STATUS_COLOURS["ended"].upper() not in {"#009E73", "#2B8A3E"}  # not success green
    svg = strike_map([MapMarker(f"w{s}", "X", "Minsk", "minsk-city", s, 10) for s in STATUSES])
    for status in STATUSES:
        assert f'data-legend="{status}"' in svg
        assert svg.count(f'data-status="{status}"') == 1


def test_per_region_totals_are_on_the_map() -> None:
    svg = strike_map(
        [
            MapMarker("a", "A", "Minsk", "minsk-city", "full_strike", 17000),
            MapMarker("b", "B", "Minsk", "minsk-city", "partial", 6000),
            MapMarker("c", "C", "Zhlobin", "gomel", "go_slow", 2500),
        ],
        totals_text=lambda plants, workers: f"[{plants}|{workers}]",
    )
    assert "[2|23000]" in svg and "[1|2500]" in svg


def test_the_chart_keeps_its_last_date_inside() -> None:
    from datetime import date, timedelta

    from veche.solidarity.strike import DayTotals

    days = [DayTotals(date(2020, 8, 11) + timedelta(days=i), 1, 31590) for i in range(21)]
    svg = strikers_chart(days, number=lambda n: f"{n:,}".replace(",", " "))
    assert "31 590" in svg
    assert 'text-anchor="end">31.08</text>' in svg
