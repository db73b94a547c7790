"""Strike status over time, and the totals over the federation.

A workplace's status is a sequence of changes, each with the date it took
effect (not the time the event was signed), the share of the workforce out in
per mille (integers only), a note and whether the committee publishes it. The
totals say, for every day, how many plants and workers were out, by region and
by sector, computed from the changes a node holds; they also say what the node
does not hold (workplaces whose latest report is stale, committees with no
workplace yet), so a reader never mistakes missing data for a return to work.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

__all__ = [
    "OUT_STATUSES",
    "STATUSES",
    "STATUS_LABELS",
    "DayTotals",
    "FederationTotals",
    "StatusChange",
    "StrikeError",
    "WorkplaceInfo",
    "check_status",
    "federation_totals",
    "latest",
    "parse_day",
    "workers_out",
]

STATUSES: tuple[str, ...] = (
    "working",
    "warning_strike",
    "go_slow",
    "partial",
    "full_strike",
    "lockout",
    "ended",
)
STATUS_LABELS: dict[str, str] = {
    "working": "working",
    "warning_strike": "warning strike",
    "go_slow": "go-slow (Italian strike)",
    "partial": "partial strike",
    "full_strike": "full strike",
    "lockout": "lockout",
    "ended": "strike ended",
}
# Statuses in which workers are counted as out (a lockout keeps them out too).
OUT_STATUSES = frozenset({"warning_strike", "go_slow", "partial", "full_strike", "lockout"})
PER_MILLE = 1000


class StrikeError(ValueError):
    """A status change that cannot be recorded; ``field`` names what is wrong."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


def parse_day(text: str, field: str = "date") -> date:
    """An ISO day (2020-08-11), strictly: ASCII digits, a real date."""
    if not isinstance(text, str) or len(text) != 10 or not text.replace("-", "").isascii():
        raise StrikeError(field, "must be a day like 2020-08-11")
    try:
        return date.fromisoformat(text)
    except ValueError as error:
        raise StrikeError(field, "must be a real day like 2020-08-11") from error


def check_status(status: str, out_per_mille: int) -> None:
    if status not in STATUSES:
        raise StrikeError("status", f"must be one of {', '.join(STATUSES)}")
    if type(out_per_mille) is not int or not 0 <= out_per_mille <= PER_MILLE:
        raise StrikeError("out_per_mille", "must be a whole number from 0 to 1000 (per mille)")
    if status in ("working", "ended") and out_per_mille != 0:
        raise StrikeError("out_per_mille", f"a workplace that is {status} has no one out (0)")
    if status == "full_strike" and out_per_mille == 0:
        raise StrikeError("out_per_mille", "a full strike needs the share of workers out")


def workers_out(workforce: int, out_per_mille: int) -> int:
    """Workers out, rounded down: integers only, never floats."""
    return workforce * out_per_mille // PER_MILLE


@dataclass(frozen=True, slots=True)
class WorkplaceInfo:
    id: str
    committee: str
    name: str
    city: str
    region: str
    sector: str
    workforce: int


@dataclass(frozen=True, slots=True)
class StatusChange:
    workplace: str
    day: date
    status: str
    out_per_mille: int
    order: int = 0  # tie-break among changes with the same day: later applied wins


def latest(changes: Iterable[StatusChange]) -> dict[str, StatusChange]:
    """The latest change per workplace, by (day, order)."""
    best: dict[str, StatusChange] = {}
    for change in changes:
        current = best.get(change.workplace)
        if current is None or (change.day, change.order) >= (current.day, current.order):
            best[change.workplace] = change
    return best


@dataclass
class DayTotals:
    day: date
    plants_out: int = 0
    workers_out: int = 0
    by_region: dict[str, list[int]] = field(default_factory=dict)  # region -> [plants, workers]
    by_sector: dict[str, list[int]] = field(default_factory=dict)
    by_status: dict[str, int] = field(default_factory=dict)  # plants per status

    def as_dict(self) -> dict[str, object]:
        return {
            "day": self.day.isoformat(),
            "plants_out": self.plants_out,
            "workers_out": self.workers_out,
            "by_region": {k: {"plants": v[0], "workers": v[1]} for k, v in self.by_region.items()},
            "by_sector": {k: {"plants": v[0], "workers": v[1]} for k, v in self.by_sector.items()},
            "by_status": dict(self.by_status),
        }


