"""The Schulze method (beatpath, widest paths) for ranked motions.

A ballot ranks options in groups: ``[{"A"}, {"B", "C"}, {"D"}]`` means A
first, B and C equal second, D last; options a ballot leaves out are equal
last on it. ``d[i][j]`` is the number of voters (weighted) who strictly
prefer option i to option j. A path's strength is its weakest link, and a
link i->j counts only where i beats j (``d[i][j] > d[j][i]``), with strength
``d[i][j]`` (winning votes, as in Schulze's 2011 paper and the Wikipedia
description). ``p[i][j]`` is the strength of the strongest path from i to j,
found with the Floyd-Warshall widest-path algorithm.

Option i is ranked above option j when ``p[i][j] > p[j][i]``; this relation is
transitive, so the ranking is built in tiers: the first tier holds every
option that no remaining option beats, then those options are removed and
the next tier is found the same way. Options in one tier are tied; the tie is
reported, never broken by chance here, and within a tier options are listed
in the order the motion gave them. A motion that needs one winner and gets a
tied first tier must apply its own rule (for example: the motion fails).

The result keeps both matrices so a motion page can show the arithmetic.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass

import numpy as np

__all__ = ["SchulzeError", "SchulzeResult", "schulze"]


class SchulzeError(ValueError):
    """A ranked ballot that cannot be counted (unknown option, option ranked twice...)."""


@dataclass(frozen=True, slots=True)
class SchulzeResult:
    """Ranking in tiers, the pairwise counts ``d`` and strongest paths ``p``."""

    options: tuple[str, ...]
    ranking: tuple[tuple[str, ...], ...]  # tiers, best first; a tier of several is a tie
    pairwise: tuple[tuple[int, ...], ...]  # d[i][j]
    strongest_paths: tuple[tuple[int, ...], ...]  # p[i][j]
    voters: int  # total weight of the ballots counted

    @property
    def winners(self) -> tuple[str, ...]:
        """The first tier: one option, or several if they tie."""
        return self.ranking[0] if self.ranking else ()


Ballot = Sequence[Collection[str]]


def schulze(
    options: Sequence[str],
    ballots: Iterable[tuple[Ballot, int]],
) -> SchulzeResult:
    """Count ``(ranking, weight)`` ballots over ``options`` by the Schulze method."""
    names = tuple(options)
    if len(set(names)) != len(names):
        raise SchulzeError("option names must be unique")
    index = {name: i for i, name in enumerate(names)}
    n = len(names)
    # Each distinct ballot becomes a row of ranks (0 best; unranked share the
    # rank after the last group), so d is one vectorised comparison.
    merged: dict[tuple[int, ...], int] = {}
    for number, (ballot, weight) in enumerate(ballots, start=1):
        if isinstance(weight, bool) or not isinstance(weight, int) or weight < 1:
            raise SchulzeError(f"ballot {number}: weight must be a whole number >= 1")
        ranks = [len(ballot)] * n
        seen: set[str] = set()
        for level, group in enumerate(ballot):
            for option in group:
                if option not in index:
                    raise SchulzeError(f"ballot {number}: {option!r} is not an option")
                if option in seen:
                    raise SchulzeError(f"ballot {number}: {option!r} is ranked more than once")
                seen.add(option)
                ranks[index[option]] = level
        key = tuple(ranks)
        merged[key] = merged.get(key, 0) + weight
    d = np.zeros((n, n), dtype=np.int64)
    if merged and n:
        rank_rows = np.array(list(merged), dtype=np.int64)
        weights = np.fromiter(merged.values(), dtype=np.int64, count=len(merged))
        for i in range(n):
            prefers_i = rank_rows[:, [i]] < rank_rows  # (ballots, n): i ranked above j
            d[i] = weights @ prefers_i.astype(np.int64)
    p = np.where(d > d.T, d, 0)
    for k in range(n):
        # p[i][j] = max(p[i][j], min(p[i][k], p[k][j])) for all i, j != k
        via = np.minimum(p[:, [k]], p[[k], :])
        p = np.maximum(p, via)
    np.fill_diagonal(p, 0)
    tiers: list[tuple[str, ...]] = []
    remaining = list(range(n))
    while remaining:
        tier = [i for i in remaining if all(p[i, j] >= p[j, i] for j in remaining if j != i)]
        if not tier:  # cannot happen (the relation is transitive); guard against a loop
            tier = list(remaining)
        tiers.append(tuple(names[i] for i in tier))
        remaining = [i for i in remaining if i not in tier]
    return SchulzeResult(
        options=names,
        ranking=tuple(tiers),
        pairwise=tuple(tuple(int(x) for x in row) for row in d.tolist()),
        strongest_paths=tuple(tuple(int(x) for x in row) for row in p.tolist()),
        voters=sum(merged.values()),
    )
