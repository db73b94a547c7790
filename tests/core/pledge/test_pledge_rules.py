"""Secret strike pledges (format pledge-v1): the rules, the result and the bad input.

Every case runs real keys, real proofs and real signed events through the same
rules the node and ``veche pledge verify`` use, and reads the outcome back from
the verified record, never from the writer's state alone.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from veche.events.identity import Identity
from veche.events.registry import RuleViolation
from veche.pledge.record import split_record, verify_record
from veche.pledge.simulate import open_pledge, seal_pledge


def _verified(run):
    report = verify_record(split_record(run.writer.record()))
    assert report.ok, report.failure
    return report


def _refused(run, event, rule):
    report = _verified(run)
    reasons = {r.event: r.reason for r in report.refused}
    assert event.id in reasons, f"{event.kind} was not refused"
    assert f"[{rule}" in reasons[event.id] or rule in reasons[event.id], reasons[event.id]
    return report


def test_five_pledge_one_withdraws_threshold_four_not_reached_then_reached():
    run = open_pledge(members=6, needed=4)
    for member in range(5):
        run.pledge(member, 1)
    run.pledge(2, 0)  # member 2 withdraws: a pledge of 0 replaces the 1
    run.close()
    run.decrypt([1, 3])
    run.result()
    report = _verified(run)
    assert (report.total, report.crossed, report.needed) == (4, True, 4)
    assert report.pledges_made == 6 and report.pledges_counted == 5

    second = open_pledge(members=6, needed=5)
    for member in range(5):
        second.pledge(member, 1)
    second.pledge(2, 0)
    second.close()
    second.decrypt([1, 2])
    second.result()
    assert (_verified(second).total, _verified(second).crossed) == (4, False)


def test_percent_of_the_workforce_rounds_up():
    run = open_pledge(members=3, percent="50", workforce=5)  # 2.5 -> 3 needed
    assert run.state.require_pledge().needed == 3
    for member in range(3):
        run.pledge(member, 1 if member else 0)
    run.close()
    run.decrypt()
    run.result()
    report = _verified(run)
    assert (report.needed, report.total, report.crossed) == (3, 2, False)


def test_a_forged_crossed_result_is_refused_and_the_true_one_stands():
    run = open_pledge(members=4, needed=3)
    for member in range(4):
        run.pledge(member, 1 if member < 2 else 0)
    run.close()
    run.decrypt([2, 3])
    forged = run.result(body={"crossed": True}, judge=False)
    with pytest.raises(RuleViolation) as caught:
        from veche.pledge.rules import judge_event

        judge_event(run.state, forged)
    assert caught.value.rule == "crossed"
    inflated = run.result(body={"total": 3, "crossed": True}, judge=False)
    run.result()
    report = _refused(run, forged, "crossed")
    assert any(r.event == inflated.id and "[total" in r.reason for r in report.refused)
    assert (report.total, report.crossed) == (2, False)


def test_non_member_bad_proof_late_and_copied_pledges_never_count():
    run = open_pledge(members=3, needed=2)
    run.pledge(0, 1)
    stranger = Identity.generate()
    outsider = run.writer.write(stranger, "ballot.cast", seal_pledge(run.state, 1), judge=False)
    # A bad proof: the beta of another sealing under the proof of this one does not hold.
    body = seal_pledge(run.state, 1)
    other = seal_pledge(run.state, 1)["ballot"]["answers"][0]["choices"][0]["beta"]
    body["ballot"]["answers"][0]["choices"][0]["beta"] = other
    bad = run.writer.write(run.members[1], "ballot.cast", body, judge=False)
    # A copy of member 0's pledge, sent by member 2, would count member 0's 1 twice.
    copied = run.writer.write(
        run.members[2], "ballot.cast", {"ballot": run.writer.events[-3].body["ballot"]}, judge=False
    )
    late = run.pledge(1, 1, judge=False, at=datetime(2020, 8, 25, 18, 0, 1, tzinfo=UTC))
    run.close()
    run.decrypt([1, 2])
    run.result()
    report = _verified(run)
    reasons = {r.event: r.reason for r in report.refused}
    assert "[eligible" in reasons[outsider.id]
    assert "[ballot" in reasons[bad.id]
    assert "[ballot-copied" in reasons[copied.id]
    assert "[deadline" in reasons[late.id]
    assert (report.total, report.crossed, report.pledges_counted) == (1, False, 1)


def test_a_second_pledge_replaces_the_first_and_counts_once():
    run = open_pledge(members=2, needed=2)
    run.pledge(0, 1)
    run.pledge(0, 1)
    run.pledge(0, 1)
    run.close()
    run.decrypt([1, 2])
    run.result()
    report = _verified(run)
    assert (report.total, report.pledges_made, report.pledges_counted) == (1, 3, 1)


def test_close_before_the_deadline_and_a_result_before_enough_trustees_are_refused():
    run = open_pledge(members=2, needed=1)
    run.pledge(0, 1)
    early = run.close(at=datetime(2020, 8, 25, 17, 59, 59, tzinfo=UTC), judge=False)
    with pytest.raises(RuleViolation) as caught:
        from veche.pledge.rules import judge_event

        judge_event(run.state, early)
    assert caught.value.rule == "deadline"
    run.close()
    run.decrypt([1])
    premature = run.writer.write(
        run.creator, "pledge.result", {"total": 1, "crossed": True}, judge=False
    )
    run.decrypt([2])
    run.result()
    report = _verified(run)
    reasons = {r.event: r.reason for r in report.refused}
    assert "[threshold" in reasons[premature.id]
    assert report.crossed is True


def test_a_pledge_space_is_not_an_election_record_and_back():
    from veche.election.record import verify_record as verify_election

    run = open_pledge(members=1, needed=1)
    report = verify_election(split_record(run.writer.record()))
    assert not report.ok and "not an election" in (report.failure or "")


@pytest.mark.parametrize(
    ("change", "rule"),
    [
        ({"needed": 3, "percent": "10", "workforce": 30}, "target"),
        ({"strike_date": "2020-02-30"}, "strike-date"),
        ({"committee": "A" * 43}, "strike-call"),
        ({"registry": "A" * 43}, "strike-call"),
        ({"threshold": 4}, "threshold"),
    ],
)
def test_bad_creations_fail_the_record(change, rule):
    from veche.events.envelope import build_event
    from veche.pledge.rules import PledgeState, judge_event

    run = open_pledge(members=1, needed=1)
    body = {**run.writer.events[0].body, **change}
    creator = Identity.generate()
    event = build_event(creator, space=None, seq=1, prev=None, kind="space.create", body=body)
    with pytest.raises(RuleViolation) as caught:
        judge_event(PledgeState(), event)
    assert caught.value.rule == rule


def test_an_election_result_in_a_pledge_space_is_an_unknown_kind():
    run = open_pledge(members=1, needed=1)
    run.pledge(0, 1)
    run.close()
    run.decrypt([1, 2])
    stray = run.writer.write(run.trustees[2], "election.result", {"counts": [1]}, judge=False)
    run.result()
    report = _refused(run, stray, "known-kind")
    assert report.crossed is True
