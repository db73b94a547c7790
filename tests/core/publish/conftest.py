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

    documents: dict[str, bytes] = field(default_factory=dict)

    def sign(
        self,
        who: Identity,
        space: str | None,
        kind: str,
        body: dict[str, Any],
        deps: tuple[str, ...] = (),
    ) -> Event:
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
            deps=deps,
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

    def publish_fund_report(self, treasurer: Identity, space: str, **changes: Any) -> Event:
        """The committee's fund (one treasurer) and its August report: donations in, two
        payouts out, as ``veche fund report`` writes report.json and report.html."""
        from veche.events.encoding import b64e
        from veche.publish.facts import fund_report_files
        from veche.solidarity.report import (
            document_bytes,
            make_document,
            render_html,
            report_digest,
        )

        rules = {"name": "Фонд МТЗ", "treasurers": [treasurer.public], "k": 1}
        fund = self.sign(treasurer, space, "fund.create", rules)
        report = {
            "fund": {**rules, "space": space},
            "period": "2020-08",
            "from": "2020-08-01",
            "to": "2020-08-31",
            "in": {"donation": {"BYN": 1250000}, "pledge": {"EUR": 30000}},
            "out": {"costs": {"BYN": 4500}, "payouts": {"BYN": 120000}},
            "payouts": 2,
            "recipients": 2,
            "commitments": [
                {
                    "payout": "payout-01",
                    "commitment": b64e(bytes([1] * 32)),
                    "amount": 70000,
                    "currency": "BYN",
                },
                {
                    "payout": "payout-02",
                    "commitment": b64e(bytes([2] * 32)),
                    "amount": 50000,
                    "currency": "BYN",
                },
            ],
        }
        report.update(changes)
        publication = self.sign(
            treasurer,
            space,
            "fund.report",
            {"period": "2020-08", "digest": report_digest(report)},
            deps=(fund.id,),
        )
        document = make_document(report, publication.raw, fund.raw)
        json_path, html_path = fund_report_files(publication.id)
        self.documents[json_path] = document_bytes(document)
        self.documents[html_path] = render_html(document).encode("utf-8")
        return publication

    def publish_election(
        self, creator: Identity, committee: str, call: str, public_board: bool = True
    ) -> str:
        """A decided election the committee called (``call``: its close) with the board
        published; its record as ``veche election export`` writes it. Returns its id."""
        from tests.core.election.conftest import Builder

        from veche.election.rules import apply_event, judge_event
        from veche.events.encoding import b64e
        from veche.publish.facts import election_record_file

        election = Builder(voters=5)
        election.creator = creator
        body: dict[str, Any] = {
            "type": "election",
            "title": "Старшыня стачкама",
            "questions": [
                {"text": "Хто старшыня?", "options": ["Алесь", "Марыя"], "min": 1, "max": 1}
            ],
            "method": "plurality",
            "seats": 1,
            "electorate": [{"keys": [v.public]} for v in election.voters],
            "trustees": [
                {"key": t.public, "box": b64e(bytes(b.public_key))}
                for t, b in zip(election.signers, election.boxes, strict=True)
            ],
            "threshold": 2,
            "committee": committee,
            "motion": call,
            "call": call,
            "public_board": public_board,
        }
        create = build_event(
            creator,
            space=None,
            seq=1,
            prev=None,
            kind="space.create",
            body=body,
            deps=[call],
            at="2020-08-20T09:00:00Z",
        )
        judge_event(election.state, create)
        apply_event(election.state, create)
        election.writer.events.append(create)
        election.writer._last[creator.public] = create
        election.deal_all()
        election.open()
        for voter, choice in zip(election.voters, [0, 1, 0, 0, 1], strict=True):
            election.cast(voter, [[1, 0] if choice == 0 else [0, 1]])
        election.close()
        election.decrypt(1)
        election.decrypt(2)
        election.result()
        self.documents[election_record_file(create.id)] = b"".join(
            e.raw + b"\n" for e in election.events
        )
        return create.id

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
    world.fund_report = world.publish_fund_report(member, plant)  # type: ignore[attr-defined]
    world.election = world.publish_election(founder, plant, letter.id)  # type: ignore[attr-defined]
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
