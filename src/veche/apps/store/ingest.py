"""Received events: verify, store, place and judge them, atomically and idempotently.

``ingest`` takes bytes from elsewhere (sync, bundles, the CLI): envelope failures
go to ``rejected.keep_rejected``; well-formed events are stored with their order
key (height, id) and judged. A batch whose events all sort after what the node
has judged in their space is judged in place, event by event; anything that
could change what is already judged (an event sorting before judged ones, a new
equivocation, a suspect author, an acknowledgment of a held event, a causal
event that did not see everything before it) marks its space for ``rebuild``,
which computes the same state a node that had every event from the start has.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import nacl.bindings
import nacl.exceptions
from django.db import connection, transaction

from veche.apps.store.citations import foreign_citations
from veche.apps.store.context import Context
from veche.apps.store.judge import judge
from veche.apps.store.kinds import CAUSAL, HOLD_PROVIDERS, LATE_SAFE, PERSON_PROVIDERS
from veche.apps.store.locks import lock_spaces
from veche.apps.store.models import (
    CrossReference,
    DroppedSpace,
    EquivocationRecord,
    ExternalCitation,
    MissingDependency,
    RejectedInput,
    Status,
    StoredEvent,
    Tip,
)
from veche.apps.store.outcomes import IngestReport, Outcome, OutcomeStatus
from veche.apps.store.rejected import keep_rejected
from veche.events import Event, EventError, parse_event
from veche.events.finality import sees_all
from veche.events.order import parents

__all__ = ["ingest", "ingest_events"]

_PARALLEL_THRESHOLD = 256
_PIPELINE_CHUNK = 2500


def _verify_chunk(items: list[tuple[bytes, bytes, bytes]]) -> list[bool]:
    results = []
    for signature, message, key in items:
        try:
            nacl.bindings.crypto_sign_open(signature + message, key)
            results.append(True)
        except (nacl.exceptions.BadSignatureError, nacl.exceptions.ValueError):
            results.append(False)
    return results


class _Parsed:
    """One chunk of received bytes: parsed, its signatures being verified on the pool."""

    def __init__(self, raws: Sequence[bytes], source: str, now: datetime) -> None:
        self.parsed: list[Event | None] = []
        self.outcomes: list[Outcome] = []
        self.rejected: list[RejectedInput] = []
        self.source = source
        self.now = now
        self.parts: list[tuple[bytes, bytes, bytes]] = []
        self.redacted: list[tuple[int, Event]] = []
        for raw in raws:
            try:
                event = parse_event(raw, verify=False)
            except EventError as error:
                self.parsed.append(None)
                self.outcomes.append(Outcome(None, OutcomeStatus.INVALID, str(error)))
                self.rejected.append(_rejected_input(raw, error, source, now))
                continue
            if event.redacted:  # no signature to check: judged by ``retention`` instead
                self.parsed.append(None)
                self.outcomes.append(Outcome(event.id, OutcomeStatus.APPLIED))  # placeholder
                self.redacted.append((len(self.parsed) - 1, event))
                continue
            self.parsed.append(event)
            self.outcomes.append(Outcome(None, OutcomeStatus.APPLIED))  # placeholder
            self.parts.append((event.signature, event.signed_message(), event.author_key))
        self.futures: list[Future[list[bool]]] = []

    def verify_on(self, pool: ThreadPoolExecutor | None) -> None:
        if pool is None:
            return
        half = (len(self.parts) + 1) // 2
        self.futures = [
            pool.submit(_verify_chunk, self.parts[:half]),
            pool.submit(_verify_chunk, self.parts[half:]),
        ]

    def verified(self) -> tuple[list[Event], list[Outcome | None]]:
        """The events whose signatures hold, and each input's outcome (None: stored)."""
        flags = (
            [ok for future in self.futures for ok in future.result()]
            if self.futures
            else _verify_chunk(self.parts)
        )
        good = iter(flags)
        events: list[Event] = []
        outcomes: list[Outcome | None] = []
        for index, event in enumerate(self.parsed):
            if event is None:
                outcomes.append(self.outcomes[index])
            elif next(good):
                events.append(event)
                outcomes.append(None)
            else:
                error = EventError("sig", "signature", "does not verify under author's key")
                outcomes.append(Outcome(event.id, OutcomeStatus.INVALID, str(error)))
                self.rejected.append(_rejected_input(event.raw, error, self.source, self.now))
        keep_rejected(self.rejected)
        return events, outcomes


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
    redacted: list[tuple[int, Event]] = []
    pool = ThreadPoolExecutor(max_workers=2) if len(raws) >= _PARALLEL_THRESHOLD else None
    try:
        with transaction.atomic():
            waiting: _Parsed | None = None
            for start in range(0, len(raws), _PIPELINE_CHUNK):
                chunk = _Parsed(raws[start : start + _PIPELINE_CHUNK], source, now)
                chunk.verify_on(pool)
                redacted += [(start + index, event) for index, event in chunk.redacted]
                if waiting is not None:
                    merged += _store(waiting, source)
                waiting = chunk
            if waiting is not None:
                merged += _store(waiting, source)
            if redacted:
                # After the whole events: those that name a redacted event wait for
                # it, and the close of the rule that covers it may be among them.
                from veche.apps.store.retention import ingest_redacted

                for index, outcome in ingest_redacted(redacted, source, now):
                    merged[index] = outcome
            if any(o.status != OutcomeStatus.INVALID for o in merged):
                from veche.apps.store.retention import retry_waiting

                retry_waiting(source, now)
            _redact_arrived(raws, merged, now)
    finally:
        if pool is not None:
            pool.shutdown(wait=True)
    return IngestReport(merged)


