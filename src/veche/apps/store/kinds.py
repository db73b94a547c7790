# A rule's sentence with values is a %-template that pages translate (apps/store/reasons.py).
# ruff: noqa: UP031
"""Where Django apps declare their event kinds, projectors and projection models.

An app registers each kind once, in its ``AppConfig.ready``::

    register(
        "motion.vote",
        body=Obj(required={"motion": EventId(), "choice": Enum(("yes", "no", "abstain"))}),
        rule=check_vote,       # (Context, Event) -> None, raises RuleViolation
        apply=project_vote,    # (Context, Event) -> None, writes projection rows
    )

and each projection model with ``projection(Model, digest=(...fields...))``.
Every projection model has a ``space`` column, so one space can be re-projected
alone, and lists the fields that make up the state digest (never local ids or
local times, which differ between nodes).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db import models

from veche.apps.store.citations import FOREIGN, Foreign
from veche.apps.store.context import Context
from veche.events import Event, EventKind, Registry
from veche.events.schema import Obj, Schema, SchemaError

Rule = Callable[["Context", Event], None]
Apply = Callable[["Context", Event], None]


@dataclass(frozen=True)
class ProjectionModel:
    model: type[models.Model]
    digest: tuple[str, ...]
    order: tuple[str, ...]


@dataclass(frozen=True)
class KeyHold:
    """A key whose events from ``first_seq`` on are suspect (event-v1 §14.3): revoked
    by ``event``; ``reason`` is the stored reason of those that are held."""

    first_seq: int
    reason: str
    event: str


# A hold provider names revoked keys: scope (None = every space) -> {(space, key):
# KeyHold}. It reads projections, so rebuild runs in rounds (event-v1 §14.3).
HoldProvider = Callable[[set[str] | None], dict[tuple[str, str], KeyHold]]
HOLD_PROVIDERS: list[HoldProvider] = []

# Who is the same person as whom: scope -> {key: person}. Acknowledgment (§14.3)
# must come from another person, not from another device of the suspect's owner.
PersonProvider = Callable[[set[str] | None], dict[str, str]]
PERSON_PROVIDERS: list[PersonProvider] = []

# Branches of a fork a committee accepted by motion (event-v1 §14.5): scope ->
# {(space, key): event ids}; each event and its author's earlier events there count
# as acknowledged.
BranchProvider = Callable[[set[str] | None], dict[tuple[str, str], set[str]]]
BRANCH_PROVIDERS: list[BranchProvider] = []

# Kinds judged against the state of their causal past (event-v1 §14.2).
CAUSAL: set[str] = set()

# Kinds whose late arrival can be judged in place (see ``ingest``): kind -> a
# check that says whether an event of the kind, placed at ``key`` (height, id)
# before events already judged, conflicts with any of them. Such a kind's rule
# must read nothing that another late-safe kind writes, and its projector must
# write nothing that another late-safe kind's rule reads; the check covers what
# remains (two votes of one person on one motion, for instance). A late event
# of any other kind, or one with a later event of any other kind after it in
# its space, makes the node re-project the space.
LateConflict = Callable[[Event, tuple[int, str]], bool]
LATE_SAFE: dict[str, LateConflict] = {}

# Retention (event-v1 §16): kind -> the body fields that are content, removed when a
# retention rule covers an event of the kind. Every other field is essential: the
# rules read it, so it stays.
REDACTABLE: dict[str, tuple[str, ...]] = {}


@dataclass(frozen=True)
class RetentionRule:
    """A space's retention rule: content older than ``days`` is removed; ``close`` is
    the close of the motion that set it."""

    days: int
    close: str


# The rule in force in a space (its current state), or None: keep forever.
RetentionInForce = Callable[[str], RetentionRule | None]
# The days a stored close sets for a space (it need not be applied yet: a close can
# wait for the very events it covers), or None if it sets no retention rule there.
# The mapping holds the redacted events received with it, by id (a provider may not
# trust their kept fields: nothing signs them; the committees' reads the motion whole).
RetentionOfClose = Callable[[str, str, Mapping[str, Event]], int | None]
RETENTION_IN_FORCE: list[RetentionInForce] = []
RETENTION_OF_CLOSE: list[RetentionOfClose] = []
# Events of a redactable kind that are never redacted all the same (event-v1 §16.2):
# a rule change's motion, whose signed target is what every redaction cites.
KEPT_WHOLE: list[Callable[[Event], bool]] = []

KINDS: Registry[Context] = Registry()
APPLY: dict[str, Apply] = {}
PROJECTIONS: list[ProjectionModel] = []


@dataclass(frozen=True)
class SpaceType:
    body: Obj
    rule: Rule
    apply: Apply


SPACE_TYPES: dict[str, SpaceType] = {}


class _SpaceBody(Schema):
    """``space.create`` bodies: ``type`` picks the schema of the app that owns that type."""

    def check(self, value: Any, path: str) -> None:
        if not isinstance(value, dict) or not isinstance(value.get("type"), str):
            raise SchemaError(f"{path}.type", "required", "names the kind of space")
        space_type = SPACE_TYPES.get(value["type"])
        if space_type is None:
            known = ", ".join(sorted(SPACE_TYPES))
            raise SchemaError(
                f"{path}.type", "enum", "must be one of %(values)s" % {"values": known}
            )
        space_type.body.check(value, path)


def _space_rule(ctx: Context, event: Event) -> None:
    SPACE_TYPES[event.body["type"]].rule(ctx, event)


def _space_apply(ctx: Context, event: Event) -> None:
    SPACE_TYPES[event.body["type"]].apply(ctx, event)


def register_space_type(name: str, *, body: Obj, rule: Rule, apply: Apply) -> None:
    """A kind of space (committee, election, …): its ``space.create`` body, rule and projection.

    The body schema must require ``"type": Enum((name,))``.
    """
    if name in SPACE_TYPES:
        raise ValueError(f"space type {name} registered twice")
    if not SPACE_TYPES:
        register(
            "space.create",
            body=_SpaceBody(),
            rule=_space_rule,
            apply=_space_apply,
            summary="create a space; its id is this event's id",
        )
    SPACE_TYPES[name] = SpaceType(body, rule, apply)


def register(
    name: str,
    *,
    body: Schema,
    rule: Rule,
    apply: Apply,
    summary: str = "",
    foreign: Foreign | None = None,  # which deps cite other spaces (see ``citations``)
    causal: bool = False,
    late_conflict: LateConflict | None = None,
) -> None:
    KINDS.register(EventKind(name=name, body=body, rule=rule, summary=summary))
    APPLY[name] = apply
    if foreign is not None:
        FOREIGN[name] = foreign
    if causal:
        CAUSAL.add(name)
    if late_conflict is not None:
        LATE_SAFE[name] = late_conflict


def redactable(name: str, content: tuple[str, ...]) -> None:
    """Declare the content fields of a registered kind (event-v1 §16)."""
    if name not in KINDS:
        raise ValueError(f"event kind {name} is not registered")
    REDACTABLE[name] = tuple(sorted(content))


def retention_rule(space: str) -> RetentionRule | None:
    for provider in RETENTION_IN_FORCE:
        rule = provider(space)
        if rule is not None:
            return rule
    return None


def kept_whole(event: Event) -> bool:
    """Whether ``event``, although of a redactable kind, is never redacted."""
    return any(test(event) for test in KEPT_WHOLE)


def retention_of_close(
    space: str, close: str, offered: Mapping[str, Event] | None = None
) -> int | None:
    for provider in RETENTION_OF_CLOSE:
        days = provider(space, close, offered or {})
        if days is not None:
            return days
    return None


def late_safe(name: str, conflict: LateConflict) -> None:
    """Declare a registered kind late-safe (see ``LATE_SAFE``)."""
    if name not in KINDS:
        raise ValueError(f"event kind {name} is not registered")
    LATE_SAFE[name] = conflict


def projection(
    model: type[models.Model], *, digest: tuple[str, ...], order: tuple[str, ...] | None = None
) -> None:
    field_names = {f.name for f in model._meta.get_fields()}
    if "space" not in field_names:
        raise TypeError(f"projection model {model.__name__} needs a space field")
    unknown = set(digest) - field_names
    if unknown:
        raise TypeError(f"{model.__name__} has no fields {sorted(unknown)}")
    if any(p.model is model for p in PROJECTIONS):
        return
    PROJECTIONS.append(ProjectionModel(model, digest, order or digest))
    PROJECTIONS.sort(key=lambda p: p.model._meta.label)