@dataclass
class FederationTotals:
    first_day: date | None
    last_day: date | None
    days: list[DayTotals]
    workplaces: int
    workforce: int
    stale: list[str]  # workplace ids whose latest change is older than the horizon
    never_reported: list[str]  # registered workplaces with no status change held
    committees_without_workplaces: list[str]
    stale_days: int

    @property
    def today(self) -> DayTotals | None:
        return self.days[-1] if self.days else None

    def as_dict(self) -> dict[str, object]:
        return {
            "first_day": self.first_day.isoformat() if self.first_day else None,
            "last_day": self.last_day.isoformat() if self.last_day else None,
            "workplaces": self.workplaces,
            "workforce": self.workforce,
            "days": [d.as_dict() for d in self.days],
            "not_held": {
                "stale_days": self.stale_days,
                "stale_workplaces": self.stale,
                "never_reported": self.never_reported,
                "committees_without_workplaces": self.committees_without_workplaces,
            },
        }


def federation_totals(
    workplaces: Sequence[WorkplaceInfo],
    changes: Iterable[StatusChange],
    *,
    until: date | None = None,
    stale_days: int = 7,
    committees: Iterable[str] = (),
) -> FederationTotals:
    """Per-day totals from the first change to ``until`` (default: the last change).

    A workplace counts as out on a day if its latest change on or before that
    day is an out status; the workers out are its workforce times the share.
    The sweep is linear in days × workplaces with changes, plus the changes.
    """
    info = {w.id: w for w in workplaces}
    timeline: dict[str, list[StatusChange]] = defaultdict(list)
    first: date | None = None
    last: date | None = None
    for change in changes:
        if change.workplace not in info:
            continue
        timeline[change.workplace].append(change)
        if first is None or change.day < first:
            first = change.day
        if last is None or change.day > last:
            last = change.day
    end = until or last
    if first is None or end is None or end < first:
        days: list[DayTotals] = []
    else:
        days = _sweep(info, timeline, first, end)
    stale: list[str] = []
    if end is not None:
        horizon = end - timedelta(days=stale_days)
        stale = sorted(
            wid for wid, items in timeline.items() if max(c.day for c in items) < horizon
        )
    with_workplaces = {w.committee for w in workplaces}
    return FederationTotals(
        first_day=first,
        last_day=end,
        days=days,
        workplaces=len(info),
        workforce=sum(w.workforce for w in workplaces),
        stale=stale,
        never_reported=sorted(set(info) - set(timeline)),
        committees_without_workplaces=sorted(set(committees) - with_workplaces),
        stale_days=stale_days,
    )


def _sweep(
    info: dict[str, WorkplaceInfo],
    timeline: dict[str, list[StatusChange]],
    first: date,
    end: date,
) -> list[DayTotals]:
    # Changes per day, in order, so each day applies only that day's changes to
    # the running state instead of rescanning every timeline.
    by_day: dict[date, list[StatusChange]] = defaultdict(list)
    for items in timeline.values():
        for change in items:
            if change.day <= end:
                by_day[change.day].append(change)
    current: dict[str, StatusChange] = {}
    days: list[DayTotals] = []
    # Running aggregates, updated as workplaces change state.
    region: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    sector: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    status_count: dict[str, int] = defaultdict(int)
    plants = workers = 0
    day = first
    while day <= end:
        for change in sorted(by_day.get(day, ()), key=lambda c: c.order):
            place = info[change.workplace]
            old = current.get(change.workplace)
            if old is not None:
                status_count[old.status] -= 1
                if old.status in OUT_STATUSES:
                    out = workers_out(place.workforce, old.out_per_mille)
                    plants -= 1
                    workers -= out
                    region[place.region][0] -= 1
                    region[place.region][1] -= out
                    sector[place.sector][0] -= 1
                    sector[place.sector][1] -= out
            current[change.workplace] = change
            status_count[change.status] += 1
            if change.status in OUT_STATUSES:
                out = workers_out(place.workforce, change.out_per_mille)
                plants += 1
                workers += out
                region[place.region][0] += 1
                region[place.region][1] += out
                sector[place.sector][0] += 1
                sector[place.sector][1] += out
        days.append(
            DayTotals(
                day=day,
                plants_out=plants,
                workers_out=workers,
                by_region={k: list(v) for k, v in sorted(region.items()) if v[0]},
                by_sector={k: list(v) for k, v in sorted(sector.items()) if v[0]},
                by_status={k: v for k, v in sorted(status_count.items()) if v},
            )
        )
        day += timedelta(days=1)
    return days
