"""The pledge record and its verifier: replay a pledge's events with no database.

A record is the pledge space's events as canonical JSON, one per line, each
ending in a newline (``veche pledge export``), exactly like an election record.
``verify_record`` fails at the first problem with the file (a line that is not
a well-formed, correctly signed v1 event; an event of another space; a missing
parent; a space that is not a pledge), so any changed byte fails it; then it
judges each event in the nodes' (height, id) order by the pledge rules
(``veche.pledge.rules``). An event the rules refuse is listed with its reason
and has no effect, as on every node. The report gives the target, the
verified total and whether it was reached. Format: ``docs/formats/pledge-v1.md``.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from veche.crypto.ballot import Election, check_ballots
from veche.crypto.encoding import canonical_json
from veche.crypto.group import parse_point
from veche.election.record import (
    RecordError,
    Refusal,
    _check_structure,
    _describe,
    _error,
    _Failure,
    _parse_all,
    split_record,
)
from veche.events.envelope import CREATE_KIND, Event
from veche.events.registry import RuleViolation
from veche.pledge.rules import PledgeState, apply_event, judge_event
from veche.pledge.spec import parse_pledge

__all__ = [
    "PledgeReport",
    "RecordError",
    "split_record",
    "verified_state",
    "verify_record",
]

#: Below this many pledges, checking them in worker processes costs more than it saves.
_PARALLEL_PLEDGES = 400


@dataclass(frozen=True, slots=True)
class PledgeReport:
    ok: bool
    failure: str | None = None
    item: str | None = None
    error: bool = False  # the verifier itself failed (a bug in veche)
    pledge: str | None = None
    title: str | None = None
    workplace: str | None = None
    shop: str | None = None
    strike_date: str | None = None
    deadline: str | None = None
    needed: int | None = None
    committee: str | None = None
    strike_call: str | None = None
    stage: str = "none"
    events: int = 0
    members: int = 0
    pledges_made: int = 0  # ballot.cast events applied (re-pledges and withdrawals included)
    pledges_counted: int = 0  # members whose latest pledge is in the total (0s included)
    total: int | None = None
    crossed: bool | None = None
    refused: tuple[Refusal, ...] = ()

    @property
    def verdict(self) -> str:
        return "ok" if self.ok else "error" if self.error else "failed"

    def to_json(self) -> dict[str, Any]:
        return {
            "verdict": self.verdict,
            "ok": self.ok,
            "failure": self.failure,
            "item": self.item,
            "pledge": self.pledge,
            "title": self.title,
            "workplace": self.workplace,
            "shop": self.shop,
            "strike_date": self.strike_date,
            "deadline": self.deadline,
            "needed": self.needed,
            "committee": self.committee,
            "strike_call": self.strike_call,
            "stage": self.stage,
            "events": self.events,
            "members": self.members,
            "pledges_made": self.pledges_made,
            "pledges_counted": self.pledges_counted,
            "total": self.total,
            "crossed": self.crossed,
            "refused": [
                {"event": r.event, "kind": r.kind, "author": r.author, "reason": r.reason}
                for r in self.refused
            ],
        }


def _prechecked(ordered: list[Event]) -> set[str]:
    """Verify many pledges' proofs at once on all cores (only an optimisation: a pledge
    that failed here is judged, and refused, in order)."""
    makes = [
        e for e in ordered if e.kind == "ballot.cast" and isinstance(e.body.get("ballot"), dict)
    ]
    opens = [e for e in ordered if e.kind == "election.open"]
    create = ordered[0] if ordered else None
    if len(makes) < _PARALLEL_PLEDGES or len(opens) != 1 or create is None:
        return set()
    try:
        spec = parse_pledge(create.id, create.author, create.body).election
        election = Election(
            spec.election_id,
            parse_point(opens[0].body.get("public_key")),
            tuple(q.crypto() for q in spec.questions),
        )
    except (RuleViolation, ValueError, KeyError, TypeError):
        return set()
    wires = [canonical_json(e.body["ballot"]) for e in makes]
    workers = os.cpu_count() or 1
    chunk = max(50, -(-len(wires) // workers))
    rejected = {r.index for r in check_ballots(election, wires, chunk=chunk)}
    return {e.id for i, e in enumerate(makes) if i not in rejected}


def verify_record(lines: Sequence[bytes]) -> PledgeReport:
    """Replay a record (its lines, without newlines) and check everything; see the module doc."""
    return verified_state(lines)[1]


def verified_state(lines: Sequence[bytes]) -> tuple[PledgeState, PledgeReport, list[Event]]:
    """Verify a record; also return the state it leads to and its events in order."""
    state = PledgeState()
    ordered: list[Event] = []
    count = 0
    refused: list[Refusal] = []
    event: Event | None = None
    try:
        events = _parse_all(lines)
        count = len(events)
        ordered, inert = _check_structure(events, "pledge")
        checked = _prechecked([e for e in ordered if e.id not in inert])
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
    return state, _report(state, count, None, refused), ordered


def _report(
    state: PledgeState, count: int, failure: _Failure | None, refused: list[Refusal]
) -> PledgeReport:
    pledge = state.pledge
    return PledgeReport(
        ok=failure is None,
        failure=failure.message if failure else None,
        item=failure.item if failure else None,
        error=failure.error if failure else False,
        pledge=pledge.pledge_id if pledge else None,
        title=pledge.title if pledge else None,
        workplace=pledge.workplace if pledge else None,
        shop=pledge.shop if pledge else None,
        strike_date=pledge.strike_date if pledge else None,
        deadline=pledge.deadline if pledge else None,
        needed=pledge.needed if pledge else None,
        committee=pledge.committee if pledge else None,
        strike_call=pledge.strike_call if pledge else None,
        stage=state.stage,
        events=count,
        members=state.voter_count(),
        pledges_made=state.casts,
        pledges_counted=state.counted,
        total=state.total if failure is None else None,
        crossed=state.crossed if failure is None else None,
        refused=tuple(refused),
    )


def is_pledge_record(lines: Sequence[bytes]) -> bool:
    """Does this record's ``space.create`` make a pledge? (Cheap: it reads the creates only.)"""
    import json

    for line in lines:
        if b'"space.create"' not in line:
            continue
        try:
            document = json.loads(line)
        except ValueError:
            continue
        if document.get("kind") == CREATE_KIND:
            body = document.get("body")
            return isinstance(body, dict) and body.get("type") == "pledge"
    return False


def verified_state_of_any(
    lines: Sequence[bytes],
) -> tuple[Any, Any, list[Event]]:
    """An election's or a pledge's record, verified by its own rules: what the trustees'
    tools (``veche trustee``, the browser's trustee page) sign against, for either."""
    if is_pledge_record(lines):
        return verified_state(lines)
    from veche.election.record import verified_state as verified_election

    return verified_election(lines)
