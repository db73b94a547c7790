"""What the store says about each event it was handed, and about stored bytes."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from enum import StrEnum


class OutcomeStatus(StrEnum):
    """The outcome of handing the store one event: a stored status (event-v1 §14.1),
    or one of the two answers for input that stores nothing new."""

    APPLIED = "applied"
    REJECTED = "rejected"
    HELD = "held"
    PENDING = "pending"
    UNVERIFIED = "unverified"
    DUPLICATE = "duplicate"  # already held: nothing changes
    INVALID = "invalid"  # not a well-formed, correctly signed event: never stored as one


@dataclass(frozen=True)
class Outcome:
    event_id: str | None
    status: OutcomeStatus
    reason: str = ""
    waiting_for: tuple[str, ...] = ()  # a pending event's missing ancestors


@dataclass
class IngestReport:
    outcomes: list[Outcome] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(1 for o in self.outcomes if o.status == status)

    def summary(self) -> dict[str, int]:
        return dict(sorted(Counter(str(o.status) for o in self.outcomes).items()))


@dataclass(frozen=True)
class Problem:
    event_id: str
    message: str
