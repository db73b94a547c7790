"""Malformed bodies of every election kind are refused with a RuleViolation, never a crash."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from veche.events import RuleViolation

JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**53) + 1, 2**53 - 1) | st.text(max_size=50),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=12,
)
FIELDS = {
    "trustee.deal": "dealing",
    "ballot.cast": "ballot",
    "trustee.decrypt": "partial",
    "election.open": "public_key",
    "trustee.complain": "reason",
}


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(kind=st.sampled_from(sorted(FIELDS)), value=JSON, extra=st.booleans())
def test_any_body_is_judged_without_crashing(builder, kind, value, extra):
    b = builder(voters=2)
    b.create()
    b.deal_all()
    if kind in ("ballot.cast", "trustee.decrypt"):
        b.open()
    if kind == "trustee.decrypt":
        b.cast(b.voters[0], [[1, 0, 0]])
        b.close()
    author = b.signers[0] if kind.startswith("trustee") else b.voters[0]
    if kind == "election.open":
        author = b.creator
    body = {FIELDS[kind]: value}
    if kind == "trustee.complain":
        body["dealer"] = 2
    if extra:
        body["smuggled"] = 1
    try:
        b.writer.write(author, kind, body)
    except RuleViolation as violation:
        assert violation.message
    else:  # only a well-formed complaint can pass with random text
        assert kind == "trustee.complain" and not extra


@settings(max_examples=80, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    field=st.sampled_from(
        [
            "questions",
            "electorate",
            "trustees",
            "threshold",
            "seats",
            "method",
            "title",
            "constituencies",
            "divisor",
        ]
    ),
    value=JSON,
)
def test_any_create_body_field_is_judged_without_crashing(builder, field, value):
    b = builder()
    try:
        b.create(**{field: value})
    except RuleViolation as violation:
        assert violation.message
