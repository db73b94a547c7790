"""What a motion may be: its kinds, counting methods, vote choices, and the target
fields each motion kind names. ``MotionTerms`` is what the arithmetic reads of a
motion (the committees app's ``Motion`` row has these attributes)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Protocol, TypeAlias

MOTION_KINDS = (
    "general",
    "demands",
    "strike_call",
    "delegate_election",
    "recall",
    "ratification",
    "rule_change",
    "admission",
    "expulsion",
    "revocation",
    "federation_join",
    "federation_accept",
    "endorsement",
    "election",
    "equivocation",
    "appeal",
)
METHODS = ("yes_no", "approval", "ranked", "stv")
CHOICES = ("yes", "no", "abstain")

# motion kind -> the ``target`` fields a proposal of that kind must give.
TARGET_FIELDS_NEEDED: dict[str, tuple[str, ...]] = {
    "rule_change": ("rules",),
    "admission": ("key",),
    "expulsion": ("key",),
    "revocation": ("key", "after_seq"),
    "recall": ("mandate", "key"),
    "federation_join": ("parent",),
    "federation_accept": ("child", "join"),
    "ratification": ("motion", "space"),
    "endorsement": ("motion", "space"),
    "equivocation": ("key", "event"),
    "appeal": ("audience",),
}

# What a vote says, by method: "yes"/"no"/"abstain" (yes_no), the sorted indices of the
# approved options (approval), or groups of option indices, best first (ranked, stv).
Choice: TypeAlias = Any


class MotionTerms(Protocol):
    """The terms of a motion as counted: read-only, so a database row fits."""

    @property
    def event(self) -> str:
        """The proposal's event id (it seeds STV's lot)."""

    @property
    def kind(self) -> str:
        """The motion kind, one of ``MOTION_KINDS``."""

    @property
    def method(self) -> str:
        """One of ``METHODS``."""

    @property
    def options(self) -> Sequence[str]: ...

    @property
    def seats(self) -> int: ...

    @property
    def target(self) -> Mapping[str, Any]: ...
