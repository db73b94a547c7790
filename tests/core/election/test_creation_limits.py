"""The creation body's limits as election-v1.md §12.2 states them, checked against the rules.

The limits table is parsed from the doc; every row is compared with the schema
the rules run, and hypothesis builds creation bodies at each limit and one past
it: at the limit the create is applied, past it refused with the rule and field
the doc names.
"""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from veche.election.rules import ElectionState, judge_event
from veche.election.spec import CREATE_BODY
from veche.events import Identity, RuleViolation
from veche.events.encoding import b64e
from veche.events.envelope import build_event
from veche.events.schema import Enum, Int, List, Obj, Schema, Str

DOC = Path(__file__).resolve().parents[3] / "docs" / "formats" / "election-v1.md"
CREATOR = Identity(bytes(range(32)))


def documented_limits() -> dict[str, dict[str, Any]]:
    text = DOC.read_text(encoding="utf-8")
    table = text.split("<!-- create-limits")[1].split("<!-- /create-limits -->")[0]
    rows: dict[str, dict[str, Any]] = {}
    for line in table.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) != 5 or not cells[0].startswith("`"):
            continue
        field, kind, low, high, required = cells
        rows[field.strip("`")] = {
            "type": kind,
            "min": int(low) if low else None,
            "max": int(high) if high else None,
            "required": required == "yes",
        }
    return rows


LIMITS = documented_limits()


def schema_at(path: str) -> tuple[Schema, bool]:
    """The schema of a documented field path (``questions[].options[]``) and whether required."""
    schema: Schema = CREATE_BODY
    required = True
    for part in path.split("."):
        name = part.removesuffix("[]")
        assert isinstance(schema, Obj), path
        required = name in schema.required
        schema = schema.required.get(name) or schema.optional[name]
        if part.endswith("[]"):
            assert isinstance(schema, List), path
            schema = schema.item
    return schema, required


def names_of(schema: Obj, prefix: str = "") -> set[str]:
    out = set()
    for name, item in {**schema.required, **schema.optional}.items():
        out.add(prefix + name)
        inner = item.item if isinstance(item, List) else item
        if isinstance(inner, Obj):
            out |= names_of(inner, prefix + name + "[].")
        elif isinstance(item, List) and isinstance(inner, Str):
            out.add(prefix + name + "[]")
    return out


def test_the_table_names_every_field_of_the_create_body() -> None:
    assert set(LIMITS) == names_of(CREATE_BODY)


@pytest.mark.parametrize("path", sorted(LIMITS))
def test_each_documented_limit_is_the_schemas(path: str) -> None:
    row = LIMITS[path]
    schema, required = schema_at(path)
    if not path.endswith("[]"):  # a list's items are not fields: nothing is required
        assert row["required"] == required, path
    if isinstance(schema, Str | List):
        assert (row["min"], row["max"]) == (schema.min_length, schema.max_length), path
        assert row["type"].startswith("text" if isinstance(schema, Str) else "list"), path
    elif isinstance(schema, Int):
        assert (row["min"], row["max"]) == (schema.minimum, schema.maximum), path
        assert row["type"] == "integer", path
    elif isinstance(schema, Enum):
        assert re.findall(r"`([^`]+)`", row["type"]) == list(schema.values), path
    else:
        assert row["min"] is None and row["max"] is None, path
    if isinstance(schema, Str) and schema.pattern is not None:
        assert f"`{schema.pattern}`" in row["type"], path


# -- hypothesis: bodies at and past every limit -------------------------------------------------


def key(n: int) -> str:
    return b64e(n.to_bytes(4, "big") + bytes(28))


