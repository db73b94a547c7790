"""A committee with a fund: Sokol, Zubr and Vasilek are treasurers (2 of 3), Rusalka a member."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from tests.factories import World

from veche.apps.fund import actions


@dataclass
class FundWorld:
    world: World
    space: str
    fund_event: str

    def who(self, name: str):  # type: ignore[no-untyped-def]
        return self.world.person(name)


@pytest.fixture
def fund(db: None) -> FundWorld:
    world = World()
    space = world.committee(
        "Sokol", ("Zubr", "Vasilek", "Rusalka"), name="Belshina strike committee"
    )
    treasurers = [world.person(n).public for n in ("Sokol", "Zubr", "Vasilek")]
    event = actions.create_fund(
        world.person("Sokol"), space, name="Belshina solidarity fund", treasurers=treasurers, k=2
    )
    return FundWorld(world, space, event.id)
