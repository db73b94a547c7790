"""Bounded discrete logarithm by baby-step giant-step: find m in [0, bound] with M = mG.

A tally decrypts to (count)*G; the count is at most the number of ballots
(times the most marks a ballot may put on one option, which is one), so
sqrt(bound) baby steps in a table and at most as many giant steps find it: about
2,000 point additions for a million ballots. Tables are cached per size, so the
options of one election share one table.
"""

from __future__ import annotations

from functools import lru_cache
from math import isqrt

from veche.crypto.errors import DiscreteLogNotFound
from veche.crypto.group import GENERATOR, IDENTITY, Point, _add, _sub, small_multiple

__all__ = ["discrete_log"]


@lru_cache(maxsize=8)
def _baby_steps(width: int) -> dict[bytes, int]:
    table: dict[bytes, int] = {}
    current = IDENTITY.data
    for j in range(width):
        table[current] = j
        current = _add(current, GENERATOR.data)
    return table


def discrete_log(point: Point, bound: int) -> int:
    """The m in [0, bound] with point = m*G, or :class:`DiscreteLogNotFound`."""
    if bound < 0:
        raise ValueError("bound must be non-negative")
    width = isqrt(bound) + 1
    table = _baby_steps(width)
    giant = small_multiple(width).data
    current = point.data
    for i in range(width + 1):
        j = table.get(current)
        if j is not None:
            m = i * width + j
            if m <= bound:
                return m
            break
        current = _sub(current, giant)
    raise DiscreteLogNotFound(
        f"the decrypted value is not a count between 0 and {bound}; "
        "a partial decryption or the tally is wrong"
    )
