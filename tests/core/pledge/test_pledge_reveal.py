"""A pledge that reveals only whether its target was reached (pledge-v1 §7), replayed by
the offline verifier: honest runs give the right bit and no total; every forged step is
refused with its rule."""

from __future__ import annotations

from typing import Any

import pytest

from veche.crypto import Scalar, base_mul
from veche.crypto.elgamal import Ciphertext
from veche.events.registry import RuleViolation
from veche.pledge import reveal
from veche.pledge.record import split_record, verify_record
from veche.pledge.rules import reveal_context
from veche.pledge.simulate import PledgeRun, open_pledge
from veche.pledge.spec import MAX_REVEAL

CROSSED = {"reveal": "crossed"}


def _run(values: list[int], needed: int, **kw: Any) -> PledgeRun:
    run = open_pledge(members=len(values), needed=needed, extra=CROSSED, **kw)
    for i, v in enumerate(values):
        run.pledge(i, v)
    run.close()
    return run


def _report(run: PledgeRun) -> Any:
    report = verify_record(split_record(run.writer.record()))
    assert report.ok, report.failure
    return report


def _refused(run: PledgeRun, event: Any, rule: str) -> Any:
    report = _report(run)
    reasons = {r.event: r.reason for r in report.refused}
    assert event.id in reasons, f"{event.kind} was not refused"
    assert f"[{rule}" in reasons[event.id], reasons[event.id]
    return report


@pytest.mark.parametrize(
    ("values", "needed", "crossed"),
    [
        ([1, 1, 1, 0], 3, True),  # exactly the target
        ([1, 1, 0, 0], 3, False),  # one short
        ([1, 1, 1, 1], 3, True),  # above
        ([0, 0, 0, 0], 3, False),  # nobody
    ],
)
def test_the_bit_is_right_and_no_total_is_revealed(values, needed, crossed):
    run = _run(values, needed)
    run.blind(1)
    run.blind(3)
    run.reveal_decrypt([1, 3])
    run.reveal_result()
    report = _report(run)
    assert report.crossed is crossed
    assert report.total is None
    assert not report.refused


def test_no_pledge_counted_still_runs_and_is_not_reached():
    run = open_pledge(members=2, needed=2, extra=CROSSED)
    run.close()
    run.blind(2)
    run.blind(1)
    run.reveal_decrypt([1, 2])
    run.reveal_result()
    assert _report(run).crossed is False


def test_a_forged_crossed_and_a_total_are_refused():
    run = _run([1, 0, 0], 2)
    run.blind(1)
    run.blind(2)
    run.reveal_decrypt([2, 3])
    forged = run.reveal_result(body={"crossed": True}, judge=False)
    with_total = run.reveal_result(body={"crossed": False, "total": 1}, judge=False)
    run.reveal_result()
    _refused(run, forged, "crossed")
    report = _refused(run, with_total, "total")
    assert report.crossed is False


def test_decrypting_the_total_is_refused():
    run = _run([1, 1], 2)
    event = run.writer.write(run.trustees[0], "trustee.decrypt", {"partial": {}}, judge=False)
    _refused(run, event, "reveal")


def test_decryptions_before_enough_rounds_are_refused():
    run = _run([1, 1], 2)
    run.blind(1)
    state = run.state
    assert state.key is not None
    final = state.reveal.rounds[-1][1]
    body = reveal.decrypt_bodies(
        state.require_pledge().pledge_id, state.key, 1, run.secret(1), final
    )[0]
    early = run.writer.write(run.trustees[0], reveal.DECRYPT_KIND, body, judge=False)
    run.blind(2)
    run.reveal_decrypt([1, 2])
    run.reveal_result()
    _refused(run, early, "rounds")


def test_a_repeated_trustee_and_a_round_after_decryption_are_refused():
    run = _run([1, 1, 1], 2)
    run.blind(1)
    with pytest.raises(RuleViolation) as caught:
        run.blind(1)
    assert caught.value.rule == "blind-once"
    run.blind(2)
    run.reveal_decrypt([1])
    with pytest.raises(RuleViolation) as caught:
        run.blind(3)
    assert caught.value.rule == "blind-after-decrypt"


