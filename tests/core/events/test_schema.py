"""Body schemas and the kind registry: each failure names the path and the rule."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest

from veche.events.encoding import b64e
from veche.events.envelope import Event, build_event
from veche.events.identity import Identity
from veche.events.registry import EventKind, Registry, RuleViolation, UnknownKind
from veche.events.schema import (
    Bool,
    Enum,
    EventId,
    Int,
    List,
    Obj,
    PublicKey,
    Schema,
    SchemaError,
    Str,
    Timestamp,
)

AN_ID = b64e(hashlib.blake2b(b"some event", digest_size=32).digest())
A_KEY = Identity(bytes(32)).public


def rule_of(schema: Schema, value: Any, path: str = "body.x") -> tuple[str, str]:
    with pytest.raises(SchemaError) as caught:
        schema.check(value, path)
    assert str(caught.value) == f"{caught.value.path}: {caught.value.message}"
    return caught.value.path, caught.value.rule


@pytest.mark.parametrize(
    ("schema", "good", "bad", "rule"),
    [
        (Str(), "Свабода", 5, "type"),
        (Str(min_length=1), "a", "", "min-length"),
        (Str(min_length=3), "abc", "ab", "min-length"),
        (Str(max_length=3), "жжж", "жжжж", "max-length"),
        (Str(pattern=r"[A-Z]{2}"), "BY", "BYN", "pattern"),
        (Int(), 0, True, "type"),
        (Int(), -3, "3", "type"),
        (Int(minimum=1), 1, 0, "minimum"),
        (Int(maximum=100), 100, 101, "maximum"),
        (Bool(), False, 0, "type"),
        (Enum(("yes", "no")), "no", "maybe", "enum"),
        (Enum(("yes", "no")), "yes", None, "enum"),
        (EventId(), AN_ID, AN_ID[:-1], "id-format"),
        (EventId(), AN_ID, AN_ID[:-1] + "=", "id-format"),
        (PublicKey(), A_KEY, A_KEY.replace(A_KEY[-1], "!"), "key-format"),
        (Timestamp(), "2020-08-09T20:00:00Z", "2020-08-09T20:00:00+03:00", "time-format"),
        (Timestamp(), "2020-02-29T00:00:00Z", "2021-02-29T00:00:00Z", "time-format"),
        (Timestamp(), "2020-08-09T20:00:00Z", "٢٠٢٠-08-09T20:00:00Z", "time-format"),
        (Timestamp(), "2020-08-09T20:00:00Z", 1597003200, "time-format"),
        (List(Int()), [1, 2], (1, 2), "type"),
        (List(Int(), min_length=1), [1], [], "min-length"),
        (List(Int(), max_length=2), [1, 2], [1, 2, 3], "max-length"),
        (List(Str(), unique=True), ["a", "b"], ["a", "b", "a"], "unique"),
    ],
)
def test_scalar_and_list_schemas(schema: Schema, good: Any, bad: Any, rule: str) -> None:
    schema.check(good, "body.x")
    assert rule_of(schema, bad) == ("body.x", rule)


def test_list_items_are_checked_with_their_index() -> None:
    schema = List(Str(max_length=5))
    assert rule_of(schema, ["ok", "too long"], "body.options") == ("body.options[1]", "max-length")


MOTION = Obj(
    required={
        "title": Str(min_length=1, max_length=200),
        "options": List(Obj(required={"label": Str(min_length=1)}), min_length=2),
    },
    optional={"closes": Timestamp(), "parent": EventId()},
    nullable=("parent",),
)


def test_object_schema_accepts_required_optional_and_null() -> None:
    MOTION.check({"title": "Страйк", "options": [{"label": "за"}, {"label": "супраць"}]})
    MOTION.check(
        {
            "title": "Страйк",
            "options": [{"label": "за"}, {"label": "супраць"}],
            "closes": "2020-08-20T12:00:00Z",
            "parent": None,
        }
    )


@pytest.mark.parametrize(
    ("body", "path", "rule"),
    [
        ([], "body", "type"),
        ({"options": []}, "body.title", "required"),
        ({"title": "t"}, "body.options", "required"),
        ({"title": "t", "options": [{"label": "a"}, {"label": "b"}], "x": 1}, "body.x", "unknown"),
        ({"title": "", "options": []}, "body.title", "min-length"),
        ({"title": "t", "options": [{"label": "a"}]}, "body.options", "min-length"),
        ({"title": "t", "options": [{"label": "a"}, {}]}, "body.options[1].label", "required"),
        (
            {"title": "t", "options": [{"label": "a"}, {"label": "b", "z": 0}]},
            "body.options[1].z",
            "unknown",
        ),
        (
            {"title": "t", "options": [{"label": "a"}, {"label": "b"}], "closes": None},
            "body.closes",
            "time-format",
        ),
        (
            {"title": "t", "options": [{"label": "a"}, {"label": "b"}], "parent": "x"},
            "body.parent",
            "id-format",
        ),
    ],
)
def test_object_schema_names_the_path(body: Any, path: str, rule: str) -> None:
    with pytest.raises(SchemaError) as caught:
        MOTION.check(body)
    assert (caught.value.path, caught.value.rule) == (path, rule)


# -- registry -----------------------------------------------------------------------------

AUTHOR = Identity(hashlib.blake2b(b"registry test", digest_size=32).digest())


def post(body: dict[str, Any]) -> Event:
    return build_event(
        AUTHOR,
        space=AN_ID,
        seq=1,
        prev=None,
        kind="space.post",
        at="2020-08-10T10:00:00Z",
        body=body,
    )


def no_shouting(state: list[str], event: Event) -> None:
    state.append(event.id)
    if event.body["text"].isupper():
        raise RuleViolation("no-shouting", "please do not write in capitals", "body.text")


def make_registry() -> Registry[list[str]]:
    registry: Registry[list[str]] = Registry()
    registry.register(
        EventKind(
            name="space.post", body=Obj(required={"text": Str(min_length=1)}), rule=no_shouting
        )
    )
    registry.register(EventKind(name="motion.propose", body=Obj(), rule=lambda state, event: None))
    return registry


def test_registry_judges_schema_then_rule() -> None:
    registry = make_registry()
    seen: list[str] = []
    registry.judge(seen, post({"text": "Добры дзень"}))
    assert len(seen) == 1

    with pytest.raises(RuleViolation) as caught:
        registry.judge(seen, post({"text": ""}))
    assert (caught.value.field, caught.value.rule) == ("body.text", "schema:min-length")
    assert len(seen) == 1  # the rule never ran on a body that fails its schema

    with pytest.raises(RuleViolation) as caught:
        registry.judge(seen, post({"text": "ВСЕ НА УЛИЦЫ"}))
    assert (caught.value.field, caught.value.rule) == ("body.text", "no-shouting")
    assert str(caught.value) == "body.text: please do not write in capitals [no-shouting]"


def test_registry_refuses_unknown_kinds_and_double_registration() -> None:
    registry = make_registry()
    assert "space.post" in registry and "vote.cast" not in registry
    with pytest.raises(UnknownKind) as caught:
        registry.get("vote.cast")
    assert (caught.value.field, caught.value.rule) == ("kind", "known-kind")
    with pytest.raises(ValueError, match="twice"):
        registry.register(EventKind(name="space.post", body=Obj(), rule=no_shouting))
    assert [kind.name for kind in registry] == ["motion.propose", "space.post"]
