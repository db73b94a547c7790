"""The one write path: validate, store and project events, atomically.

``record`` signs a local event and refuses it (storing nothing) if a rule
rejects it; ``ingest`` takes events from elsewhere (sync, bundles, the CLI):
envelope failures are kept in ``RejectedInput``, rule failures are kept as
rejected events, events whose ancestors are missing wait as pending. Within a
space, events are judged in (height, id) order; one that arrives after events
it sorts before causes that space (and the spaces citing it) to be projected
again from scratch, so every node holding the same events has the same state.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import nacl.bindings
import nacl.exceptions
from django.db import connection, transaction
from django.db.models import Count

from veche.apps.store.context import Context
from veche.apps.store.kinds import APPLY, HOLD_PROVIDERS, KINDS, PROJECTIONS, foreign_citations
from veche.apps.store.models import (
    CrossReference,
    EquivocationRecord,
    ExternalCitation,
    MissingDependency,
    RejectedInput,
    Status,
    StoredEvent,
)
from veche.apps.store.reasons import TRUSTED_PREFIX, WAITING_PREFIX, explain
from veche.apps.store.rejected import keep_rejected
from veche.events import (
    Event,
    EventError,
    Identity,
    RuleViolation,
    Unverified,
    build_event,
    parse_event,
)
from veche.events.order import ChainError, check_link

logger = logging.getLogger(__name__)

__all__ = [
    "IngestReport",
    "Outcome",
    "Problem",
    "ingest",
    "ingest_events",
    "rebuild",
    "record",
    "state_digest",
    "verify_stored",
]

_PARALLEL_THRESHOLD = 256
_PIPELINE_CHUNK = 2500
_HELD_REASON = "equivocation|author|the author signed two events with one seq in this space"
# The prefixes are the ones reasons.explain reads back.
_TRUSTED_REASON = (
    TRUSTED_PREFIX
    + "deps|judged on trust: it cites events of a committee this node holds nothing of"
)


@dataclass(frozen=True)
class Outcome:
    event_id: str | None
    status: str  # applied, rejected, held, pending, duplicate, invalid
    reason: str = ""


@dataclass
class IngestReport:
    outcomes: list[Outcome] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(1 for o in self.outcomes if o.status == status)

    def summary(self) -> dict[str, int]:
        counts: dict[str, int] = defaultdict(int)
        for outcome in self.outcomes:
            counts[outcome.status] += 1
        return dict(sorted(counts.items()))


@dataclass(frozen=True)
class Problem:
    event_id: str
    message: str


# -- local writes ---------------------------------------------------------------


class RecordRefused(RuleViolation):
    """A local event the rules refuse: nothing was signed into the log."""


def record(
    identity: Identity,
    *,
    space: str | None,
    kind: str,
    body: dict[str, Any],
    deps: Sequence[str] = (),
    at: datetime | None = None,
) -> Event:
    """Sign and append a local event; raise RuleViolation and store nothing if refused."""
    with transaction.atomic():
        if space is None:
            seq, prev, head = 1, None, None
        else:
            last = (
                StoredEvent.objects.filter(space=space, author=identity.public)
                .order_by("-seq")
                .values_list("id", "seq")
                .first()
            )
            seq, prev = (last[1] + 1, last[0]) if last else (1, None)
            # Naming the space's latest event puts this one after everything the
            # node has judged, so it is judged at once, in place.
            head = (
                StoredEvent.objects.filter(space=space, height__isnull=False)
                .order_by("-height", "-id")
                .values_list("id", flat=True)
                .first()
            )
        all_deps = set(deps)
        if head is not None and head != prev:
            all_deps.add(head)
        event = build_event(
            identity,
            space=space,
            seq=seq,
            prev=prev,
            kind=kind,
            body=body,
            deps=sorted(all_deps),
            at=at,
        )
        sid = transaction.savepoint()
        outcome = ingest_events([event], source="local").outcomes[0]
        if outcome.status != Status.APPLIED:
            transaction.savepoint_rollback(sid)
            raise _refusal(outcome)
        transaction.savepoint_commit(sid)
    return event


def _refusal(outcome: Outcome) -> RuleViolation:
    rule, _, rest = outcome.reason.partition("|")
    field_name, _, message = rest.partition("|")
    return RecordRefused(rule or outcome.status, message or outcome.reason, field_name or "event")


# -- received events -------------------------------------------------------------


def _verify_chunk(items: list[tuple[bytes, bytes, bytes]]) -> list[bool]:
    results = []
    for signature, message, key in items:
        try:
            nacl.bindings.crypto_sign_open(signature + message, key)
            results.append(True)
        except (nacl.exceptions.BadSignatureError, nacl.exceptions.ValueError):
            results.append(False)
    return results


def _signed_parts(event: Event) -> tuple[bytes, bytes, bytes]:
    return event.signature, event.signed_message(), event.author_key


class _Parsed:
    """One chunk of received bytes: parsed, its signatures being verified on the pool."""

    def __init__(self, raws: Sequence[bytes], source: str, now: datetime) -> None:
        self.parsed: list[Event | None] = []
        self.outcomes: list[Outcome] = []
        self.rejected: list[RejectedInput] = []
        self.source = source
        self.now = now
        self.parts: list[tuple[bytes, bytes, bytes]] = []
        for raw in raws:
            try:
                event = parse_event(raw, verify=False)
            except EventError as error:
                self.parsed.append(None)
                self.outcomes.append(Outcome(None, "invalid", str(error)))
                self.rejected.append(_rejected_input(raw, error, source, now))
                continue
            self.parsed.append(event)
            self.outcomes.append(Outcome(None, "ok"))
            self.parts.append(_signed_parts(event))
        self.futures: list[Any] = []

    def verify_on(self, pool: ThreadPoolExecutor | None) -> None:
        if pool is None:
            return
        half = (len(self.parts) + 1) // 2
        self.futures = [
            pool.submit(_verify_chunk, self.parts[:half]),
            pool.submit(_verify_chunk, self.parts[half:]),
        ]

    def verified(self) -> tuple[list[Event], list[Outcome]]:
        flags = (
            [ok for future in self.futures for ok in future.result()]
            if self.futures
            else _verify_chunk(self.parts)
        )
        good = iter(flags)
        events: list[Event] = []
        for index, event in enumerate(self.parsed):
            if event is None:
                continue
            if next(good):
                events.append(event)
            else:
                error = EventError("sig", "signature", "does not verify under author's key")
                self.outcomes[index] = Outcome(event.id, "invalid", str(error))
                self.rejected.append(_rejected_input(event.raw, error, self.source, self.now))
        keep_rejected(self.rejected)
        return events, self.outcomes


def _rejected_input(raw: bytes, error: EventError, source: str, now: datetime) -> RejectedInput:
    return RejectedInput(
        raw=bytes(raw[: 64 * 1024 + 1]),
        field=error.field,
        rule=error.rule,
        reason=error.message,
        source=source[:200],
        received_at=now,
    )


def ingest(raws: Sequence[bytes], *, source: str) -> IngestReport:
    """Verify and append events received from elsewhere, atomically. Idempotent.

    A pipeline: while the main thread stores and projects one chunk, two threads
    verify the signatures of the next (libsodium releases the GIL).
    """
    now = datetime.now(UTC)
    merged: list[Outcome] = []
    pool = ThreadPoolExecutor(max_workers=2) if len(raws) >= _PARALLEL_THRESHOLD else None
    try:
        with transaction.atomic():
            waiting: _Parsed | None = None
            for start in range(0, len(raws), _PIPELINE_CHUNK):
                chunk = _Parsed(raws[start : start + _PIPELINE_CHUNK], source, now)
                chunk.verify_on(pool)
                if waiting is not None:
                    merged += _store(waiting, source)
                waiting = chunk
            if waiting is not None:
                merged += _store(waiting, source)
    finally:
        if pool is not None:
            pool.shutdown(wait=True)
    return IngestReport(merged)


def _store(chunk: _Parsed, source: str) -> list[Outcome]:
    events, outcomes = chunk.verified()
    report = ingest_events(events, source=source)
    by_id = {o.event_id: o for o in report.outcomes}
    merged = []
    iterator = iter(events)
    for outcome in outcomes:
        if outcome.status == "ok":
            merged.append(by_id[next(iterator).id])
        else:
            merged.append(outcome)
    return merged


@dataclass
class _Known:
    space: str
    author: str
    seq: int
    height: int | None
    status: str

    @property
    def space_id(self) -> str:
        return self.space


def _chunks(items: Sequence[str], size: int = 500) -> Iterator[Sequence[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def ingest_events(events: Iterable[Event], *, source: str) -> IngestReport:
    """Store and project verified events, in one transaction."""
    with transaction.atomic():
        return _Ingest(source).run(list(events))


class _Ingest:
    def __init__(self, source: str) -> None:
        self.source = source
        self.ctx = Context()
        self.known: dict[str, _Known] = {}
        self.cursor: dict[str, tuple[int, str]] = {}
        self.dirty: set[str] = set()
        self.now = datetime.now(UTC)
        self.received_at = connection.ops.adapt_datetimefield_value(self.now)
        self.external: list[tuple[Event, str, str]] = []

    def run(self, incoming: list[Event]) -> IngestReport:
        outcomes: dict[str, Outcome] = {}
        fresh: dict[str, Event] = {}
        for event in incoming:
            if event.id in fresh:
                outcomes.setdefault(event.id, Outcome(event.id, "duplicate"))
        for chunk in _chunks([e.id for e in incoming]):
            for event_id in StoredEvent.objects.filter(id__in=chunk).values_list("id", flat=True):
                outcomes[event_id] = Outcome(event_id, "duplicate")
        for event in incoming:
            if event.id not in outcomes:
                fresh[event.id] = event
        if not fresh:
            return IngestReport([outcomes[e.id] for e in incoming])
        self.ctx.batch_keys = {}
        self.ctx.batch_events = list(fresh.values())
        for event in fresh.values():
            self.ctx.batch_keys.setdefault(event.space_id, set()).add(event.author)
        self._load_known(fresh)
        self._detect_equivocations(fresh)
        self._load_holds(fresh)
        placed, waiting = self._place(fresh)
        rows: list[tuple[Any, ...]] = []
        statuses: dict[str, tuple[str, str]] = {}
        for event, height in placed:
            status, reason = self._judge(event, height)
            statuses[event.id] = (status, reason)
            rows.append(self._row(event, height, status, reason))
        for event, missing in waiting:
            statuses[event.id] = (Status.PENDING, WAITING_PREFIX + ", ".join(sorted(missing)))
            rows.append(self._row(event, None, Status.PENDING, statuses[event.id][1]))
        _insert_events(rows)
        MissingDependency.objects.bulk_create(
            [MissingDependency(event=e.id, missing=m) for e, ms in waiting for m in sorted(ms)],
            batch_size=500,
            ignore_conflicts=True,
        )
        self._cross_references(placed)
        placed_ids = {e.id for e, _ in placed}
        ExternalCitation.objects.bulk_create(
            [
                ExternalCitation(event=e.id, space=e.space_id, cited=d, cited_space=s)
                for e, d, s in self.external
                if e.id in placed_ids
            ],
            ignore_conflicts=True,
        )
        self._resolve_external([e.id for e, _ in placed])
        self.ctx.flush()
        self.dirty |= self.ctx.rebuild_requests
        if self.dirty:
            rebuild(self.dirty)
            for event_id, status in StoredEvent.objects.filter(id__in=list(statuses)).values_list(
                "id", "status"
            ):
                if statuses[event_id][0] != status:
                    statuses[event_id] = (status, "")
        for event_id, (status, reason) in statuses.items():
            outcomes[event_id] = Outcome(event_id, status, reason)
        self._release_waiting([e.id for e, _ in placed])
        return IngestReport([outcomes[e.id] for e in incoming])

    # -- placement ------------------------------------------------------------
    def _load_known(self, fresh: dict[str, Event]) -> None:
        wanted = sorted({p for e in fresh.values() for p in _parents(e)} - fresh.keys())
        for chunk in _chunks(wanted):
            for row in StoredEvent.objects.filter(id__in=chunk).values_list(
                "id", "space", "author", "seq", "height", "status"
            ):
                self.known[row[0]] = _Known(row[1], row[2], row[3], row[4], row[5])
        for space in {e.space_id for e in fresh.values()}:
            top = (
                StoredEvent.objects.filter(space=space, height__isnull=False)
                .order_by("-height", "-id")
                .values_list("height", "id")
                .first()
            )
            if top is not None:
                self.cursor[space] = (top[0], top[1])

    def _held_spaces(self, foreign: dict[str, dict[str, str]], fresh: dict[str, Event]) -> set[str]:
        """Spaces cited by this batch of which this node holds (or receives) any event."""
        cited = {s for citations in foreign.values() for s in citations.values()}
        held = {e.space_id for e in fresh.values()} & cited
        rest = sorted(cited - held)
        for chunk in _chunks(rest):
            held.update(
                StoredEvent.objects.filter(space__in=chunk)
                .values_list("space", flat=True)
                .distinct()
            )
        return held

    def _load_holds(self, fresh: dict[str, Event]) -> None:
        self.holds: dict[tuple[str, str], tuple[int, str]] = {}
        spaces = sorted({e.space_id for e in fresh.values()} - self.dirty)
        for chunk in _chunks(spaces):
            for space, author, seq in EquivocationRecord.objects.filter(
                space__in=chunk
            ).values_list("space", "author", "seq"):
                _merge_hold(self.holds, (space, author), (seq, _HELD_REASON))
        for provider in HOLD_PROVIDERS:
            for key, hold in provider(set(spaces)).items():
                _merge_hold(self.holds, key, hold)

    def _detect_equivocations(self, fresh: dict[str, Event]) -> None:
        slots: dict[str, dict[tuple[str, int], int]] = defaultdict(lambda: defaultdict(int))
        for event in fresh.values():
            slots[event.space_id][(event.author, event.seq)] += 1
        for space, taken in slots.items():
            if any(n > 1 for n in taken.values()):
                self.dirty.add(space)
                continue
            authors = sorted({author for author, _ in taken})
            for chunk in _chunks(authors, 200):
                stored = StoredEvent.objects.filter(space=space, author__in=chunk).values_list(
                    "author", "seq"
                )
                low = min(seq for _, seq in taken)
                if any((a, s) in taken for a, s in stored.filter(seq__gte=low).iterator()):
                    self.dirty.add(space)
                    break

    def _place(
        self, fresh: dict[str, Event]
    ) -> tuple[list[tuple[Event, int]], list[tuple[Event, set[str]]]]:
        heights: dict[str, int] = {}
        missing: dict[str, set[str]] = {}
        children: dict[str, list[str]] = defaultdict(list)
        blockers: dict[str, int] = {}
        ready: list[str] = []
        citations = {event_id: foreign_citations(e) for event_id, e in fresh.items()}
        held_spaces = self._held_spaces(citations, fresh)
        for event in fresh.values():
            count = 0
            foreign = citations[event.id]
            for parent in _parents(event):
                if parent in fresh:
                    children[parent].append(event.id)
                    count += 1
                else:
                    known = self.known.get(parent)
                    if known is None and parent in foreign and foreign[parent] not in held_spaces:
                        self.external.append((event, parent, foreign[parent]))
                    elif known is None or known.height is None:
                        missing.setdefault(event.id, set()).add(parent)
            blockers[event.id] = count
            if count == 0 and event.id not in missing:
                ready.append(event.id)
        while ready:
            event_id = ready.pop()
            event = fresh[event_id]
            heights[event_id] = 1 + max(
                (
                    heights[p] if p in heights else self.known[p].height or 0
                    for p in _parents(event)
                    if p in heights or p in self.known
                ),
                default=-1,
            )
            for child in children.get(event_id, ()):
                blockers[child] -= 1
                if blockers[child] == 0 and child not in missing:
                    ready.append(child)
        placed = sorted(
            ((fresh[i], h) for i, h in heights.items()), key=lambda item: (item[1], item[0].id)
        )
        waiting = []
        for event_id, event in fresh.items():
            if event_id not in heights:
                waits = missing.get(event_id) or {p for p in _parents(event) if p in fresh}
                waiting.append((event, waits))
        return placed, waiting

    def _judge(self, event: Event, height: int) -> tuple[str, str]:
        space = event.space_id
        key = (height, event.id)
        prev_info = self._prev_info(event)
        status, reason = _check_chain(event, prev_info)
        if space in self.dirty or (space in self.cursor and key < self.cursor[space]):
            # Out of order for its space: judged again when the space is rebuilt.
            self.dirty.add(space)
            self.ctx.note_event(event, status or Status.APPLIED)
            self.known[event.id] = _Known(space, event.author, event.seq, height, Status.APPLIED)
            return (status or Status.APPLIED), reason
        self.cursor[space] = key
        hold = self.holds.get((space, event.author))
        if status is None and hold is not None and event.seq >= hold[0]:
            status, reason = Status.HELD, hold[1]
        if status is None:
            status, reason = _judge_and_apply(self.ctx, event)
        self.ctx.note_event(event, status)
        self.known[event.id] = _Known(space, event.author, event.seq, height, status)
        return status, reason

    def _prev_info(self, event: Event) -> _Known | None:
        if event.prev is None:
            return None
        return self.known.get(event.prev)

    def _row(self, event: Event, height: int | None, status: str, reason: str) -> tuple[Any, ...]:
        return (
            event.id,
            event.space_id,
            event.author,
            event.seq,
            event.kind,
            event.at,
            height,
            status,
            reason,
            event.raw,
            self.received_at,
        )

    def _cross_references(self, placed: list[tuple[Event, int]]) -> None:
        links = set()
        for event, _ in placed:
            for dep in event.deps:
                known = self.known.get(dep)
                if known is not None and known.space != event.space_id:
                    links.add((event.space_id, known.space))
        if links:
            CrossReference.objects.bulk_create(
                [CrossReference(source=s, target=t) for s, t in sorted(links)],
                ignore_conflicts=True,
            )

    def _resolve_external(self, arrived: list[str]) -> None:
        """Events judged on trust whose citations arrived now are placed and judged again.

        Their height now counts the cited event, so the heights of the spaces that
        descend from them are recomputed (they only grow, so the old order is still
        a valid order to recompute them in) before those spaces are re-projected.
        """
        spaces: set[str] = set()
        if not ExternalCitation.objects.exists():  # the usual case: nothing on trust
            return
        for chunk in _chunks(arrived):
            rows = ExternalCitation.objects.filter(cited__in=chunk)
            spaces.update(rows.values_list("space", flat=True))
            rows.delete()
        if spaces:
            scope = _closure(spaces)
            _recompute_heights(scope)
            self.dirty |= scope

    def _release_waiting(self, arrived: list[str]) -> None:
        """Events that waited for what just arrived are placed now."""
        waiting: set[str] = set()
        for chunk in _chunks(arrived):
            waiting.update(
                MissingDependency.objects.filter(missing__in=chunk).values_list("event", flat=True)
            )
        if not waiting:
            return
        rows = list(
            StoredEvent.objects.filter(id__in=list(waiting), status=Status.PENDING).values_list(
                "id", "raw"
            )
        )
        MissingDependency.objects.filter(event__in=[r[0] for r in rows]).delete()
        StoredEvent.objects.filter(id__in=[r[0] for r in rows]).delete()
        _Ingest(self.source).run([parse_event(bytes(raw), verify=False) for _, raw in rows])


_EVENT_COLUMNS = (
    "id",
    "space",
    "author",
    "seq",
    "kind",
    "at",
    "height",
    "status",
    "reason",
    "raw",
    "received_at",
)


def _insert_events(rows: list[tuple[Any, ...]]) -> None:
    """One prepared INSERT for a batch of events: the ingest hot path."""
    if not rows:
        return
    table = connection.ops.quote_name(StoredEvent._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(c) for c in _EVENT_COLUMNS)
    marks = ", ".join(["%s"] * len(_EVENT_COLUMNS))
    with connection.cursor() as cursor:
        cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", rows)  # noqa: S608


def _recompute_heights(scope: set[str]) -> None:
    names = sorted(scope)
    rows = list(
        StoredEvent.objects.filter(space__in=names, height__isnull=False)
        .order_by("height", "id")
        .values_list("id", "raw", "height")
    )
    events = [
        (event_id, parse_event(bytes(raw), verify=False), height) for event_id, raw, height in rows
    ]
    outside = sorted({p for _, e, _ in events for p in _parents(e)} - {i for i, _, _ in events})
    heights: dict[str, int] = {}
    for chunk in _chunks(outside):
        heights.update(
            StoredEvent.objects.filter(id__in=chunk, height__isnull=False).values_list(
                "id", "height"
            )
        )
    changed = []
    for event_id, event, old in events:
        new = 1 + max((heights[p] for p in _parents(event) if p in heights), default=-1)
        heights[event_id] = new
        if new != old:
            changed.append(StoredEvent(id=event_id, height=new))
    StoredEvent.objects.bulk_update(changed, ["height"], batch_size=500)


def _parents(event: Event) -> tuple[str, ...]:
    return ((event.prev,) if event.prev else ()) + event.deps


def _check_chain(event: Event, previous: _Known | None) -> tuple[str | None, str]:
    try:
        check_link(event, previous)
    except ChainError as error:
        return Status.REJECTED, f"{error.rule}|prev|{error}"
    return None, ""


def _judge_and_apply(ctx: Context, event: Event) -> tuple[str, str]:
    try:
        KINDS.judge(ctx, event)
    except Unverified as unverified:
        return Status.UNVERIFIED, f"{unverified.rule}|{unverified.field}|{unverified.message}"
    except RuleViolation as violation:
        return Status.REJECTED, f"{violation.rule}|{violation.field}|{violation.message}"
    APPLY[event.kind](ctx, event)
    return Status.APPLIED, ""


def reason_text(reason: str) -> str:
    """Turn a stored reason ``rule|field|message`` into a sentence for people, the
    rule's sentence in the active language where it has a translation (``reasons``)."""
    explained = explain(reason)
    return "" if explained is None else str(explained)


