"""Retention: content a committee's rule no longer keeps is removed from the log
(event-v1 §16), and whole spaces a node no longer needs are dropped.

A space's retention rule (``kinds.retention_rule``) says after how many days the
content fields of its events (``kinds.REDACTABLE``) are removed. ``redact_due``
replaces each covered event's stored bytes by its redacted form and re-projects
the space; the state digest does not cover content (it covers it through the
event ids), so it is the same before and after, on every node, whenever each
runs the redaction. ``ingest_redacted`` takes redacted forms from other nodes;
``check_redacted`` is what ``veche log verify`` checks of each stored one.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, datetime, timedelta

from django.db import transaction

from veche.apps.store.kinds import REDACTABLE, kept_whole, retention_of_close, retention_rule
from veche.apps.store.locks import lock_spaces
from veche.apps.store.models import (
    CrossReference,
    DroppedSpace,
    EquivocationRecord,
    ExternalCitation,
    MissingDependency,
    RedactedWaiting,
    RejectedInput,
    Status,
    StoredEvent,
    Tip,
)
from veche.apps.store.outcomes import Outcome, OutcomeStatus
from veche.apps.store.rejected import keep_rejected
from veche.events import Event, parse_event
from veche.events.envelope import format_time
from veche.events.redaction import redact, same_redaction

__all__ = [
    "chain_refusal",
    "check_redacted",
    "coverage_refusal",
    "drop_space",
    "ingest_redacted",
    "redact_due",
    "retry_waiting",
    "shape_refusal",
]

logger = logging.getLogger(__name__)


def redact_due(now: datetime | None = None, spaces: Iterable[str] | None = None) -> dict[str, int]:
    """Redact every event a retention rule in force covers at ``now``; re-project the
    spaces that changed. Returns how many events were redacted in each space."""
    from veche.apps.store.replay import closure, rebuild

    moment = now or datetime.now(UTC)
    names = (
        sorted(set(spaces))
        if spaces is not None
        else sorted(
            StoredEvent.objects.filter(kind__in=list(REDACTABLE), redacted=False)
            .values_list("space", flat=True)
            .distinct()
        )
    )
    done: dict[str, int] = {}
    for space in names:
        rule = retention_rule(space)
        if rule is None or rule.days <= 0:
            continue
        cutoff = format_time(moment - timedelta(days=rule.days))
        with transaction.atomic():
            lock_spaces({space})
            count = _redact_space(space, rule.close, cutoff)
            if count:
                rebuild(closure({space}))
                done[space] = count
    if done:
        logger.info("redacted under retention rules: %s", done)
    return done


def _redact_space(space: str, rule: str, cutoff: str) -> int:
    """Redact the events of ``space`` that ``rule`` covers at ``cutoff`` (their own
    ``at`` and their vouched time no later); how many."""
    due = StoredEvent.objects.filter(
        space=space, kind__in=list(REDACTABLE), redacted=False, at__lte=cutoff
    )
    if not due.exists():
        return 0
    events: dict[str, Event] = {}
    verdicts: dict[str, tuple[str, str]] = {}
    rows = StoredEvent.objects.filter(space=space).values_list("raw", "status", "reason")
    for raw, status, reason in rows.iterator(chunk_size=2000):
        event = parse_event(bytes(raw), verify=False)
        events[event.id] = event
        verdicts[event.id] = (status, reason)

    def due_now(event: Event, vouched: str | None) -> bytes | None:
        content = REDACTABLE.get(event.kind)
        if (
            content is None
            or event.at > cutoff
            # Only once a later event of its author vouches for its time, that long
            # ago too: a node that lacks it takes the form then (§16.4).
            or vouched is None
            or vouched > cutoff
            or kept_whole(event)
        ):
            return None
        status, reason = verdicts[event.id]
        if status == Status.REJECTED and _refused_for(reason, content):
            # Refused because of a field a redaction removes: without it the event
            # would be judged anew and could pass (event-v1 §16.3).
            return None
        return redact(event, content, rule)

    forms: dict[str, bytes] = {}
    vouched_times(events.values(), due_now, forms)
    changed = [StoredEvent(id=i, raw=form, redacted=True) for i, form in forms.items()]
    StoredEvent.objects.bulk_update(changed, ["raw", "redacted"], batch_size=200)
    return len(changed)


def vouched_times(
    events: Iterable[Event],
    due: Callable[[Event, str | None], bytes | None] | None = None,
    forms: dict[str, bytes] | None = None,
) -> dict[str, str | None]:
    """The vouched time of each of ``events`` (event-v1 §16.4): the earliest time
    among the events that follow it in its author's chain (the same author, space
    and seq + 1, naming it in ``prev``), each read as its signed ``at`` if whole and
    as its own vouched time if redacted; None if none of ``events`` follows it.

    ``due``, given a whole event and its vouched time, returns its redacted form if
    it is to be redacted now (put in ``forms``); its successors are decided first,
    so the times are those of the log once redacted.
    """
    ordered = sorted(events, key=lambda e: e.seq, reverse=True)
    following: dict[str, list[Event]] = {}
    for event in ordered:
        if event.prev is not None:
            following.setdefault(event.prev, []).append(event)
    vouched: dict[str, str | None] = {}
    time: dict[str, str | None] = {}
    for event in ordered:  # a successor has a greater seq: it is decided first
        times = [
            t
            for successor in following.get(event.id, ())
            if chain_refusal(event, successor) is None and (t := time.get(successor.id)) is not None
        ]
        vouched[event.id] = min(times) if times else None
        if event.redacted:
            time[event.id] = vouched[event.id]
        elif due is not None and (form := due(event, vouched[event.id])) is not None:
            assert forms is not None
            forms[event.id] = form
            time[event.id] = vouched[event.id]
        else:
            time[event.id] = event.at
    return vouched


def _refused_for(reason: str, content: Sequence[str]) -> bool:
    field_name = reason.split("|")[1] if reason.count("|") >= 2 else ""
    return any(field_name == f"body.{name}" for name in content)


def shape_refusal(event: Event) -> str | None:
    """Why a redacted form cannot be a redaction of an event of its kind, or None:
    it removes exactly content, keeps no content, and its kept fields pass the
    kind's schema (event-v1 §16.4 c)."""
    from veche.apps.store.kinds import KINDS
    from veche.events import RuleViolation

    content = REDACTABLE.get(event.kind)
    if content is None:
        return "events of this kind are never redacted"
    if kept_whole(event):
        return "events like it are never redacted"
    if not set(event.redacted) <= set(content):
        return "it removes fields that are not content"
    if any(name in event.body and name not in event.redacted for name in content):
        return "it keeps content a redaction removes"
    try:
        KINDS.get(event.kind).check_body(event)
    except RuleViolation as violation:
        return f"its kept fields break the kind's schema: {violation.field}: {violation.message}"
    return None


