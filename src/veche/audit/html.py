"""The self-contained HTML report: one file, plots embedded as base64 PNG, no links out.

A journalist can e-mail it, print it, or open it on a phone with no internet.
All text from the data (station, region and candidate names) is escaped.
"""

from __future__ import annotations

import base64
import re
from datetime import datetime
from html import escape
from typing import Any

from veche.audit.labels import label
from veche.audit.report_words import (
    key_label,
    localized_date,
    number,
    phrase,
    row_problem,
    sentence,
)
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
@media (max-width:37.5rem){body{padding:.6rem}table{display:table;width:100%;font-size:.85rem}
td,th{overflow-wrap:anywhere;padding:.2rem .3rem}td.n{overflow-wrap:normal}}
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


def _number(value: Any, language: str) -> str:
    if value is None:
        return "—"
    # Thin no-break spaces group digits without letting a phone wrap a number.
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return number(value, language)
    return escape(str(value))


def _figures(data: dict[str, Any], method: str, language: str) -> list[tuple[str, Any]]:
    """The method's figures as (label, value); labels are plain text, values raw."""

    def named(key: str, **values: str) -> str:
        return key_label(key, language, **values)

    if method == "witnesses":
        w = data.get("witnesses", {})
        return [
            (named("proven_falsified_stations"), data["proven_falsified_stations"]),
            (named("proven_min_falsified_votes"), data["proven_min_falsified_votes"]),
            (named("station_coverage"), w.get("station_coverage")),
            (named("voter_coverage"), w.get("voter_coverage")),
            (
                named("witnesses_exceed_ballots"),
                len(w.get("witnesses_exceed_ballots_stations", [])),
            ),
        ]
    if method == "observers":
        o = data.get("observers", {})
        return [
            (named("observed_stations"), o.get("observed_stations")),
            (named("flagged_stations"), len(o.get("flagged_stations", []))),
            (named("excess_voters"), o.get("excess_voters")),
        ]
    if method == "klimek":
        return [(named(key), value) for key, value in (data["klimek"] or {}).items()]
    if method == "integers":
        rows = []
        for key, value in (data["integer_anomaly"] or {}).items():
            shown = named(value) if key == "draw" else value
            rows.append((named("integer_stations" if key == "stations" else key), shown))
        return rows
    if method == "turnout":
        estimate = data["anomalous_votes_estimate"] or {}
        method_data = data.get("turnout_method", {})
        return [
            (named("mode_turnout"), method_data.get("mode_turnout")),
            (named("leader_anomalous_share"), method_data.get("leader_anomalous_share")),
            *[
                (named("anomalous_votes_estimate", name=name), value)
                for name, value in estimate.items()
            ],
        ]
    if method == "second_digit":
        return [
            (
                named("second_digit_row", name=name),
                f"{_number(t['chi2'], language)} / {_number(t['p_value'], language)}"
                f" / {_number(t['counts'], language)}",
            )
            for name, t in data["second_digit"].items()
        ]
    if method == "regions":
        return [
            (named("outlier_stations"), len(data["outlier_stations"])),
            (named("outlier_regions"), ", ".join(data.get("outlier_regions", [])) or "—"),
        ]
    return []


def _float(text: Any) -> float | None:
    """A flagged_stations.csv figure ('0.4431', or '' when there is none)."""
    return float(text) if text != "" else None


_SYMBOLS = re.compile(r"\b(f_incremental|f_extreme|alpha)\b")