def _forged_round(run: PledgeRun, j: int, change: Any) -> Any:
    state = run.state
    pledge = state.require_pledge()
    assert state.key is not None
    blinding = reveal.blind_round(
        pledge.pledge_id,
        state.key.public_key,
        len(state.reveal.rounds) + 1,
        j,
        state.reveal.current(reveal_context(state).total, pledge.needed),
    )
    body = reveal.round_bodies(blinding)[0]
    change(body, blinding)
    return run.writer.write(run.trustees[j - 1], reveal.BLIND_KIND, body, judge=False)


def _one() -> Ciphertext:
    g = base_mul(Scalar.from_int(1))
    return Ciphertext(g, g)


def _bump_shuffled(body: dict, _b: Any) -> None:
    ct = Ciphertext.from_json(body["shuffled"][0])
    body["shuffled"][0] = Ciphertext(ct.alpha, ct.beta + _one().beta).to_json()


def _swap_shuffled(body: dict, _b: Any) -> None:
    body["shuffled"][0], body["shuffled"][1] = body["shuffled"][1], body["shuffled"][0]


def _bump_blinded(body: dict, _b: Any) -> None:
    ct = Ciphertext.from_json(body["blinded"][1])
    body["blinded"][1] = Ciphertext(ct.alpha, ct.beta + _one().beta).to_json()


def _bump_chain(body: dict, _b: Any) -> None:
    from veche.crypto.group import parse_point

    body["chain"][0] = (parse_point(body["chain"][0]) + _one().alpha).encode()


def _drop_c(body: dict, _b: Any) -> None:
    del body["c"]


def _truncate(body: dict, _b: Any) -> None:
    body["shuffled"] = body["shuffled"][:-1]


def _round_2(body: dict, _b: Any) -> None:
    body["round"] = 2


@pytest.mark.parametrize(
    ("change", "rule"),
    [
        (_bump_shuffled, "shuffle"),
        (_swap_shuffled, "shuffle"),
        (_bump_blinded, "blind"),
        (_bump_chain, "shuffle"),
        (_drop_c, "part"),
        (_truncate, "part-size"),
        (_round_2, "round"),
    ],
)
def test_a_round_with_a_bad_proof_is_refused(change, rule):
    run = _run([1, 0, 1], 3)
    bad = _forged_round(run, 1, change)
    run.blind(2)
    run.blind(1)
    run.reveal_decrypt([1, 2])
    run.reveal_result()
    report = _refused(run, bad, rule)
    assert report.crossed is False


def test_a_round_on_the_wrong_input_list_is_refused():
    run = _run([1, 1, 0], 2)
    run.blind(1)
    state = run.state
    pledge = state.require_pledge()
    assert state.key is not None
    # Trustee 2 blinds the difference list again, not round 1's output.
    stale = reveal.blind_round(
        pledge.pledge_id,
        state.key.public_key,
        2,
        2,
        reveal.differences(reveal_context(state).total, pledge.needed),
    )
    bad = run.writer.write(
        run.trustees[1], reveal.BLIND_KIND, reveal.round_bodies(stale)[0], judge=False
    )
    run.blind(2)
    run.reveal_decrypt([1, 2])
    run.reveal_result()
    report = _refused(run, bad, "blind")
    assert report.crossed is True


def test_a_bad_partial_decryption_is_refused():
    run = _run([1, 1, 0], 2)
    run.blind(1)
    run.blind(2)
    state = run.state
    assert state.key is not None
    final = state.reveal.rounds[-1][1]
    body = reveal.decrypt_bodies(
        state.require_pledge().pledge_id, state.key, 1, run.secret(2), final
    )[0]
    bad = run.writer.write(run.trustees[0], reveal.DECRYPT_KIND, body, judge=False)
    run.reveal_decrypt([1, 2])
    run.reveal_result()
    _refused(run, bad, "partial-decryption")


def test_a_long_list_travels_in_parts_and_a_missing_part_blocks_the_round():
    # needed 150: two parts of at most PART elements per round and per decryption.
    run = _run([1, 1], 150, trustees=2, threshold=1)
    events = run.blind(1)
    assert [e.body["part"] for e in events] == [0, 1]
    assert all(len(e.raw) < 65536 for e in events)
    run.reveal_decrypt([2])
    run.reveal_result()
    assert _report(run).crossed is False


