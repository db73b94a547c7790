"""Committee events built by hand (signed, chained, citing the space head) for tests
that load them into separate nodes with ``veche log import``."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from veche.apps.committees.kinds import DEFAULT_RULES, invitation_hash
from veche.events import Event, Identity, build_event


@dataclass
class Log:
    """Tracks each author's chain per space and each space's latest event, like ``record``."""

    events: list[Event] = field(default_factory=list)
    chains: dict[tuple[str, str], tuple[int, str]] = field(default_factory=dict)
    heads: dict[str, str] = field(default_factory=dict)
    clock: datetime = datetime(2020, 8, 9, 20, 0, tzinfo=UTC)
    codes: int = 0

    def fork(self) -> Log:
        """A copy that goes on alone (one side of a partition); shares nothing after this."""
        twin = copy.deepcopy(self)
        twin.events = []
        return twin

    def add(
        self,
        who: Identity,
        space: str | None,
        kind: str,
        body: dict[str, object],
        cite: tuple[str, ...] = (),
    ) -> Event:
        self.clock += timedelta(minutes=1)
        seq, prev = 1, None
        if space is not None and (space, who.public) in self.chains:
            last_seq, last_id = self.chains[(space, who.public)]
            seq, prev = last_seq + 1, last_id
        head = self.heads.get(space) if space else None
        deps = sorted({*cite, *([head] if head else [])} - {prev})
        event = build_event(
            who, space=space, seq=seq, prev=prev, kind=kind, body=body, deps=deps, at=self.clock
        )
        self.chains[(event.space_id, who.public)] = (seq, event.id)
        self.heads[event.space_id] = event.id
        self.events.append(event)
        return event

    def committee(self, founder: Identity, name: str) -> str:
        body = {
            "type": "committee",
            "name": name,
            "kind": "workplace",
            "level": "local",
            "rules": dict(DEFAULT_RULES),
            "pseudonym": "Founder",
        }
        return self.add(founder, None, "space.create", body).id

    def admit(self, inviter: Identity, space: str, newcomer: Identity, pseudonym: str) -> None:
        self.codes += 1
        code = f"CODE{self.codes:04d}ABCDEFGH"
        self.add(inviter, space, "member.invite", {"code_hash": invitation_hash(space, code)})
        self.add(newcomer, space, "member.join", {"code": code, "pseudonym": pseudonym})

    def post(self, who: Identity, space: str, text: str) -> Event:
        return self.add(who, space, "space.post", {"text": text})

    def propose(self, who: Identity, space: str, title: str) -> Event:
        body = {"kind": "general", "title": title, "text": title, "method": "yes_no"}
        return self.add(who, space, "motion.propose", body)

    def vote(self, who: Identity, space: str, motion: str, choice: str) -> Event:
        body = {"motion": motion, "version": 0, "choice": choice}
        return self.add(who, space, "motion.vote", body, cite=(motion,))
