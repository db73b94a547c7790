"""Federation totals by day, region and sector, and what the node does not hold."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from veche.solidarity.strike import (
    STATUSES,
    StatusChange,
    StrikeError,
    WorkplaceInfo,
    check_status,
    federation_totals,
    latest,
    workers_out,
)

PLACES = [
    WorkplaceInfo("mtz", "c1", "MTZ", "Minsk", "minsk-city", "machinery", 17000),
    WorkplaceInfo("azot", "c2", "Grodno Azot", "Grodno", "grodno", "chemicals", 7000),
    WorkplaceInfo("bmz", "c3", "BMZ", "Zhlobin", "gomel", "metallurgy", 11000),
]


def d(day: int) -> date:
    return date(2020, 8, day)


def test_known_answer_over_five_days() -> None:
    changes = [
        StatusChange("mtz", d(11), "warning_strike", 100, 1),
        StatusChange("azot", d(12), "full_strike", 500, 1),
        StatusChange("mtz", d(13), "partial", 300, 2),
        StatusChange("azot", d(14), "ended", 0, 2),
    ]
    totals = federation_totals(PLACES, changes, until=d(15), stale_days=1, committees=["c4"])
    by_day = {t.day: (t.plants_out, t.workers_out) for t in totals.days}
    assert by_day == {
        d(11): (1, 1700),
        d(12): (2, 1700 + 3500),
        d(13): (2, 5100 + 3500),
        d(14): (1, 5100),
        d(15): (1, 5100),
    }
    last = totals.days[-1]
    assert last.by_region == {"minsk-city": [1, 5100]}
    assert last.by_sector == {"machinery": [1, 5100]}
    assert last.by_status == {"ended": 1, "partial": 1}
    assert totals.never_reported == ["bmz"]
    assert totals.stale == ["mtz"]  # last report 13 Aug: more than 1 day before 15 Aug
    assert totals.committees_without_workplaces == ["c4"]


def test_same_day_later_change_wins_and_back_dated_changes_count() -> None:
    changes = [
        StatusChange("bmz", d(12), "full_strike", 900, 1),
        StatusChange("bmz", d(12), "go_slow", 200, 2),
        StatusChange("bmz", d(11), "warning_strike", 50, 3),  # arrived later, dated earlier
    ]
    totals = federation_totals(PLACES, changes)
    assert [(t.day, t.workers_out) for t in totals.days] == [(d(11), 550), (d(12), 2200)]
    assert latest(changes)["bmz"].status == "go_slow"


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["mtz", "azot", "bmz"]),
            st.integers(11, 25),
            st.sampled_from(STATUSES),
            st.integers(0, 1000),
        ),
        max_size=30,
    )
)
def test_the_sweep_agrees_with_recomputing_each_day(raw: list[tuple[str, int, str, int]]) -> None:
    changes = [
        StatusChange(w, d(day), s, 0 if s in ("working", "ended") else share, i)
        for i, (w, day, s, share) in enumerate(raw)
    ]
    totals = federation_totals(PLACES, changes)
    info = {p.id: p for p in PLACES}
    for day_totals in totals.days:
        state = latest(c for c in changes if c.day <= day_totals.day)
        out = [c for c in state.values() if c.status not in ("working", "ended")]
        assert day_totals.plants_out == len(out)
        assert day_totals.workers_out == sum(
            workers_out(info[c.workplace].workforce, c.out_per_mille) for c in out
        )


@pytest.mark.parametrize(
    ("status", "share", "words"),
    [
        ("on_holiday", 0, "must be one of"),
        ("working", 100, "has no one out"),
        ("full_strike", 0, "needs the share"),
        ("partial", 1001, "from 0 to 1000"),
    ],
)
def test_bad_status_is_refused(status: str, share: int, words: str) -> None:
    with pytest.raises(StrikeError, match=words):
        check_status(status, share)
