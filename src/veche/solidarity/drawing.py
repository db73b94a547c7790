"""The strike map and the strikers chart, drawn as plain SVG on the server.

No tiles, no scripts, no fonts to fetch: a node with no internet draws the
seven regions from ``geography``, one marker per workplace coloured by its
status, and a chart of workers out per day. The SVG scales to the screen
(``viewBox`` with no fixed size), so it reads on a phone.
"""

from __future__ import annotations

import functools
import html
import math
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from veche.solidarity.geography import HEIGHT, REGIONS, WIDTH, place, project
from veche.solidarity.strike import STATUS_LABELS, STATUSES, DayTotals

__all__ = [
    "REGIONS_SVG",
    "STATUS_COLOURS",
    "STATUS_MARKERS",
    "MapMarker",
    "marker_shape",
    "regions_map",
    "strike_map",
    "strikers_chart",
    "text_width",
]

# Okabe–Ito colours (told apart with any colour vision) and a shape of its own for
# each status, so a marker reads without colour too; "ended" is sky blue, not a
# success green.
STATUS_COLOURS: dict[str, str] = {
    "working": "#999999",
    "warning_strike": "#F0E442",
    "go_slow": "#E69F00",
    "partial": "#CC79A7",
    "full_strike": "#D55E00",
    "lockout": "#0072B2",
    "ended": "#56B4E9",
}
STATUS_MARKERS: dict[str, str] = {
    "working": "circle",
    "warning_strike": "triangle",
    "go_slow": "diamond",
    "partial": "square",
    "full_strike": "star",
    "lockout": "cross",
    "ended": "hexagon",
}
FONT = "DejaVu Sans, Verdana, sans-serif"
Number = Callable[[int], str]


def plain_number(value: int) -> str:
    return f"{value:,}"


@functools.lru_cache(maxsize=4096)
def text_width(text: str, size: float, bold: bool = False) -> float:
    """The width of ``text`` set in DejaVu Sans at ``size`` (matplotlib's own metrics)."""
    from matplotlib.font_manager import FontProperties
    from matplotlib.textpath import TextToPath

    prop = FontProperties(family="DejaVu Sans", weight="bold" if bold else "normal", size=size)
    width, _, _ = TextToPath().get_text_width_height_descent(text, prop, ismath=False)
    return float(width)


def marker_shape(status: str, x: float, y: float, r: float) -> str:
    """An SVG shape for ``status`` centred on (x, y) with radius about ``r`` (no closing)."""
    kind = STATUS_MARKERS.get(status, "circle")

    def poly(points: list[tuple[float, float]]) -> str:
        return '<polygon points="' + " ".join(f"{px:.1f},{py:.1f}" for px, py in points) + '"'

    def ring(n: int, radius: float, turn: float) -> list[tuple[float, float]]:
        return [
            (
                x + radius * math.cos(turn + 2 * math.pi * i / n),
                y + radius * math.sin(turn + 2 * math.pi * i / n),
            )
            for i in range(n)
        ]

    if kind == "triangle":
        return poly(ring(3, r * 1.25, -math.pi / 2))
    if kind == "diamond":
        return poly(ring(4, r * 1.25, -math.pi / 2))
    if kind == "square":
        return f'<rect x="{x - r * 0.9:.1f}" y="{y - r * 0.9:.1f}" width="{r * 1.8:.1f}" height="{r * 1.8:.1f}"'
    if kind == "hexagon":
        return poly(ring(6, r * 1.1, 0))
    if kind == "star":
        outer, inner = ring(5, r * 1.35, -math.pi / 2), ring(5, r * 0.6, -math.pi / 2 + math.pi / 5)
        return poly([p for pair in zip(outer, inner, strict=True) for p in pair])
    if kind == "cross":
        a, b = r * 1.1, r * 0.4
        pts = [
            (-b, -a),
            (b, -a),
            (b, -b),
            (a, -b),
            (a, b),
            (b, b),
            (b, a),
            (-b, a),
            (-b, b),
            (-a, b),
            (-a, -b),
            (-b, -b),
        ]
        c, s_ = math.cos(math.pi / 4), math.sin(math.pi / 4)
        return poly([(x + px * c - py * s_, y + px * s_ + py * c) for px, py in pts])
    return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r:.1f}"'


_REGION_FILL = "#eef1f4"
# The base map the project ships (regenerate with ``python -m veche.solidarity.drawing``).
REGIONS_SVG = Path(__file__).with_name("data") / "belarus-regions.svg"


@dataclass(frozen=True, slots=True)
class MapMarker:
    id: str
    name: str
    city: str
    region: str
    status: str
    workers_out: int
    href: str = ""


