"""Recalled delegates: whose votes a result leaves out, and what a recall withdraws.

A recall is a motion in the electing committee that names one delegate: the mandate
(the close of their election) and the delegate's key. Others elected in the same
election keep their seats.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Set
from typing import Any

from veche.decisions.terms import Choice

# A recalled delegate: (the mandate, i.e. the close of their election; their key).
Recalled = tuple[str, str]


def not_recalled(
    votes: Iterable[tuple[Choice, int, str, str]], excluded: Set[Recalled]
) -> list[tuple[Choice, int]]:
    """(choice, weight) of each vote (choice, weight, mandate, person) but recalled
    delegates' (a delegate votes by their mandate; their person is their key)."""
    return [
        (choice, weight)
        for choice, weight, mandate, person in votes
        if not mandate or (mandate, person) not in excluded
    ]


def withdraws(
    recall_result: Mapping[str, Any], recall_space: str, cited: Mapping[str, str]
) -> bool:
    """Is a recall decision (its close's result, in ``recall_space``) the one a council's
    close cites (``{event, space, mandate, key}``): that committee's recall of that
    delegate?"""
    return (
        recall_result.get("kind") == "recall"
        and recall_result.get("mandate") == cited["mandate"]
        and recall_result.get("key") == cited["key"]
        and recall_space == cited["space"]
    )
