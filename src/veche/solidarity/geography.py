"""Belarus by region: real, simplified borders, known cities, and a map projection.

The seven units (six voblasts and Minsk city) are Natural Earth's 1:10m admin-1
shapes for Belarus (public domain), simplified to about 1 km and shipped as
``data/belarus-regions.geojson`` (source, licence and how to rebuild it in
``data/SOURCE.md``): enough to draw a strike map that reads on a phone without
a tile server or the internet. Coordinates are (longitude, latitude) in degrees;
neighbours share their border points, and Minsk city is a hole in the Minsk
region, so the map has no gaps or overlaps.
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "BOUNDARIES",
    "CITIES",
    "REGIONS",
    "REGION_NAMES",
    "BadBoundaries",
    "Region",
    "UnknownRegion",
    "contains",
    "load_regions",
    "place",
    "project",
    "region_of",
]

Point = tuple[float, float]
Ring = tuple[Point, ...]

BOUNDARIES = Path(__file__).with_name("data") / "belarus-regions.geojson"
CODES = ("minsk-city", "brest", "vitebsk", "gomel", "grodno", "minsk", "mogilev")


@dataclass(frozen=True, slots=True)
class Region:
    code: str
    name: str
    outline: Ring  # the outer ring
    label_at: Point  # a point well inside, where its name and totals go
    holes: tuple[Ring, ...] = ()

    @property
    def rings(self) -> tuple[Ring, ...]:
        return (self.outline, *self.holes)

    def holds(self, point: Point) -> bool:
        """Inside the outline and in none of the holes."""
        return contains(self.outline, point) and not any(contains(h, point) for h in self.holes)


class BadBoundaries(ValueError):
    """The boundaries file is not the seven polygons the map needs."""


def _ring(raw: object, where: str) -> Ring:
    if not isinstance(raw, list) or len(raw) < 4:
        raise BadBoundaries(f"{where}: a ring needs at least 4 [lon, lat] points")
    points: list[Point] = []
    for item in raw:
        if (
            not isinstance(item, list)
            or len(item) != 2
            or not all(isinstance(v, int | float) for v in item)
        ):
            raise BadBoundaries(f"{where}: {item!r} is not a [lon, lat] point")
        points.append((float(item[0]), float(item[1])))
    if points[0] != points[-1]:
        raise BadBoundaries(f"{where}: the ring is not closed")
    return tuple(points[:-1])


def load_regions(path: Path = BOUNDARIES) -> tuple[Region, ...]:
    """The seven regions from a GeoJSON FeatureCollection of Polygons (see data/SOURCE.md)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise BadBoundaries(f"{path}: {error}") from error
    features = data.get("features") if isinstance(data, dict) else None
    if not isinstance(features, list):
        raise BadBoundaries(f"{path}: not a GeoJSON FeatureCollection")
    found: dict[str, Region] = {}
    for feature in features:
        props = feature.get("properties") or {}
        code, geometry = props.get("code"), feature.get("geometry") or {}
        where = f"{path.name}: {code!r}"
        if code not in CODES or code in found:
            raise BadBoundaries(f"{where}: unknown or repeated region code")
        if geometry.get("type") != "Polygon" or not geometry.get("coordinates"):
            raise BadBoundaries(f"{where}: the geometry is not a Polygon")
        rings = [_ring(r, where) for r in geometry["coordinates"]]
        label = props.get("label")
        if not isinstance(label, list) or len(label) != 2:
            raise BadBoundaries(f"{where}: no label point")
        found[code] = Region(
            code,
            str(props.get("name") or code),
            rings[0],
            (float(label[0]), float(label[1])),
            tuple(rings[1:]),
        )
    missing = [c for c in CODES if c not in found]
    if missing:
        raise BadBoundaries(f"{path.name}: no polygon for {', '.join(missing)}")
    return tuple(found[c] for c in sorted(CODES, key=lambda c: (c != "minsk-city", c)))


REGIONS: tuple[Region, ...] = load_regions()
REGION_NAMES: dict[str, str] = {r.code: r.name for r in REGIONS}