LABEL_SIZE, TOTAL_SIZE, LEGEND_SIZE, MARKER_R = 21.0, 18.0, 21.0, 12.0
_LINE = 1.25  # line height in ems


@dataclass(frozen=True, slots=True)
class Box:
    x0: float
    y0: float
    x1: float
    y1: float

    def overlaps(self, other: Box) -> bool:
        return (
            self.x0 < other.x1 and other.x0 < self.x1 and self.y0 < other.y1 and other.y0 < self.y1
        )


@dataclass(frozen=True, slots=True)
class PlacedLabel:
    code: str
    lines: tuple[str, ...]
    box: Box
    anchor: tuple[float, float] | None  # where a leader line points, when moved off its shape


def region_totals(markers: Sequence[MapMarker]) -> dict[str, tuple[int, int]]:
    """Per region: workplaces out and workers out."""
    totals: dict[str, tuple[int, int]] = {}
    for marker in markers:
        if marker.workers_out > 0:
            plants, workers = totals.get(marker.region, (0, 0))
            totals[marker.region] = (plants + 1, workers + marker.workers_out)
    return totals


def _overlap(a: Box, b: Box) -> float:
    return max(0.0, min(a.x1, b.x1) - max(a.x0, b.x0)) * max(0.0, min(a.y1, b.y1) - max(a.y0, b.y0))


def _label_box(lines: Sequence[str], cx: float, top: float) -> Box:
    widths = [
        text_width(line, LABEL_SIZE if i == 0 else TOTAL_SIZE, i == 0)
        for i, line in enumerate(lines)
    ]
    half = max(widths) / 2 + 3
    height = LABEL_SIZE * _LINE + (len(lines) - 1) * TOTAL_SIZE * _LINE
    return Box(cx - half, top, cx + half, top + height)


def place_labels(
    names: Mapping[str, str], totals_lines: Mapping[str, str], avoid: Sequence[Box] = ()
) -> list[PlacedLabel]:
    """Region labels (name, then totals) placed so no two boxes overlap and all fit the map.

    Each goes at its shape's label point if free, else the nearest free spot tried;
    Minsk city's goes off its small shape with a leader line back to it.
    """
    placed: list[PlacedLabel] = []
    taken: list[Box] = []
    for region in REGIONS:
        lines = tuple(
            x for x in (names.get(region.code, region.name), totals_lines.get(region.code, "")) if x
        )
        ax, ay = project(region.label_at)
        if region.code == "minsk-city":
            tries = [(dx, dy) for dy in (-95, -125, 70, 100) for dx in (0, 70, -70, 120)]
        else:
            tries = [
                (dx, dy)
                for dy in (0, -28, 28, -56, 56, -84, 84, -112, 112)
                for dx in (0, 40, -40, 80, -80)
            ]
        # The first spot inside the map that touches nothing; else the one that
        # overlaps least (labels first, markers second), never off the map.
        best, shift, least = None, (0.0, 0.0), math.inf
        for dx, dy in tries:
            box = _label_box(lines, ax + dx, ay + dy - LABEL_SIZE * 0.8)
            if box.x0 < 0 or box.x1 > WIDTH or box.y0 < 0 or box.y1 > HEIGHT:
                continue
            cost = sum(_overlap(box, other) for other in taken) * 10 + sum(
                _overlap(box, other) for other in avoid
            )
            if cost < least:
                best, shift, least = box, (float(dx), float(dy)), cost
            if cost == 0:
                break
        if best is None:
            best = _label_box(lines, min(max(ax, WIDTH / 2 - 1), WIDTH / 2 + 1), ay)
        taken.append(best)
        anchor = (ax, ay) if region.code == "minsk-city" or abs(shift[1]) > 60 else None
        placed.append(PlacedLabel(region.code, lines, best, anchor))
    return placed


