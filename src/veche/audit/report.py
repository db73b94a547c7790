"""Run every method on one election and write what a journalist can publish.

:func:`run_audit` returns an :class:`AuditReport` holding each method's result
(or why it could not run); :func:`write_report` writes ``report.json`` (keys
documented in docs/audit.md), ``report.html`` (self-contained: plots embedded),
``flagged_stations.csv`` and the plots as PNG and SVG.
"""

from __future__ import annotations

import csv
import io
import json
from collections import defaultdict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

import numpy as np

from veche.audit.digits import second_digit_tests
from veche.audit.errors import AuditMethodError, RowProblem
from veche.audit.html import render_html
from veche.audit.integers import integer_anomaly
from veche.audit.klimek import klimek_fit
from veche.audit.labels import LANGUAGES
from veche.audit.plots import draw_plots
from veche.audit.protocol import IntArray, ObserverReports, OfficialProtocol, WitnessReports
from veche.audit.regions import regional_outliers
from veche.audit.results import AuditReport
from veche.audit.turnout import turnout_estimate
from veche.audit.witnesses import (
    compare_observers,
    compare_witnesses,
)

__all__ = ["REPORT_FORMAT", "AuditReport", "report_json", "run_audit", "write_report"]

REPORT_FORMAT = "veche-audit-report/1"
# Methods whose "detected" flag says "this election shows a fraud signal". 2BL is
# reported but not used: honest counts depart from it too (see digits.py).
SIGNAL_METHODS: tuple[str, ...] = (
    "witnesses",
    "observers",
    "klimek",
    "integers",
    "turnout",
    "regions",
)
# Called with a stage name and the share of the work done (0 to 1).
Progress = Callable[[str, float], None]


def _silent(stage: str, done: float) -> None:
    del stage, done


def run_audit(
    official: OfficialProtocol,
    witnesses: WitnessReports | None = None,
    observers: ObserverReports | None = None,
    *,
    seed: int = 0,
    resamples: int = 1000,
    integer_draws: Literal["binomial", "exact"] = "exact",
    progress: Progress | None = None,
) -> AuditReport:
    """Run every method; ``seed`` fixes the random numbers of the simulations.

    The integer test runs on a second thread while the other methods run on this
    one (numpy releases the GIL in its loops, so on two cores they overlap);
    ``progress`` (if given) hears each stage as it starts, with the share of the
    audit done so far, always on the calling thread.
    """
    errors: dict[str, str] = {}
    tell = progress or _silent

    def attempt(name: str, fn: Callable[[], Any]) -> Any:
        try:
            return fn()
        except AuditMethodError as error:
            errors[name] = str(error)
            return None

    with ThreadPoolExecutor(1) as background:
        integer_run = background.submit(
            integer_anomaly,
            official,
            resamples=resamples,
            seed=seed,
            # The literal binomial draws are the slow case: they get two threads of
            # their own (and keep the results of earlier versions).
            workers=2 if integer_draws == "binomial" else 1,
            draw=integer_draws,
        )
        tell("witnesses", 0.0)
        witness_comparison = (
            compare_witnesses(official, witnesses) if witnesses is not None else None
        )
        observer_comparison = (
            compare_observers(official, observers) if observers is not None else None
        )
        tell("klimek", 0.05)
        klimek = attempt("klimek", lambda: klimek_fit(official, seed=seed))
        tell("second_digit", 0.3)
        second_digit = second_digit_tests(official)
        tell("turnout", 0.35)
        turnout = attempt("turnout", lambda: turnout_estimate(official))
        tell("regions", 0.4)
        regions = regional_outliers(official)
        tell("integers", 0.45)
        integers = attempt("integers", integer_run.result)
    tell("done", 1.0)
    return AuditReport(
        official=official,
        witnesses=witnesses,
        observers=observers,
        witness_comparison=witness_comparison,
        observer_comparison=observer_comparison,
        klimek=klimek,
        integers=integers,
        second_digit=second_digit,
        turnout=turnout,
        regions=regions,
        errors=errors,
        generated_at=datetime.now(UTC),
    )


def inconsistencies(official: OfficialProtocol) -> dict[str, IntArray]:
    """Stations whose protocol contradicts itself, by kind (indices into the protocol).

    Not errors of the file: the numbers are read as given, and these are shown so
    that a reader can check the protocols (they are also what sloppy rewriting
    leaves behind).
    """
    counted = official.votes.sum(axis=1) + official.invalid
    found = {
        "votes_and_invalid_differ_from_ballots": np.flatnonzero(counted != official.ballots),
        "voters_exceed_registered": np.flatnonzero(official.voters > official.registered),
    }
    if official.issued is not None:
        found["ballots_exceed_issued"] = np.flatnonzero(official.ballots > official.issued)
    return found


def _finite(value: float) -> float | None:
    return float(value) if np.isfinite(value) else None


def _problems(problems: tuple[RowProblem, ...]) -> list[dict[str, Any]]:
    return [
        {
            "file": p.file,
            "line": p.line,
            "column": p.column,
            "message": p.message,
            "code": p.code,
            "params": dict(p.params),
        }
        for p in problems
    ]


def _method(result: Any) -> dict[str, Any]:
    return {
        "detected": bool(result.detected),
        "assumptions": list(result.assumptions),
        "limits": list(result.limits),
    }


def report_json(report: AuditReport) -> dict[str, Any]:
    """The report as plain JSON values; the keys are documented in docs/audit.md."""
    official = report.official
    names = official.candidates
    stations = official.stations
    totals = official.votes.sum(axis=0)
    methods: dict[str, Any] = {}
    out: dict[str, Any] = {
        "format": REPORT_FORMAT,
        "generated_at": report.generated_at.isoformat().replace("+00:00", "Z"),
        "source": official.source,
        "stations": official.station_count,
        "registered": int(official.registered.sum()),
        "ballots": int(official.ballots.sum()),
        "voters": int(official.voters.sum()),
        "turnout": float(official.voters.sum() / max(int(official.registered.sum()), 1)),
        "candidates": list(names),
        "votes": {name: int(v) for name, v in zip(names, totals.tolist(), strict=True)},
        "leader": official.leader_name,
        "proven_falsified_stations": None,
        "proven_min_falsified_votes": None,
        "anomalous_votes_estimate": None,
        "integer_anomaly": None,
        "second_digit": {},
        "klimek": None,
        "outlier_stations": [],
        "signals": report.signals(),
        "flagged": report.flagged,
        "errors": dict(report.errors),
        "skipped_rows": _problems(official.skipped),
        "inconsistent_stations": {
            kind: stations[found].tolist() for kind, found in inconsistencies(official).items()
        },
    }
    w = report.witness_comparison
    if w is not None and report.witnesses is not None:
        out["proven_falsified_stations"] = int(w.proven_stations.size)
        out["proven_min_falsified_votes"] = w.proven_min_falsified_votes
        out["witnesses"] = {
            "source": report.witnesses.source,
            "rows": report.witnesses.rows,
            "aggregated": report.witnesses.aggregated,
            "duplicate_evidence": report.witnesses.duplicate_evidence,
            "witnessed_votes": w.witnessed_votes,
            "covered_stations": w.covered_stations,
            "station_coverage": w.station_coverage,
            "voter_coverage": w.voter_coverage,
            "proven_stations": stations[w.proven_stations].tolist(),
            "min_falsified_votes_by_candidate": {
                name: int(v) for name, v in zip(names, w.excess.sum(axis=0).tolist(), strict=True)
            },
            "witnesses_exceed_ballots_stations": stations[w.impossible_stations].tolist(),
        }
        out["skipped_rows"] += _problems(report.witnesses.skipped)
        methods["witnesses"] = _method(w)
    o = report.observer_comparison
    if o is not None and report.observers is not None:
        out["observers"] = {
            "source": report.observers.source,
            "observed_stations": o.observed_stations,
            "flagged_stations": stations[o.flagged_stations].tolist(),
            "excess_voters": o.excess_voters,
        }
        out["skipped_rows"] += _problems(report.observers.skipped)
        methods["observers"] = _method(o)
    t = report.turnout
    if t is not None:
        out["anomalous_votes_estimate"] = {
            name: round(float(v)) for name, v in zip(names, t.anomalous_votes.tolist(), strict=True)
        }
        out["turnout_method"] = {
            "mode_turnout": t.mode_turnout,
            "mode_sd": t.mode_sd,
            "clean_stations": t.clean_stations,
            "clean_shares": {
                n: float(s) for n, s in zip(names, t.clean_shares.tolist(), strict=True)
            },
            "leader_anomalous_share": t.anomalous_share_of_leader,
        }
        methods["turnout"] = _method(t)
    i = report.integers
    if i is not None:
        out["integer_anomaly"] = {
            "stations": round(i.anomaly, 1),
            "sd": round(i.sd, 2),
            "p_value": i.p_value,
            "observed": i.observed,
            "expected": round(i.expected, 1),
            "expected_exact": round(i.expected_exact, 1),
            "sd_exact": round(i.sd_exact, 2),
            "draw": i.draw,
            "used_stations": i.used_stations,
            "resamples": i.resamples,
            "observed_turnout": i.observed_turnout,
            "observed_share": i.observed_share,
        }
        methods["integers"] = _method(i)
    for test in report.second_digit:
        out["second_digit"][test.candidate] = {
            "chi2": _finite(test.chi2),
            "p_value": _finite(test.p_value),
            "counts": test.counts_used,
            "mean_digit": _finite(test.mean_digit),
            "digits": test.observed.tolist(),
            "departure": test.detected,
        }
    if report.second_digit:
        methods["second_digit"] = {
            "detected": any(test.detected for test in report.second_digit),
            "assumptions": list(report.second_digit[0].assumptions),
            "limits": list(report.second_digit[0].limits),
            "used_for_signal": False,
        }
    k = report.klimek
    if k is not None:
        out["klimek"] = {
            "f_incremental": k.f_incremental,
            "f_extreme": k.f_extreme,
            "alpha": k.alpha,
            "theta": k.theta,
            "clean_turnout": k.clean_turnout,
            "clean_turnout_sd": k.clean_turnout_sd,
            "clean_share": k.clean_share,
            "clean_share_sd": k.clean_share_sd,
            "deviance": k.loss,
            "deviance_without_fraud": k.loss_without_fraud,
        }
        methods["klimek"] = _method(k)
    r = report.regions
    if r is not None:
        out["outlier_stations"] = stations[r.outlier_stations].tolist()
        out["regions"] = {
            name: {
                "turnout": _finite(float(r.region_turnout[j])),
                "leader_share": _finite(float(r.region_share[j])),
                "z_turnout": _finite(float(r.region_z_turnout[j])),
                "z_share": _finite(float(r.region_z_share[j])),
            }
            for j, name in enumerate(r.regions)
        }
        out["outlier_regions"] = list(r.outlier_regions)
        methods["regions"] = _method(r)
    out["methods"] = methods
    return out


