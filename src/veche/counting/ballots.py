"""Ranked ballots as the counters see them: candidates, rankings and weights.

A count of a million ballots must not walk a million Python objects, so ranked
ballots are held as two numpy arrays: one row per *distinct* ranking (candidate
indices in order of preference, padded with -1) and its weight (how many ballot
papers carry exactly that ranking). Identical rankings are merged when the
value is built, which is what makes large counts cheap: real elections repeat
the same short rankings many times over.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import chain

import numpy as np
import numpy.typing as npt

__all__ = ["BallotError", "RankedBallots"]

# Row padding: "no further preference".
NO_PREFERENCE = -1


class BallotError(ValueError):
    """A ranking or weight that cannot be counted (unknown candidate, repeated rank...)."""


@dataclass(frozen=True, slots=True, eq=False)
class RankedBallots:
    """Distinct rankings with their weights, over a fixed list of candidates.

    ``rankings[i]`` lists candidate indices (0-based, most preferred first),
    padded with -1; ``weights[i]`` is the number of ballot papers with that
    ranking. ``withdrawn`` candidates stay in the list (so indices and names
    are as the voters saw them) but are never counted: preferences for them are
    skipped.
    """

    candidates: tuple[str, ...]
    rankings: npt.NDArray[np.int16]
    weights: npt.NDArray[np.int64]
    withdrawn: frozenset[int] = field(default_factory=frozenset)
    title: str = ""

    @classmethod
    def from_rankings(
        cls,
        candidates: Sequence[str],
        ballots: Iterable[tuple[Sequence[int], int]],
        *,
        withdrawn: Iterable[int] = (),
        title: str = "",
    ) -> RankedBallots:
        """Build from ``(ranking, weight)`` pairs; equal rankings are merged.

        Raises :class:`BallotError` naming the offending ballot (by position)
        for an unknown candidate, a candidate ranked twice, or a weight < 1.
        """
        n = len(candidates)
        merged: dict[tuple[int, ...], int] = {}
        for position, (ranking, weight) in enumerate(ballots, start=1):
            key = tuple(int(c) for c in ranking)
            if isinstance(weight, bool) or int(weight) != weight or weight < 1:
                raise BallotError(f"ballot {position}: weight must be a whole number >= 1")
            for c in key:
                if not 0 <= c < n:
                    raise BallotError(
                        f"ballot {position}: candidate index {c} is not one of the "
                        f"{n} candidates (0..{n - 1})"
                    )
            if len(set(key)) != len(key):
                raise BallotError(f"ballot {position}: a candidate is ranked more than once")
            merged[key] = merged.get(key, 0) + int(weight)
        return cls.from_distinct(candidates, merged, withdrawn=withdrawn, title=title)

    @classmethod
    def from_distinct(
        cls,
        candidates: Sequence[str],
        merged: dict[tuple[int, ...], int],
        *,
        withdrawn: Iterable[int] = (),
        title: str = "",
    ) -> RankedBallots:
        """Build from already validated, already merged ``{ranking: weight}``."""
        n = len(candidates)
        if n > np.iinfo(np.int16).max:
            raise BallotError(f"at most {np.iinfo(np.int16).max} candidates can be counted")
        withdrawn_set = frozenset(int(c) for c in withdrawn)
        for c in withdrawn_set:
            if not 0 <= c < n:
                raise BallotError(f"withdrawn candidate index {c} is not one of the candidates")
        width = max((len(k) for k in merged), default=0)
        rows = len(merged)
        rankings = np.full((rows, max(width, 1)), NO_PREFERENCE, dtype=np.int16)
        if rows and width:
            lengths = np.fromiter(map(len, merged), dtype=np.int64, count=rows)
            flat = np.fromiter(
                chain.from_iterable(merged), dtype=np.int16, count=int(lengths.sum())
            )
            row_index = np.repeat(np.arange(rows), lengths)
            starts = np.repeat(np.cumsum(lengths) - lengths, lengths)
            col_index = np.arange(flat.size) - starts
            rankings[row_index, col_index] = flat
        weights = np.fromiter(merged.values(), dtype=np.int64, count=rows)
        return cls(
            candidates=tuple(candidates),
            rankings=rankings,
            weights=weights,
            withdrawn=withdrawn_set,
            title=title,
        )

    @classmethod
    def from_arrays(
        cls,
        candidates: Sequence[str],
        rankings: npt.NDArray[np.int16],
        weights: npt.NDArray[np.int64],
        *,
        withdrawn: Iterable[int] = (),
        title: str = "",
    ) -> RankedBallots:
        """Build from a validated ranking matrix (-1 padded); equal rows are merged."""
        n = len(candidates)
        withdrawn_set = frozenset(int(c) for c in withdrawn)
        for c in withdrawn_set:
            if not 0 <= c < n:
                raise BallotError(f"withdrawn candidate index {c} is not one of the candidates")
        if rankings.ndim != 2 or rankings.shape[0] != weights.shape[0]:
            raise BallotError("rankings must be a matrix with one row per weight")
        if rankings.shape[0] > 1:
            # Sort rows (lexsort on columns is much faster than np.unique(axis=0)),
            # then add up the weights of each run of equal rows.
            order = np.lexsort(rankings.T[::-1])
            ordered = rankings[order]
            starts = np.flatnonzero(
                np.concatenate(([True], np.any(ordered[1:] != ordered[:-1], axis=1)))
            )
            if starts.size < ordered.shape[0]:
                rankings = ordered[starts]
                weights = np.add.reduceat(weights[order], starts)
        if rankings.shape[1] == 0:
            rankings = np.full((rankings.shape[0], 1), NO_PREFERENCE, dtype=np.int16)
        return cls(
            candidates=tuple(candidates),
            rankings=np.ascontiguousarray(rankings, dtype=np.int16),
            weights=np.ascontiguousarray(weights, dtype=np.int64),
            withdrawn=withdrawn_set,
            title=title,
        )

    @property
    def total_weight(self) -> int:
        """Number of ballot papers (the sum of the weights)."""
        return int(self.weights.sum())

    def iter_rankings(self) -> Iterable[tuple[tuple[int, ...], int]]:
        """Yield ``(ranking, weight)`` per distinct ranking, in stored order."""
        for row, weight in zip(self.rankings.tolist(), self.weights.tolist(), strict=True):
            yield tuple(c for c in row if c != NO_PREFERENCE), int(weight)

    def digest(self) -> str:
        """SHA-256 of a canonical form: the same ballots give the same digest.

        Independent of the order in which rankings were given, so it can seed
        a lot that anyone holding the ballots can redraw.
        """
        h = hashlib.sha256()
        h.update(b"veche-ranked-ballots-v1\n")
        for name in self.candidates:
            h.update(name.encode("utf-8") + b"\n")
        h.update(",".join(str(c) for c in sorted(self.withdrawn)).encode() + b"\n")
        if len(self.weights):
            # Sort rows lexicographically (last key is primary for lexsort).
            order = np.lexsort(self.rankings.T[::-1])
            canonical = np.ascontiguousarray(self.rankings[order]).astype("<i2")
            h.update(str(canonical.shape).encode())
            h.update(canonical.tobytes())
            h.update(np.ascontiguousarray(self.weights[order]).astype("<i8").tobytes())
        return h.hexdigest()
