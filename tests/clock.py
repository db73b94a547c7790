"""The clock new events are stamped with, moved by a test instead of waited for.

A deadline that passes after a ``sleep`` makes a test slow and, on a loaded machine,
flaky (the work before the deadline may overrun it). ``EventClock.install`` replaces
the ``datetime`` that ``veche.events.envelope`` reads ``now`` from, in this process
(the test's node and Django's live server thread): the real time plus an offset the
test moves forward with ``advance`` or ``pass_``.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, tzinfo

import pytest

from veche.events import envelope

_REAL = datetime


class EventClock(datetime):
    offset = timedelta(0)

    @classmethod
    def install(cls, monkeypatch: pytest.MonkeyPatch) -> type[EventClock]:
        cls.offset = timedelta(0)
        monkeypatch.setattr(envelope, "datetime", cls)
        return cls

    @classmethod
    def now(cls, tz: tzinfo | None = None) -> EventClock:  # type: ignore[override]
        return _REAL.now(tz) + cls.offset  # type: ignore[return-value]

    @classmethod
    def pass_(cls, moment: datetime, by: timedelta = timedelta(seconds=1)) -> None:
        """Move the clock to just after ``moment`` (if it is not there already)."""
        late = moment + by - _REAL.now(UTC)
        cls.offset = max(cls.offset, late)
