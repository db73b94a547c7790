"""The self-contained HTML report: one file, plots embedded as base64 PNG, no links out.

A journalist can e-mail it, print it, or open it on a phone with no internet.
All text from the data (station, region and candidate names) is escaped.
"""

from __future__ import annotations

import base64
from html import escape
from typing import Any

from veche.audit.labels import label
from veche.audit.results import AuditReport

__all__ = ["render_html"]

CSS = """
body{font-family:'DejaVu Sans',system-ui,sans-serif;margin:0 auto;max-width:60rem;padding:1rem;
line-height:1.45;color:#1a1a1a}
h1{font-size:1.6rem}
h2{font-size:1.3rem;border-bottom:2px solid #ddd;padding-bottom:.2rem;margin-top:2rem}
table{border-collapse:collapse;margin:.5rem 0;font-size:.95rem;display:block;overflow-x:auto}
td,th{border:1px solid #ccc;padding:.25rem .5rem;text-align:left;vertical-align:top}
th{background:#f3f3f3}td.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
img{max-width:100%;height:auto;display:block;margin:.5rem 0}
.banner{background:#fff3cd;border:2px solid #b8860b;padding:.6rem;font-weight:bold}
.signal{background:#c0392b;color:#fff;padding:.1rem .4rem;border-radius:.2rem}
.none{background:#666;color:#fff;padding:.1rem .4rem;border-radius:.2rem}
details{margin:.3rem 0}small{color:#555}
@media print{.banner{border:2px solid #000}h2{page-break-after:avoid}img{page-break-inside:avoid}}
"""

_METHOD_TITLES = {
    "witnesses": "witnesses",
    "observers": "observers",
    "klimek": "fingerprint",
    "integers": "integers",
    "second_digit": "second_digit",
    "turnout": "turnout_votes",
    "regions": "regions",
}
_PLOT_FOR = {
    "witnesses": "witnesses",
    "klimek": "fingerprint",
    "integers": "integers",
    "second_digit": "second_digit",
    "turnout": "turnout",
    "regions": "regions",
}


def _number(value: Any) -> str:
    if value is None:
        return "—"
    # Thin no-break spaces group digits without letting a phone wrap a number.
    if isinstance(value, float):
        return f"{value:,.4g}".replace(",", "\u202f")
    if isinstance(value, int):
        return f"{value:,}".replace(",", "\u202f")
    return escape(str(value))


def _figures(data: dict[str, Any], method: str) -> list[tuple[str, Any]]:
    if method == "witnesses":
        w = data.get("witnesses", {})
        return [
            ("proven_falsified_stations", data["proven_falsified_stations"]),
            ("proven_min_falsified_votes", data["proven_min_falsified_votes"]),
            ("station_coverage", w.get("station_coverage")),
            ("voter_coverage", w.get("voter_coverage")),
            ("witnesses_exceed_ballots", len(w.get("witnesses_exceed_ballots_stations", []))),
        ]
    if method == "observers":
        o = data.get("observers", {})
        return [
            ("observed_stations", o.get("observed_stations")),
            ("flagged_stations", len(o.get("flagged_stations", []))),
            ("excess_voters", o.get("excess_voters")),
        ]
    if method == "klimek":
        return list((data["klimek"] or {}).items())
    if method == "integers":
        return list((data["integer_anomaly"] or {}).items())
    if method == "turnout":
        estimate = data["anomalous_votes_estimate"] or {}
        method_data = data.get("turnout_method", {})
        return [
            ("mode_turnout", method_data.get("mode_turnout")),
            ("leader_anomalous_share", method_data.get("leader_anomalous_share")),
            *[(f"anomalous_votes_estimate: {name}", value) for name, value in estimate.items()],
        ]
    if method == "second_digit":
        return [
            (
                f"{name}: χ² / p / n",
                f"{_number(t['chi2'])} / {_number(t['p_value'])} / {t['counts']}",
            )
            for name, t in data["second_digit"].items()
        ]
    if method == "regions":
        return [
            ("outlier_stations", len(data["outlier_stations"])),
            ("outlier_regions", ", ".join(data.get("outlier_regions", [])) or "—"),
        ]
    return []


def _row(*cells: str, header: bool = False, numeric: tuple[int, ...] = ()) -> str:
    """A table row; cells are already escaped."""
    tag = "th" if header else "td"
    out = []
    for i, cell in enumerate(cells):
        attribute = ' class="n"' if i in numeric else ""
        out.append(f"<{tag}{attribute}>{cell}</{tag}>")
    return "<tr>" + "".join(out) + "</tr>"


