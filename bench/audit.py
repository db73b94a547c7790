"""Audit speed on a national-size protocol: 100,000 stations, 10 candidates.

The baseline is reading the same CSV's numeric columns with numpy's C parser
(``np.loadtxt``) in the same run; the audit (reading with validation, every
method, report.json, flagged_stations.csv, report.html, no plots) should take at
most 3x that (ratio = read / audit, target 1/3). With plots the whole run should
take at most 20 s, and peak memory stay under 1 GB. A second no-plots figure
uses the integer test's indicator draws (same distribution, fewer random
numbers; see veche.audit.integers).
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import numpy as np

from common import emit, figure, parser, peak_rss_mb, timed
from veche.audit import (
    integer_anomaly,
    klimek_fit,
    read_official,
    read_witnesses,
    regional_outliers,
    run_audit,
    second_digit_tests,
    simulate,
    turnout_estimate,
    write_report,
    write_simulation,
)


def main() -> int:
    args = parser(__doc__.splitlines()[0]).parse_args()
    stations = 10_000 if args.quick else 100_000
    candidates = 10
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        election = simulate(stations, seed=2020, stuffing=0.1, rewrite=0.02, candidates=candidates)
        paths = write_simulation(election, root / "sim")
        del election
        header = paths["official"].read_text(encoding="utf-8").split("\n", 1)[0].split(",")
        numeric = list(range(3, len(header)))

        read_numpy, table = timed(
            lambda: np.loadtxt(
                paths["official"],
                delimiter=",",
                quotechar='"',
                skiprows=1,
                usecols=numeric,
                dtype=np.int64,
            )
        )
        assert table.shape == (stations, len(numeric))
        del table

        start = time.perf_counter()
        read_time, official = timed(lambda: read_official(paths["official"]))
        witness_time, witnesses = timed(lambda: read_witnesses(paths["witness"], official))
        methods = {
            "klimek": timed(lambda: klimek_fit(official))[0],
            "integers (1000 resamples)": timed(lambda: integer_anomaly(official))[0],
            "integers (indicator draws)": timed(
                lambda: integer_anomaly(official, draw="indicator")
            )[0],
            "second digit": timed(lambda: second_digit_tests(official))[0],
            "turnout": timed(lambda: turnout_estimate(official))[0],
            "regions": timed(lambda: regional_outliers(official))[0],
        }
        audit_time, report = timed(lambda: run_audit(official, witnesses))
        write_time, _ = timed(lambda: write_report(report, root / "out", plots=False))
        audit_total = read_time + witness_time + audit_time + write_time
        # The same audit with the integer test's equivalent indicator draws.
        indicator_time, _ = timed(lambda: run_audit(official, witnesses, integer_draws="indicator"))
        indicator_total = read_time + witness_time + indicator_time + write_time
        del start
        plots_time, _ = timed(lambda: write_report(report, root / "plots", plots=True))
        with_plots = read_time + witness_time + audit_time + plots_time
        memory = peak_rss_mb()

    print(f"audit of {stations:,} stations x {candidates} candidates")
    print(f"{'step':32} {'seconds':>8}")
    print(f"{'numpy loadtxt (baseline)':32} {read_numpy:8.3f}")
    print(f"{'read official (validated)':32} {read_time:8.3f}")
    print(f"{'read witnesses':32} {witness_time:8.3f}")
    for name, seconds in methods.items():
        print(f"{'  ' + name:32} {seconds:8.3f}")
    print(f"{'run_audit (all methods)':32} {audit_time:8.3f}")
    print(f"{'report without plots':32} {write_time:8.3f}")
    print(f"{'audit total, no plots':32} {audit_total:8.3f}")
    print(f"{'  same, indicator draws':32} {indicator_total:8.3f}")
    print(f"{'audit total, with plots':32} {with_plots:8.3f}")
    print(f"{'peak memory, MB':32} {memory:8.1f}")
    emit(
        [
            figure(
                "audit",
                "audit_no_plots_s",
                audit_total,
                "numpy_loadtxt_same_csv_s",
                read_numpy,
                lower_is_better=True,
                target=round(1 / 3, 4),
                stations=stations,
            ),
            figure(
                "audit",
                "audit_no_plots_indicator_draws_s",
                indicator_total,
                "numpy_loadtxt_same_csv_s",
                read_numpy,
                lower_is_better=True,
                target=round(1 / 3, 4),
                stations=stations,
            ),
            figure(
                "audit",
                "audit_with_plots_s",
                with_plots,
                "target_s",
                20.0,
                lower_is_better=True,
                target=1.0,
                stations=stations,
            ),
            figure(
                "audit",
                "peak_memory_mb",
                memory,
                "limit_mb",
                1024.0,
                lower_is_better=True,
                target=1.0,
                stations=stations,
            ),
        ]
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
