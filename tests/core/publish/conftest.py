"""A small federation of signed events for the mirror's tests: two committees, a demands
letter and an endorsement of it, a workplace with published and unpublished statuses,
an outsider's key, all built with the pure event core (no database)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest

from veche.events import Event, Identity, build_event

RULES = {"quorum_percent": 50, "majority": "simple", "admission": "invitation", "vouches_needed": 1}


@dataclass
class Chain:
    """One author's chain in one space."""

    identity: Identity
    space: str | None
    seq: int = 1
    prev: str | None = None


@dataclass
class Federation:
    events: list[Event] = field(default_factory=list)
    chains: dict[tuple[str, str], Chain] = field(default_factory=dict)
    clock: int = 0

    def sign(self, who: Identity, space: str | None, kind: str, body: dict[str, Any]) -> Event:
        chain = self.chains.get((who.public, space or ""))
        if chain is None:
            chain = Chain(who, space)
        self.clock += 1
        event = build_event(
            who,
            space=space,
            seq=chain.seq,
            prev=chain.prev,
            kind=kind,
            body=body,
            at=f"2020-08-{10 + self.clock // 24:02d}T{self.clock % 24:02d}:00:00Z",
        )
        chain.seq += 1
        chain.prev = event.id
        self.chains[(who.public, event.space_id)] = chain
        self.events.append(event)
        return event

    def committee(self, founder: Identity, name: str) -> str:
        create = self.sign(
            founder,
            None,
            "space.create",
            {
                "type": "committee",
                "name": name,
                "kind": "workplace",
                "level": "local",
                "rules": RULES,
                "pseudonym": "Founder",
            },
        )
        return create.id

    def admit(self, space: str, inviter: Identity, member: Identity, code: str) -> None:
        from veche.publish.facts import invitation_hash

        self.sign(inviter, space, "member.invite", {"code_hash": invitation_hash(space, code)})
        self.sign(member, space, "member.join", {"code": code, "pseudonym": "Member" + code[:3]})

    def passed(self, who: Identity, space: str, kind: str, title: str, **extra: Any) -> Event:
        body: dict[str, Any] = {
            "kind": kind,
            "title": title,
            "text": title + "\nPoint two.",
            "method": "yes_no",
        }
        body.update(extra)
        proposal = self.sign(who, space, "motion.propose", body)
        self.sign(
            who,
            space,
            "motion.close",
            {"motion": proposal.id, "result": {"yes": 7, "no": 2, "abstain": 1, "passed": True}},
        )
        return proposal


@pytest.fixture(scope="session")
def federation() -> Federation:
    world = Federation()
    founder, member, other = Identity.generate(), Identity.generate(), Identity.generate()
    world.outsider = Identity.generate()  # type: ignore[attr-defined]
    plant = world.committee(founder, "Стачком МТЗ")
    world.admit(plant, founder, member, "ABCD-EFGH-1234")
    letter = world.passed(member, plant, "demands", "Требования рабочих МТЗ")
    world.passed(founder, plant, "general", "Private matter")  # not a public kind
    place = world.sign(
        member,
        plant,
        "workplace.register",
        {
            "name": "МТЗ",
            "city": "Минск",
            "region": "minsk-city",
            "sector": "machinery",
            "workforce": 17000,
        },
    )
    world.sign(
        member,
        plant,
        "strike.status",
        {
            "workplace": place.id,
            "day": "2020-08-14",
            "status": "full_strike",
            "out_per_mille": 400,
            "published": True,
        },
    )
    world.sign(
        member,
        plant,
        "strike.status",
        {
            "workplace": place.id,
            "day": "2020-08-15",
            "status": "partial",
            "out_per_mille": 999,
            "published": False,
        },
    )
    world.passed(
        member,
        plant,
        "appeal",
        "Солдаты и милиционеры! Не стреляйте в свой народ",
        target={"audience": "police_army"},
    )
    # A second plant whose status a secret strike ballot's verified yes set (pledge-v1 §10).
    azot = world.sign(
        member,
        plant,
        "workplace.register",
        {
            "name": "Гродно Азот",
            "city": "Гродно",
            "region": "grodno",
            "sector": "chemicals",
            "workforce": 7000,
        },
    )
    world.ballot_result = world.sign(  # type: ignore[attr-defined]
        member,
        plant,
        "strike.ballot_result",
        {
            "ballot": azot.id,  # the ids the node's rule checked; the mirror restates them
            "election": azot.id,
            "result": azot.id,
            "workplace": azot.id,
            "day": "2020-08-14",
            "yes": 412,
            "no": 97,
        },
    )
    students = world.committee(other, "Студэнты БДУ")
    world.passed(
        other,
        students,
        "endorsement",
        "Падтрымліваем патрабаванні МТЗ",
        target={"motion": letter.id, "space": plant},
    )
    world.plant, world.students, world.place = plant, students, place.id  # type: ignore[attr-defined]
    world.member = member  # type: ignore[attr-defined]
    return world
