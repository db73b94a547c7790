"""Named people and committees for tests, built through the real actions."""

from __future__ import annotations

from dataclasses import dataclass, field

from veche.apps.committees import actions
from veche.events import Identity


@dataclass
class World:
    people: dict[str, Identity] = field(default_factory=dict)

    def person(self, name: str) -> Identity:
        if name not in self.people:
            self.people[name] = Identity(name.encode().ljust(32, b"\0")[:32])
        return self.people[name]

    def committee(self, founder: str, members: tuple[str, ...] = (), **kwargs: object) -> str:
        space = actions.create_committee(
            self.person(founder),
            name=str(kwargs.pop("name", f"{founder}'s committee")),
            kind=str(kwargs.pop("kind", "workplace")),
            level=str(kwargs.pop("level", "local")),
            pseudonym=founder,
            **kwargs,  # type: ignore[arg-type]
        ).id
        for name in members:
            code, _ = actions.invite(self.person(founder), space)
            actions.join(self.person(name), space, code, name)
        return space