def render_html(
    report: AuditReport,
    data: dict[str, Any],
    flagged: list[dict[str, Any]],
    images: dict[str, bytes],
    *,
    language: str = "en",
    simulated: bool = False,
) -> str:
    """Render the report page; ``images`` maps plot names to PNG bytes."""

    def word(key: str) -> str:
        return escape(label(key, language))

    parts: list[str] = [
        f'<!DOCTYPE html><html lang="{language}"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{word('title')}</title><style>{CSS}</style></head><body>",
    ]
    if simulated:
        parts.append(f'<p class="banner">{word("simulated")}</p>')
    parts.append(f"<h1>{word('title')}</h1>")
    source = " · ".join(escape(str(data[key])) for key in ("source", "generated_at", "format"))
    parts.append(f"<p><small>{source}</small></p>")
    parts.append(f"<h2>{word('summary')}</h2><table>")
    parts.append(_row(word("figure"), word("value"), header=True))
    for key in (
        "stations",
        "registered",
        "ballots",
        "turnout",
        "leader",
        "proven_falsified_stations",
        "proven_min_falsified_votes",
    ):
        parts.append(_row(escape(key), _number(data.get(key)), numeric=(1,)))
    parts.append("</table><table>")
    parts.append(_row(word("candidate"), word("votes"), word("anomalous_estimate"), header=True))
    estimate = data["anomalous_votes_estimate"] or {}
    for name, votes in data["votes"].items():
        parts.append(
            _row(escape(name), _number(votes), _number(estimate.get(name)), numeric=(1, 2))
        )
    parts.append("</table>")
    parts.append(f"<h2>{word('methods')}</h2>")
    for method, info in data["methods"].items():
        title = label(_METHOD_TITLES[method], language, leader=data["leader"])
        if info.get("used_for_signal") is False:
            badge = f'<span class="none">{word("no_signal")}</span>'
            badge += " <small>(not used as a fraud signal)</small>"
        elif info["detected"]:
            badge = f'<span class="signal">{word("signal")}</span>'
        else:
            badge = f'<span class="none">{word("no_signal")}</span>'
        parts.append(f"<h3>{escape(title)} {badge}</h3><table>")
        for key, value in _figures(data, method):
            shown = value if isinstance(value, str) and method == "second_digit" else _number(value)
            parts.append(_row(escape(str(key)), shown, numeric=(1,)))
        parts.append("</table>")
        plot = _PLOT_FOR.get(method)
        if plot and plot in images:
            encoded = base64.b64encode(images[plot]).decode("ascii")
            parts.append(f'<img alt="{escape(title)}" src="data:image/png;base64,{encoded}">')
        for key in ("assumptions", "limits"):
            items = "".join(f"<li>{escape(text)}</li>" for text in info[key])
            parts.append(f"<details><summary>{word(key)}</summary><ul>{items}</ul></details>")
    if data["errors"]:
        items = "".join(f"<li>{escape(k)}: {escape(v)}</li>" for k, v in data["errors"].items())
        parts.append(f"<ul>{items}</ul>")
    parts.append(f"<h2>{word('flagged')} ({len(flagged)})</h2>")
    if flagged:
        parts.append("<table>")
        parts.append(
            _row(
                word("station"),
                word("region"),
                word("reasons"),
                "min_falsified_votes",
                "turnout",
                "leader_share",
                header=True,
            )
        )
        for row in flagged[:100]:
            cells = (
                "station",
                "region",
                "reasons",
                "min_falsified_votes",
                "turnout",
                "leader_share",
            )
            parts.append(_row(*(escape(str(row[c])) for c in cells), numeric=(3, 4, 5)))
        parts.append("</table>")
        if len(flagged) > 100:
            parts.append("<p><small>flagged_stations.csv lists all of them.</small></p>")
    if data["skipped_rows"]:
        parts.append(f"<h2>{word('skipped')} ({len(data['skipped_rows'])})</h2><ul>")
        for p in data["skipped_rows"][:200]:
            where = f"{p['file']}, line {p['line']}, column {p['column']}"
            parts.append(f"<li>{escape(where)}: {escape(p['message'])}</li>")
        parts.append("</ul>")
    parts.append("</body></html>")
    del report  # the figures come from ``data``; kept in the signature for callers
    return "\n".join(parts)
