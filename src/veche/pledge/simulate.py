"""A whole pledge in memory, with real keys and real signed events (tests, bench, CLI).

``PledgeWriter`` signs events in one pledge space like a node would and judges
each by the pledge rules; ``simulate_pledge`` plays every part: the creator,
the members (each pledging 1 or 0, or not answering), and the trustees who deal,
open their shares and decrypt the one total.
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from nacl.public import PrivateKey

from veche.crypto.ballot import encrypt_ballot
from veche.crypto.group import Scalar
from veche.crypto.threshold import deal as deal_shares
from veche.crypto.threshold import open_share, partial_decrypt, trustee_secret
from veche.election.rules import compute_tally, decrypted_counts, election_key, judge_parents
from veche.events.encoding import b64e
from veche.events.envelope import Event, build_event
from veche.events.identity import Identity
from veche.events.registry import RuleViolation
from veche.pledge.reveal import (
    BLIND_KIND,
    DECRYPT_KIND,
    blind_round,
    crossed_of,
    decrypt_bodies,
    round_bodies,
)
from veche.pledge.rules import REGISTRY, PledgeState, apply_event, judge_event, reveal_context

__all__ = ["PledgeRun", "PledgeWriter", "seal_pledge", "simulate_pledge"]

START = datetime(2020, 8, 20, 9, 0, tzinfo=UTC)


class PledgeWriter:
    """Signs events in one pledge space: per-author chains, deps on the judged head."""

    def __init__(self, *, check: bool = True) -> None:
        self.events: list[Event] = []
        self.state = PledgeState()
        self.check = check
        self._last: dict[str, Event] = {}
        self.clock = START

    @property
    def space(self) -> str | None:
        return self.events[0].id if self.events else None

    def write(
        self,
        identity: Identity,
        kind: str,
        body: dict[str, Any],
        *,
        judge: bool = True,
        at: datetime | None = None,
    ) -> Event:
        """Sign, judge and apply; ``judge=False`` only signs and appends (tests forge so)."""
        last = self._last.get(identity.public)
        head = next(
            (
                e.id
                for e in reversed(self.events)
                if e.id == self.space or self.state.has_passed(e.id)
            ),
            None,
        )
        deps = [head] if head is not None and (last is None or head != last.id) else []
        self.clock = at if at is not None else self.clock + timedelta(seconds=1)
        event = build_event(
            identity,
            space=self.space,
            seq=last.seq + 1 if last else 1,
            prev=last.id if last else None,
            kind=kind,
            body=body,
            deps=deps,
            at=self.clock,
        )
        if judge:
            if self.check or kind != "ballot.cast":
                judge_event(self.state, event)
            else:
                judge_parents(self.state, event)
            apply_event(self.state, event)
        elif event.space is not None:
            with contextlib.suppress(RuleViolation):  # as the verifier will judge it
                REGISTRY.get(kind).check_body(event)
                judge_parents(self.state, event)
        self._last[identity.public] = event
        self.events.append(event)
        return event

    def record(self) -> bytes:
        return b"".join(e.raw + b"\n" for e in self.events)


def seal_pledge(state: PledgeState, value: int) -> dict[str, Any]:
    """A member's pledge body: 1 (I strike) or 0 (no, or withdraw), sealed with its proofs."""
    ballot, _ = encrypt_ballot(state.crypto_election(), [[value]])
    return {"ballot": ballot.to_json()}


@dataclass
class PledgeRun:
    """A pledge played through; the people are kept so tests can act on."""

    writer: PledgeWriter
    creator: Identity
    members: list[Identity]
    trustees: list[Identity]
    boxes: list[PrivateKey]
    dealings: list[Any] = field(default_factory=list)

    @property
    def state(self) -> PledgeState:
        return self.writer.state

    def pledge(self, member: int, value: int, **kwargs: Any) -> Event:
        return self.writer.write(
            self.members[member], "ballot.cast", seal_pledge(self.state, value), **kwargs
        )

    def close(self, **kwargs: Any) -> Event:
        tally, counted = compute_tally(self.state)
        deadline = datetime.strptime(self.state.require_pledge().deadline, "%Y-%m-%dT%H:%M:%SZ")  # noqa: DTZ007 (ends in Z)
        at = kwargs.pop("at", max(self.writer.clock, deadline.replace(tzinfo=UTC)))
        return self.writer.write(
            self.creator,
            "election.close",
            {"ballots": counted, "tally": [ct.to_json() for ct in tally]},
            at=at,
            **kwargs,
        )

    def decrypt(self, trustees: Sequence[int] | None = None) -> None:
        key = self.state.key
        assert key is not None
        chosen = trustees if trustees is not None else range(1, len(self.trustees) + 1)
        for j in chosen:
            partial = partial_decrypt(key, j, self.secret(j), list(self.state.tally))
            self.writer.write(
                self.trustees[j - 1], "trustee.decrypt", {"partial": partial.to_json()}
            )

    def secret(self, j: int) -> Scalar:
        return trustee_secret([open_share(d, j, self.boxes[j - 1]) for d in self.dealings])

    def blind(self, j: int, **kwargs: Any) -> list[Event]:
        """Trustee ``j``'s blinding round (pledge-v1 §7) on the current list, every part."""
        state = self.state
        pledge = state.require_pledge()
        assert state.key is not None
        blinding = blind_round(
            pledge.pledge_id,
            state.key.public_key,
            len(state.reveal.rounds) + 1,
            j,
            state.reveal.current(reveal_context(state).total, pledge.needed),
        )
        return [
            self.writer.write(self.trustees[j - 1], BLIND_KIND, body, **kwargs)
            for body in round_bodies(blinding)
        ]

    def reveal_decrypt(self, trustees: Sequence[int], **kwargs: Any) -> list[Event]:
        """Each trustee's partial decryption of the final blinded list, every part."""
        state = self.state
        assert state.key is not None
        final = state.reveal.rounds[-1][1]
        events = []
        for j in trustees:
            for body in decrypt_bodies(
                state.require_pledge().pledge_id, state.key, j, self.secret(j), final
            ):
                events.append(self.writer.write(self.trustees[j - 1], DECRYPT_KIND, body, **kwargs))
        return events

    def reveal_result(self, **kwargs: Any) -> Event:
        """A crossed-only pledge's result: crossed or not, from the final list's decryption."""
        state = self.state
        body: dict[str, Any] = {"crossed": crossed_of(reveal_context(state), state.reveal)}
        body.update(kwargs.pop("body", {}))
        return self.writer.write(self.creator, "pledge.result", body, **kwargs)

    def result(self, **kwargs: Any) -> Event:
        total = decrypted_counts(self.state)[0]
        body = {"total": total, "crossed": total >= self.state.require_pledge().needed}
        body.update(kwargs.pop("body", {}))
        return self.writer.write(self.creator, "pledge.result", body, **kwargs)


def open_pledge(
    *,
    members: int,
    needed: int | None = None,
    percent: str | None = None,
    workforce: int | None = None,
    trustees: int = 3,
    threshold: int = 2,
    deadline: str = "2020-08-25T18:00:00Z",
    workplace: str = "Belaruskali, mine 2",
    strike_date: str = "2020-08-26",
    extra: dict[str, Any] | None = None,
    check: bool = True,
) -> PledgeRun:
    """Create, deal and open a pledge of ``members`` members with fresh keys."""
    creator = Identity.generate()
    people = [Identity.generate() for _ in range(members)]
    signers = [Identity.generate() for _ in range(trustees)]
    boxes = [PrivateKey.generate() for _ in range(trustees)]
    writer = PledgeWriter(check=check)
    body: dict[str, Any] = {
        "type": "pledge",
        "title": f"Strike from {strike_date} at {workplace}",
        "workplace": workplace,
        "strike_date": strike_date,
        "deadline": deadline,
        "electorate": [{"keys": [p.public]} for p in people[:1000]],
        "trustees": [
            {"key": s.public, "box": b64e(bytes(b.public_key))}
            for s, b in zip(signers, boxes, strict=True)
        ],
        "threshold": threshold,
    }
    if needed is not None:
        body["needed"] = needed
    else:
        body["percent"] = percent
        body["workforce"] = workforce
    body.update(extra or {})
    writer.write(creator, "space.create", body)
    pid = writer.space
    assert pid is not None
    for start in range(1000, members, 1000):
        writer.write(
            creator,
            "election.roll",
            {"voters": [{"keys": [p.public]} for p in people[start : start + 1000]]},
        )
    run = PledgeRun(writer, creator, people, signers, boxes)
    box_keys = [bytes(b.public_key) for b in boxes]
    for j, signer in enumerate(signers, start=1):
        dealing = deal_shares(pid, j, threshold, box_keys)
        run.dealings.append(dealing)
        writer.write(signer, "trustee.deal", {"dealing": dealing.to_json()})
    key = election_key(writer.state)
    writer.write(creator, "election.open", {"public_key": key.public_key.encode()})
    return run


def simulate_pledge(
    *,
    values: Sequence[int | None],
    needed: int,
    trustees: int = 3,
    threshold: int = 2,
    reveal: str = "total",
) -> PledgeRun:
    """A whole pledge: member i pledges ``values[i]`` (None: does not answer). With
    ``reveal="crossed"`` trustees 1..threshold blind, then decrypt the blinded list."""
    run = open_pledge(
        members=len(values),
        needed=needed,
        trustees=trustees,
        threshold=threshold,
        extra={"reveal": reveal} if reveal != "total" else None,
    )
    for i, value in enumerate(values):
        if value is not None:
            run.pledge(i, value)
    run.close()
    if reveal == "crossed":
        for j in range(1, threshold + 1):
            run.blind(j)
        run.reveal_decrypt(range(1, threshold + 1))
        run.reveal_result()
        return run
    run.decrypt(range(1, threshold + 1))
    run.result()
    return run