def _redact_arrived(raws: Sequence[bytes], outcomes: list[Outcome], now: datetime) -> None:
    """Content that arrives already past its space's retention rule is removed at once."""
    from veche.apps.store.kinds import REDACTABLE, RETENTION_IN_FORCE
    from veche.apps.store.retention import redact_due

    if not REDACTABLE or not RETENTION_IN_FORCE:
        return
    fresh = [o.event_id for o in outcomes if o.event_id and o.status != OutcomeStatus.INVALID]
    spaces: set[str] = set()
    for chunk in chunks(fresh):
        spaces.update(
            StoredEvent.objects.filter(
                id__in=chunk, kind__in=list(REDACTABLE), redacted=False
            ).values_list("space", flat=True)
        )
    if spaces:
        redact_due(now, spaces)


def _store(chunk: _Parsed, source: str) -> list[Outcome]:
    events, outcomes = chunk.verified()
    events, outcomes = _not_dropped(events, outcomes, chunk)
    report = ingest_events(events, source=source)
    by_id = {o.event_id: o for o in report.outcomes}
    stored = iter(events)
    return [o if o is not None else by_id[next(stored).id] for o in outcomes]


DROPPED = EventError("space", "dropped", "this node dropped the space")


def _not_dropped(
    events: list[Event], outcomes: list[Outcome | None], chunk: _Parsed
) -> tuple[list[Event], list[Outcome | None]]:
    """Events of spaces this node dropped (``veche space drop``) are refused."""
    spaces = sorted({event.space_id for event in events})
    dropped: set[str] = set()
    for part in chunks(spaces):
        dropped.update(DroppedSpace.objects.filter(space__in=part).values_list("space", flat=True))
    if not dropped:
        return events, outcomes
    kept: list[Event] = []
    stored = iter(events)
    result: list[Outcome | None] = []
    for outcome in outcomes:
        if outcome is not None:
            result.append(outcome)
            continue
        event = next(stored)
        if event.space_id in dropped:
            result.append(Outcome(event.id, OutcomeStatus.INVALID, str(DROPPED)))
        else:
            kept.append(event)
            result.append(None)
    return kept, result


@dataclass
class _Known:
    """A stored event as placement and the chain check need it."""

    space: str
    author: str
    seq: int
    height: int | None
    status: str

    @property
    def space_id(self) -> str:
        return self.space