# -- rebuilding projections -------------------------------------------------------


def _closure(spaces: set[str]) -> set[str]:
    result = set(spaces)
    frontier = set(spaces)
    while frontier:
        citing = set(
            CrossReference.objects.filter(target__in=list(frontier)).values_list(
                "source", flat=True
            )
        )
        frontier = citing - result
        result |= frontier
    return result


def rebuild(spaces: Iterable[str] | None = None) -> int:
    """Drop and re-derive the projections of ``spaces`` (all when None) from the events.

    Holds that depend on projected state (revoked keys) are found by running the
    replay again until they no longer change; a few passes at most, and only
    when a key was revoked.
    """
    with transaction.atomic():
        scope = None if spaces is None else _closure(set(spaces))
        equivocation = {key: (seq, _HELD_REASON) for key, seq in _equivocation_holds(scope).items()}
        previous: dict[tuple[str, str], tuple[int, str]] | None = None
        for _ in range(_MAX_PASSES):
            holds = dict(equivocation)
            for key, hold in (previous or {}).items():
                _merge_hold(holds, key, hold)
            count = _replay(scope, holds)
            found: dict[tuple[str, str], tuple[int, str]] = {}
            for provider in HOLD_PROVIDERS:
                for key, hold in provider(scope).items():
                    _merge_hold(found, key, hold)
            if found == (previous or {}):
                break
            previous = found
        else:
            # Holds still changing after _MAX_PASSES means revocations that undo
            # each other; the last pass stands, and verify_stored is unaffected.
            logger.warning("holds did not settle after %d passes", _MAX_PASSES)
    return count