FLAGGED_COLUMNS = (
    "station",
    "region",
    "line",
    "reasons",
    "min_falsified_votes",
    "registered",
    "voters",
    "turnout",
    "leader_share",
    "z_turnout",
    "z_share",
    "observed_turnout",
)


def flagged_rows(report: AuditReport) -> list[dict[str, Any]]:
    """One row per station that any method points at, most serious first."""
    official = report.official
    n = official.station_count
    # Only flagged stations get an entry; reasons keep the order of the methods.
    reasons: defaultdict[int, list[str]] = defaultdict(list)
    excess = np.zeros(n, dtype=np.int64)
    w = report.witness_comparison
    if w is not None:
        excess = w.excess.sum(axis=1)
        for s in w.proven_stations.tolist():
            reasons[s].append("proven_falsified")
        for s in w.impossible_stations.tolist():
            reasons[s].append("witnesses_exceed_ballots")
    if report.observer_comparison is not None:
        for s in report.observer_comparison.flagged_stations.tolist():
            reasons[s].append("observer_count_exceeded")
    r = report.regions
    if r is not None:
        with np.errstate(invalid="ignore"):
            for s in np.flatnonzero(np.abs(r.station_z_turnout) > 3.5).tolist():
                reasons[s].append("outlier_turnout")
            for s in np.flatnonzero(np.abs(r.station_z_share) > 3.5).tolist():
                reasons[s].append("outlier_leader_share")
    for kind, found in inconsistencies(official).items():
        for s in found.tolist():
            reasons[s].append(kind)
    excess_of = excess.tolist()
    chosen = sorted(reasons, key=lambda s: (-excess_of[s], -len(reasons[s]), s))
    turnout = official.turnout
    ballots = official.ballots
    leader = official.votes[:, official.leader]
    observed = report.observers.observed if report.observers is not None else None
    rows = []
    for s in chosen:
        rows.append(
            {
                "station": str(official.stations[s]),
                "region": str(official.regions[s]),
                "line": int(official.lines[s]) if official.lines is not None else "",
                "reasons": ";".join(reasons[s]),
                "min_falsified_votes": int(excess[s]),
                "registered": int(official.registered[s]),
                "voters": int(official.voters[s]),
                "turnout": f"{turnout[s]:.4f}" if np.isfinite(turnout[s]) else "",
                "leader_share": f"{leader[s] / ballots[s]:.4f}" if ballots[s] else "",
                "z_turnout": f"{r.station_z_turnout[s]:.2f}"
                if r is not None and np.isfinite(r.station_z_turnout[s])
                else "",
                "z_share": f"{r.station_z_share[s]:.2f}"
                if r is not None and np.isfinite(r.station_z_share[s])
                else "",
                "observed_turnout": int(observed[s])
                if observed is not None and observed[s] >= 0
                else "",
            }
        )
    return rows


