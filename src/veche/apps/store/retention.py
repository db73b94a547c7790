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
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime, timedelta

from django.db import transaction

from veche.apps.store.kinds import REDACTABLE, retention_of_close, retention_rule
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
            rows = StoredEvent.objects.filter(
                space=space, kind__in=list(REDACTABLE), redacted=False, at__lte=cutoff
            ).values_list("id", "raw", "status", "reason")
            changed: list[StoredEvent] = []
            named: set[str] | None = None
            for event_id, raw, status, reason in rows.iterator(chunk_size=500):
                if named is None:
                    named = _named_in(closure({space}))
                if event_id not in named:
                    # Nothing names it yet: another node could not take its redacted
                    # form (§16.4), so it stays whole until an event builds on it.
                    continue
                event = parse_event(bytes(raw), verify=False)
                content = REDACTABLE[event.kind]
                if status == Status.REJECTED and _refused_for(reason, content):
                    # Refused because of a field a redaction removes: without it the
                    # event would be judged anew and could pass (event-v1 §16.3).
                    continue
                form = redact(event, content, rule.close)
                if form is not None:
                    changed.append(StoredEvent(id=event_id, raw=form, redacted=True))
            if changed:
                StoredEvent.objects.bulk_update(changed, ["raw", "redacted"], batch_size=200)
                rebuild(closure({space}))
                done[space] = len(changed)
    if done:
        logger.info("redacted under retention rules: %s", done)
    return done


def _named_in(spaces: set[str]) -> set[str]:
    """Every id the stored events of ``spaces`` name in ``prev`` or ``deps``."""
    named: set[str] = set()
    rows = StoredEvent.objects.filter(space__in=sorted(spaces)).values_list("raw", flat=True)
    for raw in rows.iterator(chunk_size=2000):
        event = parse_event(bytes(raw), verify=False)
        named.update(event.deps)
        if event.prev is not None:
            named.add(event.prev)
    return named


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
    event: Event, now: datetime, offered: Mapping[str, Event] | None = None
) -> str | None:
    """Why no retention rule covers ``event``, or None (event-v1 §16.4 b)."""
    assert event.redacted_under is not None
    days = retention_of_close(event.space_id, event.redacted_under, offered)
    if days is None or days <= 0:
        return "no retention rule of its space covers it"
    if event.at_datetime + timedelta(days=days) > now:
        return "its space's retention rule does not cover it yet"
    return None


def check_redacted(
    event: Event, now: datetime, *, cited: bool, offered: Mapping[str, Event] | None = None
) -> str | None:
    """Why a redacted form is not acceptable, or None (event-v1 §16.4 a–c).

    ``cited``: whether an event the node holds (or receives with it) names it.
    """
    refusal = shape_refusal(event)
    if refusal is None and not cited:
        refusal = "no event this node holds names it"
    return refusal or coverage_refusal(event, now, offered)


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
            cited = bool(waiting) or ExternalCitation.objects.filter(cited=event.id).exists()
            assert event.redacted_under is not None
            days = retention_of_close(event.space_id, event.redacted_under, offered)
            if not cited or days is None:
                later.append((index, event))  # what names it, or its rule, may come
                continue
            seen.add(event.id)
            refusal = coverage_refusal(event, now, offered)
            if refusal is not None:
                refuse(index, event, "uncovered", refusal)
                continue
            refusal = _chain_refusal(event, waiting)
            if refusal is not None:
                refuse(index, event, "chain", refusal)
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


def _chain_refusal(event: Event, waiting: Sequence[str]) -> str | None:
    for raw in StoredEvent.objects.filter(id__in=list(waiting)).values_list("raw", flat=True):
        refusal = chain_refusal(event, parse_event(bytes(raw), verify=False))
        if refusal is not None:
            return refusal
    return None


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
