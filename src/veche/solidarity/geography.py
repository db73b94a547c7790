"""Belarus by region: simplified polygons, known cities, and a map projection.

The polygons are hand-simplified from the oblast borders (a few dozen points
each, roughly right in shape and position): enough to draw a strike map that
reads on a phone without a tile server or the internet. Coordinates are
(longitude, latitude) in degrees; the regions share their border points so the
map has no gaps.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass

__all__ = [
    "CITIES",
    "REGIONS",
    "REGION_NAMES",
    "Region",
    "UnknownRegion",
    "contains",
    "place",
    "project",
    "region_of",
]

Point = tuple[float, float]

# Border points shared by neighbouring regions (lon, lat).
_P1, _P2, _P3, _P4 = (23.50, 53.90), (24.90, 54.15), (25.70, 54.30), (25.80, 54.90)
_P5, _P6, _P7, _P8 = (26.70, 55.20), (26.60, 55.70), (28.20, 56.10), (29.40, 55.90)
_P9, _P10, _P11 = (30.90, 55.60), (31.00, 55.10), (30.80, 54.50)
_P12, _P13, _P14 = (31.80, 53.80), (32.70, 53.30), (31.30, 52.90)
_P15, _P16, _P17, _P18 = (31.70, 52.10), (30.50, 51.40), (29.30, 51.40), (27.70, 51.60)
_P19, _P20, _P21 = (26.00, 51.90), (24.50, 51.90), (23.60, 51.60)
_P22, _P23 = (23.35, 52.30), (23.90, 53.10)
_J1, _J2, _J3 = (26.80, 54.75), (26.20, 52.95), (29.30, 54.45)
_J4, _J5 = (28.30, 52.75), (26.90, 52.55)
_VM = (28.30, 54.75)  # on the Vitebsk–Minsk border
_GM1, _GM2 = (26.30, 53.90), (26.50, 53.30)  # Grodno–Minsk border
_GB1, _GB2 = (24.80, 52.85), (25.60, 52.95)  # Grodno–Brest border
_MB = (26.60, 52.80)  # Minsk–Brest
_MM1, _MM2 = (29.00, 53.70), (28.60, 53.10)  # Minsk–Mogilev
_MG = (27.60, 52.60)  # Minsk–Gomel
_GoM1, _GoM2 = (30.00, 53.00), (29.20, 52.85)  # Gomel–Mogilev
_BG = (27.20, 52.10)  # Brest–Gomel


def _circle(centre: Point, radius: float, points: int = 10) -> tuple[Point, ...]:
    lon, lat = centre
    stretch = 1 / math.cos(math.radians(lat))
    return tuple(
        (
            round(lon + radius * stretch * math.cos(2 * math.pi * i / points), 3),
            round(lat + radius * math.sin(2 * math.pi * i / points), 3),
        )
        for i in range(points)
    )


@dataclass(frozen=True, slots=True)
class Region:
    code: str
    name: str
    outline: tuple[Point, ...]
    label_at: Point


REGIONS: tuple[Region, ...] = (
    Region(
        "brest",
        "Brest region",
        (_P21, _P22, _P23, _GB1, _GB2, _J2, _MB, _J5, _BG, _P18, _P19, _P20),
        (25.20, 52.35),
    ),
    Region(
        "vitebsk",
        "Vitebsk region",
        (_P4, _P5, _P6, _P7, _P8, _P9, _P10, _P11, _J3, _VM, _J1),
        (29.30, 55.00),
    ),
    Region(
        "gomel",
        "Gomel region",
        (_J4, _GoM2, _GoM1, _P14, _P15, _P16, _P17, _P18, _BG, _J5, _MG),
        (29.50, 52.10),
    ),
    Region(
        "grodno",
        "Grodno region",
        (_P23, _P1, _P2, _P3, _P4, _J1, _GM1, _GM2, _J2, _GB2, _GB1),
        (25.10, 53.30),
    ),
    Region(
        "minsk",
        "Minsk region",
        (_J1, _VM, _J3, _MM1, _MM2, _J4, _MG, _J5, _MB, _J2, _GM2, _GM1),
        (27.35, 53.30),
    ),
    Region(
        "mogilev",
        "Mogilev region",
        (_J3, _P11, _P12, _P13, _P14, _GoM1, _GoM2, _J4, _MM2, _MM1),
        (30.40, 53.50),
    ),
    Region("minsk-city", "Minsk city", _circle((27.56, 53.90), 0.16), (27.56, 53.90)),
)
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
        if contains(shape.outline, candidate):
            return candidate
    return (cx, cy - 0.2)


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