def test_out_of_order_part_is_refused():
    run = _run([1, 1], 150, trustees=2, threshold=1)
    state = run.state
    pledge = state.require_pledge()
    assert state.key is not None
    blinding = reveal.blind_round(
        pledge.pledge_id,
        state.key.public_key,
        1,
        1,
        reveal.differences(reveal_context(state).total, 150),
    )
    bodies = reveal.round_bodies(blinding)
    with pytest.raises(RuleViolation) as caught:
        run.writer.write(run.trustees[0], reveal.BLIND_KIND, bodies[1])
    assert caught.value.rule == "part"


def test_the_target_is_capped_for_a_crossed_only_pledge():
    with pytest.raises(RuleViolation) as caught:
        open_pledge(members=1, needed=MAX_REVEAL + 1, extra=CROSSED)
    assert caught.value.rule == "reveal"


def test_a_total_pledge_has_no_rounds_and_states_its_total():
    run = open_pledge(members=2, needed=1)
    run.pledge(0, 1)
    run.close()
    with pytest.raises(RuleViolation) as caught:
        run.blind(1)
    assert caught.value.rule == "reveal"
    run.decrypt([1, 2])
    bare = run.writer.write(run.creator, "pledge.result", {"crossed": True}, judge=False)
    run.result()
    report = _refused(run, bare, "total")
    assert (report.total, report.crossed) == (1, True)


def _round_bodies(run: PledgeRun, j: int) -> list[dict[str, Any]]:
    state = run.state
    pledge = state.require_pledge()
    assert state.key is not None
    return reveal.round_bodies(
        reveal.blind_round(
            pledge.pledge_id,
            state.key.public_key,
            len(state.reveal.rounds) + 1,
            j,
            state.reveal.current(reveal_context(state).total, pledge.needed),
        )
    )


def test_another_trustees_first_part_does_not_drop_a_round_under_way():
    # A trustee who has not blinded could once stall every multi-part round: its own
    # part 0 dropped the incomplete round of anyone. Rounds under way now run side by
    # side; the first to complete is the round, and it drops the others (their proofs
    # were computed on the old list).
    run = _run([1, 1], 150, trustees=3, threshold=2)
    honest = _round_bodies(run, 1)
    griefer = _round_bodies(run, 2)
    run.writer.write(run.trustees[0], reveal.BLIND_KIND, honest[0])
    run.writer.write(run.trustees[1], reveal.BLIND_KIND, griefer[0])
    run.writer.write(run.trustees[0], reveal.BLIND_KIND, honest[1])
    assert [t for t, _ in run.state.reveal.rounds] == [1]
    assert not run.state.reveal.pending
    with pytest.raises(RuleViolation) as caught:  # round 1's part, computed on the old list
        run.writer.write(run.trustees[1], reveal.BLIND_KIND, griefer[1])
    assert caught.value.rule == "round"
    run.blind(2)
    run.reveal_decrypt([1, 2])
    run.reveal_result()
    report = _report(run)
    assert report.crossed is False  # 2 of 150
    assert not report.refused


def test_a_trustee_restarts_its_own_round_with_a_new_first_part():
    run = _run([1, 0], 150, trustees=2, threshold=1)
    first = _round_bodies(run, 1)
    run.writer.write(run.trustees[0], reveal.BLIND_KIND, first[0])
    again = _round_bodies(run, 1)
    run.writer.write(run.trustees[0], reveal.BLIND_KIND, again[0])
    with pytest.raises(RuleViolation) as caught:  # the dropped attempt's last part
        run.writer.write(run.trustees[0], reveal.BLIND_KIND, first[1])
    assert caught.value.rule == "shuffle"
    run.writer.write(run.trustees[0], reveal.BLIND_KIND, again[1])
    run.reveal_decrypt([2])
    run.reveal_result()
    assert _report(run).crossed is False


def test_a_state_stored_with_one_round_under_way_still_loads():
    run = _run([1], 150, trustees=2, threshold=1)
    run.writer.write(run.trustees[0], reveal.BLIND_KIND, _round_bodies(run, 1)[0])
    stored = run.state.reveal.to_json()
    assert [p["trustee"] for p in stored["pending"]] == [1]
    old = {**stored, "pending": stored["pending"][0]}  # the shape before rounds ran side by side
    assert reveal.RevealState.from_json(old).to_json() == stored
    assert reveal.RevealState.from_json({**stored, "pending": None}).pending == {}
