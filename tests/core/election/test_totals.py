"""election-v1 ``totals`` (a needs survey, planning-v1 §6): the tally is one ciphertext per
question, its total; the record verifies to the totals alone, and the shape is checked."""

from __future__ import annotations

import pytest

from veche.election.record import verify_record
from veche.election.simulate import simulate
from veche.election.spec import parse_spec
from veche.events import RuleViolation
from veche.events.identity import Identity


def test_a_totals_record_decides_each_questions_total_and_nothing_per_option() -> None:
    run = simulate(voters=6, options=4, trustees=2, threshold=2, seed=3, totals=True)
    report = verify_record(run.record.split(b"\n")[:-1])
    assert report.ok, report.failure
    assert report.counts == run.true_counts and len(report.counts) == 1
    assert report.counts_by_question == ((run.true_counts[0],),)
    assert report.winners == ((),)


def _body(options: list[str], method: str = "plurality") -> dict[str, object]:
    return {
        "type": "election",
        "title": "Needs",
        "questions": [{"text": "Food parcels", "options": options, "min": 0, "max": 1}],
        "method": method,
        "seats": 1,
        "electorate": [],
        "trustees": [{"key": Identity.generate().public, "box": "A" * 43}],
        "threshold": 1,
        "totals": True,
    }


@pytest.mark.parametrize(
    ("options", "method"),
    [(["1", "two"], "plurality"), (["0", "1"], "plurality"), (["1", "2"], "approval")],
)
def test_a_totals_election_is_plurality_over_whole_numbers(options: list[str], method: str) -> None:
    with pytest.raises(RuleViolation) as caught:
        parse_spec("e" * 43, "c" * 43, _body(options, method))
    assert caught.value.rule == "totals"
