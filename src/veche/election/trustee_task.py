"""What a trustee's browser needs for its next step, computed from the election's record.

The trustee's secrets never reach the node, so the browser (``trustee.js``) deals,
checks its shares, complains and decrypts by itself. ``trustee_task`` gives it,
from a record that verifies, the public facts it works from: the trustees, the
stage, the dealings, the tally, and where the trustee's next event goes in its
chain (``next``: seq, prev, deps, as ``veche.election.offline.next_event``
places an event). Facts the browser must not take on the node's word come as
the signed event lines themselves, which it checks: each dealing as its
``trustee.deal`` event (signed by that trustee), the electorate as the
``space.create`` (whose id is the election's) and ``election.roll`` events, the
tally as the creator's ``election.close``, and every counted ballot as its
``ballot.cast`` event, so the browser adds the ballots up per constituency
itself and decrypts nothing but their sum.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from veche.election.offline import OfflineError
from veche.election.rules import ElectionState
from veche.events.encoding import b64e
from veche.events.envelope import CREATE_KIND, Event

__all__ = ["TASK_VERSION", "next_position", "trustee_task"]

TASK_VERSION = 1


def next_position(
    events: Sequence[Event], author: str, state: ElectionState
) -> tuple[int, str | None, list[str]]:
    """(seq, prev, deps) of ``author``'s next event in the record's space.

    The same placement as ``offline.next_event``: after the author's last event, and
    citing the last event that passed the rules' parents check when that is not it.
    """
    if not events:
        raise ValueError("the record is empty")
    space = events[0].space_id
    mine = [e for e in events if e.author == author]
    last = max(mine, key=lambda e: e.seq) if mine else None
    head = next(
        (e.id for e in reversed(events) if e.id == space or state.has_passed(e.id)),
        events[-1].id,
    )
    deps = [head] if last is None or head != last.id else []
    return (last.seq + 1 if last else 1, last.id if last else None, deps)


def _text(event: Event) -> str:
    return event.raw.decode("utf-8")


def trustee_task(lines: Sequence[bytes], key: str) -> dict[str, Any]:
    """The task for the trustee whose Ed25519 public key is ``key`` (base64url).

    ``lines`` are the record's event lines (``record.split_record``). Raises
    ``offline.OfflineError`` when the record does not verify or is not an election's.
    ``index`` is null when ``key`` is not one of the election's trustees.
    """
    # As offline.load_record_state, but the report also says which events were refused.
    # A pledge (format pledge-v1) runs as an election: its record, by its own rules.
    from veche.pledge.record import verified_state_of_any

    state, report, events = verified_state_of_any(lines)
    if not report.ok:
        raise OfflineError(f"the record does not verify: {report.failure}")
    spec = state.require_spec()
    trustee = spec.trustee_by_key(key)
    refused = {r.event for r in report.refused}
    create: str | None = None
    deals: dict[str, str] = {}
    rolls: list[str] = []
    close: str | None = None
    for event in events:
        if event.id in refused:
            continue  # kept as evidence, without effect
        if event.kind == CREATE_KIND:
            create = _text(event)
        elif event.kind == "trustee.deal":
            dealer = spec.trustee_by_key(event.author)
            assert dealer is not None  # the rules applied it
            deals[str(dealer.index)] = _text(event)
        elif event.kind == "election.roll":
            rolls.append(_text(event))
        elif event.kind == "election.close":
            close = _text(event)
    assert create is not None  # a record that verifies has its create
    by_id = {e.id: e for e in events}
    ballots = [_text(by_id[cast.event_id]) for cast in state.current_ballots()]
    seq, prev, deps = next_position(events, key, state)
    return {
        "v": TASK_VERSION,
        "election": spec.election_id,
        "space": spec.election_id,
        "title": spec.title,
        "threshold": spec.threshold,
        "trustees": [{"index": t.index, "key": t.key, "box": b64e(t.box)} for t in spec.trustees],
        "index": trustee.index if trustee is not None else None,
        "stage": state.stage,
        "dealings": deals,
        "complaints": [
            {"by": by, "dealer": dealer, "reason": reason}
            for by, dealer, reason in state.complaints
        ],
        "public_key": state.key.public_key.encode() if state.key is not None else None,
        "create": create,
        "rolls": rolls,
        "close": close,
        "tally": [ct.to_json() for ct in state.tally],
        "counted": state.counted,
        "ballots": ballots if close is not None else [],
        "decrypted": sorted(state.partials),
        "next": {"seq": seq, "prev": prev, "deps": deps},
    }