def chunks(items: Sequence[str], size: int = 500) -> Iterator[Sequence[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def ingest_events(events: Iterable[Event], *, source: str) -> IngestReport:
    """Store and project verified events, in one transaction, holding the locks of
    their spaces (one writer per space: ``locks``)."""
    batch = list(events)
    with transaction.atomic():
        lock_spaces({event.space_id for event in batch})
        return _Ingest(source).run(batch)


class _Ingest:
    def __init__(self, source: str) -> None:
        self.source = source
        self.ctx = Context()
        self.known: dict[str, _Known] = {}
        self.cursor: dict[str, tuple[int, str]] = {}
        self.tips: dict[str, dict[str, int]] = {}
        self.dirty: set[str] = set()
        self.now = datetime.now(UTC)
        self.received_at = connection.ops.adapt_datetimefield_value(self.now)
        self.external: list[tuple[Event, str, str]] = []
        self.graph: dict[str, tuple[tuple[str, ...], int]] = {}
        self.holding: dict[str, bool] = {}
        self.held_persons: dict[str, set[str]] = {}
        self.cites: dict[str, set[str]] = {}
        self.persons: dict[str, dict[str, str]] = {}
        self.waiting_for: dict[str, tuple[str, ...]] = {}
        self.barrier: dict[str, tuple[int, str] | None] = {}

    def run(self, incoming: list[Event]) -> IngestReport:
        from veche.apps.store.replay import rebuild

        outcomes: dict[str, Outcome] = {}
        fresh: dict[str, Event] = {}
        for event in incoming:
            if event.id in fresh:
                outcomes.setdefault(event.id, Outcome(event.id, OutcomeStatus.DUPLICATE))
        for chunk in chunks([e.id for e in incoming]):
            for event_id in StoredEvent.objects.filter(id__in=chunk).values_list("id", flat=True):
                outcomes[event_id] = Outcome(event_id, OutcomeStatus.DUPLICATE)
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
        self._find_suspects(fresh)
        placed, waiting = self._place(fresh)
        rows: list[tuple[Any, ...]] = []
        statuses: dict[str, tuple[str, str]] = {}
        for event, height in placed:
            status, reason = self._judge(event, height)
            statuses[event.id] = (status, reason)
            rows.append(self._row(event, height, status, reason))
        for event, missing in waiting:
            statuses[event.id] = (Status.PENDING, "")
            self.waiting_for[event.id] = tuple(sorted(missing))
            rows.append(self._row(event, None, Status.PENDING, ""))
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
        self._save_tips()
        if self.dirty:
            rebuild(self.dirty)
            for event_id, status, reason in StoredEvent.objects.filter(
                id__in=list(statuses)
            ).values_list("id", "status", "reason"):
                statuses[event_id] = (status, reason)
        for event_id, (status, reason) in statuses.items():
            outcomes[event_id] = Outcome(
                event_id, OutcomeStatus(status), reason, self.waiting_for.get(event_id, ())
            )
        self._release_waiting([e.id for e, _ in placed])
        return IngestReport([outcomes[e.id] for e in incoming])

    # -- placement ------------------------------------------------------------
    def _load_known(self, fresh: dict[str, Event]) -> None:
        wanted = sorted({p for e in fresh.values() for p in parents(e)} - fresh.keys())
        for chunk in chunks(wanted):
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
            if top is not None and top[0] is not None:
                self.cursor[space] = (top[0], top[1])
            self.tips[space] = dict(Tip.objects.filter(space=space).values_list("event", "height"))
        self.old_tips = {space: dict(tips) for space, tips in self.tips.items()}

    def _find_suspects(self, fresh: dict[str, Event]) -> None:
        """Spaces where this batch forks a chain, extends a suspect's, or builds on
        a held or rejected event: their holds must be computed again (§14.3)."""
        slots: dict[str, dict[tuple[str, int], int]] = defaultdict(lambda: defaultdict(int))
        for event in fresh.values():
            slots[event.space_id][(event.author, event.seq)] += 1
        spaces = sorted(slots)
        forked: dict[tuple[str, str], int] = {}
        for chunk in chunks(spaces):
            for space, author, seq in EquivocationRecord.objects.filter(
                space__in=chunk
            ).values_list("space", "author", "seq"):
                forked[(space, author)] = min(seq, forked.get((space, author), seq))
        for provider in HOLD_PROVIDERS:
            for key, hold in provider(set(spaces)).items():
                forked[key] = min(hold.first_seq, forked.get(key, hold.first_seq))
        for event in fresh.values():
            first = forked.get((event.space_id, event.author))
            if first is not None and event.seq >= first:
                self.dirty.add(event.space_id)
        for space, taken in slots.items():
            if space in self.dirty:
                continue
            if any(n > 1 for n in taken.values()):
                self.dirty.add(space)
                continue
            authors = sorted({author for author, _ in taken})
            low = min(seq for _, seq in taken)
            for chunk in chunks(authors, 200):
                stored = StoredEvent.objects.filter(
                    space=space, author__in=chunk, seq__gte=low
                ).values_list("author", "seq")
                if any((a, s) in taken for a, s in stored.iterator()):
                    self.dirty.add(space)
                    break
        # A held event is acknowledged by an applied event of another person that
        # has it in its causal past. Honest nodes never name held events, so such a
        # path goes through events that did not acknowledge it on their own: held,
        # refused or unverified ones, or ones of the held author's person. An event
        # built on one of those, in a space that holds something, is judged again
        # with its space (event-v1 §14.3).
        # The path may cross spaces (a council seat that was refused while the
        # close it cites was held), so a refused parent counts if its space or a
        # space it cites holds something.
        for event in fresh.values():
            for parent in parents(event):
                known = self.known.get(parent)
                if known is None:
                    continue
                if known.status == Status.APPLIED:
                    relevant = self._has_holds(known.space) and self._person(
                        known.space, known.author
                    ) in self._held_persons(known.space)
                else:
                    relevant = any(self._has_holds(s) for s in self._cited_by(known.space))
                if relevant:
                    self.dirty.add(known.space)
                    self.dirty.add(event.space_id)

    def _cited_by(self, space: str) -> set[str]:
        """``space`` and the spaces its events cite."""
        if space not in self.cites:
            self.cites[space] = {space} | set(
                CrossReference.objects.filter(source=space).values_list("target", flat=True)
            )
        return self.cites[space]

    def _held_persons(self, space: str) -> set[str]:
        if space not in self.held_persons:
            authors = set(
                StoredEvent.objects.filter(space=space, status=Status.HELD)
                .values_list("author", flat=True)
                .distinct()
            )
            self.held_persons[space] = {self._person(space, a) for a in authors}
        return self.held_persons[space]

    def _person(self, space: str, key: str) -> str:
        if space not in self.persons:
            persons: dict[str, str] = {}
            for provider in PERSON_PROVIDERS:
                persons.update(provider({space}))
            self.persons[space] = persons
        return self.persons[space].get(key, key)

    def _has_holds(self, space: str) -> bool:
        if space not in self.holding:
            self.holding[space] = StoredEvent.objects.filter(
                space=space, status=Status.HELD
            ).exists()
        return self.holding[space]

    def _place(
        self, fresh: dict[str, Event]
    ) -> tuple[list[tuple[Event, int]], list[tuple[Event, set[str]]]]:
        heights: dict[str, int] = {}
        missing: dict[str, set[str]] = {}
        children: dict[str, list[str]] = defaultdict(list)
        blockers: dict[str, int] = {}
        ready: list[str] = []
        citations = {event_id: foreign_citations(e) for event_id, e in fresh.items()}
        for event in fresh.values():
            count = 0
            foreign = citations[event.id]
            for parent in parents(event):
                if parent in fresh:
                    children[parent].append(event.id)
                    count += 1
                else:
                    known = self.known.get(parent)
                    if parent in foreign and (known is None or known.height is None):
                        # A citation of another space's event this node has not
                        # placed: the event is placed, judged unverified, and judged
                        # again when the cited event is placed (event-v1 §14.6).
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
                    for p in parents(event)
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
                waits = missing.get(event_id) or {p for p in parents(event) if p in fresh}
                waiting.append((event, waits))
        return placed, waiting

    def _judge(self, event: Event, height: int) -> tuple[str, str]:
        space = event.space_id
        key = (height, event.id)
        self.graph[event.id] = (parents(event), height)
        late = space in self.cursor and key < self.cursor[space]
        if late and space not in self.dirty and not self._fits_in_place(event, key):
            self.dirty.add(space)  # out of order for its space
        if (
            space not in self.dirty
            and event.kind in CAUSAL
            and not sees_all(
                parents(event), self.tips.get(space, {}).keys(), self._parents_of, self._height_of
            )
        ):
            self.dirty.add(space)  # signed concurrently: judged on its causal past
        if space in self.dirty:
            # Judged when the space is rebuilt; until then it counts as placed.
            self.ctx.note_event(event, Status.APPLIED)
            self.known[event.id] = _Known(space, event.author, event.seq, height, Status.APPLIED)
            return Status.APPLIED, ""
        if not late:
            self.cursor[space] = key
        verdict = judge(self.ctx, event, self.known.get(event.prev) if event.prev else None)
        self.ctx.note_event(event, verdict.status)
        self.known[event.id] = _Known(space, event.author, event.seq, height, verdict.status)
        if verdict.status == Status.APPLIED:
            tips = self.tips.setdefault(space, {})
            for parent in parents(event):
                tips.pop(parent, None)
            tips[event.id] = height
        return verdict.status, verdict.reason

    def _fits_in_place(self, event: Event, key: tuple[int, str]) -> bool:
        """Can an event that sorts before judged ones be judged now, on the current
        state, with the outcome a rebuild would give? Yes if its kind is late-safe,
        every event after it in its space is of a late-safe kind, and its kind's
        check finds no conflict with them. The cost is a few indexed queries, not
        a replay of the space."""
        conflict = LATE_SAFE.get(event.kind)
        if conflict is None:
            return False
        space = event.space_id
        if space not in self.barrier:
            top = (
                StoredEvent.objects.filter(space=space, height__isnull=False)
                .exclude(kind__in=sorted(LATE_SAFE))
                .order_by("-height", "-id")
                .values_list("height", "id")
                .first()
            )
            self.barrier[space] = None if top is None or top[0] is None else (top[0], top[1])
        barrier = self.barrier[space]
        if barrier is not None and barrier > key:
            return False
        return not conflict(event, key)

    def _parents_of(self, event_id: str) -> Sequence[str] | None:
        if event_id not in self.graph:
            row = StoredEvent.objects.filter(id=event_id).values_list("raw", "height").first()
            if row is None or row[1] is None:
                return None
            self.graph[event_id] = (parents(parse_event(bytes(row[0]), verify=False)), row[1])
        return self.graph[event_id][0]

    def _height_of(self, event_id: str) -> int | None:
        if self._parents_of(event_id) is None:
            return None
        return self.graph[event_id][1]

    def _save_tips(self) -> None:
        for space, tips in self.tips.items():
            if space in self.dirty:
                continue  # rebuild writes them
            old = self.old_tips.get(space, {})
            gone = sorted(old.keys() - tips.keys())
            if gone:
                Tip.objects.filter(space=space, event__in=gone).delete()
            Tip.objects.bulk_create(
                [Tip(space=space, event=e, height=h) for e, h in tips.items() if e not in old],
                ignore_conflicts=True,
            )

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
            bool(event.redacted),
        )

    def _cross_references(self, placed: list[tuple[Event, int]]) -> None:
        # Every space this batch's events cite, including citations of events not
        # placed here yet (unverified): a later rebuild of the cited space must
        # judge the citing space again, or it keeps the cited events' old outcomes.
        links = set()
        for event, _ in placed:
            for dep in event.deps:
                known = self.known.get(dep)
                if known is not None and known.space != event.space_id:
                    links.add((event.space_id, known.space))
        placed_ids = {event.id for event, _ in placed}
        for event, _dep, cited_space in self.external:
            if event.id in placed_ids and cited_space != event.space_id:
                links.add((event.space_id, cited_space))
        if links:
            CrossReference.objects.bulk_create(
                [CrossReference(source=s, target=t) for s, t in sorted(links)],
                ignore_conflicts=True,
            )

    def _resolve_external(self, arrived: list[str]) -> None:
        """Unverified events whose citations arrived now are placed and judged again.

        Their height now counts the cited event, so the heights of the spaces that
        descend from them are recomputed (they only grow, so the old order is still
        a valid order to recompute them in) before those spaces are re-projected.
        """
        from veche.apps.store.replay import closure, recompute_heights

        spaces: set[str] = set()
        if not ExternalCitation.objects.exists():  # the usual case: nothing unverified
            return
        for chunk in chunks(arrived):
            rows = ExternalCitation.objects.filter(cited__in=chunk)
            spaces.update(rows.values_list("space", flat=True))
            rows.delete()
        if spaces:
            scope = closure(spaces)
            recompute_heights(scope)
            self.dirty |= scope

    def _release_waiting(self, arrived: list[str]) -> None:
        """Events that waited for what just arrived are placed now."""
        waiting: set[str] = set()
        for chunk in chunks(arrived):
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
    "redacted",
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
