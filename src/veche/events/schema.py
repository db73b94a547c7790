# A rule's sentence with values is a %-template that pages translate (apps/store/reasons.py).
# ruff: noqa: UP031
"""Declarative body schemas: each event kind says what its ``body`` must hold.

A schema checks a decoded body and raises ``SchemaError`` naming the field path
and the rule that failed (``body.options[2]: longer than 200 characters``).
Unknown fields are rejected, so a body cannot smuggle data past its schema.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from veche.events.encoding import is_b64_of_length

__all__ = [
    "Bool",
    "Enum",
    "EventId",
    "Int",
    "List",
    "Obj",
    "PublicKey",
    "Schema",
    "SchemaError",
    "Str",
    "Timestamp",
]


# [0-9], not \d, which would also accept non-ASCII digits.
_TIMESTAMP = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z")


class SchemaError(ValueError):
    def __init__(self, path: str, rule: str, message: str) -> None:
        super().__init__(f"{path}: {message}")
        self.path = path
        self.rule = rule
        self.message = message


class Schema:
    def check(self, value: Any, path: str) -> None:
        raise NotImplementedError


@dataclass(frozen=True, slots=True)
class Str(Schema):
    min_length: int = 0
    max_length: int = 1000
    pattern: str | None = None

    def check(self, value: Any, path: str) -> None:
        if not isinstance(value, str):
            raise SchemaError(path, "type", "must be text")
        if len(value) < self.min_length:
            raise SchemaError(
                path,
                "min-length",
                "must not be empty"
                if self.min_length == 1
                else "shorter than %(n)d" % {"n": self.min_length},
            )
        if len(value) > self.max_length:
            raise SchemaError(
                path, "max-length", "longer than %(n)d characters" % {"n": self.max_length}
            )
        if self.pattern is not None and not re.fullmatch(self.pattern, value):
            raise SchemaError(path, "pattern", "has the wrong form")


@dataclass(frozen=True, slots=True)
class Int(Schema):
    minimum: int | None = None
    maximum: int | None = None

    def check(self, value: Any, path: str) -> None:
        if type(value) is not int:
            raise SchemaError(path, "type", "must be a whole number")
        if self.minimum is not None and value < self.minimum:
            raise SchemaError(path, "minimum", "must be at least %(n)s" % {"n": self.minimum})
        if self.maximum is not None and value > self.maximum:
            raise SchemaError(path, "maximum", "must be at most %(n)s" % {"n": self.maximum})


@dataclass(frozen=True, slots=True)
class Bool(Schema):
    def check(self, value: Any, path: str) -> None:
        if type(value) is not bool:
            raise SchemaError(path, "type", "must be true or false")


@dataclass(frozen=True, slots=True)
class Enum(Schema):
    values: tuple[str, ...]

    def check(self, value: Any, path: str) -> None:
        if value not in self.values:
            raise SchemaError(
                path, "enum", "must be one of %(values)s" % {"values": ", ".join(self.values)}
            )


@dataclass(frozen=True, slots=True)
class EventId(Schema):
    def check(self, value: Any, path: str) -> None:
        if not is_b64_of_length(value, 32):
            raise SchemaError(path, "id-format", "must be an event id")


@dataclass(frozen=True, slots=True)
class PublicKey(Schema):
    def check(self, value: Any, path: str) -> None:
        if not is_b64_of_length(value, 32):
            raise SchemaError(path, "key-format", "must be a base64url Ed25519 public key")


@dataclass(frozen=True, slots=True)
class Timestamp(Schema):
    """A UTC time written exactly as the envelope's ``at`` is (ASCII digits, a real date)."""

    def check(self, value: Any, path: str) -> None:
        if not isinstance(value, str) or not _TIMESTAMP.fullmatch(value):
            raise SchemaError(path, "time-format", "must be UTC like 2020-08-11T18:00:00Z")
        try:
            datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ")  # noqa: DTZ007 (format ends in Z)
        except ValueError as error:
            raise SchemaError(path, "time-format", "is not a real date and time") from error


@dataclass(frozen=True, slots=True)
class List(Schema):
    item: Schema
    min_length: int = 0
    max_length: int = 100
    unique: bool = False

    def check(self, value: Any, path: str) -> None:
        if not isinstance(value, list):
            raise SchemaError(path, "type", "must be a list")
        if len(value) < self.min_length:
            raise SchemaError(
                path, "min-length", "needs at least %(n)d items" % {"n": self.min_length}
            )
        if len(value) > self.max_length:
            raise SchemaError(path, "max-length", "at most %(n)d items" % {"n": self.max_length})
        for index, item in enumerate(value):
            self.item.check(item, f"{path}[{index}]")
        if self.unique:
            seen = [repr(v) for v in value]
            if len(set(seen)) != len(seen):
                raise SchemaError(path, "unique", "must not repeat an item")


@dataclass(frozen=True, slots=True)
class Obj(Schema):
    """An object with required and optional fields; nothing else is allowed."""

    required: Mapping[str, Schema] = field(default_factory=dict)
    optional: Mapping[str, Schema] = field(default_factory=dict)
    nullable: Sequence[str] = ()

    def check(self, value: Any, path: str = "body") -> None:
        if not isinstance(value, dict):
            raise SchemaError(path, "type", "must be an object")
        for name in self.required:
            if name not in value:
                raise SchemaError(f"{path}.{name}", "required", "is required")
        for name, item in value.items():
            schema = self.required.get(name) or self.optional.get(name)
            if schema is None:
                raise SchemaError(f"{path}.{name}", "unknown", "is not a field of this kind")
            if item is None and name in self.nullable:
                continue
            schema.check(item, f"{path}.{name}")

    def redacted(self, removed: Sequence[str]) -> Obj:
        """This schema for a redacted body (event-v1 §16): the ``removed`` fields read
        as empty strings and are not checked; every other field is."""
        gone = _Removed()
        return Obj(
            required={k: gone if k in removed else v for k, v in self.required.items()},
            optional={k: gone if k in removed else v for k, v in self.optional.items()},
            nullable=self.nullable,
        )


class _Removed(Schema):
    """A field a redaction removed: read as the empty string."""

    def check(self, value: Any, path: str) -> None:
        if value != "":
            raise SchemaError(path, "redacted", "was removed by a redaction")
