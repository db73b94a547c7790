"""Checking stored bytes, and the digest that compares two nodes' states."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from veche.apps.store.kinds import PROJECTIONS
from veche.apps.store.models import EquivocationRecord, StoredEvent
from veche.apps.store.outcomes import Problem
from veche.events import Event, EventError, parse_event

__all__ = ["VerifyReport", "state_digest", "verify_report", "verify_stored"]


def verify_stored(space: str | None = None) -> tuple[int, list[Problem]]:
    """Re-verify every stored event's bytes, signature and id against its row.

    A redacted event (event-v1 §16.5) cannot be verified by itself: it is checked by
    the events that name it in ``prev`` (their signed author, space and seq), by the
    retention rule it cites (its space's, and old enough counted from its vouched
    time: the signed ``at`` of its author's next events) and by its kept fields (the
    kind's schema). ``redacted_tips`` counts the redacted events nothing names.
    """
    report = verify_report(space)
    return report.count, report.problems


@dataclass
class VerifyReport:
    count: int = 0
    redacted: int = 0
    redacted_tips: int = 0
    problems: list[Problem] = field(default_factory=list)


def verify_report(space: str | None = None, now: datetime | None = None) -> VerifyReport:
    from veche.apps.store.retention import chain_refusal, check_redacted, vouched_times

    moment = now or datetime.now(UTC)
    query = StoredEvent.objects.all()
    if space is not None:
        query = query.filter(space=space)
    report = VerifyReport()
    problems = report.problems
    redacted: dict[str, Event] = {}
    successors: dict[str, list[Event]] = {}
    named: set[str] = set()
    rows = query.order_by("id").values_list(
        "id", "raw", "space", "author", "seq", "kind", "redacted"
    )
    for event_id, raw, row_space, author, seq, kind, is_redacted in rows.iterator(chunk_size=2000):
        report.count += 1
        try:
            event = parse_event(bytes(raw), verify=not is_redacted)
        except EventError as error:
            problems.append(Problem(event_id, f"{error.field}: {error.message} [{error.rule}]"))
            continue
        named.update(event.deps)
        if event.prev is not None:
            named.add(event.prev)
            successors.setdefault(event.prev, []).append(event)
        if is_redacted != bool(event.redacted):
            problems.append(Problem(event_id, "the row's redacted flag disagrees with its bytes"))
        elif is_redacted:
            redacted[event_id] = event
        if event.id != event_id:
            problems.append(Problem(event_id, f"stored bytes hash to {event.id}, not to its id"))
        elif (event.space_id, event.author, event.seq, event.kind) != (
            row_space,
            author,
            seq,
            kind,
        ):
            problems.append(Problem(event_id, "index columns disagree with the signed event"))
    report.redacted = len(redacted)
    # The vouched time of each redacted event (event-v1 §16.4): its author's later
    # events, each whole (its signed `at`) or redacted (its own vouched time).
    chains = dict(redacted)
    for event in redacted.values():
        for successor in successors.get(event.id, ()):
            chains.setdefault(successor.id, successor)
    vouched = vouched_times(chains.values())
    for event_id, event in sorted(redacted.items()):
        cited = event_id in named
        if not cited:
            report.redacted_tips += 1
        refusal = None
        for successor in successors.get(event_id, ()):
            refusal = refusal or chain_refusal(event, successor)
        refusal = refusal or check_redacted(
            event, moment, cited=True, vouched=vouched.get(event_id)
        )
        if refusal is not None:
            problems.append(Problem(event_id, f"redacted: {refusal}"))
    return report


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, bytes | memoryview):
        return bytes(value).hex()
    return str(value)


def state_digest(space: str | None = None) -> str:
    """A hash of the projected state; equal on every node that holds the same events."""
    digest = hashlib.blake2b(digest_size=32)
    spaces = (
        [space]
        if space is not None
        else list(StoredEvent.objects.values_list("space", flat=True).distinct().order_by("space"))
    )
    for name in spaces:
        digest.update(json.dumps(["space", name]).encode())
        statuses = StoredEvent.objects.filter(space=name).order_by("id").values_list("id", "status")
        for chunk in _batched(statuses.iterator(chunk_size=5000), 5000):
            digest.update(json.dumps(chunk, separators=(",", ":")).encode())
        equivocations = EquivocationRecord.objects.filter(space=name).order_by(
            "author", "seq", "first", "second"
        )
        digest.update(
            json.dumps(list(equivocations.values_list("author", "seq", "first", "second"))).encode()
        )
        for projection in PROJECTIONS:
            digest.update(json.dumps(["model", projection.model._meta.label]).encode())
            values = (
                projection.model._default_manager.filter(space=name)
                .order_by(*projection.order)
                .values_list(*projection.digest)
            )
            for chunk in _batched(values.iterator(chunk_size=5000), 5000):
                digest.update(
                    json.dumps(
                        chunk,
                        separators=(",", ":"),
                        ensure_ascii=False,
                        sort_keys=True,  # JSON columns: PostgreSQL's jsonb reorders keys
                        default=_json_default,
                    ).encode()
                )
    return digest.hexdigest()


def _batched(rows: Iterator[Any], size: int) -> Iterator[list[Any]]:
    batch: list[Any] = []
    for row in rows:
        batch.append(list(row) if isinstance(row, tuple) else row)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch
