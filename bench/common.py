"""Shared output format for benchmarks (CONVENTIONS.md): one JSON object per figure.

Every figure is compared with a baseline measured in the same run, so results
from different machines can be compared by their ratio; ``ratio`` is arranged so
that higher is always better.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from collections.abc import Callable
from typing import Any


def parser(description: str) -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=description)
    p.add_argument("--quick", action="store_true", help="a run of a few seconds")
    return p


def figure(
    bench: str,
    metric: str,
    value: float,
    baseline: str,
    baseline_value: float,
    *,
    lower_is_better: bool = False,
    target: float | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """Build one result line; ``ratio`` is value/baseline, inverted for times."""
    ratio = (baseline_value / value) if lower_is_better else (value / baseline_value)
    row: dict[str, Any] = {
        "bench": bench,
        "metric": metric,
        "value": round(value, 4),
        "baseline": baseline,
        "baseline_value": round(baseline_value, 4),
        "ratio": round(ratio, 4),
    }
    if target is not None:
        row["target_ratio"] = target
        row["meets_target"] = ratio >= target
    row.update(extra)
    return row


def emit(rows: list[dict[str, Any]]) -> None:
    """Print the figures as the last lines of the output, one JSON object each."""
    sys.stdout.flush()
    for row in rows:
        print(json.dumps(row, ensure_ascii=False, sort_keys=False))
    sys.stdout.flush()


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far, in MB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