# Cities where the scenario's plants are, and other regional centres (lon, lat).
CITIES: dict[str, tuple[str, Point]] = {
    "Minsk": ("minsk-city", (27.56, 53.90)),
    "Grodno": ("grodno", (23.83, 53.68)),
    "Brest": ("brest", (23.69, 52.09)),
    "Zhabinka": ("brest", (24.02, 52.20)),
    "Zhlobin": ("gomel", (30.02, 52.89)),
    "Gomel": ("gomel", (30.98, 52.44)),
    "Mozyr": ("gomel", (29.25, 52.05)),
    "Bobruisk": ("mogilev", (29.22, 53.14)),
    "Mogilev": ("mogilev", (30.33, 53.90)),
    "Soligorsk": ("minsk", (27.54, 52.79)),
    "Zhodino": ("minsk", (28.35, 54.10)),
    "Borisov": ("minsk", (28.50, 54.23)),
    "Vitebsk": ("vitebsk", (30.20, 55.19)),
    "Novopolotsk": ("vitebsk", (28.65, 55.53)),
    "Polotsk": ("vitebsk", (28.79, 55.49)),
    "Lida": ("grodno", (25.30, 53.89)),
}
# The same cities as people write them in Russian and Belarusian.
CITIES.update(
    (spelling, CITIES[city])
    for city, spellings in {
        "Minsk": ("Минск", "Мінск"),
        "Grodno": ("Гродно", "Гродна"),
        "Brest": ("Брест", "Брэст"),
        "Zhabinka": ("Жабинка", "Жабінка"),
        "Zhlobin": ("Жлобин", "Жлобін"),
        "Gomel": ("Гомель",),
        "Mozyr": ("Мозырь", "Мазыр"),
        "Bobruisk": ("Бобруйск", "Бабруйск"),
        "Mogilev": ("Могилев", "Могилёв", "Магілёў"),
        "Soligorsk": ("Солигорск", "Салігорск"),
        "Zhodino": ("Жодино", "Жодзіна"),
        "Borisov": ("Борисов", "Барысаў"),
        "Vitebsk": ("Витебск", "Віцебск"),
        "Novopolotsk": ("Новополоцк", "Наваполацк"),
        "Polotsk": ("Полоцк", "Полацк"),
        "Lida": ("Лида", "Ліда"),
    }.items()
    for spelling in spellings
)


class UnknownRegion(ValueError):
    def __init__(self, code: str) -> None:
        super().__init__(
            f"unknown region {code!r}; use one of {', '.join(r.code for r in REGIONS)}"
        )


def region_of(code: str) -> Region:
    for region in REGIONS:
        if region.code == code:
            return region
    raise UnknownRegion(code)


def contains(outline: tuple[Point, ...], point: Point) -> bool:
    """Even–odd ray casting: is ``point`` inside the polygon ``outline``?"""
    x, y = point
    inside = False
    for i, (x1, y1) in enumerate(outline):
        x2, y2 = outline[i - 1]
        if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
            inside = not inside
    return inside


def place(city: str, region: str, key: str) -> Point:
    """Where to draw a workplace: its city if known, else a stable spot in its region.

    The spot is derived from ``key`` (the workplace id) so every node draws it
    in the same place, and is kept inside the region's outline.
    """
    known = CITIES.get(city.strip())
    if known is not None and known[0] == region:
        return known[1]
    shape = region_of(region)
    cx, cy = shape.label_at
    seed = hashlib.blake2b(key.encode(), digest_size=8).digest()
    for attempt in range(8):
        angle = 2 * math.pi * seed[attempt] / 256
        distance = 0.1 + 0.5 * seed[(attempt + 4) % 8] / 256
        candidate = (
            round(cx + distance * math.cos(angle) * 1.6, 3),
            round(cy - 0.25 + distance * math.sin(angle), 3),
        )
        if shape.holds(candidate):
            return candidate
    return shape.label_at


# The map projection: equirectangular, stretched by cos(53.7°) so shapes look right.
WEST, EAST, SOUTH, NORTH = 23.1, 32.9, 51.2, 56.3
_SCALE = 100.0
_STRETCH = math.cos(math.radians(53.7))
WIDTH = round((EAST - WEST) * _STRETCH * _SCALE)
HEIGHT = round((NORTH - SOUTH) * _SCALE)


def project(point: Point) -> tuple[float, float]:
    """(lon, lat) to SVG (x, y) in the map's viewBox."""
    lon, lat = point
    return (round((lon - WEST) * _STRETCH * _SCALE, 1), round((NORTH - lat) * _SCALE, 1))