def base_body(party_list: bool) -> dict[str, Any]:
    body: dict[str, Any] = {
        "type": "election",
        "title": "Strike committee chair",
        "questions": [{"text": "Who chairs?", "options": ["A", "B", "C"], "min": 1, "max": 1}],
        "method": "plurality",
        "seats": 1,
        "electorate": [{"keys": [key(1)]}, {"keys": [key(2)]}],
        "trustees": [{"key": key(1000 + j), "box": key(2000 + j)} for j in range(3)],
        "threshold": 2,
    }
    if party_list:
        body.update(
            method="party_list",
            divisor="dhondt",
            threshold_percent="5",
            constituencies=[{"name": "Minsk", "seats": 3}, {"name": "Hrodna", "seats": 2}],
        )
        body["electorate"] = [
            {"keys": [key(1)], "constituency": "Minsk"},
            {"keys": [key(2)], "constituency": "Hrodna"},
        ]
    return body


def judge(body: dict[str, Any]) -> tuple[str, str] | None:
    event = build_event(
        CREATOR, space=None, seq=1, prev=None, kind="space.create", body=body,
        at="2020-08-20T09:00:00Z",
    )  # fmt: skip
    try:
        judge_event(ElectionState(), event)
    except RuleViolation as refused:
        return refused.rule, refused.field
    return None


def text(n: int, alphabet: str) -> str:
    return (alphabet * n)[:n]


def sized(path: str, n: int, body: dict[str, Any], alphabet: str) -> str:
    """Put a value of size ``n`` at ``path`` in a body that stays valid otherwise.
    Returns the concrete field path the refusal names."""
    if path == "title":
        body["title"] = text(n, alphabet)
        return "body.title"
    if path == "questions":
        body["method"] = "approval"
        body["questions"] = [
            {"text": f"Q{i}", "options": ["a", "b"], "min": 0, "max": 1} for i in range(n)
        ]
        return "body.questions"
    if path == "questions[].text":
        body["questions"][0]["text"] = text(n, alphabet)
        return "body.questions[0].text"
    if path == "questions[].options":
        body["method"] = "approval"
        body["questions"][0].update(options=[f"o{k}" for k in range(n)], min=0, max=1)
        return "body.questions[0].options"
    if path == "questions[].options[]":
        body["questions"][0]["options"][0] = text(n, alphabet)
        return "body.questions[0].options[0]"
    if path in ("questions[].min", "questions[].max"):
        # 200 options over the election (the most a ballot may have), approval.
        name = path.rsplit(".", 1)[1]
        body["method"] = "approval"
        q = body["questions"][0]
        q.update(options=[f"o{k}" for k in range(200)], min=0, max=200)
        q[name] = n
        return f"body.questions[0].{name}"
    if path == "seats":
        body.update(method="party_list", seats=n)
        return "body.seats"
    if path == "electorate":
        body["electorate"] = [{"keys": [key(10_000 + i)]} for i in range(n)]
        return "body.electorate"
    if path == "electorate[].keys":
        body["electorate"][0]["keys"] = [key(20_000 + i) for i in range(n)]
        return "body.electorate[0].keys"
    if path == "electorate[].constituency":
        name = text(n, alphabet)
        if 0 < n <= 100:  # a name the constituencies may have (they are checked first)
            body["constituencies"][0]["name"] = name
        body["electorate"][0]["constituency"] = name
        return "body.electorate[0].constituency"
    if path == "trustees":
        body["trustees"] = [{"key": key(1000 + j), "box": key(2000 + j)} for j in range(n)]
        body["threshold"] = max(1, min(n, 1))
        return "body.trustees"
    if path == "threshold":
        body["trustees"] = [{"key": key(1000 + j), "box": key(2000 + j)} for j in range(15)]
        body["threshold"] = n
        return "body.threshold"
    if path == "threshold_percent":
        body["threshold_percent"] = "0" * n if n <= 3 else "000." + "0" * (n - 4)
        return "body.threshold_percent"
    if path == "constituencies":
        body["constituencies"] = [{"name": f"C{i}", "seats": 1} for i in range(n)]
        for voter in body["electorate"]:
            voter["constituency"] = "C0"
        return "body.constituencies"
    if path == "constituencies[].name":
        name = text(n, alphabet)
        body["constituencies"][0]["name"] = name
        body["electorate"][0]["constituency"] = name or "Hrodna"
        return "body.constituencies[0].name"
    if path == "constituencies[].seats":
        body["constituencies"][0]["seats"] = n
        return "body.constituencies[0].seats"
    raise AssertionError(f"no generator for {path}")


