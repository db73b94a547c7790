"""A small election built step by step with known keys, so tests can forge events."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest
from nacl.public import PrivateKey

from veche.crypto.ballot import encrypt_ballot
from veche.crypto.threshold import deal, open_share, partial_decrypt, trustee_secret
from veche.election.outcome import compute_outcome
from veche.election.rules import compute_tally, decrypted_counts, election_key
from veche.election.simulate import EventWriter
from veche.events import Event, Identity
from veche.events.encoding import b64e


class Builder:
    def __init__(
        self,
        voters: int = 4,
        options: Sequence[str] = ("Ales", "Maria", "Sviatlana"),
        trustees: int = 3,
        threshold: int = 2,
        **extra: Any,
    ) -> None:
        self.creator = Identity.generate()
        self.voters = [Identity.generate() for _ in range(voters)]
        self.signers = [Identity.generate() for _ in range(trustees)]
        self.boxes = [PrivateKey.generate() for _ in range(trustees)]
        self.writer = EventWriter()
        self.options = list(options)
        self.threshold = threshold
        self.extra = extra
        self.dealings: list[Any] = []

    @property
    def state(self) -> Any:
        return self.writer.state

    @property
    def events(self) -> list[Event]:
        return self.writer.events

    def lines(self) -> list[bytes]:
        return [e.raw for e in self.events]

    def create(self, **overrides: Any) -> Event:
        body: dict[str, Any] = {
            "type": "election",
            "title": "Strike committee chair",
            "questions": [{"text": "Who chairs?", "options": self.options, "min": 1, "max": 1}],
            "method": "plurality",
            "seats": 1,
            "electorate": [{"keys": [v.public]} for v in self.voters],
            "trustees": [
                {"key": s.public, "box": b64e(bytes(b.public_key))}
                for s, b in zip(self.signers, self.boxes, strict=True)
            ],
            "threshold": self.threshold,
        }
        body.update(self.extra)
        body.update(overrides)
        return self.writer.write(self.creator, "space.create", body)

    def deal_all(self) -> None:
        eid = self.events[0].id
        keys = [bytes(b.public_key) for b in self.boxes]
        for j, signer in enumerate(self.signers, start=1):
            dealing = deal(eid, j, self.threshold, keys)
            self.dealings.append(dealing)
            self.writer.write(signer, "trustee.deal", {"dealing": dealing.to_json()})

    def open(self) -> Event:
        key = election_key(self.state)
        return self.writer.write(
            self.creator, "election.open", {"public_key": key.public_key.encode()}
        )

    def ballot(self, marks: Sequence[Sequence[int]]) -> dict[str, Any]:
        ballot, _ = encrypt_ballot(self.state.crypto_election(), marks)
        return ballot.to_json()

    def cast(self, voter: Identity, marks: Sequence[Sequence[int]], **kw: Any) -> Event:
        return self.writer.write(voter, "ballot.cast", {"ballot": self.ballot(marks)}, **kw)

    def close(self) -> Event:
        tally, counted = compute_tally(self.state)
        return self.writer.write(
            self.creator,
            "election.close",
            {"ballots": counted, "tally": [ct.to_json() for ct in tally]},
        )

    def partial(self, j: int) -> dict[str, Any]:
        secret = trustee_secret([open_share(d, j, self.boxes[j - 1]) for d in self.dealings])
        return partial_decrypt(self.state.key, j, secret, list(self.state.tally)).to_json()

    def decrypt(self, j: int) -> Event:
        return self.writer.write(
            self.signers[j - 1], "trustee.decrypt", {"partial": self.partial(j)}
        )

    def result_body(self) -> dict[str, Any]:
        counts = decrypted_counts(self.state)
        body: dict[str, Any] = {"counts": counts}
        outcome = compute_outcome(self.state.require_spec(), counts)
        if outcome.seats is not None:
            body["seats"] = list(outcome.seats)
        return body

    def result(self) -> Event:
        return self.writer.write(self.creator, "election.result", self.result_body())

    def run(self, choices: Sequence[int]) -> None:
        """A whole election: voter i marks option choices[i]; trustees 1..t decrypt."""
        self.create()
        self.deal_all()
        self.open()
        for voter, choice in zip(self.voters, choices, strict=False):
            marks = [0] * len(self.options)
            marks[choice] = 1
            self.cast(voter, [marks])
        self.close()
        for j in range(1, self.threshold + 1):
            self.decrypt(j)
        self.result()


@pytest.fixture
def builder() -> type[Builder]:
    return Builder