def coverage_refusal(
    event: Event,
    now: datetime,
    vouched: str | None,
    offered: Mapping[str, Event] | None = None,
) -> str | None:
    """Why no retention rule covers ``event``, or None (event-v1 §16.4 b).

    ``vouched`` is its vouched time (``vouched_times``): its own ``at`` is not
    signed in a redacted form, so the later events of its author vouch for it.
    """
    assert event.redacted_under is not None
    days = retention_of_close(event.space_id, event.redacted_under, offered)
    if days is None or days <= 0:
        return "no retention rule of its space covers it"
    if vouched is None:
        return "no later event of its author vouches for its time"
    cutoff = format_time(now - timedelta(days=days))
    if event.at > cutoff or vouched > cutoff:
        return "its space's retention rule does not cover it yet"
    return None


def check_redacted(
    event: Event,
    now: datetime,
    *,
    cited: bool,
    vouched: str | None,
    offered: Mapping[str, Event] | None = None,
) -> str | None:
    """Why a redacted form is not acceptable, or None (event-v1 §16.4 a–c).

    ``cited``: whether an event the node holds (or receives with it) names it;
    ``vouched``: its vouched time on this node.
    """
    refusal = shape_refusal(event)
    if refusal is None and not cited:
        refusal = "no event this node holds names it"
    return refusal or coverage_refusal(event, now, vouched, offered)


MAX_WAITING = 20_000


