"""trustee_task: what a trustee's browser works from, computed from the record alone."""

from __future__ import annotations

import json

import pytest

from veche.crypto.threshold import deal
from veche.election.offline import OfflineError, load_record_state, next_event
from veche.election.trustee_task import next_position, trustee_task
from veche.events import Identity
from veche.events.envelope import parse_event


def _placement(lines, identity):
    events, state = load_record_state(lines)
    event = next_event(events, identity, "trustee.complain", {"dealer": 1, "reason": "x"}, state)
    return event.seq, event.prev, list(event.deps)


def _next(task):
    return task["next"]["seq"], task["next"]["prev"], task["next"]["deps"]


def test_the_task_follows_the_ceremony(builder):
    b = builder()
    b.create()
    me = b.signers[1]
    task = trustee_task(b.lines(), me.public)
    assert json.loads(json.dumps(task)) == task  # served as JSON
    assert task["election"] == task["space"] == b.events[0].id
    assert task["index"] == 2 and task["threshold"] == 2 and task["stage"] == "created"
    assert [t["index"] for t in task["trustees"]] == [1, 2, 3]
    assert task["trustees"][1]["key"] == me.public
    assert task["create"].encode() == b.events[0].raw
    assert task["dealings"] == {} and task["public_key"] is None and task["close"] is None
    assert _next(task) == _placement(b.lines(), me) == (1, None, [b.events[0].id])

    b.deal_all()
    task = trustee_task(b.lines(), me.public)
    assert sorted(task["dealings"]) == ["1", "2", "3"]
    for index, line in task["dealings"].items():
        event = parse_event(line.encode())
        assert event.kind == "trustee.deal" and event.author == b.signers[int(index) - 1].public
    # After its own dealing, the trustee's next event follows it and cites the head.
    assert _next(task) == _placement(b.lines(), me)
    assert task["next"]["seq"] == 2


def test_the_task_after_the_close_holds_the_counted_ballots(builder):
    b = builder(voters=3)
    b.create()
    b.deal_all()
    b.open()
    b.cast(b.voters[0], [[1, 0, 0]])
    b.cast(b.voters[1], [[0, 1, 0]])
    replaced = b.events[-1]
    b.cast(b.voters[1], [[0, 0, 1]])  # a re-vote: only this one counts
    close = b.close()
    task = trustee_task(b.lines(), b.signers[0].public)
    assert task["stage"] == "closed" and task["counted"] == 2
    assert task["close"].encode() == close.raw
    assert task["tally"] == close.body["tally"]
    ballots = [parse_event(line.encode()) for line in task["ballots"]]
    assert [e.author for e in ballots] == [b.voters[0].public, b.voters[1].public]
    assert replaced.id not in {e.id for e in ballots}
    assert task["public_key"] == b.state.key.public_key.encode()
    assert task["decrypted"] == []
    b.decrypt(1)
    task = trustee_task(b.lines(), b.signers[0].public)
    assert task["decrypted"] == [1]
    assert _next(task) == _placement(b.lines(), b.signers[0])


def test_refused_events_are_left_out(builder):
    b = builder()
    b.create()
    b.deal_all()
    # A second dealing by trustee 1 is refused ("dealt already"); a roll by a voter too.
    again = deal(b.events[0].id, 1, 2, [bytes(x.public_key) for x in b.boxes])
    b.writer.write(b.signers[0], "trustee.deal", {"dealing": again.to_json()}, judge=False)
    b.writer.write(
        b.voters[0],
        "election.roll",
        {"voters": [{"keys": [Identity.generate().public]}]},
        judge=False,
    )
    task = trustee_task(b.lines(), b.signers[0].public)
    first = next(e for e in b.events if e.kind == "trustee.deal")
    assert task["dealings"]["1"].encode() == first.raw
    assert task["rolls"] == []


def test_a_stranger_gets_no_index_and_a_broken_record_no_task(builder):
    b = builder()
    b.create()
    stranger = Identity.generate()
    task = trustee_task(b.lines(), stranger.public)
    assert task["index"] is None
    assert _next(task) == _placement(b.lines(), stranger)
    tampered = [*b.lines(), b.lines()[0].replace(b"Strike", b"Strikx")]
    with pytest.raises(OfflineError, match="does not verify"):
        trustee_task(tampered, stranger.public)


def test_next_position_needs_events(builder):
    b = builder()
    b.create()
    _, state = load_record_state(b.lines())
    with pytest.raises(ValueError, match="empty"):
        next_position([], b.signers[0].public, state)
