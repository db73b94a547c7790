"""A committee with a fund (Sokol, Zubr treasurers, 2 of 2; Rusalka, Vasilek members) and a
participatory budget of 1,000 BYN whose proposals close in an hour and voting in two."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from tests.clock import EventClock
from tests.factories import World

from veche.apps.fund import actions as fund_actions
from veche.apps.planning import actions


@dataclass
class BudgetWorld:
    world: World
    space: str
    budget: str
    clock: type[EventClock]
    proposals_close: datetime
    votes_close: datetime

    def who(self, name: str):  # type: ignore[no-untyped-def]
        return self.world.person(name)

    def to_voting(self) -> None:
        self.clock.pass_(self.proposals_close)

    def to_close(self) -> None:
        self.clock.pass_(self.votes_close)


@pytest.fixture
def plan(db: None, monkeypatch: pytest.MonkeyPatch) -> BudgetWorld:
    clock = EventClock.install(monkeypatch)
    world = World()
    space = world.committee("Sokol", ("Zubr", "Vasilek", "Rusalka"), name="Minsk city committee")
    treasurers = [world.person(n).public for n in ("Sokol", "Zubr")]
    fund_actions.create_fund(
        world.person("Sokol"), space, name="Minsk solidarity fund", treasurers=treasurers, k=2
    )
    fund_actions.record_donation(
        world.person("Sokol"), space, day="2020-08-14", amount=5000_00, currency="BYN"
    )
    now = datetime.now(UTC).replace(microsecond=0)
    proposals_close, votes_close = now + timedelta(hours=1), now + timedelta(hours=2)
    budget = actions.open_budget(
        world.person("Sokol"),
        space,
        title="Solidarity fund, September",
        amount=1000_00,
        from_fund=True,
        proposals_close=proposals_close,
        votes_close=votes_close,
    )
    return BudgetWorld(world, space, budget.id, clock, proposals_close, votes_close)