_MAX_PASSES = 5


def _merge_hold(
    holds: dict[tuple[str, str], tuple[int, str]], key: tuple[str, str], hold: tuple[int, str]
) -> None:
    if key not in holds or hold[0] < holds[key][0]:
        holds[key] = hold


def _replay(scope: set[str] | None, holds: dict[tuple[str, str], tuple[int, str]]) -> int:
    if scope is None:
        for projection in PROJECTIONS:
            projection.model.objects.all().delete()
        events = StoredEvent.objects.filter(height__isnull=False)
    else:
        names = sorted(scope)
        for projection in PROJECTIONS:
            projection.model.objects.filter(space__in=names).delete()
        events = StoredEvent.objects.filter(height__isnull=False, space__in=names)
    ctx = Context()
    seen: dict[str, _Known] = {}
    changed: list[StoredEvent] = []
    count = 0
    rows = events.order_by("height", "id").values_list("id", "raw", "status", "reason")
    for event_id, raw, old_status, old_reason in rows.iterator(chunk_size=2000):
        event = parse_event(bytes(raw), verify=False)
        previous = seen.get(event.prev) if event.prev else None
        if previous is None and event.prev is not None:
            info = (
                StoredEvent.objects.filter(id=event.prev)
                .values_list("space", "author", "seq", "height", "status")
                .first()
            )
            previous = _Known(*info) if info else None
        status, reason = _check_chain(event, previous)
        hold = holds.get((event.space_id, event.author))
        if status is None and hold is not None and event.seq >= hold[0]:
            status, reason = Status.HELD, hold[1]
        if status is None:
            status, reason = _judge_and_apply(ctx, event)
        ctx.note_event(event, status)
        seen[event_id] = _Known(event.space_id, event.author, event.seq, 0, status)
        if status != old_status or reason != old_reason:
            changed.append(StoredEvent(id=event_id, status=status, reason=reason))
        count += 1
    ctx.flush()
    StoredEvent.objects.bulk_update(changed, ["status", "reason"], batch_size=500)
    return count


