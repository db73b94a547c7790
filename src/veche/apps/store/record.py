"""Local writes: sign a node's own event and hand it to the same path as received ones.

The event names its author's previous event in the space (``prev``) and the
space's tips (``deps``): every applied event of the space that no applied event
names yet, so that everything the node has applied there is in its causal past
(event-v1 §14.2). A rule that refuses it stores nothing.

One writer per space (``locks.py``): the space's lock is taken before the position is
read and held to commit, so the node never signs two of its own events at one ``seq``
(a double-tapped vote would otherwise make the member an equivocator). A body that
depends on the state (a close's result) can be a callable, evaluated under the lock
against the state the event will be judged on; ``deps`` may then be a callable of it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from django.db import transaction

from veche.apps.store.ingest import ingest_events
from veche.apps.store.locks import lock_author, lock_space
from veche.apps.store.models import StoredEvent, Tip
from veche.apps.store.outcomes import Outcome, OutcomeStatus
from veche.events import Event, Identity, RuleViolation, build_event

__all__ = ["RecordRefused", "record"]

MAX_DEPS = 64


class RecordRefused(RuleViolation):
    """A local event the rules refuse: nothing was signed into the log."""


def record(
    identity: Identity,
    *,
    space: str | None,
    kind: str,
    body: dict[str, Any] | Callable[[], dict[str, Any]],
    deps: Sequence[str] | Callable[[dict[str, Any]], Sequence[str]] = (),
    at: datetime | None = None,
) -> Event:
    """Sign and append a local event; raise RuleViolation and store nothing if refused.

    ``body`` (and ``deps``, given the body) may be callables: they run under the space's
    lock, after every earlier append to the space has committed.
    """
    with transaction.atomic():
        if space is None:
            lock_author(identity.public)
            seq, prev, tips = 1, None, []
        else:
            lock_space(space)
            last = (
                StoredEvent.objects.filter(space=space, author=identity.public)
                .order_by("-seq")
                .values_list("id", "seq")
                .first()
            )
            seq, prev = (last[1] + 1, last[0]) if last else (1, None)
            tips = list(
                Tip.objects.filter(space=space)
                .order_by("-height", "-event")
                .values_list("event", flat=True)[: MAX_DEPS + 1]
            )
        if callable(body):
            body = body()
        if callable(deps):
            deps = deps(body)
        all_deps = set(deps)
        for tip in tips:  # the highest first, as many as fit
            if len(all_deps) >= MAX_DEPS:
                break
            if tip != prev:
                all_deps.add(tip)
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
        if outcome.status != OutcomeStatus.APPLIED:
            transaction.savepoint_rollback(sid)
            raise _refusal(outcome)
        transaction.savepoint_commit(sid)
    return event


def _refusal(outcome: Outcome) -> RuleViolation:
    rule, _, rest = outcome.reason.partition("|")
    field_name, _, message = rest.partition("|")
    return RecordRefused(
        rule or str(outcome.status), message or outcome.reason, field_name or "event"
    )