def report_files(
    report: AuditReport,
    *,
    plots: bool = True,
    language: str = "en",
    simulated: bool = False,
    progress: Progress | None = None,
) -> dict[str, bytes]:
    """The report's files by name, in memory: report.json, flagged_stations.csv, (unless
    ``plots`` is False) the plots as PNG and SVG, and report.html."""
    tell = progress or _silent
    if language not in LANGUAGES:
        raise ValueError(f"language must be one of {', '.join(LANGUAGES)}")
    files: dict[str, bytes] = {}
    data = report_json(report)
    data["simulated"] = simulated
    data["language"] = language
    files["report.json"] = json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8")
    rows = flagged_rows(report)
    table = io.StringIO(newline="")
    writer = csv.DictWriter(table, fieldnames=FLAGGED_COLUMNS)
    writer.writeheader()
    writer.writerows(rows)
    files["flagged_stations.csv"] = table.getvalue().encode("utf-8")
    images: dict[str, bytes] = {}
    if plots:
        tell("plots", 0.1)
        for name, (png, svg) in draw_plots(report, language, progress=tell).items():
            files[f"{name}.png"] = png
            files[f"{name}.svg"] = svg
            images[name] = png
    tell("html", 0.95)
    files["report.html"] = render_html(
        report, data, rows, images, language=language, simulated=simulated
    ).encode("utf-8")
    tell("done", 1.0)
    return files


def write_report(
    report: AuditReport,
    directory: Path | str,
    *,
    plots: bool = True,
    language: str = "en",
    simulated: bool = False,
    progress: Progress | None = None,
) -> dict[str, Path]:
    """Write report.json, report.html, flagged_stations.csv and (unless ``plots`` is
    False) the plots as PNG and SVG; returns the paths written."""
    files = report_files(
        report, plots=plots, language=language, simulated=simulated, progress=progress
    )
    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    written: dict[str, Path] = {}
    for name, body in files.items():
        written[name] = out / name
        written[name].write_bytes(body)
    return written
