"""Build src/veche/solidarity/data/belarus-regions.geojson from Natural Earth 10m data.

Natural Earth (public domain, https://www.naturalearthdata.com/) publishes the
admin-1 states and provinces at 1:10m; in it Minsk city ("Horad Minsk", BY-HM)
is its own unit beside the six voblasts. This script rebuilds those seven
polygons from two of its layers:

- ``ne_10m_admin_0_countries`` (any point of view): the outline of Belarus;
- ``ne_10m_admin_1_states_provinces_lines``: the borders between admin-1 units.

It nodes the lines inside Belarus with the country's outline, simplifies each
border edge once (so neighbours keep the same border and the map has no gaps or
overlaps), rebuilds the faces, and names each face by a city it holds. Run it
where ``shapely`` and ``pyshp`` are installed (build tools only: the app reads
the GeoJSON it writes with the standard library)::

    python scripts/build_belarus_regions.py COUNTRIES.shp ADMIN1_LINES.shp [OUT]
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import shapefile  # pyshp
import shapely
from shapely import geometry, ops

# Tolerance in degrees (~1 km at this latitude): small enough for the shapes to
# read as the real ones at phone size, large enough for a compact file.
TOLERANCE = 0.01
DIGITS = 3

# A city inside each unit names the face (lon, lat) and the app's codes.
SEEDS = {
    "minsk-city": ("Minsk city", "BY-HM", (27.56, 53.90)),
    "brest": ("Brest region", "BY-BR", (25.0, 52.4)),
    "vitebsk": ("Vitebsk region", "BY-VI", (29.0, 55.3)),
    "gomel": ("Gomel region", "BY-HO", (29.5, 52.2)),
    "grodno": ("Grodno region", "BY-HR", (24.8, 53.6)),
    "minsk": ("Minsk region", "BY-MI", (27.5, 53.0)),
    "mogilev": ("Mogilev region", "BY-MA", (30.3, 53.6)),
}
DEFAULT_OUT = (
    Path(__file__).resolve().parents[1] / "src/veche/solidarity/data/belarus-regions.geojson"
)


def belarus(countries: Path) -> geometry.base.BaseGeometry:
    reader = shapefile.Reader(str(countries))
    fields = [f[0] for f in reader.fields[1:]]
    for record, shape in zip(reader.records(), reader.shapes(), strict=True):
        row = dict(zip(fields, record, strict=True))
        if row.get("ADM0_A3") == "BLR" or row.get("ISO_A3") == "BLR":
            return geometry.shape(shape.__geo_interface__)
    raise SystemExit(f"{countries}: no feature with ADM0_A3 == BLR")


def borders(lines: Path, country: geometry.base.BaseGeometry) -> list[geometry.LineString]:
    area = country.buffer(0.05)
    reader = shapefile.Reader(str(lines))
    found = []
    for shape in reader.shapes():
        if shape.shapeType == shapefile.NULL:
            continue
        line = geometry.shape(shape.__geo_interface__)
        if line.intersects(area):
            found.append(line.intersection(area))
    return found


def build(countries: Path, lines: Path) -> dict[str, object]:
    country = belarus(countries)
    # The two layers come from different releases: snap each border onto the
    # outline so it meets it at a shared point (its short tail outside is dropped
    # with the faces outside the country).
    inner = [
        shapely.snap(line.intersection(country.buffer(0.02)), country.boundary, 0.002)
        for line in borders(lines, country)
    ]
    noded = ops.unary_union([country.boundary, *inner])
    edges = [
        edge.simplify(TOLERANCE, preserve_topology=True) for edge in ops.linemerge(noded).geoms
    ]
    faces = [
        f
        for f in ops.polygonize(ops.unary_union(edges))
        if country.contains(f.representative_point())
    ]
    features = []
    used: set[int] = set()
    for code, (name, iso, seed) in SEEDS.items():
        point = geometry.Point(seed)
        matches = [i for i, face in enumerate(faces) if face.contains(point)]
        if len(matches) != 1:
            raise SystemExit(f"{code}: {len(matches)} faces hold {seed}")
        used.add(matches[0])
        face = geometry.polygon.orient(faces[matches[0]], 1.0)
        features.append(
            {
                "type": "Feature",
                "properties": {
                    "code": code,
                    "name": name,
                    "iso_3166_2": iso,
                    # Where a label sits best: the point farthest inside the shape.
                    "label": list(ops.polylabel(face, 0.01).coords[0]),
                },
                "geometry": json.loads(json.dumps(geometry.mapping(face))),
            }
        )
    left = [faces[i].area for i in range(len(faces)) if i not in used]
    if left and max(left) > 0.01:
        raise SystemExit(f"faces no city names: {sorted(left)}")

    def rounded(value: object) -> object:
        if isinstance(value, float):
            return round(value, DIGITS)
        if isinstance(value, list | tuple):
            return [rounded(v) for v in value]
        if isinstance(value, dict):
            return {k: rounded(v) for k, v in value.items()}
        return value

    return {
        "type": "FeatureCollection",
        "source": "Natural Earth 10m admin-1 (via admin-0 countries and admin-1 lines), "
        "public domain; simplified, see SOURCE.md",
        "features": [rounded(f) for f in features],
    }


def main(argv: list[str]) -> int:
    if len(argv) not in (2, 3):
        sys.stderr.write(__doc__ or "")
        return 2
    out = Path(argv[2]) if len(argv) == 3 else DEFAULT_OUT
    collection = build(Path(argv[0]), Path(argv[1]))
    out.write_text(json.dumps(collection, separators=(",", ":")) + "\n", encoding="utf-8")
    sys.stdout.write(f"{out}: {out.stat().st_size} bytes\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
