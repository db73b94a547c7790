"""The report's plots, drawn with matplotlib's Agg canvas (no display, no pyplot state).

Each plot is returned as PNG and SVG bytes. Text uses DejaVu Sans, which
matplotlib ships and which has Cyrillic; sizes are chosen to stay legible when
a plot is printed on A4 or shown on a phone: figures are 7 inches wide (a
phone shows them at about half size, so 12-14 pt text stays ~10 px or more) and
panels are stacked, not side by side. Lines differ by style as well as colour,
so the plots survive black-and-white printing.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, cast

import numpy as np

from veche.audit.labels import label
from veche.audit.results import AuditReport

if TYPE_CHECKING:
    from matplotlib.figure import Figure


__all__ = ["draw_plots"]

STYLE = {
    "font.family": "DejaVu Sans",
    "font.size": 13,
    "axes.titlesize": 14,
    "axes.labelsize": 13,
    "legend.fontsize": 12,
    "xtick.labelsize": 12,
    "ytick.labelsize": 12,
    "figure.titlesize": 15,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "svg.hashsalt": "veche-audit",
}
COLOURS = ("#1b4f9c", "#c0392b", "#2e8b57", "#8e44ad", "#d35400", "#555555", "#16a085", "#7f8c8d")
LINESTYLES = ("-", "--", "-.", ":", (0, (5, 1)), (0, (3, 1, 1, 1)))


def _figure(width: float, height: float) -> Figure:
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), dpi=120, layout="constrained")


def _render(figure: Figure) -> tuple[bytes, bytes]:
    png = io.BytesIO()
    svg = io.BytesIO()
    figure.savefig(png, format="png", dpi=120, metadata={"Software": None})
    figure.savefig(svg, format="svg", metadata={"Date": None, "Creator": None})
    return png.getvalue(), svg.getvalue()


def _fingerprint(report: AuditReport, language: str) -> Figure | None:
    k = report.klimek
    if k is None:
        return None
    from matplotlib.colors import LogNorm

    leader = report.official.leader_name
    figure = _figure(7, 12.5)
    axes = figure.subplots(2, 1, sharex=True)
    vmax = max(float(k.histogram.max()), float(k.model_histogram.max()), 1.0)
    image = None
    for ax, data, key in (
        (axes[0], k.histogram.astype(float), "observed"),
        (axes[1], k.model_histogram, "model"),
    ):
        shown = np.ma.masked_less(data.T, 0.5)
        image = ax.imshow(
            shown,
            origin="lower",
            extent=(0, 100, 0, 100),
            aspect="equal",
            cmap="inferno_r",
            norm=LogNorm(vmin=0.5, vmax=vmax),
            interpolation="nearest",
        )
        ax.set_title(label(key, language))
        ax.set_xlabel(label("turnout", language))
        ax.grid(color="#cccccc", linewidth=0.5, alpha=0.6)
    for ax in axes:
        ax.set_ylabel(label("leader_share", language, leader=leader))
    axes[0].set_xlabel("")
    axes[1].text(
        3,
        95,
        f"f_inc = {k.f_incremental:.3f}\nf_ext = {k.f_extreme:.3f}\nα = {k.alpha:g}",
        va="top",
        fontsize=12,
        bbox={"facecolor": "white", "edgecolor": "#888888", "alpha": 0.9},
    )
    if image is not None:
        figure.colorbar(image, ax=axes, label=label("stations", language), shrink=0.6)
    figure.suptitle(label("fingerprint", language))
    return figure


def _turnout(report: AuditReport, language: str) -> Figure | None:
    t = report.turnout
    if t is None:
        return None
    centres = (t.bin_edges[:-1] + t.bin_edges[1:]) / 2 * 100
    figure = _figure(7, 7.2)
    ax = figure.subplots()
    order = np.argsort(-t.votes_by_turnout.sum(axis=1))[:6]
    leader = t.candidates.index(t.leader)
    for rank, j in enumerate(order.tolist()):
        ax.plot(
            centres,
            t.votes_by_turnout[j],
            color=COLOURS[rank % len(COLOURS)],
            linestyle=LINESTYLES[rank % len(LINESTYLES)],
            linewidth=2.4 if j == leader else 1.6,
            label=t.candidates[j],
        )
    high = centres > t.mode_turnout * 100
    expected = np.where(high, t.expected_leader_by_turnout, np.nan)
    ax.plot(
        centres,
        expected,
        color="black",
        linestyle=(0, (2, 2)),
        linewidth=2,
        label=label("expected_leader", language, leader=t.leader),
    )
    ax.fill_between(
        centres,
        np.where(high, t.expected_leader_by_turnout, 0),
        np.where(high, t.votes_by_turnout[leader], 0),
        where=high & (t.votes_by_turnout[leader] > t.expected_leader_by_turnout),
        color=COLOURS[0],
        alpha=0.18,
        label=f"{label('anomalous', language)}: {t.leader_anomalous_votes:,.0f}".replace(",", " "),
    )
    ax.axvline(
        t.mode_turnout * 100,
        color="#444444",
        linewidth=1,
        label=f"{label('clean_mode', language)}: {100 * t.mode_turnout:.0f} %",
    )
    ax.set_xlim(20, 100)
    ax.set_xlabel(label("turnout", language))
    ax.set_ylabel(label("votes_per_bin", language))
    ax.set_title(label("turnout_votes", language))
    figure.legend(loc="outside lower center", ncols=2, frameon=False)
    ax.ticklabel_format(axis="y", style="plain")
    return figure


def _integers(report: AuditReport, language: str) -> Figure | None:
    i = report.integers
    if i is None:
        return None
    official = report.official
    leader = official.votes[:, official.leader]
    with np.errstate(divide="ignore", invalid="ignore"):
        turnout = official.voters / official.registered * 100
        share = leader / official.ballots * 100
    use = (official.ballots > 0) & (official.registered >= 100) & (turnout <= 99) & (share <= 99)
    figure = _figure(7, 7.5)
    axes = figure.subplots(2, 1)
    edges = np.arange(0, 100.05, 0.1)
    for ax, values, key in (
        (axes[0], share[use], "leader_share"),
        (axes[1], turnout[use], "turnout"),
    ):
        counts, _ = np.histogram(values, bins=edges)
        ax.stairs(counts, edges, fill=True, color=COLOURS[0])
        ax.set_xlabel(label(key, language, leader=official.leader_name))
        ax.set_ylabel(label("stations_per_bin", language))
        ax.set_xlim(
            max(float(np.nanpercentile(values, 0.5)) - 2, 0),
            min(float(np.nanpercentile(values, 99.5)) + 2, 100),
        )
        ax.set_xticks(np.arange(0, 101, 5))
        ax.grid(axis="x", color="#dddddd", linewidth=0.6)
    axes[0].set_title(
        f"{label('integers', language)}: {i.anomaly:+.0f} ± {i.sd:.0f}, p = {i.p_value:.3g}"
    )
    return figure


def _second_digit(report: AuditReport, language: str) -> Figure | None:
    tests = [t for t in report.second_digit if t.counts_used > 0][:6]
    if not tests:
        return None
    from veche.audit.digits import BENFORD_SECOND_DIGIT

    columns = min(2, len(tests))
    rows = (len(tests) + columns - 1) // columns
    figure = _figure(7, 3.3 * rows + 0.8)
    axes = np.atleast_1d(figure.subplots(rows, columns, sharey=True, squeeze=False)).ravel()
    digits = np.arange(10)
    for ax, test in zip(axes, tests, strict=False):
        ax.bar(digits, test.observed / test.counts_used, color=COLOURS[0], alpha=0.8)
        ax.plot(
            digits,
            BENFORD_SECOND_DIGIT,
            color="black",
            marker="o",
            linestyle="--",
            linewidth=1.5,
            label=label("benford", language),
        )
        ax.set_title(f"{test.candidate}\nχ² = {test.chi2:.1f}, p = {test.p_value:.2g}", fontsize=12)
        ax.set_xticks(digits)
        ax.set_xlabel(label("digit", language))
    for ax in axes[len(tests) :]:
        ax.set_visible(False)
    axes[0].set_ylabel(label("frequency", language))
    axes[0].legend(loc="upper right", frameon=False)
    figure.suptitle(label("second_digit", language))
    return figure


def _regions(report: AuditReport, language: str) -> Figure | None:
    r = report.regions
    if r is None or not r.regions:
        return None
    count = len(r.regions)
    figure = _figure(7, max(4.0, 0.5 * count + 2.8))
    ax = figure.subplots()
    positions = np.arange(count)
    ax.scatter(
        r.region_z_turnout,
        positions + 0.12,
        marker="o",
        s=70,
        color=COLOURS[0],
        label=label("z_turnout", language),
    )
    ax.scatter(
        r.region_z_share,
        positions - 0.12,
        marker="s",
        s=70,
        color=COLOURS[1],
        label=label("z_share", language),
    )
    for x in (-3.5, 3.5):
        ax.axvline(x, color="#888888", linestyle="--", linewidth=1)
    ax.axvline(0, color="#cccccc", linewidth=1)
    ax.set_yticks(
        positions,
        [
            f"{name}  ({100 * r.region_turnout[j]:.0f} % / {100 * r.region_share[j]:.0f} %)"
            for j, name in enumerate(r.regions)
        ],
    )
    limit = max(
        4.5, float(np.nanmax(np.abs(np.concatenate([r.region_z_turnout, r.region_z_share])))) + 0.5
    )
    ax.set_xlim(-limit, limit)
    ax.set_title(label("regions", language))
    ax.set_ylabel(label("region_axis", language))
    figure.legend(loc="outside lower center", ncols=2, frameon=False)
    ax.invert_yaxis()
    return figure


def _witnesses(report: AuditReport, language: str) -> Figure | None:
    w = report.witness_comparison
    if w is None or w.proven_stations.size == 0:
        return None
    official = report.official
    excess = w.excess.sum(axis=1)
    top = w.proven_stations[np.argsort(-excess[w.proven_stations], kind="stable")][:15]
    candidate = np.argmax(w.excess[top], axis=1)
    assert report.witnesses is not None
    witnessed = report.witnesses.counts[top, candidate]
    stated = official.votes[top, candidate]
    figure = _figure(7, max(4.0, 0.45 * top.size + 2.2))
    ax = figure.subplots()
    positions = np.arange(top.size)
    ax.barh(
        positions - 0.2, witnessed, height=0.4, color=COLOURS[2], label=label("witnessed", language)
    )
    ax.barh(
        positions + 0.2,
        stated,
        height=0.4,
        color=COLOURS[5],
        hatch="//",
        label=label("official_votes", language),
    )
    ax.set_yticks(
        positions,
        [
            f"{official.stations[s]} — {official.candidates[c]}"
            for s, c in zip(top.tolist(), candidate.tolist(), strict=True)
        ],
    )
    ax.invert_yaxis()
    ax.set_xlabel(label("votes", language))
    ax.set_title(
        f"{label('witnesses', language)}\n"
        + label(
            "proven_summary",
            language,
            stations=str(w.proven_stations.size),
            votes=str(w.proven_min_falsified_votes),
        ),
        fontsize=14,
    )
    ax.legend(loc="lower right")
    return figure


PLOTS: dict[str, Callable[[AuditReport, str], Figure | None]] = {
    "fingerprint": _fingerprint,
    "turnout": _turnout,
    "integers": _integers,
    "second_digit": _second_digit,
    "regions": _regions,
    "witnesses": _witnesses,
}


def draw_plots(
    report: AuditReport,
    language: str = "en",
    *,
    progress: Callable[[str, float], None] | None = None,
) -> dict[str, tuple[bytes, bytes]]:
    """Draw every plot the report has data for; returns name → (PNG, SVG)."""
    import matplotlib

    out: dict[str, tuple[bytes, bytes]] = {}
    with matplotlib.rc_context(cast(Any, STYLE)):
        for number, (name, draw) in enumerate(PLOTS.items()):
            if progress is not None:
                progress(f"plot:{name}", 0.1 + 0.8 * number / len(PLOTS))
            figure = draw(report, language)
            if figure is not None:
                out[name] = _render(figure)
    return out