def ingest_redacted(
    items: Sequence[tuple[int, Event]], source: str, now: datetime
) -> list[tuple[int, Outcome]]:
    """Take redacted forms received from elsewhere (event-v1 §16.4).

    One the node holds (whole or redacted) is a duplicate if it is that event with
    the same content removed, and refused otherwise. One it lacks is refused if it
    cannot be a redaction of its kind; it is taken if an event the node holds names
    it and a retention rule of its space that the node holds covers it, and then
    placed and judged like any event, its removed fields read as empty. Otherwise
    it waits aside (``RedactedWaiting``, outcome pending) until an event naming it
    arrives.
    """
    from veche.apps.store.ingest import ingest_events

    results: list[tuple[int, Outcome]] = []
    rejected: list[RejectedInput] = []
    seen: set[str] = set()

    def refuse(index: int, event: Event, rule: str, message: str) -> None:
        results.append((index, Outcome(event.id, OutcomeStatus.INVALID, f"redacted: {message}")))
        rejected.append(
            RejectedInput(
                raw=bytes(event.raw[: 64 * 1024 + 1]),
                field="redacted",
                rule=rule,
                reason=message,
                source=source[:200],
                received_at=now,
            )
        )

    # In rounds: a redacted event named only by another redacted one is taken once
    # that one is (a chain of them ends at a whole event that names the last).
    todo = list(items)
    vouched: dict[str, str | None] = {}  # of those taken, and of held ones looked up
    offered = {event.id: event for _, event in items}
    spaces = sorted({event.space_id for _, event in items})
    for raw in RedactedWaiting.objects.filter(space__in=spaces).values_list("raw", flat=True):
        aside = parse_event(bytes(raw), verify=False)
        offered.setdefault(aside.id, aside)
    while todo:
        later: list[tuple[int, Event]] = []
        accepted: dict[str, tuple[int, Event]] = {}
        for index, event in todo:
            if event.id in seen:
                results.append((index, Outcome(event.id, OutcomeStatus.DUPLICATE)))
                continue
            row = StoredEvent.objects.filter(id=event.id).values_list("raw", flat=True).first()
            if row is not None:
                seen.add(event.id)
                held = parse_event(bytes(row), verify=False)
                content = set(REDACTABLE.get(held.kind, ()))
                expected = set(held.redacted) if held.redacted else content & held.body.keys()
                if same_redaction(event, held) and set(event.redacted) == expected:
                    results.append((index, Outcome(event.id, OutcomeStatus.DUPLICATE)))
                else:
                    refuse(index, event, "altered", "it differs from the event this node holds")
                continue
            if DroppedSpace.objects.filter(space=event.space_id).exists():
                seen.add(event.id)
                refuse(index, event, "dropped", "this node dropped the space")
                continue
            refusal = shape_refusal(event)
            if refusal is not None:
                seen.add(event.id)
                refuse(index, event, "shape", refusal)
                continue
            waiting = list(
                MissingDependency.objects.filter(missing=event.id).values_list("event", flat=True)
            )
            namers = _held(waiting)
            following = [n for n in namers if n.prev == event.id]
            assert event.redacted_under is not None
            days = retention_of_close(event.space_id, event.redacted_under, offered)
            if not following or days is None:
                # What vouches for it (its author's next event), or its rule, may come.
                later.append((index, event))
                continue
            seen.add(event.id)
            refusal = next(
                (r for n in following if (r := chain_refusal(event, n)) is not None), None
            )
            if refusal is not None:
                refuse(index, event, "chain", refusal)
                continue
            times = [n.at if not n.redacted else _stored_vouched(n, vouched) for n in following]
            known = [t for t in times if t is not None]
            vouched[event.id] = min(known) if known else None
            refusal = coverage_refusal(event, now, vouched[event.id], offered)
            if refusal is not None:
                refuse(index, event, "uncovered", refusal)
                continue
            accepted[event.id] = (index, event)
        if not accepted:
            for index, event in later:
                results.append((index, _wait(event, now)))
            break
        report = ingest_events([event for _, event in accepted.values()], source=source)
        for (index, _), outcome in zip(accepted.values(), report.outcomes, strict=True):
            results.append((index, outcome))
        todo = later
    RedactedWaiting.objects.filter(id__in=sorted(seen)).delete()
    keep_rejected(rejected)
    return results


WAIT_REASON = "redacted|event|it waits for an event that names it and a rule that covers it"


def _wait(event: Event, now: datetime) -> Outcome:
    if (
        not RedactedWaiting.objects.filter(id=event.id).exists()
        and RedactedWaiting.objects.count() >= MAX_WAITING
    ):
        return Outcome(event.id, OutcomeStatus.INVALID, "redacted: too many redacted forms wait")
    RedactedWaiting.objects.update_or_create(
        id=event.id, defaults={"space": event.space_id, "raw": event.raw, "received_at": now}
    )
    return Outcome(event.id, OutcomeStatus.PENDING, WAIT_REASON)


