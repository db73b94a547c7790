"""Every known-answer rule case of election-v1-vectors.json, judged by the verifier.

The cases are read from the published file (not regenerated), so these tests say
that the implementation gives the verdicts an outsider's verifier must give.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from veche.election.record import verify_record
from veche.election.vectors import parse_reason
from veche.events.envelope import parse_event

VECTORS = Path(__file__).resolve().parents[3] / "docs" / "formats" / "election-v1-vectors.json"
RULES: dict[str, Any] = json.loads(VECTORS.read_text(encoding="utf-8"))["rules"]
CASES = {case["name"]: case for case in RULES["cases"]}


def record_of(case: dict[str, Any]) -> list[bytes]:
    lines = list(case["lines"])
    if case["base"] is not None:
        kind, stage = case["base"].split("/")
        lines = RULES["bases"][kind][: RULES["stage_lines"][stage]] + lines
    return [line.encode() for line in lines]


@pytest.mark.parametrize("name", sorted(CASES))
def test_the_verifier_gives_each_case_its_verdict(name: str) -> None:
    case = CASES[name]
    report = verify_record(record_of(case))
    if case["base"] is None:  # a create alone: refused means the record fails
        ((expect,),) = [case["expect"]]
        if expect["verdict"] == "applied":
            assert report.ok, report.failure
            assert report.stage == "created"
        else:
            assert not report.ok
            assert report.item == expect["event"]
            assert parse_reason(report.failure or "") == (expect["rule"], expect["field"])
        return
    assert report.ok, report.failure
    refused = {r.event: parse_reason(r.reason) for r in report.refused}
    for expect in case["expect"]:
        if expect["verdict"] == "applied":
            assert expect["event"] not in refused, refused.get(expect["event"])
        else:
            assert refused.get(expect["event"]) == (expect["rule"], expect["field"])
    assert set(refused) <= {e["event"] for e in case["expect"]}  # nothing else refused


def test_each_case_lists_its_events_and_every_line_is_a_signed_event() -> None:
    for case in RULES["cases"]:
        ids = [parse_event(line.encode()).id for line in case["lines"]]
        assert [e["event"] for e in case["expect"]] == ids, case["name"]


def test_the_base_records_verify_and_decide() -> None:
    for kind, lines in RULES["bases"].items():
        report = verify_record([line.encode() for line in lines])
        assert report.ok, (kind, report.failure)
        assert report.stage == "decided"
        assert report.refused == ()
    plurality = verify_record([line.encode() for line in RULES["bases"]["plurality"]])
    assert plurality.counts == (1, 2, 0)
    assert plurality.winners == (("Maria",),)


def test_every_rule_of_the_spec_has_a_refusing_case() -> None:
    """Each rule code the spec names (election-v1.md §12) is refused by some case."""
    refused = {e["rule"] for case in RULES["cases"] for e in case["expect"] if "rule" in e}
    for rule in (
        "ballot-size", "options-unique", "selections", "party-list", "constituency", "seats",
        "threshold", "trustees", "election-call", "electorate-unique", "creator", "stage",
        "trustee", "dealer", "dealing-once", "dealing", "complaint", "public-key", "ceremony",
        "eligible", "ballot", "ballot-copied", "parents", "tally", "decrypt-once",
        "partial-decryption", "decrypt", "counts", "known-kind",
        "schema:required", "schema:unknown", "schema:type", "schema:min-length",
        "schema:max-length", "schema:minimum", "schema:maximum", "schema:enum",
        "schema:pattern", "schema:unique", "schema:key-format",
    ):  # fmt: skip
        assert rule in refused, rule


def test_the_empty_constituency_case_decides_with_vacant_seats() -> None:
    report = verify_record(record_of(CASES["party-list/empty-constituency"]))
    assert report.ok, report.failure
    assert report.stage == "decided"
    assert report.counts_by_constituency == ((1, 1, 0), (0, 0, 0))
    assert report.seats is not None and sum(report.seats) == 3
    assert report.vacant == 2


def test_the_empty_tally_case_decides_with_zero_counts() -> None:
    report = verify_record(record_of(CASES["result/empty"]))
    assert report.ok and report.stage == "decided"
    assert report.counts == (0, 0, 0)
    assert report.ballots_counted == 0
    # An option without a vote never wins (§12.11): nobody wins an empty tally.
    assert report.winners == ((),)
