"""The kinds of events a node understands: each declares its body schema and its rule.

A rule judges an event against the state that precedes it (the state type is
the registry's parameter: the Django store passes its projection context, the
offline election verifier passes its in-memory election state). A rule must
read only its own space's state and the events its event names in ``deps``;
that is what makes the projected state independent of arrival order.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Generic, TypeVar

from veche.events.envelope import Event
from veche.events.schema import Obj, Schema, SchemaError

__all__ = ["EventKind", "Registry", "RuleViolation", "UnknownKind", "Unverified"]

State = TypeVar("State")


class RuleViolation(Exception):
    """The event is well formed and signed, but not allowed in the state before it."""

    def __init__(self, rule: str, message: str, field: str = "event") -> None:
        super().__init__(message)
        self.rule = rule
        self.message = message
        self.field = field

    def __str__(self) -> str:
        return f"{self.field}: {self.message} [{self.rule}]"


class Unverified(RuleViolation):
    """The rule needs an event of another space that this node holds nothing of.

    Not a refusal: the event is kept as *unverified* (no effect, counted nowhere,
    grants nothing) and judged again when what it cites arrives (event-v1 §14.6).
    ``missing`` names the cited event ids, when the rule knows them.
    """

    def __init__(
        self, rule: str, message: str, field: str = "event", missing: tuple[str, ...] = ()
    ) -> None:
        super().__init__(rule, message, field)
        self.missing = missing


class UnknownKind(RuleViolation):
    def __init__(self, kind: str) -> None:
        super().__init__("known-kind", f"this node does not know the kind {kind!r}", "kind")


@dataclass(frozen=True, slots=True)
class EventKind(Generic[State]):
    name: str
    body: Schema
    rule: Callable[[State, Event], None]
    summary: str = ""

    def check_body(self, event: Event) -> None:
        body = self.body
        if event.redacted:
            # The removed fields cannot be checked; the kept ones are (event-v1 §16).
            if not isinstance(body, Obj):
                raise RuleViolation("redacted", "this kind is never redacted", "redacted")
            body = body.redacted(event.redacted)
        try:
            body.check(event.body, "body")
        except SchemaError as error:
            raise RuleViolation("schema:" + error.rule, error.message, error.path) from error


class Registry(Generic[State]):
    def __init__(self) -> None:
        self._kinds: dict[str, EventKind[State]] = {}

    def register(self, kind: EventKind[State]) -> EventKind[State]:
        if kind.name in self._kinds:
            raise ValueError(f"event kind {kind.name} registered twice")
        self._kinds[kind.name] = kind
        return kind

    def get(self, name: str) -> EventKind[State]:
        try:
            return self._kinds[name]
        except KeyError:
            raise UnknownKind(name) from None

    def __contains__(self, name: object) -> bool:
        return name in self._kinds

    def __iter__(self) -> Iterator[EventKind[State]]:
        return iter(sorted(self._kinds.values(), key=lambda k: k.name))

    def judge(self, state: State, event: Event) -> None:
        """Check the body against the schema, then the rule; raise RuleViolation if not allowed."""
        kind = self.get(event.kind)
        kind.check_body(event)
        kind.rule(state, event)
