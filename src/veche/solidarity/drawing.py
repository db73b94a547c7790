"""The strike map and the strikers chart, drawn as plain SVG on the server.

No tiles, no scripts, no fonts to fetch: a node with no internet draws the
seven regions from ``geography``, one marker per workplace coloured by its
status, and a chart of workers out per day. The SVG scales to the screen
(``viewBox`` with no fixed size), so it reads on a phone.
"""

from __future__ import annotations

import html
import math
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from veche.solidarity.geography import HEIGHT, REGIONS, WIDTH, place, project
from veche.solidarity.strike import STATUS_LABELS, STATUSES, DayTotals

__all__ = [
    "REGIONS_SVG",
    "STATUS_COLOURS",
    "MapMarker",
    "regions_map",
    "strike_map",
    "strikers_chart",
]

STATUS_COLOURS: dict[str, str] = {
    "working": "#7a7a7a",
    "warning_strike": "#f2b705",
    "go_slow": "#e07b00",
    "partial": "#d9480f",
    "full_strike": "#c1121f",
    "lockout": "#5a189a",
    "ended": "#2b8a3e",
}
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


def strike_map(
    markers: Sequence[MapMarker],
    *,
    title: str = "Strike map of Belarus",
    status_labels: Mapping[str, str] | None = None,
    region_names: Mapping[str, str] | None = None,
) -> str:
    """The map; pass translated ``status_labels`` and ``region_names`` to localise it."""
    labels = status_labels or STATUS_LABELS
    names = region_names or {}
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT + 130}" '
        f'role="img" aria-label="{html.escape(title)}" class="strike-map">',
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
            f"<title>{html.escape(names.get(region.code, region.name))}</title>"
            "</path>"
        )
    for region in REGIONS:
        x, y = project(region.label_at)
        if region.code == "minsk-city":
            y -= 42  # above the city and the ring of its markers
        parts.append(
            f'<text x="{x}" y="{y}" font-size="19" text-anchor="middle" fill="#44505c" '
            f'font-family="sans-serif">{html.escape(names.get(region.code, region.name))}</text>'
        )
    # Workplaces in one city share a point: spread them on a small ring around it.
    spots: dict[tuple[float, float], list[MapMarker]] = {}
    for marker in sorted(markers, key=lambda m: m.id):
        spots.setdefault(project(place(marker.city, marker.region, marker.id)), []).append(marker)
    where: dict[str, tuple[float, float]] = {}
    for (cx, cy), group in spots.items():
        radius = 0 if len(group) == 1 else 11 + 3 * len(group)
        for index, marker in enumerate(group):
            angle = 2 * math.pi * index / len(group) - math.pi / 2
            where[marker.id] = (
                round(cx + radius * math.cos(angle), 1),
                round(cy + radius * math.sin(angle), 1),
            )
    # Big workplaces first so small ones stay clickable on top.
    for marker in sorted(markers, key=lambda m: (-m.workers_out, m.id)):
        x, y = where[marker.id]
        colour = STATUS_COLOURS.get(marker.status, "#000")
        label = f"{marker.name}, {marker.city}: {labels.get(marker.status, marker.status)}"
        if marker.workers_out:
            label += f", {marker.workers_out} out"
        circle = (
            f'<circle cx="{x}" cy="{y}" r="11" fill="{colour}" stroke="#fff" stroke-width="2" '
            f'data-status="{marker.status}" data-workplace="{html.escape(marker.id)}">'
            f"<title>{html.escape(label)}</title></circle>"
        )
        if marker.href:
            circle = f'<a href="{html.escape(marker.href)}">{circle}</a>'
        parts.append(circle)
    # Legend along the bottom in two columns, large enough to read on a phone.
    for index, status in enumerate(STATUSES):
        column, row = index % 2, index // 2
        x, y = 10 + column * (WIDTH // 2), HEIGHT + 24 + row * 30
        parts.append(
            f'<circle cx="{x + 9}" cy="{y - 6}" r="9" fill="{STATUS_COLOURS[status]}"/>'
            f'<text x="{x + 23}" y="{y}" font-size="17" font-family="sans-serif">'
            f"{html.escape(labels.get(status, status))}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)


def strikers_chart(days: Sequence[DayTotals], *, title: str = "Workers out per day") -> str:
    width, height, left, bottom, top = 640, 260, 62, 36, 20
    plot_w, plot_h = width - left - 12, height - bottom - top
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{html.escape(title)}" class="strike-chart" font-family="sans-serif">'
        f"<title>{html.escape(title)}</title>"
    )
    if not days:
        return (
            head
            + f'<text x="{width // 2}" y="{height // 2}" text-anchor="middle">no data</text></svg>'
        )
    peak = max([1, *(d.workers_out for d in days)])
    step = plot_w / max(len(days) - 1, 1)

    def xy(index: int, value: int) -> tuple[float, float]:
        return (round(left + index * step, 1), round(top + plot_h - plot_h * value / peak, 1))

    line = " ".join(f"{x},{y}" for x, y in (xy(i, d.workers_out) for i, d in enumerate(days)))
    first_x, _ = xy(0, 0)
    last_x, base = xy(len(days) - 1, 0)
    parts = [
        head,
        f'<line x1="{left}" y1="{base}" x2="{width - 12}" y2="{base}" stroke="#555"/>',
        f'<line x1="{left}" y1="{top}" x2="{left}" y2="{base}" stroke="#555"/>',
        f'<polygon points="{first_x},{base} {line} {last_x},{base}" fill="#c1121f" '
        'fill-opacity="0.18"/>',
        f'<polyline points="{line}" fill="none" stroke="#c1121f" stroke-width="2.5"/>',
        f'<text x="{left - 6}" y="{top + 5}" font-size="12" text-anchor="end">{peak:,}</text>',
        f'<text x="{left - 6}" y="{base}" font-size="12" text-anchor="end">0</text>',
    ]
    ticks = sorted({0, len(days) - 1, *range(0, len(days), max(len(days) // 5, 1))})
    for index in ticks:
        x, _ = xy(index, 0)
        parts.append(
            f'<text x="{x}" y="{base + 18}" font-size="12" text-anchor="middle">'
            f"{days[index].day.strftime('%d.%m')}</text>"
        )
    for index, day in enumerate(days):
        x, y = xy(index, day.workers_out)
        parts.append(
            f'<circle cx="{x}" cy="{y}" r="3" fill="#c1121f"><title>{day.day.isoformat()}: '
            f"{day.workers_out} workers out at {day.plants_out} workplaces</title></circle>"
        )
    parts.append("</svg>")
    return "".join(parts)


def regions_map() -> str:
    """The seven regions with their names and the status legend, no markers."""
    return strike_map([], title="Belarus: Minsk city and the six regions") + "\n"


if __name__ == "__main__":
    REGIONS_SVG.write_text(regions_map(), encoding="utf-8")
    sys.stdout.write(f"{REGIONS_SVG}\n")
