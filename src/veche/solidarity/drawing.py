"""The strike map and the strikers chart, drawn as plain SVG on the server.

No tiles, no scripts, no fonts to fetch: a node with no internet draws the
seven regions from ``geography``, one marker per workplace coloured by its
status, and a chart of workers out per day. The SVG scales to the screen
(``viewBox`` with no fixed size), so it reads on a phone.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass

from veche.solidarity.geography import HEIGHT, REGIONS, WIDTH, place, project
from veche.solidarity.strike import STATUS_LABELS, STATUSES, DayTotals

__all__ = ["STATUS_COLOURS", "MapMarker", "strike_map", "strikers_chart"]

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


@dataclass(frozen=True, slots=True)
class MapMarker:
    id: str
    name: str
    city: str
    region: str
    status: str
    workers_out: int
    href: str = ""


def strike_map(markers: Sequence[MapMarker], *, title: str = "Strike map of Belarus") -> str:
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT + 70}" '
        f'role="img" aria-label="{html.escape(title)}" class="strike-map">',
        f"<title>{html.escape(title)}</title>",
    ]
    for region in REGIONS:
        points = " ".join(f"{x},{y}" for x, y in (project(p) for p in region.outline))
        parts.append(
            f'<polygon points="{points}" fill="{_REGION_FILL}" stroke="#8a96a3" '
            f'stroke-width="1.5" data-region="{region.code}"><title>{region.name}</title>'
            "</polygon>"
        )
    for region in REGIONS:
        x, y = project(region.label_at)
        if region.code == "minsk-city":
            y -= 22
        parts.append(
            f'<text x="{x}" y="{y}" font-size="15" text-anchor="middle" fill="#44505c" '
            f'font-family="sans-serif">{html.escape(region.name)}</text>'
        )
    # Big workplaces first so small ones stay clickable on top.
    for marker in sorted(markers, key=lambda m: (-m.workers_out, m.id)):
        x, y = project(place(marker.city, marker.region, marker.id))
        colour = STATUS_COLOURS.get(marker.status, "#000")
        label = f"{marker.name}, {marker.city}: {STATUS_LABELS.get(marker.status, marker.status)}"
        if marker.workers_out:
            label += f", {marker.workers_out} out"
        circle = (
            f'<circle cx="{x}" cy="{y}" r="9" fill="{colour}" stroke="#fff" stroke-width="2" '
            f'data-status="{marker.status}" data-workplace="{html.escape(marker.id)}">'
            f"<title>{html.escape(label)}</title></circle>"
        )
        if marker.href:
            circle = f'<a href="{html.escape(marker.href)}">{circle}</a>'
        parts.append(circle)
    # Legend along the bottom, two rows so it fits a narrow screen.
    for index, status in enumerate(STATUSES):
        column, row = index % 4, index // 4
        x, y = 10 + column * (WIDTH // 4), HEIGHT + 22 + row * 26
        parts.append(
            f'<circle cx="{x + 8}" cy="{y - 5}" r="7" fill="{STATUS_COLOURS[status]}"/>'
            f'<text x="{x + 20}" y="{y}" font-size="14" font-family="sans-serif">'
            f"{html.escape(STATUS_LABELS[status])}</text>"
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
