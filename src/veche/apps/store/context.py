# A rule's sentence with values is a %-template that pages translate (apps/store/reasons.py).
# ruff: noqa: UP031
"""The state a rule judges against, and the buffer projectors write through.

Within one batch, projectors may buffer rows that no rule reads in the same
batch (votes, notes) with ``insert``/``upsert``; ``rows(Model)`` flushes that
model's buffer before handing out a queryset, so a rule never reads stale data.
``cited(event, id)`` is how a rule sees another event it names in ``deps``.
``cached(key, load)`` keeps what rules and projectors look up once per batch.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any, TypeVar, cast

from django.db import models

from veche.apps.store.citations import foreign_citations
from veche.events import Event, parse_event
from veche.events.registry import RuleViolation, Unverified

M = TypeVar("M", bound=models.Model)
T = TypeVar("T")

# A key of the per-batch cache: the owner's name for what it holds first (``"roster"``,
# ``"fund"``, ``"elections"``…), then what picks one entry (a space, an event id).
CacheKey = tuple[str, *tuple[Hashable, ...]]


@dataclass(frozen=True)
class Cited:
    """A cited event this node holds, and its outcome."""

    event: Event
    status: str


def _rows(model: type[models.Model], objects: list[Any]) -> tuple[list[Any], list[list[Any]]]:
    from django.db import connection

    auto = (models.AutoField, models.BigAutoField, models.SmallAutoField)
    fields = [f for f in model._meta.concrete_fields if not isinstance(f, auto)]
    plain = {"CharField", "TextField", "IntegerField", "BigIntegerField", "BooleanField"}
    simple = [f.get_internal_type() in plain for f in fields]
    rows = []
    for given in objects:
        obj = given
        if isinstance(obj, dict):  # plain values from insert_values: no model instance
            if all(simple):
                rows.append(
                    [obj[f.attname] if f.attname in obj else f.get_default() for f in fields]
                )
                continue
            obj = model(**obj)
        rows.append(
            [
                getattr(obj, f.attname)
                if is_plain
                else f.get_db_prep_save(f.pre_save(obj, True), connection)
                for f, is_plain in zip(fields, simple, strict=True)
            ]
        )
    return fields, rows


def fast_insert(
    model: type[models.Model],
    objects: list[Any],
    *,
    conflict: tuple[str, ...] = (),
    update: tuple[str, ...] = (),
) -> None:
    """INSERT (or, with ``conflict``, upsert) many rows with one prepared statement.

    ``bulk_create`` spends most of its time building SQL per row; projections
    write hundreds of thousands of rows, so they use ``executemany``.
    ``INSERT … ON CONFLICT … DO UPDATE`` works on SQLite and PostgreSQL alike.
    Rows that need auto ids back must use the ORM instead.
    """
    from django.db import connection

    fields, rows = _rows(model, objects)
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    columns = ", ".join(quote(f.column) for f in fields)
    marks = ", ".join(["%s"] * len(fields))
    sql = f"INSERT INTO {table} ({columns}) VALUES ({marks})"  # noqa: S608 - names from models
    if conflict:
        by_name = {f.name: str(f.column) for f in model._meta.concrete_fields}
        target = ", ".join(quote(by_name[name]) for name in conflict)
        sets = ", ".join(f"{quote(by_name[n])} = excluded.{quote(by_name[n])}" for n in update)
        sql += f" ON CONFLICT ({target}) DO UPDATE SET {sets}"
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


class Context:
    def __init__(self) -> None:
        self._inserts: dict[type[models.Model], list[models.Model]] = defaultdict(list)
        self._upserts: dict[type[models.Model], dict[Any, models.Model]] = defaultdict(dict)
        self._upsert_spec: dict[type[models.Model], tuple[tuple[str, ...], tuple[str, ...]]] = {}
        self._statuses: dict[str, str] = {}
        self._events: dict[str, Event] = {}
        # Per-batch caches owned by apps (invalidate what you change). Read it through
        # ``cached`` or ``recall``, which give back the type that was put in.
        self.memo: dict[CacheKey, object] = {}
        # Spaces whose holds changed (a key was revoked): re-projected after the batch.
        self.rebuild_requests: set[str] = set()
        # space -> keys that author this batch's events there, so that rules can
        # load just those members; None in a rebuild, which touches everyone.
        self.batch_keys: dict[str, set[str]] | None = None
        # The batch's events, for rules that prefetch what the batch will ask for.
        self.batch_events: list[Event] = []

    def child(self) -> Context:
        """A fresh context that knows the events and outcomes this one was told of:
        for judging an event on its causal past (event-v1 §14.2)."""
        other = Context()
        other._events = dict(self._events)
        other._statuses = dict(self._statuses)
        other.batch_keys = None
        return other

    # -- what rules read ------------------------------------------------------
    def note_event(self, event: Event, status: str) -> None:
        """The store tells the context about events judged in this batch."""
        self._events[event.id] = event
        self._statuses[event.id] = status

    def cited(self, event: Event, event_id: str, field: str = "body") -> Cited:
        """An event that ``event`` names; it must be among its deps (causal past).

        If it belongs to a space this node holds nothing of, the rule cannot check
        it: ``Unverified`` is raised and the event waits, counted nowhere
        (event-v1 §14.6). Nothing is ever taken on a claim.
        """
        found = self.cited_if_held(event, event_id, field)
        if found is None:
            raise Unverified(
                "unverified",
                "it cites an event of a space this node does not hold",
                field,
                missing=(event_id,),
            )
        return found

    def cited_if_held(self, event: Event, event_id: str, field: str = "body") -> Cited | None:
        """Like ``cited``, but None when the cited event is of a space this node
        holds nothing of: for claims a page shows as unchecked and counts nowhere."""
        if event_id != event.prev and event_id not in event.deps:
            raise RuleViolation(
                "cite-in-deps", "%(event)s must be listed in deps" % {"event": event_id}, field
            )
        if event_id not in self._events:
            from veche.apps.store.models import StoredEvent

            row = StoredEvent.objects.filter(id=event_id).values_list("raw", "status").first()
            if row is None or row[1] == "pending":
                if event_id in foreign_citations(event):
                    return None
                # Cannot happen for a placed event, whose other deps are all held.
                raise RuleViolation(
                    "cite-held", "%(event)s is not held" % {"event": event_id}, field
                )
            self._events[event_id] = parse_event(bytes(row[0]), verify=False)
            self._statuses[event_id] = row[1]
        return Cited(self._events[event_id], self._statuses[event_id])

    def cached(self, key: CacheKey, load: Callable[[], T]) -> T:
        """A per-batch cache entry, loaded once; projectors keep it true as they write.

        One key is filled by one loader (or by writes of the same type), so what is
        found under it is what ``load`` returns.
        """
        if key not in self.memo:
            self.memo[key] = load()
        return cast(T, self.memo[key])

    def recall(self, key: CacheKey, kind: type[T]) -> T | None:
        """The entry under ``key`` if there is one, checked to be a ``kind``."""
        found = self.memo.get(key)
        if found is None:
            return None
        if not isinstance(found, kind):
            raise TypeError(f"cache entry {key!r} is a {type(found).__name__}, not {kind}")
        return found

    def rows(self, model: type[M]) -> models.Manager[M]:
        self.flush(model)
        return model._default_manager

    def request_rebuild(self, space: str) -> None:
        """Ask for ``space`` to be projected again once this batch is stored."""
        self.rebuild_requests.add(space)

    # -- what projectors write ------------------------------------------------
    def insert(self, obj: models.Model) -> None:
        self._inserts[type(obj)].append(obj)

    def insert_values(self, model: type[models.Model], values: dict[str, Any]) -> None:
        """Like ``insert`` for hot paths: plain column values, no model instance."""
        self._inserts[model].append(values)  # type: ignore[arg-type]

    def upsert(self, obj: M, *, key: tuple[str, ...], update: tuple[str, ...]) -> None:
        """Insert or replace by ``key``; the last write in a batch wins."""
        model = type(obj)
        self._upsert_spec[model] = (key, update)
        self._upserts[model][tuple(getattr(obj, k) for k in key)] = obj

    def flush(self, model: type[models.Model] | None = None) -> None:
        models_to_flush = [model] if model is not None else list({*self._inserts, *self._upserts})
        for m in models_to_flush:
            inserts = self._inserts.pop(m, None)
            if inserts:
                fast_insert(m, inserts)
            upserts = self._upserts.pop(m, None)
            if upserts:
                key, update = self._upsert_spec[m]
                fast_insert(m, list(upserts.values()), conflict=key, update=update)

    def discard(self) -> None:
        self._inserts.clear()
        self._upserts.clear()
        self.memo.clear()
