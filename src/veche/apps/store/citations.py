"""Which deps of an event cite other spaces: what a rule may judge "on trust".

A node that holds no event at all of a cited space judges the citing event without
it ("on trust", said in the event's reason) instead of waiting forever: a member of
one committee can follow the council above it without holding the logs of sibling
committees. Apps declare, per kind, how to find those citations (``register(...,
foreign=...)`` in ``kinds``); the context and the intake ask ``foreign_citations``.
Kept apart from ``kinds`` so that ``context`` can ask without importing the registry
(which itself names ``Context``).
"""

from __future__ import annotations

from collections.abc import Callable

from veche.events import Event

__all__ = ["FOREIGN", "Foreign", "foreign_citations"]

# kind -> (event -> {cited event id: its space id}).
Foreign = Callable[[Event], dict[str, str]]
FOREIGN: dict[str, Foreign] = {}


def foreign_citations(event: Event) -> dict[str, str]:
    """The event's citations of other spaces; empty for malformed bodies (the rule says why)."""
    finder = FOREIGN.get(event.kind)
    if finder is None:
        return {}
    try:
        found = finder(event)
    except (KeyError, TypeError, AttributeError):
        return {}
    return {k: v for k, v in found.items() if k in event.deps and isinstance(v, str)}
