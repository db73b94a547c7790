"""Encrypted ballots: round trips, tracker, Benaloh audit, and tampering of every byte."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from veche.crypto import (
    IDENTITY,
    AuditFailed,
    Ballot,
    BallotInvalid,
    BallotSecrets,
    CryptoError,
    Election,
    EncryptedAnswer,
    Question,
    Scalar,
    audit_ballot,
    base_mul,
    check_ballot,
    check_ballots,
    discrete_log,
    encrypt,
    encrypt_ballot,
    homomorphic_sum,
    random_scalar,
    verify_ballot,
)
from veche.crypto.encoding import b64encode
from veche.crypto.proofs import DOMAIN_BIT, DOMAIN_RANGE, Binding, prove_encrypts_one_of

SECRET = Scalar.from_int(987654321)
KEY = base_mul(SECRET)
ELECTION = Election("election-7", KEY, (Question(5, 1, 1), Question(3, 0, 2)))


def check(election: Election, wire: bytes) -> Ballot:
    """What a node does with a ballot it receives (non-canonical JSON is tested apart)."""
    ballot = Ballot.from_json(json.loads(wire))
    verify_ballot(election, ballot)
    return ballot


def test_check_ballot_takes_canonical_bytes_only() -> None:
    ballot, _ = encrypt_ballot(ELECTION, [[0, 1, 0, 0, 0], [0, 0, 0]])
    wire = ballot.canonical()
    assert check_ballot(ELECTION, wire) == ballot
    spaced = json.dumps(ballot.to_json(), sort_keys=True).encode()
    with pytest.raises(BallotInvalid, match="not canonical"):
        check_ballot(ELECTION, spaced)
    with pytest.raises(BallotInvalid):
        check_ballot(ELECTION, wire[:-1])
    with pytest.raises(BallotInvalid):
        check_ballot(Election("other", KEY, ELECTION.questions), wire)


def test_elections_too_big_for_one_event_are_refused() -> None:
    with pytest.raises(ValueError):
        Election("e", KEY, (Question(150, 1, 1), Question(60, 1, 1)))
    with pytest.raises(ValueError):
        Election("e", KEY, ())


@st.composite
def selections(draw: st.DrawFn, election: Election = ELECTION) -> list[list[int]]:
    out = []
    for q in election.questions:
        total = draw(st.integers(min_value=q.min_selections, max_value=q.max_selections))
        marked = set(draw(st.permutations(range(q.options)))[:total])
        out.append([1 if k in marked else 0 for k in range(q.options)])
    return out


@settings(max_examples=15, deadline=None)
@given(selections())
def test_ballot_round_trip(marks: list[list[int]]) -> None:
    ballot, secrets = encrypt_ballot(ELECTION, marks)
    wire = ballot.canonical()
    parsed = check(ELECTION, wire)
    assert parsed == ballot
    assert parsed.canonical() == wire
    assert parsed.tracker() == ballot.tracker()
    restored = BallotSecrets.from_json(json.loads(json.dumps(secrets.to_json())))
    audit_ballot(ELECTION, parsed, restored)
    for answer, row in zip(parsed.answers, marks, strict=True):
        assert [discrete_log(ct.beta - ct.alpha * SECRET, 1) for ct in answer.choices] == row


def test_election_round_trip() -> None:
    assert Election.from_json(json.loads(json.dumps(ELECTION.to_json()))) == ELECTION


@pytest.mark.parametrize(
    "marks",
    [
        [[1, 1, 0, 0, 0], [0, 0, 0]],  # two marks where one is allowed
        [[0, 0, 0, 0, 0], [0, 0, 0]],  # none where one is required
        [[1, 0, 0, 0, 0], [1, 1, 1]],  # three where two at most
        [[2, 0, 0, 0, 0], [0, 0, 0]],  # not a 0/1 mark
        [[1, 0, 0, 0], [0, 0, 0]],  # wrong number of options
        [[1, 0, 0, 0, 0]],  # a question unanswered
    ],
)
def test_encrypting_an_invalid_choice_is_refused(marks: list[list[int]]) -> None:
    with pytest.raises(ValueError):
        encrypt_ballot(ELECTION, marks)


def test_flipping_any_byte_of_a_ballot_is_rejected() -> None:
    election = Election("e", KEY, (Question(2, 0, 1),))
    ballot, _ = encrypt_ballot(election, [[0, 1]])
    wire = ballot.canonical()
    for position in range(len(wire)):
        for mask in (0x01, 0x20):
            tampered = bytearray(wire)
            tampered[position] ^= mask
            try:
                json.loads(bytes(tampered))
            except ValueError:
                continue  # not even JSON: the node's JSON parser rejects it
            with pytest.raises(CryptoError):
                check(election, bytes(tampered))


def _forge_answer(election: Election, marks: list[int], claimed_total: int) -> EncryptedAnswer:
    """A dishonest device: honest 0/1 proofs, but a range proof that lies about the total."""
    key = election.public_key
    rs = [random_scalar() for _ in marks]
    cts = [encrypt(key, m, r) for m, r in zip(marks, rs, strict=True)]
    bits = [
        prove_encrypts_one_of(
            Binding(DOMAIN_BIT, election.election_id, key, (0, k)), ct, (0, 1), m, r
        )
        for k, (ct, m, r) in enumerate(zip(cts, marks, rs, strict=True))
    ]
    total_r = Scalar(bytes(32))
    for r in rs:
        total_r = total_r + r
    question = election.questions[0]
    range_proof = prove_encrypts_one_of(
        Binding(DOMAIN_RANGE, election.election_id, key, (0,)),
        homomorphic_sum(cts),
        question.allowed_totals,
        claimed_total,
        total_r,
    )
    return EncryptedAnswer(tuple(cts), tuple(bits), range_proof)


def test_overvote_with_a_lying_range_proof_is_rejected() -> None:
    election = Election("e", KEY, (Question(5, 1, 1),))
    forged = Ballot("e", (_forge_answer(election, [1, 1, 0, 0, 0], claimed_total=1),))
    with pytest.raises(BallotInvalid) as info:
        verify_ballot(election, forged)
    assert info.value.item == "ballot.answers[0].range"
    honest = Ballot("e", (_forge_answer(election, [0, 0, 1, 0, 0], claimed_total=1),))
    verify_ballot(election, honest)


def test_moving_parts_between_options_questions_or_elections_is_rejected() -> None:
    ballot, _ = encrypt_ballot(ELECTION, [[0, 0, 1, 0, 0], [1, 0, 1]])
    answer = ballot.answers[0]
    swapped = EncryptedAnswer(
        (answer.choices[1], answer.choices[0], *answer.choices[2:]),
        (answer.choice_proofs[1], answer.choice_proofs[0], *answer.choice_proofs[2:]),
        answer.range_proof,
    )
    with pytest.raises(BallotInvalid) as info:
        verify_ballot(ELECTION, Ballot(ballot.election_id, (swapped, ballot.answers[1])))
    assert info.value.item == "ballot.answers[0].choices[0].proof"
    elsewhere = Election("another", KEY, ELECTION.questions)
    with pytest.raises(BallotInvalid):
        verify_ballot(elsewhere, Ballot("another", ballot.answers))
    with pytest.raises(BallotInvalid):
        verify_ballot(elsewhere, ballot)
    other_key = Election(ELECTION.election_id, base_mul(Scalar.from_int(5)), ELECTION.questions)
    with pytest.raises(BallotInvalid):
        verify_ballot(other_key, ballot)
    with pytest.raises(BallotInvalid):
        verify_ballot(ELECTION, Ballot(ballot.election_id, ballot.answers[:1]))


def test_identity_and_small_order_points_in_a_ballot_are_named() -> None:
    ballot, _ = encrypt_ballot(ELECTION, [[0, 0, 1, 0, 0], [1, 0, 1]])
    data = ballot.to_json()
    for bad in (IDENTITY.data, bytes(32), bytes.fromhex("ec" + "ff" * 30 + "7f")):
        data["answers"][1]["choices"][2]["beta"] = b64encode(bad)
        with pytest.raises(BallotInvalid) as info:
            Ballot.from_json(data)
        assert info.value.item == "ballot.answers[1].choices[2].beta"


def test_benaloh_audit_detects_a_device_that_lies() -> None:
    ballot, secrets = encrypt_ballot(ELECTION, [[0, 0, 1, 0, 0], [1, 0, 1]])
    audit_ballot(ELECTION, ballot, secrets)
    claims_other_choice = BallotSecrets(((0, 1, 0, 0, 0), (1, 0, 1)), secrets.randomness)
    with pytest.raises(AuditFailed) as info:
        audit_ballot(ELECTION, ballot, claims_other_choice)
    assert info.value.item == "ballot.answers[0].choices[1]"
    rs = [list(row) for row in secrets.randomness]
    rs[1][2] = random_scalar()
    with pytest.raises(AuditFailed) as info:
        audit_ballot(ELECTION, ballot, BallotSecrets(secrets.selections, tuple(map(tuple, rs))))
    assert info.value.item == "ballot.answers[1].choices[2]"
    with pytest.raises(AuditFailed):
        audit_ballot(
            ELECTION, ballot, BallotSecrets(((1, 1, 0, 0, 0), (1, 0, 1)), secrets.randomness)
        )


def test_unknown_versions_and_fields_are_rejected() -> None:
    ballot, _ = encrypt_ballot(ELECTION, [[1, 0, 0, 0, 0], [0, 0, 0]])
    data = ballot.to_json()
    for change in ({"v": 2}, {"extra": 1}, {"answers": "x"}, {"election": 7}):
        with pytest.raises(BallotInvalid):
            Ballot.from_json({**data, **change})
    with pytest.raises(BallotInvalid):
        Ballot.from_json([data])


@pytest.mark.parametrize("processes", [1, 2])
def test_check_ballots_reports_each_rejection_in_order(processes: int) -> None:
    wires = [
        encrypt_ballot(ELECTION, [[0, 0, 0, 0, 1], [0, 1, 0]])[0].canonical() for _ in range(6)
    ]
    wires[1] = wires[1].replace(b'"v":1', b'"v":2')
    wires[4] = wires[4][:-2]
    rejected = check_ballots(ELECTION, wires, processes=processes, chunk=2)
    assert [r.index for r in rejected] == [1, 4]
    assert rejected[0].item == "ballot"
    assert "version" in rejected[0].reason
