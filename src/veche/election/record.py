"""The election record and its verifier: replay the election's events with no database.

A record is the election space's events as canonical JSON, one per line, each
line ending in a newline (``veche election export``). ``verify_record`` first
checks that the file is a node's record of one election, and **fails** at the
first problem, naming it: each line is a well-formed, correctly signed v1
event; all belong to one election space whose ``space.create`` is in the
record; every ``prev`` and every ``deps`` entry is in the record, except the
one citation of another space a record may hold: the committee's close that
called the election, named by the create (``body.call``). So any changed byte
fails. That call is reported, never checked: it is a claim about the
committee's log, which the record does not hold. Then, in the deterministic (height, id) order the nodes
use, it judges each event by the election's rules (``veche.election.rules``):
eligibility, every ballot proof, the key ceremony, the homomorphic sum, every
partial decryption, their combination, the counts and the seat allocation. An
event the rules refuse is **refused** exactly as every node refuses it: listed
in the report with its reason, and without effect (anyone can sign junk into a
space; nodes keep it as evidence, and it must not make an honest record
unverifiable). ``docs/verification.md`` states the procedure for independent
verifiers.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from veche.crypto.ballot import check_ballots
from veche.election.outcome import compute_outcome
from veche.election.rules import ElectionState, apply_event, judge_event
from veche.events.envelope import CREATE_KIND, Event, EventError, parse_event
from veche.events.order import order_events
from veche.events.registry import RuleViolation

__all__ = [
    "RecordError",
    "Refusal",
    "VerificationReport",
    "read_record",
    "replay",
    "split_record",
    "verified_state",
    "verify_record",
    "write_record",
]

#: Below this many ballots, checking them in worker processes costs more than it saves.
_PARALLEL_BALLOTS = 400


class RecordError(ValueError):
    """The record file itself is malformed (before any event is judged)."""


@dataclass(frozen=True, slots=True)
class Refusal:
    """An event in the record that the rules refuse: kept as evidence, without effect."""

    event: str
    kind: str
    author: str
    reason: str


@dataclass(frozen=True, slots=True)
class VerificationReport:
    ok: bool
    failure: str | None = None  # what failed first, for people
    item: str | None = None  # the failing event id or line, for programs
    # The verifier itself failed (a bug in veche, not the record's fault): ok is False
    # and ``failure`` says where. ``verdict`` tells the three apart.
    error: bool = False
    election: str | None = None
    title: str | None = None
    stage: str = "none"
    events: int = 0
    voters: int = 0
    ballots_cast: int = 0
    ballots_counted: int = 0
    counts: tuple[int, ...] | None = None
    counts_by_question: tuple[tuple[int, ...], ...] | None = None
    counts_by_constituency: tuple[tuple[int, ...], ...] | None = None
    winners: tuple[tuple[str, ...], ...] | None = None
    seats: tuple[int, ...] | None = None
    vacant: int | None = None  # party lists: seats no party could take (veche.counting.seats)
    # Who called the election, as the create claims it (never checked here: a node
    # holding the committee's log checks it).
    committee: str | None = None
    motion: str | None = None
    call: str | None = None
    trackers: tuple[str, ...] = field(default=(), repr=False)
    refused: tuple[Refusal, ...] = ()

    @property
    def verdict(self) -> str:
        """``ok``, ``failed`` (the record does not verify) or ``error`` (the verifier failed)."""
        return "ok" if self.ok else "error" if self.error else "failed"

    def to_json(self) -> dict[str, Any]:
        def listed(value: Any) -> Any:
            if isinstance(value, tuple):
                return [listed(v) for v in value]
            return value

        return {
            "verdict": self.verdict,
            "ok": self.ok,
            "failure": self.failure,
            "item": self.item,
            "election": self.election,
            "title": self.title,
            "stage": self.stage,
            "events": self.events,
            "voters": self.voters,
            "ballots_cast": self.ballots_cast,
            "ballots_counted": self.ballots_counted,
            "counts": listed(self.counts),
            "counts_by_question": listed(self.counts_by_question),
            "counts_by_constituency": listed(self.counts_by_constituency),
            "winners": listed(self.winners),
            "seats": listed(self.seats),
            "vacant": self.vacant,
            "call": None
            if self.call is None
            else {
                "committee": self.committee,
                "motion": self.motion,
                "close": self.call,
                "checked": False,
            },
            "refused": [
                {"event": r.event, "kind": r.kind, "author": r.author, "reason": r.reason}
                for r in self.refused
            ],
        }


def split_record(data: bytes) -> list[bytes]:
    """Cut a record file into event lines: every line ends in ``\\n``, none is empty."""
    if not data:
        raise RecordError("the record is empty")
    if not data.endswith(b"\n"):
        raise RecordError("the record's last line does not end in a newline")
    lines = data[:-1].split(b"\n")
    for number, line in enumerate(lines, start=1):
        if not line:
            raise RecordError(f"line {number} is empty")
    return lines


def read_record(path: str | os.PathLike[str]) -> list[bytes]:
    with open(path, "rb") as handle:
        return split_record(handle.read())


def write_record(events: Iterable[Event]) -> bytes:
    return b"".join(e.raw + b"\n" for e in events)


def _describe(event: Event) -> str:
    return f"event {event.id} ({event.kind} by {event.author[:10]}…)"


class _Failure(Exception):
    def __init__(self, message: str, item: str) -> None:
        super().__init__(message)
        self.message = message
        self.item = item
        self.error = False  # True: the verifier failed, not the record (``_error``)


def _parse_all(lines: Sequence[bytes]) -> list[Event]:
    events: list[Event] = []
    seen: dict[str, int] = {}
    for number, line in enumerate(lines, start=1):
        try:
            event = parse_event(line)
        except EventError as exc:
            raise _Failure(f"line {number}: {exc} [{exc.rule}]", f"line {number}") from None
        if event.id in seen:
            raise _Failure(
                f"line {number}: the same event as line {seen[event.id]}", f"line {number}"
            )
        seen[event.id] = number
        events.append(event)
    return events


def _check_structure(
    events: list[Event], space_type: str = "election"
) -> tuple[list[Event], dict[str, str]]:
    """Hard failures (the file is not a node's record of one election), then the order.

    ``space_type``: the type the record's space must have (``pledge`` records, which
    run as elections, are checked the same way by ``veche.pledge.record``).

    Returns the ordered events and the events that, as on every node, have no effect
    whatever their content: an equivocating author's events from the forked seq on,
    and events whose ``prev`` is not the author's previous event.
    """
    creates = [e for e in events if e.kind == CREATE_KIND]
    if len(creates) != 1:
        raise _Failure(f"the record holds {len(creates)} space.create events, not 1", "record")
    space = creates[0].id
    if creates[0].body.get("type") != space_type:
        raise _Failure(
            f"the record's space is not an {space_type}"
            if space_type == "election"
            else f"the record's space is not a {space_type}",
            creates[0].id,
        )
    by_id = {e.id: e for e in events}
    # The committee's close the create cites (body.call) is of another space: the only
    # parent a record does not hold. Placed without it, as a node that holds nothing
    # of the committee places it (the rules make the order of every other event the same).
    call = creates[0].body.get("call")
    slots: dict[tuple[str, int], list[str]] = {}
    inert: dict[str, str] = {}
    for event in events:
        if event.space_id != space:
            raise _Failure(f"{_describe(event)} belongs to another space", event.id)
        slots.setdefault((event.author, event.seq), []).append(event.id)
        if event.prev is not None:
            previous = by_id.get(event.prev)
            if previous is None:
                raise _Failure(f"{_describe(event)}: its prev is not in the record", event.id)
            if previous.author != event.author or previous.seq != event.seq - 1:
                inert[event.id] = f"prev is not the author's seq {event.seq - 1} [chain]"
        for dep in event.deps:
            if dep not in by_id and not (event.kind == CREATE_KIND and dep == call):
                raise _Failure(
                    f"{_describe(event)}: cites {dep}, which is not in the record", event.id
                )
    forked: dict[str, int] = {}
    for (author, seq), ids in slots.items():
        if len(ids) > 1:
            forked[author] = min(seq, forked.get(author, seq))
    for event in events:
        if event.author in forked and event.seq >= forked[event.author]:
            inert[event.id] = (
                f"the author signed two events with seq {forked[event.author]} "
                "(equivocation): held [equivocation]"
            )
    create = creates[0]
    placed = dataclasses.replace(create, deps=tuple(d for d in create.deps if d in by_id))
    ordered = order_events([placed if e is create else e for e in events])
    if ordered.missing:  # cannot happen after the checks above; kept as a guard
        event_id = sorted(ordered.missing)[0]
        raise _Failure(f"event {event_id} cannot be placed", event_id)
    return [create if e is placed else e for e in ordered.ordered], inert


def _prechecked_ballots(ordered: list[Event]) -> set[str]:
    """Verify many ballots' proofs at once on all cores, against the key the open event states.

    Only an optimisation: a ballot in the returned set skips its proof check in
    the replay, but is judged in every other respect; one that failed here is
    judged (and refused) in order, so the first failure is still the first.
    """
    from veche.crypto.ballot import Election
    from veche.crypto.group import parse_point
    from veche.election.spec import parse_spec

    casts = [
        e for e in ordered if e.kind == "ballot.cast" and isinstance(e.body.get("ballot"), dict)
    ]
    if len(casts) < _PARALLEL_BALLOTS:
        return set()
    opens = [e for e in ordered if e.kind == "election.open"]
    create = ordered[0]
    if len(opens) != 1 or create.kind != CREATE_KIND:
        return set()
    try:
        spec = parse_spec(create.id, create.author, create.body)
        election = Election(
            spec.election_id,
            parse_point(opens[0].body.get("public_key")),
            tuple(q.crypto() for q in spec.questions),
        )
    except (RuleViolation, ValueError, KeyError, TypeError):
        return set()
    from veche.crypto.encoding import canonical_json

    wires = [canonical_json(e.body["ballot"]) for e in casts]
    workers = os.cpu_count() or 1
    chunk = max(50, -(-len(wires) // workers))
    rejected = {r.index for r in check_ballots(election, wires, chunk=chunk)}
    return {e.id for i, e in enumerate(casts) if i not in rejected}


def replay(events: Sequence[Event], state: ElectionState | None = None) -> ElectionState:
    """Judge and apply events in the given order; raise RuleViolation at the first refusal."""
    state = state if state is not None else ElectionState()
    for event in events:
        judge_event(state, event)
        apply_event(state, event)
    return state


def verify_record(lines: Sequence[bytes]) -> VerificationReport:
    """Replay a record (its lines, without newlines) and check everything; see the module doc."""
    return verified_state(lines)[1]


def verified_state(
    lines: Sequence[bytes],
) -> tuple[ElectionState, VerificationReport, list[Event]]:
    """Verify a record and also return the state it leads to and its events in order
    (what a trustee's or voter's offline tool signs against)."""
    state = ElectionState()
    ordered: list[Event] = []
    count = 0
    refused: list[Refusal] = []
    event: Event | None = None  # the event being judged, named if the verifier fails
    try:
        events = _parse_all(lines)
        count = len(events)
        ordered, inert = _check_structure(events)
        checked = _prechecked_ballots([e for e in ordered if e.id not in inert])
        for event in ordered:
            if event.id in inert:
                refused.append(Refusal(event.id, event.kind, event.author, inert[event.id]))
                continue
            try:
                judge_event(state, event, proofs_checked=event.id in checked)
            except RuleViolation as violation:
                if event.kind == CREATE_KIND:
                    raise _Failure(f"{_describe(event)}: {violation}", event.id) from None
                refused.append(Refusal(event.id, event.kind, event.author, str(violation)))
                continue
            apply_event(state, event)
    except _Failure as failure:
        return state, _report(state, count, failure, refused), ordered
    except Exception as exc:  # every record gets a verdict, even on a bug in veche
        return state, _report(state, count, _error(exc, event), refused), ordered
    try:
        return state, _report(state, count, None, refused), ordered
    except Exception as exc:  # as above
        return state, _report(state, count, _error(exc, None), refused), ordered


def _error(exc: Exception, event: Event | None) -> _Failure:
    """The verifier failed unexpectedly: a verdict that says so, instead of a traceback."""
    where = _describe(event) if event is not None else "the record"
    failure = _Failure(
        f"the verifier failed at {where}: {type(exc).__name__}: {exc} "
        "(a bug in veche, not necessarily in the record: please report it)",
        event.id if event is not None else "record",
    )
    failure.error = True
    return failure


def _report(
    state: ElectionState, count: int, failure: _Failure | None, refused: list[Refusal]
) -> VerificationReport:
    spec = state.spec
    outcome = None
    if failure is None and spec is not None and state.counts is not None:
        outcome = compute_outcome(spec, state.counts)
    return VerificationReport(
        ok=failure is None,
        failure=failure.message if failure else None,
        item=failure.item if failure else None,
        error=failure.error if failure else False,
        election=spec.election_id if spec else None,
        title=spec.title if spec else None,
        stage=state.stage,
        events=count,
        voters=state.voter_count(),
        ballots_cast=state.casts,
        ballots_counted=state.counted,
        counts=outcome.counts if outcome else None,
        counts_by_question=outcome.by_question if outcome else None,
        counts_by_constituency=outcome.by_constituency if outcome else None,
        winners=outcome.winners if outcome else None,
        seats=outcome.seats if outcome else None,
        vacant=outcome.allocation.vacant if outcome and outcome.allocation else None,
        committee=spec.committee if spec else None,
        motion=spec.motion if spec else None,
        call=spec.call if spec else None,
        trackers=tuple(c.tracker for c in state.current_ballots()),
        refused=tuple(refused),
    )
