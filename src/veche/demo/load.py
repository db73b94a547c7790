"""Load the demonstration: members who can sign in, committees, their events.

Everything goes through the same actions as real use, so the demo's log is
signed and verifiable like any other. Every demo committee is marked as a
demonstration.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TextIO

from veche.apps.accounts.actions import create_account
from veche.apps.committees import actions
from veche.apps.committees.models import Committee
from veche.events import Identity

DEMO_PASSPHRASE = "veche-demo-2020"  # noqa: S105 - printed to the operator on purpose


class DemoAlreadyLoaded(Exception):
    pass


def _at(day: int, hour: int = 12, minute: int = 0) -> datetime:
    return datetime(2020, 8, day, hour, minute, tzinfo=UTC)


class Demo:
    def __init__(self) -> None:
        self.people: dict[str, Identity] = {}

    def person(self, pseudonym: str) -> Identity:
        if pseudonym not in self.people:
            _, identity = create_account(pseudonym, DEMO_PASSPHRASE)
            self.people[pseudonym] = identity
        return self.people[pseudonym]


def load_demo(out: TextIO | None = None) -> str:
    if Committee.objects.filter(demo=True).exists():
        raise DemoAlreadyLoaded("The demonstration is already loaded.")
    demo = Demo()
    founder = demo.person("Sokol")
    kozlova = actions.create_committee(
        founder,
        name="Kozlova Electrotechnical Plant strike committee",
        kind="workplace",
        level="local",
        pseudonym="Sokol",
        demo=True,
        at=_at(11, 9),
    ).id
    for index, name in enumerate(("Vasilek", "Zubr", "Rusalka")):
        code, _ = actions.invite(founder, kozlova, at=_at(11, 10 + index))
        actions.join(demo.person(name), kozlova, code, name, at=_at(11, 10 + index, 30))
    actions.post(
        founder,
        kozlova,
        "Meeting at the main gate at 14:00. We vote on our demands.",
        at=_at(11, 11),
    )
    lines = [
        "DEMONSTRATION DATA: invented people, real plants and dates (Belarus, August 2020).",
        f"Sign in as any of: {', '.join(sorted(demo.people))}",
        f"Demo passphrase for all of them: {DEMO_PASSPHRASE}",
    ]
    return "\n".join(lines)