def _symbols(text: str) -> str:
    """A method's sentence, escaped, with the model's symbols as code."""
    return _SYMBOLS.sub(r"<code>\1</code>", escape(text))


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

    def word_of(key: str) -> str:
        return escape(phrase(key, language))

    def named(key: str) -> str:
        return escape(key_label(key, language))

    parts: list[str] = [
        f'<!DOCTYPE html><html lang="{language}"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{word('title')}</title><style>{CSS}</style></head><body>",
    ]
    if simulated:
        parts.append(f'<p class="banner">{word("simulated")}</p>')
    parts.append(f"<h1>{word('title')}</h1>")
    made = phrase(
        "made",
        language,
        when=escape(localized_date(datetime.fromisoformat(data["generated_at"]), language)),
        source=f"<code>{escape(str(data['source']))}</code>",
    )
    file_format = f"{word_of('format')}: <code>{escape(str(data['format']))}</code>"
    parts.append(f"<p><small>{made} · {file_format}</small></p>")
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
        parts.append(_row(named(key), _number(data.get(key), language), numeric=(1,)))
    parts.append("</table><table>")
    parts.append(_row(word("candidate"), word("votes"), word("anomalous_estimate"), header=True))
    estimate = data["anomalous_votes_estimate"] or {}
    for name, votes in data["votes"].items():
        parts.append(
            _row(
                escape(name),
                _number(votes, language),
                _number(estimate.get(name), language),
                numeric=(1, 2),
            )
        )
    parts.append("</table>")
    parts.append(f"<h2>{word('methods')}</h2>")
    for method, info in data["methods"].items():
        title = label(_METHOD_TITLES[method], language, leader=data["leader"])
        if info.get("used_for_signal") is False:
            badge = f'<span class="none">{word("no_signal")}</span>'
            badge += f" <small>{word_of('not_used')}</small>"
        elif info["detected"]:
            badge = f'<span class="signal">{word("signal")}</span>'
        else:
            badge = f'<span class="none">{word("no_signal")}</span>'
        parts.append(f"<h3>{escape(title)} {badge}</h3><table>")
        for name, value in _figures(data, method, language):
            shown = value if method == "second_digit" else _number(value, language)
            parts.append(_row(escape(name), shown, numeric=(1,)))
        parts.append("</table>")
        plot = _PLOT_FOR.get(method)
        if plot and plot in images:
            encoded = base64.b64encode(images[plot]).decode("ascii")
            parts.append(f'<img alt="{escape(title)}" src="data:image/png;base64,{encoded}">')
        for key in ("assumptions", "limits"):
            items = "".join(f"<li>{_symbols(sentence(text, language))}</li>" for text in info[key])
            parts.append(f"<details><summary>{word(key)}</summary><ul>{items}</ul></details>")
    if data["errors"]:
        items = "".join(
            f"<li>{escape(label(_METHOD_TITLES.get(k, k), language, leader=data['leader']))}: "
            f"{escape(sentence(v, language))}</li>"
            if k in _METHOD_TITLES
            else f"<li>{escape(k)}: {escape(sentence(v, language))}</li>"
            for k, v in data["errors"].items()
        )
        parts.append(f"<h3>{word_of('failed')}</h3><ul>{items}</ul>")
    parts.append(f"<h2>{word('flagged')} ({len(flagged)})</h2>")
    if flagged:
        parts.append("<table>")
        parts.append(
            _row(
                word("station"),
                word("region"),
                word("reasons"),
                named("min_falsified_votes"),
                named("turnout"),
                named("leader_share"),
                header=True,
            )
        )
        for row in flagged[:100]:
            reasons = "; ".join(
                key_label(code, language) for code in str(row["reasons"]).split(";") if code
            )
            parts.append(
                _row(
                    escape(str(row["station"])),
                    escape(str(row["region"])),
                    escape(reasons),
                    _number(row["min_falsified_votes"], language),
                    _number(_float(row["turnout"]), language),
                    _number(_float(row["leader_share"]), language),
                    numeric=(3, 4, 5),
                )
            )
        parts.append("</table>")
        if len(flagged) > 100:
            listed = phrase("all_listed", language, file="<code>flagged_stations.csv</code>")
            parts.append(f"<p><small>{listed}</small></p>")
    if data["skipped_rows"]:
        parts.append(f"<h2>{word('skipped')} ({len(data['skipped_rows'])})</h2><ul>")
        for p in data["skipped_rows"][:200]:
            where = (
                phrase("where", language, file=p["file"], line=str(p["line"]), column=p["column"])
                if p["column"]
                else phrase("where_row", language, file=p["file"], line=str(p["line"]))
            )
            parts.append(f"<li>{escape(where)}: {escape(row_problem(p, language))}</li>")
        parts.append("</ul>")
    parts.append("</body></html>")
    del report  # the figures come from ``data``; kept in the signature for callers
    return "\n".join(parts)