def _equivocation_holds(scope: set[str] | None) -> dict[tuple[str, str], int]:
    """(space, author) -> the lowest seq at which the author signed two events."""
    if scope is None:
        EquivocationRecord.objects.all().delete()
    else:
        EquivocationRecord.objects.filter(space__in=sorted(scope)).delete()
    query = StoredEvent.objects.all()
    if scope is not None:
        query = query.filter(space__in=sorted(scope))
    doubled = (
        query.values("space", "author", "seq")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .values_list("space", "author", "seq")
    )
    holds: dict[tuple[str, str], int] = {}
    records = []
    for space, author, seq in doubled:
        ids = sorted(
            StoredEvent.objects.filter(space=space, author=author, seq=seq).values_list(
                "id", flat=True
            )
        )
        for other in ids[1:]:
            records.append(
                EquivocationRecord(space=space, author=author, seq=seq, first=ids[0], second=other)
            )
        key = (space, author)
        holds[key] = min(holds.get(key, seq), seq)
    EquivocationRecord.objects.bulk_create(records, ignore_conflicts=True)
    return holds


# -- checking and comparing -----------------------------------------------------------


def verify_stored(space: str | None = None) -> tuple[int, list[Problem]]:
    """Re-verify every stored event's bytes, signature and id against its row."""
    query = StoredEvent.objects.all()
    if space is not None:
        query = query.filter(space=space)
    problems: list[Problem] = []
    count = 0
    rows = query.order_by("id").values_list("id", "raw", "space", "author", "seq", "kind")
    for event_id, raw, row_space, author, seq, kind in rows.iterator(chunk_size=2000):
        count += 1
        try:
            event = parse_event(bytes(raw))
        except EventError as error:
            problems.append(Problem(event_id, f"{error.field}: {error.message} [{error.rule}]"))
            continue
        if event.id != event_id:
            problems.append(Problem(event_id, f"stored bytes hash to {event.id}, not to its id"))
        elif (event.space_id, event.author, event.seq, event.kind) != (
            row_space,
            author,
            seq,
            kind,
        ):
            problems.append(Problem(event_id, "index columns disagree with the signed event"))
    return count, problems


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
                projection.model.objects.filter(space=name)
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
