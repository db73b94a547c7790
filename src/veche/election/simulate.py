"""A whole election in memory, with real keys and real signed events.

``simulate`` plays every part: the creator, ``voters`` voters with their own
Ed25519 keys, ``trustees`` trustees with X25519 box keys who deal, open their
shares and decrypt (one stays away when the threshold allows it). Voters pick
at random; the true counts of what was encrypted are returned beside the
record, so that ``veche election verify`` can be checked against them.
"""

from __future__ import annotations

import contextlib
import random
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from nacl.public import PrivateKey

from veche.crypto.ballot import encrypt_ballot
from veche.crypto.threshold import deal as deal_shares
from veche.crypto.threshold import open_share, partial_decrypt, trustee_secret
from veche.election.outcome import compute_outcome
from veche.election.rules import (
    REGISTRY,
    ElectionState,
    apply_event,
    compute_tally,
    decrypted_counts,
    election_key,
    judge_event,
    judge_parents,
)
from veche.election.spec import MAX_VOTERS_PER_EVENT
from veche.events.encoding import b64e
from veche.events.envelope import Event, build_event
from veche.events.identity import Identity
from veche.events.registry import RuleViolation

__all__ = ["EventWriter", "Simulation", "simulate"]


class EventWriter:
    """Signs events in one space like a node would: per-author chains, deps on the head."""

    def __init__(self, state: ElectionState | None = None, *, check: bool = True) -> None:
        self.events: list[Event] = []
        self.state = state if state is not None else ElectionState()
        self.check = check
        self._last: dict[str, Event] = {}
        self._clock = datetime(2020, 8, 20, 9, 0, tzinfo=UTC)

    @property
    def space(self) -> str | None:
        return self.events[0].id if self.events else None

    def write(
        self, identity: Identity, kind: str, body: dict[str, Any], *, judge: bool = True
    ) -> Event:
        """Sign, judge and apply; ``judge=False`` only signs and appends (tests forge so)."""
        last = self._last.get(identity.public)
        # Like a node, follow the latest event the rules judged (never junk).
        head = next(
            (
                e.id
                for e in reversed(self.events)
                if e.id == self.space or self.state.has_passed(e.id)
            ),
            None,
        )
        deps = [head] if head is not None and (last is None or head != last.id) else []
        self._clock += timedelta(seconds=1)
        event = build_event(
            identity,
            space=self.space,
            seq=last.seq + 1 if last else 1,
            prev=last.id if last else None,
            kind=kind,
            body=body,
            deps=deps,
            at=self._clock,
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


@dataclass(frozen=True, slots=True)
class Simulation:
    record: bytes
    election: str
    true_counts: tuple[int, ...]
    absent_trustee: int | None
    voters: int
    seconds: float


def simulate(
    *,
    voters: int,
    options: int,
    trustees: int,
    threshold: int,
    method: str = "plurality",
    seed: int | None = None,
    check_ballots: bool = True,
    totals: bool = False,
) -> Simulation:
    """Run an election of ``voters`` random voters over one question of ``options`` options.

    ``method`` "plurality" marks one option; "approval" marks any number of options.
    ``check_ballots`` False skips re-verifying the simulated ballots as they are cast
    (the record is verified separately anyway). ``totals``: a needs survey
    (election-v1 ``totals``): options "1".."options", each voter marks one or none, and
    ``true_counts`` is the one total.
    """
    if voters < 1 or options < 1 or not 1 <= threshold <= trustees:
        raise ValueError("need voters >= 1, options >= 1 and 1 <= threshold <= trustees")
    started = time.perf_counter()
    choose = random.Random(seed)  # noqa: S311 - the voters' choices, not key material
    creator = Identity.generate()
    people = [Identity.generate() for _ in range(voters)]
    signers = [Identity.generate() for _ in range(trustees)]
    boxes = [PrivateKey.generate() for _ in range(trustees)]
    writer = EventWriter(check=check_ballots)
    electorate = [{"keys": [p.public]} for p in people]
    writer.write(
        creator,
        "space.create",
        {
            "type": "election",
            "title": f"Simulated election: {voters} voters, {options} options",
            "questions": [
                {
                    "text": "Who should chair the strike committee?",
                    "options": [
                        str(k + 1) if totals else f"Option {k + 1}" for k in range(options)
                    ],
                    "min": 0 if method == "approval" or totals else 1,
                    "max": options if method == "approval" else 1,
                }
            ],
            "method": method,
            "seats": 1,
            "electorate": electorate[:MAX_VOTERS_PER_EVENT],
            "trustees": [
                {"key": s.public, "box": b64e(bytes(b.public_key))}
                for s, b in zip(signers, boxes, strict=True)
            ],
            "threshold": threshold,
            **({"totals": True} if totals else {}),
        },
    )
    eid = writer.space
    assert eid is not None
    for start in range(MAX_VOTERS_PER_EVENT, voters, MAX_VOTERS_PER_EVENT):
        writer.write(
            creator, "election.roll", {"voters": electorate[start : start + MAX_VOTERS_PER_EVENT]}
        )
    box_keys = [bytes(b.public_key) for b in boxes]
    dealings = []
    for j, signer in enumerate(signers, start=1):
        dealing = deal_shares(eid, j, threshold, box_keys)
        dealings.append(dealing)
        writer.write(signer, "trustee.deal", {"dealing": dealing.to_json()})
    key = election_key(writer.state)
    writer.write(creator, "election.open", {"public_key": key.public_key.encode()})
    election = writer.state.crypto_election()
    true_counts = [0] * options
    for person in people:
        if method == "approval":
            marks = [choose.randint(0, 1) for _ in range(options)]
        else:
            marks = [0] * options
            marks[choose.randrange(options)] = 1
        for k, m in enumerate(marks):
            true_counts[k] += m
        ballot, _ = encrypt_ballot(election, [marks])
        writer.write(person, "ballot.cast", {"ballot": ballot.to_json()})
    if totals:
        true_counts = [sum((k + 1) * c for k, c in enumerate(true_counts))]
    tally, counted = compute_tally(writer.state)
    writer.write(
        creator, "election.close", {"ballots": counted, "tally": [ct.to_json() for ct in tally]}
    )
    absent = choose.randrange(1, trustees + 1) if threshold < trustees else None
    for j, (signer, box) in enumerate(zip(signers, boxes, strict=True), start=1):
        if j == absent:
            continue
        secret = trustee_secret([open_share(d, j, box) for d in dealings])
        partial = partial_decrypt(key, j, secret, list(writer.state.tally))
        writer.write(signer, "trustee.decrypt", {"partial": partial.to_json()})
    counts = decrypted_counts(writer.state)
    outcome = compute_outcome(writer.state.require_spec(), counts)
    body: dict[str, Any] = {"counts": counts}
    if outcome.seats is not None:
        body["seats"] = list(outcome.seats)
    writer.write(creator, "election.result", body)
    return Simulation(
        record=b"".join(e.raw + b"\n" for e in writer.events),
        election=eid,
        true_counts=tuple(true_counts),
        absent_trustee=absent,
        voters=voters,
        seconds=time.perf_counter() - started,
    )
