"""Read the official protocol, witness and observer files (CSV or Excel) into arrays.

A CSV file is read one of two ways. The fast path parses it with ``np.loadtxt``
(text columns as str, numbers as int64) and checks the arrays it gets: a national
file of 100,000 stations reads in about 0.15 s. It is taken only where it
provably gives what the slow path gives: a sound header on the first line, one
row on each line, quotes only around whole fields, plain ASCII numbers within
bounds, every station and candidate known, no station twice. Anything else goes
the slow way, which is also the only one to word problems: the stdlib ``csv``
module (or openpyxl for ``.xlsx``), then every column validated and converted at
once with numpy, in about a second for the same file. Every problem names the
file, the line and the column. A file with a bad row is rejected whole, unless
the caller asks to skip bad rows; then the skipped rows are listed on the result
so the report can say what was left out. tests/core/audit/test_audit_reading_fast.py
holds the two paths to the same results.
"""

from __future__ import annotations

from veche.audit.protocol import ObserverReports, OfficialProtocol, WitnessReports
from veche.audit.reading.fast import (
    _read_observers_fast,
    _read_official_fast,
    _read_witnesses_fast,
)
from veche.audit.reading.slow import (
    InputFile,
    Source,
    _read_observers_slow,
    _read_official_slow,
    _read_witnesses_slow,
)

__all__ = ["InputFile", "read_observers", "read_official", "read_witnesses"]


# --- The public readers: the fast path when it applies, else the slow one -------


def read_official(path: Source, *, skip_bad_rows: bool = False) -> OfficialProtocol:
    """Read the official per-station protocol from a CSV (UTF-8) or ``.xlsx`` file
    (a path, or an ``InputFile`` already in memory).

    Required columns: station, region, registered, ballots, invalid; optional:
    issued, early, at_home, district; every other column is a candidate.
    """
    fast = _read_official_fast(path)
    if fast is not None:
        return fast
    return _read_official_slow(path, skip_bad_rows=skip_bad_rows)


def read_witnesses(
    path: Source, official: OfficialProtocol, *, skip_bad_rows: bool = False
) -> WitnessReports:
    """Read witness reports: one row per witnessed vote (station, candidate[, evidence])
    or aggregated rows (station, candidate, count).

    A piece of evidence (e.g. a photo hash) that appears twice is counted once:
    the same photo sent twice is one vote, not two.
    """
    fast = _read_witnesses_fast(path, official)
    if fast is not None:
        return fast
    return _read_witnesses_slow(path, official, skip_bad_rows=skip_bad_rows)


def read_observers(
    path: Source, official: OfficialProtocol, *, skip_bad_rows: bool = False
) -> ObserverReports:
    """Read observer counts: station, observed_turnout (voters the observers counted)."""
    fast = _read_observers_fast(path, official)
    if fast is not None:
        return fast
    return _read_observers_slow(path, official, skip_bad_rows=skip_bad_rows)