def retry_waiting(source: str, now: datetime) -> None:
    """Redacted forms set aside whose id an event the node holds now names."""
    if not RedactedWaiting.objects.exists():
        return
    waiting = sorted(RedactedWaiting.objects.values_list("id", flat=True))
    ready: list[str] = []
    for start in range(0, len(waiting), 500):
        ready += MissingDependency.objects.filter(
            missing__in=waiting[start : start + 500]
        ).values_list("missing", flat=True)
    if not ready:
        return
    # All of those spaces: one may be named only by another that waits with it.
    spaces = sorted(
        set(RedactedWaiting.objects.filter(id__in=ready).values_list("space", flat=True))
    )
    rows = RedactedWaiting.objects.filter(space__in=spaces).values_list("raw", flat=True)
    events = [parse_event(bytes(raw), verify=False) for raw in rows]
    ingest_redacted(list(enumerate(events)), source, now)


def chain_refusal(event: Event, successor: Event) -> str | None:
    """Whether ``successor``, which names ``event`` in ``prev``, binds its author,
    space and seq (event-v1 §7): all a later event's signature vouches for."""
    if successor.prev != event.id:
        return None
    if (successor.author, successor.space_id, successor.seq - 1) != (
        event.author,
        event.space_id,
        event.seq,
    ):
        return "the event that names it in prev has another author, space or seq"
    return None


def _held(ids: Sequence[str]) -> list[Event]:
    rows = StoredEvent.objects.filter(id__in=list(ids)).values_list("raw", flat=True)
    return [parse_event(bytes(raw), verify=False) for raw in rows]


def _stored_vouched(event: Event, memo: dict[str, str | None]) -> str | None:
    """The vouched time of a stored redacted ``event`` (``vouched_times``): the
    earliest ``at`` of the whole events reached from it forward along its author's
    chain in the store, through redacted ones only."""
    if event.id in memo:
        return memo[event.id]
    best: str | None = None
    frontier = {event.id: event}
    low, window = event.seq, 500
    while frontier:
        rows = (
            StoredEvent.objects.filter(
                space=event.space_id, author=event.author, seq__gt=low, seq__lte=low + window
            )
            .order_by("seq")
            .values_list("raw", flat=True)
        )
        for raw in rows:
            successor = parse_event(bytes(raw), verify=False)
            before = frontier.get(successor.prev or "")
            if before is None or chain_refusal(before, successor) is not None:
                continue
            if not successor.redacted:
                best = successor.at if best is None else min(best, successor.at)
            elif successor.id in memo:
                known = memo[successor.id]
                if known is not None:
                    best = known if best is None else min(best, known)
            else:
                frontier[successor.id] = successor
        low += window
        # Only those at the window's last seq can be followed beyond it.
        frontier = {i: e for i, e in frontier.items() if e.seq == low}
    memo[event.id] = best
    return best


def drop_space(space: str, now: datetime | None = None) -> int:
    """Remove a space's events and projections from this node and refuse its events
    from now on (``veche space drop``). Returns how many events were removed.

    Spaces that cite it (a council citing a member committee's close, say) are
    re-projected: what they cited is now unverified (event-v1 §14.6) on this node.
    """
    from veche.apps.store.kinds import PROJECTIONS
    from veche.apps.store.replay import closure, rebuild

    moment = now or datetime.now(UTC)
    with transaction.atomic():
        lock_spaces({space})
        citing = closure({space}) - {space}
        ids = list(StoredEvent.objects.filter(space=space).values_list("id", flat=True))
        for start in range(0, len(ids), 500):
            part = ids[start : start + 500]
            MissingDependency.objects.filter(event__in=part).delete()
            ExternalCitation.objects.filter(event__in=part).delete()
        StoredEvent.objects.filter(space=space).delete()
        for projection in PROJECTIONS:
            projection.model._default_manager.filter(space=space).delete()
        EquivocationRecord.objects.filter(space=space).delete()
        Tip.objects.filter(space=space).delete()
        CrossReference.objects.filter(source=space).delete()
        CrossReference.objects.filter(target=space).delete()
        RedactedWaiting.objects.filter(space=space).delete()
        DroppedSpace.objects.update_or_create(space=space, defaults={"dropped_at": moment})
        if citing:
            rebuild(citing)
    return len(ids)