def strike_map(
    markers: Sequence[MapMarker],
    *,
    title: str = "Strike map of Belarus",
    status_labels: Mapping[str, str] | None = None,
    region_names: Mapping[str, str] | None = None,
    totals_text: Callable[[int, int], str] | None = None,
    number: Number = plain_number,
) -> str:
    """The map; pass translated ``status_labels``, ``region_names``, a ``totals_text``
    (workplaces out, workers out) -> line and a localized ``number`` to localise it."""
    labels = status_labels or STATUS_LABELS
    names = {r.code: (region_names or {}).get(r.code, r.name) for r in REGIONS}
    say_totals = totals_text or (lambda plants, workers: f"{plants} out, {number(workers)} workers")
    legend_columns = 2
    widest = max(text_width(labels.get(s, s), LEGEND_SIZE) for s in STATUSES) + 2 * MARKER_R + 20
    if widest > WIDTH / 2:
        legend_columns = 1
    legend_rows = math.ceil(len(STATUSES) / legend_columns)
    total_height = HEIGHT + 20 + legend_rows * 36
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {total_height}" '
        f'role="img" aria-label="{html.escape(title)}" class="strike-map" font-family="{FONT}">',
        f"<title>{html.escape(title)}</title>",
    ]
    for region in REGIONS:
        path = " ".join(
            "M" + " L".join(f"{x},{y}" for x, y in (project(p) for p in ring)) + " Z"
            for ring in region.rings
        )
        parts.append(
            f'<path d="{path}" fill="{_REGION_FILL}" fill-rule="evenodd" stroke="#8a96a3" '
            f'stroke-width="1.5" stroke-linejoin="round" data-region="{region.code}">'
            f"<title>{html.escape(names[region.code])}</title>"
            "</path>"
        )
    # Workplaces in one city share a point: spread them on a small ring around it.
    spots: dict[tuple[float, float], list[MapMarker]] = {}
    for marker in sorted(markers, key=lambda m: m.id):
        spots.setdefault(project(place(marker.city, marker.region, marker.id)), []).append(marker)
    where: dict[str, tuple[float, float]] = {}
    for (cx, cy), group in spots.items():
        radius = 0 if len(group) == 1 else 13 + 4 * len(group)
        for index, marker in enumerate(group):
            angle = 2 * math.pi * index / len(group) - math.pi / 2
            where[marker.id] = (
                round(cx + radius * math.cos(angle), 1),
                round(cy + radius * math.sin(angle), 1),
            )
    totals = region_totals(markers)
    totals_lines = {code: say_totals(p, w) for code, (p, w) in totals.items()}
    marker_boxes = [
        Box(x - MARKER_R * 1.4, y - MARKER_R * 1.4, x + MARKER_R * 1.4, y + MARKER_R * 1.4)
        for x, y in where.values()
    ]
    for label in place_labels(names, totals_lines, marker_boxes):
        box = label.box
        cx = (box.x0 + box.x1) / 2
        if label.anchor is not None:
            ax, ay = label.anchor
            edge = box.y1 if ay > box.y1 else box.y0
            parts.append(
                f'<line x1="{ax:.1f}" y1="{ay:.1f}" x2="{cx:.1f}" y2="{edge:.1f}" stroke="#44505c" '
                'stroke-width="1.5"/>'
                f'<circle cx="{ax:.1f}" cy="{ay:.1f}" r="3" fill="#44505c"/>'
            )
        y = box.y0 + LABEL_SIZE * 0.95
        for index, line in enumerate(label.lines):
            size = LABEL_SIZE if index == 0 else TOTAL_SIZE
            weight = ' font-weight="bold"' if index == 0 else ""
            parts.append(
                f'<text x="{cx:.1f}" y="{y:.1f}" font-size="{size:g}"{weight} text-anchor="middle" '
                f'fill="{"#1f2933" if index == 0 else "#8a2d00"}" stroke="#fff" stroke-width="4" '
                f'paint-order="stroke" stroke-linejoin="round" data-label="{label.code}">'
                f"{html.escape(line)}</text>"
            )
            y += TOTAL_SIZE * _LINE
    # Big workplaces first so small ones stay clickable on top.
    for marker in sorted(markers, key=lambda m: (-m.workers_out, m.id)):
        x, y = where[marker.id]
        colour = STATUS_COLOURS.get(marker.status, "#000")
        text = f"{marker.name}, {marker.city}: {labels.get(marker.status, marker.status)}"
        if marker.workers_out:
            text += f", {number(marker.workers_out)}"
        shape = (
            marker_shape(marker.status, x, y, MARKER_R)
            + f' fill="{colour}" stroke="#1f2933" stroke-width="1.5" '
            f'data-status="{marker.status}" data-workplace="{html.escape(marker.id)}">'
            f"<title>{html.escape(text)}</title></{_tag(marker.status)}>"
        )
        if marker.href:
            shape = f'<a href="{html.escape(marker.href)}">{shape}</a>'
        parts.append(shape)
    # The legend: each status's shape, colour and name, large enough for a phone.
    column_width = WIDTH / legend_columns
    for index, status in enumerate(STATUSES):
        column, row = index % legend_columns, index // legend_columns
        x, y = 8 + column * column_width, HEIGHT + 20 + row * 36
        parts.append(
            marker_shape(status, x + MARKER_R + 2, y + 12, MARKER_R)
            + f' fill="{STATUS_COLOURS[status]}" stroke="#1f2933" stroke-width="1.5"/>'
            f'<text x="{x + 2 * MARKER_R + 12:.1f}" y="{y + 19:.1f}" font-size="{LEGEND_SIZE:g}" '
            f'data-legend="{status}">{html.escape(labels.get(status, status))}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def _tag(status: str) -> str:
    kind = STATUS_MARKERS.get(status, "circle")
    return {"circle": "circle", "square": "rect"}.get(kind, "polygon")


def strikers_chart(
    days: Sequence[DayTotals],
    *,
    title: str = "Workers out per day",
    number: Number = plain_number,
    point_text: Callable[[DayTotals], str] | None = None,
    empty: str = "no data",
) -> str:
    """Workers out per day, sized for a phone: 400 units wide, 15-unit text."""
    width, height, size, bottom, top = 400, 250, 15.0, 30, 14
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{html.escape(title)}" class="strike-chart" font-family="{FONT}">'
        f"<title>{html.escape(title)}</title>"
    )
    if not days:
        return (
            head
            + f'<text x="{width // 2}" y="{height // 2}" font-size="{size:g}" text-anchor="middle">'
            f"{html.escape(empty)}</text></svg>"
        )
    say = point_text or (
        lambda d: (
            f"{d.day.isoformat()}: {number(d.workers_out)} workers out at {d.plants_out} workplaces"
        )
    )
    peak = max([1, *(d.workers_out for d in days)])
    left = math.ceil(text_width(number(peak), size)) + 10
    right = 6
    plot_w, plot_h = width - left - right, height - bottom - top
    step = plot_w / max(len(days) - 1, 1)

    def xy(index: int, value: int) -> tuple[float, float]:
        return (round(left + index * step, 1), round(top + plot_h - plot_h * value / peak, 1))

    line = " ".join(f"{x},{y}" for x, y in (xy(i, d.workers_out) for i, d in enumerate(days)))
    first_x, _ = xy(0, 0)
    last_x, base = xy(len(days) - 1, 0)
    parts = [
        head,
        f'<line x1="{left}" y1="{base}" x2="{width - right}" y2="{base}" stroke="#555"/>',
        f'<line x1="{left}" y1="{top}" x2="{left}" y2="{base}" stroke="#555"/>',
        f'<polygon points="{first_x},{base} {line} {last_x},{base}" fill="#D55E00" fill-opacity="0.18"/>',
        f'<polyline points="{line}" fill="none" stroke="#D55E00" stroke-width="3"/>',
        f'<text x="{left - 5}" y="{top + size * 0.4:.1f}" font-size="{size:g}" text-anchor="end">'
        f"{html.escape(number(peak))}</text>",
        f'<text x="{left - 5}" y="{base}" font-size="{size:g}" text-anchor="end">0</text>',
    ]
    # Date ticks far enough apart not to touch; the first starts at its point and the
    # last ends at its point, so neither is cut at the edge.
    last = len(days) - 1

    def tick_box(index: int) -> Box:
        x, _ = xy(index, 0)
        w = text_width(days[index].day.strftime("%d.%m"), size)
        x0 = x if index == 0 else x - w if index == last else x - w / 2
        return Box(x0 - 8, 0, x0 + w + 8, 1)

    ticks = [0, last] if last else [0]
    for index in range(1, last):
        if not any(tick_box(index).overlaps(tick_box(t)) for t in ticks):
            ticks.append(index)
    ticks.sort()
    for index in ticks:
        x, _ = xy(index, 0)
        anchor = "start" if index == 0 and last else "end" if index == last else "middle"
        parts.append(
            f'<text x="{x}" y="{base + size + 6:.1f}" font-size="{size:g}" text-anchor="{anchor}">'
            f"{days[index].day.strftime('%d.%m')}</text>"
        )
    for index, day in enumerate(days):
        x, y = xy(index, day.workers_out)
        parts.append(
            f'<circle cx="{x}" cy="{y}" r="3.5" fill="#D55E00"><title>{html.escape(say(day))}</title></circle>'
        )
    parts.append("</svg>")
    return "".join(parts)


def regions_map() -> str:
    """The seven regions with their names and the status legend, no markers."""
    return strike_map([], title="Belarus: Minsk city and the six regions") + "\n"


if __name__ == "__main__":
    REGIONS_SVG.write_text(regions_map(), encoding="utf-8")
    sys.stdout.write(f"{REGIONS_SVG}\n")
