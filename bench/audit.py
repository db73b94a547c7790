"""Audit speed on a national-size protocol: 100,000 stations, 10 candidates.

The baseline is reading the same input files -- the official protocol and the
witness reports -- with numpy's C parser (``np.loadtxt``) into typed columns
(text as str, numbers as int64, no validation), in the same run. The audit
(reading both files with validation, every method, report.json,
flagged_stations.csv, report.html, no plots) should take at most 3x that
(ratio = read / audit, target 1/3). With plots the whole run should take at most
20 s, and peak memory stay under 1 GB. Each time is the best of three runs.
A second figure audits the official file alone (methods 2-6) against numpy
reading that file; the table also shows the ratio to numpy reading only its
numeric columns.
"""

from __future__ import annotations

import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

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


def _best(fn: Callable[[], Any], runs: int = 3) -> tuple[float, Any]:
    best, value = timed(fn)
    for _ in range(runs - 1):
        seconds, value = timed(fn)
        best = min(best, seconds)
    return best, value


def _numpy_read(path: Path, numeric: set[str]) -> np.ndarray:
    """A CSV read with numpy's C parser: text columns as str, the others as int64."""
    header = path.read_text(encoding="utf-8").split("\n", 1)[0].split(",")
    dtype = [(name, np.int64 if name in numeric else object) for name in header]
    return np.loadtxt(
        path,
        delimiter=",",
        quotechar='"',
        skiprows=1,
        dtype=dtype,
        encoding="utf-8",
        comments=None,
        ndmin=1,
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
        numeric = set(header[3:])
        numeric_columns = list(range(3, len(header)))

        read_numeric, table = _best(
            lambda: np.loadtxt(
                paths["official"],
                delimiter=",",
                quotechar='"',
                skiprows=1,
                usecols=numeric_columns,
                dtype=np.int64,
            )
        )
        assert table.shape == (stations, len(numeric_columns))
        read_official_numpy, table = _best(lambda: _numpy_read(paths["official"], numeric))
        read_witness_numpy, witness_table = _best(lambda: _numpy_read(paths["witness"], {"count"}))
        witness_rows = witness_table.shape[0]
        del table, witness_table
        baseline = read_official_numpy + read_witness_numpy

        read_time, official = _best(lambda: read_official(paths["official"]))
        witness_time, witnesses = _best(lambda: read_witnesses(paths["witness"], official))
        methods = {
            "klimek": _best(lambda: klimek_fit(official))[0],
            "integers (1000 resamples)": _best(lambda: integer_anomaly(official))[0],
            "second digit": _best(lambda: second_digit_tests(official))[0],
            "turnout": _best(lambda: turnout_estimate(official))[0],
            "regions": _best(lambda: regional_outliers(official))[0],
        }
        audit_time, report = _best(lambda: run_audit(official, witnesses))
        write_time, _ = _best(lambda: write_report(report, root / "out", plots=False))
        audit_total = read_time + witness_time + audit_time + write_time
        # The official file alone (methods 2-6), against numpy reading that file.
        alone_time, _ = _best(
            lambda: write_report(
                run_audit(read_official(paths["official"])), root / "alone", plots=False
            )
        )
        plots_time, _ = timed(lambda: write_report(report, root / "plots", plots=True))
        with_plots = read_time + witness_time + audit_time + plots_time
        memory = peak_rss_mb()

    print(
        f"audit of {stations:,} stations x {candidates} candidates, {witness_rows:,} witness rows"
    )
    print(f"{'step (best of 3)':34} {'seconds':>8}")
    print(f"{'numpy: official, numeric only':34} {read_numeric:8.3f}")
    print(f"{'numpy: official, all columns':34} {read_official_numpy:8.3f}")
    print(f"{'numpy: witness, all columns':34} {read_witness_numpy:8.3f}")
    print(f"{'numpy: both files (baseline)':34} {baseline:8.3f}")
    print(f"{'read official (validated)':34} {read_time:8.3f}")
    print(f"{'read witnesses (validated)':34} {witness_time:8.3f}")
    for name, seconds in methods.items():
        print(f"{'  ' + name:34} {seconds:8.3f}")
    print(f"{'run_audit (all methods)':34} {audit_time:8.3f}")
    print(f"{'report without plots':34} {write_time:8.3f}")
    print(f"{'audit total, no plots':34} {audit_total:8.3f}")
    print(f"{'  as a multiple of the baseline':34} {audit_total / baseline:8.2f}")
    print(f"{'official file alone, no plots':34} {alone_time:8.3f}")
    print(f"{'  as a multiple of its numpy read':34} {alone_time / read_official_numpy:8.2f}")
    print(f"{'  ... of its numeric columns':34} {alone_time / read_numeric:8.2f}")
    print(f"{'audit total, with plots':34} {with_plots:8.3f}")
    print(f"{'peak memory, MB':34} {memory:8.1f}")
    # The ratio targets are for a national file; a quick run's fixed costs (the
    # Klimek model simulates at least 5,000 stations) dominate at 10,000 stations.
    ratio_target = None if args.quick else round(1 / 3, 4)
    emit(
        [
            figure(
                "audit",
                "audit_no_plots_s",
                audit_total,
                "numpy_read_same_csvs_s",
                baseline,
                lower_is_better=True,
                target=ratio_target,
                stations=stations,
            ),
            figure(
                "audit",
                "audit_official_alone_no_plots_s",
                alone_time,
                "numpy_read_official_csv_s",
                read_official_numpy,
                lower_is_better=True,
                target=ratio_target,
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
