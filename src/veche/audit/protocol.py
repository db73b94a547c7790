"""The audit's input values: the official protocol, witness reports, observer counts.

They hold numpy arrays (one entry per polling station, in file order) so that
every method works on whole columns at once; readers in :mod:`veche.audit.reading`
build them from files and the simulator builds them directly.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from veche.audit.errors import RowProblem

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
StrArray = npt.NDArray[np.str_]

# Column names of the official protocol that are not candidates.
REQUIRED_COLUMNS: tuple[str, ...] = ("station", "region", "registered", "ballots", "invalid")
OPTIONAL_COLUMNS: tuple[str, ...] = ("issued", "early", "at_home", "district")


@dataclass(frozen=True, slots=True, eq=False)
class OfficialProtocol:
    """Per-station official results: one row per polling station."""

    source: str
    stations: StrArray
    regions: StrArray
    registered: IntArray
    ballots: IntArray
    invalid: IntArray
    candidates: tuple[str, ...]
    votes: IntArray  # shape (stations, candidates)
    issued: IntArray | None = None
    early: IntArray | None = None
    at_home: IntArray | None = None
    districts: StrArray | None = None
    lines: IntArray | None = None  # the line of each station in its source file
    skipped: tuple[RowProblem, ...] = field(default=())
    # Derived values computed once and shared by the methods (leader, group_codes).
    _cache: dict[str, Any] = field(default_factory=dict, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        n = self.stations.shape[0]
        if self.votes.shape != (n, len(self.candidates)):
            raise ValueError(
                f"votes has shape {self.votes.shape}, expected ({n}, {len(self.candidates)})"
            )
        for name in ("regions", "registered", "ballots", "invalid"):
            if getattr(self, name).shape != (n,):
                raise ValueError(f"{name} must have one entry per station")

    @property
    def station_count(self) -> int:
        return int(self.stations.shape[0])

    @property
    def voters(self) -> IntArray:
        """Voters who took part: ballots issued when known, else ballots in the boxes."""
        return self.issued if self.issued is not None else self.ballots

    @property
    def turnout(self) -> FloatArray:
        """Turnout per station as a fraction; NaN where nobody is registered."""
        with np.errstate(divide="ignore", invalid="ignore"):
            out = self.voters / self.registered.astype(np.float64)
        out[self.registered == 0] = np.nan
        return out

    @property
    def leader(self) -> int:
        """Index of the candidate with the most votes nationally (first on a tie)."""
        if "leader" not in self._cache:
            self._cache["leader"] = int(np.argmax(self.votes.sum(axis=0)))
        return int(self._cache["leader"])

    @property
    def leader_name(self) -> str:
        return self.candidates[self.leader]

    def group_codes(self, column: str) -> tuple[StrArray, IntArray]:
        """The sorted distinct values of ``regions`` or ``districts`` and, per station,
        the index of its value among them (np.unique's inverse, without sorting all
        the strings)."""
        key = f"groups:{column}"
        if key not in self._cache:
            values = getattr(self, column)
            if values is None:
                raise ValueError(f"the protocol has no {column}")
            cells = values.tolist()
            names = sorted(set(cells))
            index = {name: i for i, name in enumerate(names)}
            codes = np.fromiter(map(index.__getitem__, cells), dtype=np.int64, count=len(cells))
            self._cache[key] = (np.array(names, dtype=np.str_), codes)
        found: tuple[StrArray, IntArray] = self._cache[key]
        return found

    def index_of_station(self) -> dict[str, int]:
        """Station name -> its row (built once; callers must not change it)."""
        if "stations" not in self._cache:
            names = self.stations.tolist()
            self._cache["stations"] = dict(zip(names, range(len(names)), strict=True))
        found: dict[str, int] = self._cache["stations"]
        return found

    def index_of_candidate(self) -> dict[str, int]:
        """Candidate name, casefolded (witnesses write names as they like) -> its column."""
        if "candidates" not in self._cache:
            self._cache["candidates"] = {
                name.casefold(): i for i, name in enumerate(self.candidates)
            }
        found: dict[str, int] = self._cache["candidates"]
        return found


@dataclass(frozen=True, slots=True, eq=False)
class WitnessReports:
    """Votes that voter-witnesses proved, summed per station and candidate."""

    source: str
    counts: IntArray  # shape (stations, candidates), aligned with the official protocol
    rows: int
    aggregated: bool
    duplicate_evidence: int = 0
    skipped: tuple[RowProblem, ...] = field(default=())


@dataclass(frozen=True, slots=True, eq=False)
class ObserverReports:
    """Voters counted by independent observers; -1 where no observer reported."""

    source: str
    observed: IntArray  # one entry per official station
    skipped: tuple[RowProblem, ...] = field(default=())

    @property
    def covered(self) -> BoolArray:
        return self.observed >= 0
