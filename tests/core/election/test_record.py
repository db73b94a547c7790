"""The record verifier: the must-show simulation, byte tampering and forged events."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from veche.cli import main
from veche.election.record import RecordError, split_record, verify_record
from veche.election.simulate import simulate
from veche.events import Identity

ROOT = Path(__file__).resolve().parents[3]


@pytest.mark.slow
def test_simulate_500_voters_then_verify_gives_the_true_counts(tmp_path, capsys):
    record = tmp_path / "election.jsonl"
    assert (
        main(
            [
                "election",
                "simulate",
                "--voters",
                "500",
                "--options",
                "5",
                "--trustees",
                "3",
                "--threshold",
                "2",
                "--out",
                str(record),
                "--json",
            ]
        )
        == 0
    )
    simulated = json.loads(capsys.readouterr().out)
    assert sum(simulated["counts"]) == 500 and len(simulated["counts"]) == 5
    assert simulated["absent_trustee"] in (1, 2, 3)
    assert main(["election", "verify", str(record), "--json"]) == 0
    verified = json.loads(capsys.readouterr().out)
    assert verified["ok"] is True
    assert verified["counts"] == simulated["counts"]
    assert verified["ballots_counted"] == 500
    # Changing any byte of that record makes verification fail (200 positions spread
    # over the whole file; every byte is inside a signed line or is a line's newline).
    data = record.read_bytes()
    pick = random.Random(500)
    for index in [0, len(data) - 1, *pick.sample(range(len(data)), 198)]:
        new = (data[index] + pick.randrange(1, 256)) % 256
        assert _fails(data[:index] + bytes([new]) + data[index + 1 :]), index


@pytest.fixture(scope="module")
def small_record() -> bytes:
    return simulate(voters=6, options=3, trustees=3, threshold=2, seed=7).record


def test_verify_needs_no_django(tmp_path, small_record):
    path = tmp_path / "r.jsonl"
    path.write_bytes(small_record)
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    code = (
        "import sys; from veche.cli import main; status = main(['election', 'verify', sys.argv[1],"
        " '--json']); assert 'django' not in sys.modules, 'imported Django'; sys.exit(status)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(path)], capture_output=True, env=env, cwd=ROOT, check=False
    )
    assert done.returncode == 0, done.stderr.decode()
    assert json.loads(done.stdout)["ok"] is True


def _fails(data: bytes) -> bool:
    try:
        return not verify_record(split_record(data)).ok
    except RecordError:
        return True


@settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(position=st.floats(0, 1, exclude_max=True), new=st.integers(0, 255))
def test_changing_any_byte_makes_verification_fail(small_record, position, new):
    index = int(position * len(small_record))
    if small_record[index] == new:
        new = (new + 1) % 256
    tampered = small_record[:index] + bytes([new]) + small_record[index + 1 :]
    assert _fails(tampered)


def test_the_cli_names_the_first_failing_item(tmp_path, small_record, capsys):
    lines = small_record.split(b"\n")
    lines[3] = lines[3].replace(b'"seq":1', b'"seq":2', 1)
    path = tmp_path / "bad.jsonl"
    path.write_bytes(b"\n".join(lines))
    assert main(["election", "verify", str(path)]) == 1
    assert "line 4" in capsys.readouterr().err
    assert main(["election", "verify", str(path), "--json"]) == 1
    out = json.loads(capsys.readouterr().out)
    assert out["ok"] is False and out["item"] == "line 4" and out["counts"] is None


def test_lines_in_any_order_verify_alike(small_record):
    lines = split_record(small_record)
    expected = verify_record(lines)
    shuffled = list(lines)
    random.Random(3).shuffle(shuffled)
    again = verify_record(shuffled)
    assert again.ok and again.counts == expected.counts and again.trackers == expected.trackers


def test_a_missing_event_that_others_cite_fails(small_record):
    lines = split_record(small_record)
    report = verify_record(lines[:5] + lines[6:])
    assert not report.ok and "not in the record" in report.failure


# -- targeted tampering of a finished record: each edit makes verification fail ---------------


@pytest.fixture(scope="module")
def finished():
    from tests.core.election.conftest import Builder

    b = Builder(voters=4)
    b.run([0, 1, 1, 2])
    assert verify_record(b.lines()).ok
    return b


def _line_of(b, kind: str, nth: int = 0) -> int:
    return [i for i, e in enumerate(b.events) if e.kind == kind][nth]


def _edit(b, index: int, old: bytes, new: bytes):
    lines = b.lines()
    assert old in lines[index] and old != new
    lines[index] = lines[index].replace(old, new, 1)
    return verify_record(lines)


def test_editing_a_ballot_proof_fails(finished):
    i = _line_of(finished, "ballot.cast", 1)
    v = finished.events[i].body["ballot"]["answers"][0]["choices"][1]["proof"]["v"][0]
    report = _edit(finished, i, v.encode(), (v[:-2] + ("AA" if v[-2:] != "AA" else "BA")).encode())
    assert not report.ok and report.item == f"line {i + 1}"


def test_editing_a_partial_decryption_fails(finished):
    i = _line_of(finished, "trustee.decrypt")
    factor = finished.events[i].body["partial"]["factors"][0]
    other = finished.events[i].body["partial"]["factors"][1]
    report = _edit(finished, i, factor.encode(), other.encode())
    assert not report.ok and report.item == f"line {i + 1}"


def test_editing_a_result_count_fails(finished):
    i = _line_of(finished, "election.result")
    report = _edit(finished, i, b'"counts":[1,2,1]', b'"counts":[1,1,2]')
    assert not report.ok and report.item == f"line {i + 1}"


def test_putting_an_ineligible_voter_as_author_fails(finished):
    i = _line_of(finished, "ballot.cast", 0)
    outsider = Identity.generate().public
    report = _edit(finished, i, finished.events[i].author.encode(), outsider.encode())
    assert not report.ok and "signature" in report.failure


def test_replaying_one_voters_ballot_in_anothers_line_fails(finished):
    import json as _json

    a, b_ = _line_of(finished, "ballot.cast", 0), _line_of(finished, "ballot.cast", 3)
    mine = _json.dumps(finished.events[a].body["ballot"], separators=(",", ":"), sort_keys=True)
    theirs = _json.dumps(finished.events[b_].body["ballot"], separators=(",", ":"), sort_keys=True)
    report = _edit(finished, b_, theirs.encode(), mine.encode())
    assert not report.ok and report.item == f"line {b_ + 1}"


# -- forged events: correctly signed, but refused by the rules; without effect ------------------


def _opened(builder, voters=3):
    b = builder(voters=voters)
    b.create()
    b.deal_all()
    b.open()
    return b


def _finish(b):
    b.close()
    if b.state.counted:
        b.decrypt(1)
        b.decrypt(3)
    b.result()
    return verify_record(b.lines())


def _refused(report, event):
    return {r.event: r.reason for r in report.refused}.get(event.id, "")


def test_a_forged_ballot_proof_is_refused_and_not_counted(builder):
    b = _opened(builder)
    ballot = b.ballot([[1, 0, 0]])
    proof = ballot["answers"][0]["choices"][1]["proof"]
    proof["v"][0], proof["v"][1] = proof["v"][1], proof["v"][0]
    forged = b.writer.write(b.voters[0], "ballot.cast", {"ballot": ballot}, judge=False)
    b.cast(b.voters[1], [[0, 1, 0]])
    report = _finish(b)
    assert report.ok and report.counts == (0, 1, 0)
    assert "answers[0].choices[1].proof" in _refused(report, forged)


def test_a_forged_partial_decryption_is_refused(builder):
    b = _opened(builder)
    for v in b.voters:
        b.cast(v, [[0, 1, 0]])
    b.close()
    partial = b.partial(2)
    partial["proofs"][1]["c"], partial["proofs"][1]["v"] = (
        partial["proofs"][1]["v"],
        partial["proofs"][1]["c"],
    )
    forged = b.writer.write(b.signers[1], "trustee.decrypt", {"partial": partial}, judge=False)
    b.decrypt(1)
    b.decrypt(3)
    b.result()
    report = verify_record(b.lines())
    assert report.ok and report.counts == (0, 3, 0)
    assert "trustee 2" in _refused(report, forged)


def test_a_forged_result_count_is_refused(builder):
    b = _opened(builder)
    for v in b.voters:
        b.cast(v, [[0, 1, 0]])
    b.close()
    b.decrypt(1)
    b.decrypt(3)
    forged = b.writer.write(b.creator, "election.result", {"counts": [1, 2, 0]}, judge=False)
    report = verify_record(b.lines())
    assert report.ok and report.counts is None and report.stage == "closed"
    assert "counts" in _refused(report, forged)
    b.result()
    assert verify_record(b.lines()).counts == (0, 3, 0)


def test_an_ineligible_voters_ballot_is_refused(builder):
    b = _opened(builder)
    outsider = Identity.generate()
    forged = b.writer.write(outsider, "ballot.cast", {"ballot": b.ballot([[1, 0, 0]])}, judge=False)
    b.cast(b.voters[0], [[0, 0, 1]])
    report = _finish(b)
    assert report.ok and report.counts == (0, 0, 1)
    assert "electorate" in _refused(report, forged)


def test_a_copied_ballot_of_another_voter_is_refused(builder):
    b = _opened(builder)
    original = b.cast(b.voters[0], [[0, 0, 1]])
    forged = b.writer.write(
        b.voters[1], "ballot.cast", {"ballot": original.body["ballot"]}, judge=False
    )
    report = _finish(b)
    assert report.ok and report.counts == (0, 0, 1) and report.ballots_counted == 1
    assert "copied" in _refused(report, forged)


def test_an_equivocating_voter_is_held(builder):
    from veche.events import build_event

    b = _opened(builder)
    first = b.cast(b.voters[0], [[0, 0, 1]])
    twin = build_event(
        b.voters[0],
        space=first.space,
        seq=first.seq,
        prev=first.prev,
        kind="ballot.cast",
        body={"ballot": b.ballot([[1, 0, 0]])},
        deps=first.deps,
    )
    report = verify_record([*b.lines(), twin.raw])
    assert report.ok and report.ballots_cast == 0
    assert "equivocation" in _refused(report, first) and "equivocation" in _refused(report, twin)


def test_an_event_of_another_space_fails(builder, small_record):
    b = _opened(builder)
    report = verify_record([*b.lines(), split_record(small_record)[1]])
    assert not report.ok


def test_the_parallel_proof_check_still_judges_everything_else(builder, monkeypatch):
    import veche.election.record as record

    monkeypatch.setattr(record, "_PARALLEL_BALLOTS", 1)
    b = _opened(builder, voters=4)
    for v in b.voters[:2]:
        b.cast(v, [[1, 0, 0]])
    smuggled = b.writer.write(
        b.voters[2], "ballot.cast", {"ballot": b.ballot([[0, 1, 0]]), "note": "x"}, judge=False
    )
    ballot = b.ballot([[1, 0, 0]])
    proof = ballot["answers"][0]["choices"][2]["proof"]
    proof["c"][0], proof["c"][1] = proof["c"][1], proof["c"][0]
    forged = b.writer.write(b.voters[3], "ballot.cast", {"ballot": ballot}, judge=False)
    report = _finish(b)
    assert report.ok and report.counts == (2, 0, 0)
    assert "body.note" in _refused(report, smuggled)
    assert "choices[2].proof" in _refused(report, forged)