BOUNDED = sorted(p for p, row in LIMITS.items() if row["min"] is not None)


def expected(path: str, n: int, concrete: str) -> tuple[str, str] | None:
    row = LIMITS[path]
    schema, _ = schema_at(path)
    counted = "length" if isinstance(schema, Str | List) else ""
    if n < row["min"]:
        return ("schema:min-length" if counted else "schema:minimum", concrete)
    if n > row["max"]:
        return ("schema:max-length" if counted else "schema:maximum", concrete)
    if path == "threshold_percent" and n == 8:  # the doc: the pattern allows 7 at most
        return ("schema:pattern", concrete)
    return None


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    path=st.sampled_from(BOUNDED),
    edge=st.sampled_from(("min", "max")),
    past=st.booleans(),
    alphabet=st.sampled_from(("a", "ў", "ы😀", "1 ")),
)
def test_bodies_at_and_just_past_each_documented_limit(
    path: str, edge: str, past: bool, alphabet: str
) -> None:
    row = LIMITS[path]
    n = row[edge] + ((-1 if edge == "min" else 1) if past else 0)
    if n < 0:
        return  # a list or text cannot be shorter than empty
    party_list = path.startswith(("constituencies", "electorate[].constituency", "threshold_"))
    body = base_body(party_list or path == "seats")
    concrete = sized(path, n, body, alphabet)
    assert judge(copy.deepcopy(body)) == expected(path, n, concrete), (path, n)


def test_a_threshold_percent_past_its_pattern_is_refused() -> None:
    body = base_body(True)
    body["threshold_percent"] = "1000"  # four digits: within 8 characters, not the pattern
    assert judge(body) == ("schema:pattern", "body.threshold_percent")


@pytest.mark.parametrize(
    ("change", "verdict"),
    [
        # the cross-field limits of §12.2, at and past each
        (lambda b: b.update(seats=3), None),
        (lambda b: b.update(seats=4), ("seats", "body.seats")),
        (lambda b: b.update(threshold=3), None),
        (lambda b: b.update(threshold=4), ("threshold", "body.threshold")),
        (
            lambda b: b.update(
                method="approval",
                questions=[
                    {"text": "a", "options": [f"o{k}" for k in range(100)], "min": 0, "max": 1},
                    {"text": "b", "options": [f"p{k}" for k in range(100)], "min": 0, "max": 1},
                ],
            ),
            None,
        ),
        (
            lambda b: b.update(
                method="approval",
                questions=[
                    {"text": "a", "options": [f"o{k}" for k in range(100)], "min": 0, "max": 1},
                    {"text": "b", "options": [f"p{k}" for k in range(101)], "min": 0, "max": 1},
                ],
            ),
            ("ballot-size", "body"),
        ),
        (lambda b: b["questions"][0].update(min=1, max=1), None),
        (lambda b: b["questions"][0].update(min=2, max=1), ("selections", "body.questions[0]")),
        (lambda b: b["questions"][0].update(max=2), ("selections", "body.questions[0]")),
    ],
)
def test_cross_field_limits(change: Any, verdict: tuple[str, str] | None) -> None:
    body = base_body(False)
    change(body)
    assert judge(body) == verdict


@given(percent=st.from_regex(r"[0-9]{1,3}(\.[0-9]{1,3})?", fullmatch=True))
@settings(max_examples=60, deadline=None)
def test_the_threshold_percent_is_at_most_100(percent: str) -> None:
    from fractions import Fraction

    body = base_body(True)
    body["threshold_percent"] = percent
    verdict = judge(body)
    assert verdict == (None if Fraction(percent) <= 100 else ("threshold", "body"))
