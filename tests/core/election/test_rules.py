"""The election's rules, judged event by event on the pure in-memory state."""

from __future__ import annotations

import pytest

from veche.election.record import verify_record
from veche.events import Identity, RuleViolation


def test_a_whole_election_verifies_with_the_counts_cast(builder):
    b = builder(voters=5)
    b.run([0, 1, 1, 2, 1])
    report = verify_record(b.lines())
    assert report.ok, report.failure
    assert report.counts == (1, 3, 1)
    assert report.winners == (("Maria",),)
    assert report.stage == "decided"
    assert len(report.trackers) == 5


def test_the_last_ballot_of_a_voter_counts(builder):
    b = builder(voters=2)
    b.create()
    b.deal_all()
    b.open()
    b.cast(b.voters[0], [[1, 0, 0]])
    b.cast(b.voters[1], [[1, 0, 0]])
    b.cast(b.voters[0], [[0, 0, 1]])  # changed their mind
    b.close()
    b.decrypt(2)
    b.decrypt(3)
    b.result()
    report = verify_record(b.lines())
    assert report.ok, report.failure
    assert report.counts == (1, 0, 1)
    assert report.ballots_cast == 3
    assert report.ballots_counted == 2


def test_a_key_outside_the_electorate_cannot_cast(builder):
    b = builder()
    b.create()
    b.deal_all()
    b.open()
    with pytest.raises(RuleViolation, match="not in the electorate"):
        b.cast(Identity.generate(), [[1, 0, 0]])


def test_no_ballot_before_opening_or_after_closing(builder):
    b = builder()
    b.create()
    b.deal_all()
    ballot_too_early = None
    with pytest.raises(RuleViolation, match="not open yet"):
        b.writer.write(b.voters[0], "ballot.cast", {"ballot": {"v": 1}})
    b.open()
    ballot_too_early = b.ballot([[1, 0, 0]])
    b.close()
    with pytest.raises(RuleViolation, match="closed"):
        b.writer.write(b.voters[0], "ballot.cast", {"ballot": ballot_too_early})


def test_a_copied_ballot_is_refused_with_a_reason(builder):
    b = builder()
    b.create()
    b.deal_all()
    b.open()
    original = b.cast(b.voters[0], [[0, 1, 0]])
    with pytest.raises(RuleViolation, match="another voter's ballot") as caught:
        b.writer.write(b.voters[1], "ballot.cast", {"ballot": original.body["ballot"]})
    assert caught.value.field == "body.ballot.answers[0].choices[0]"


def test_an_overvote_is_refused_naming_the_range_proof(builder):
    from veche.crypto.ballot import Election, Question, encrypt_ballot

    b = builder()
    b.create()
    b.deal_all()
    b.open()
    election = b.state.crypto_election()
    loose = Election(election.election_id, election.public_key, (Question(3, 0, 3),))
    ballot, _ = encrypt_ballot(loose, [[1, 1, 0]])  # two marks where one is allowed
    with pytest.raises(RuleViolation) as caught:
        b.writer.write(b.voters[0], "ballot.cast", {"ballot": ballot.to_json()})
    assert caught.value.field == "body.ballot.answers[0].range"


def test_the_creator_alone_opens_and_only_with_the_dealt_key(builder):
    b = builder()
    b.create()
    with pytest.raises(RuleViolation, match="need exactly one dealing"):
        b.writer.write(b.creator, "election.open", {"public_key": "A" * 43})
    b.deal_all()
    with pytest.raises(RuleViolation, match="creator"):
        b.writer.write(b.voters[0], "election.open", {"public_key": "A" * 43})
    with pytest.raises(RuleViolation, match="not the key"):
        b.writer.write(
            b.creator, "election.open", {"public_key": b.dealings[0].commitments[0].encode()}
        )


def test_a_trustee_deals_once_and_only_as_itself(builder):
    from veche.crypto.threshold import deal

    b = builder()
    b.create()
    eid = b.events[0].id
    keys = [bytes(k.public_key) for k in b.boxes]
    as_other = deal(eid, 2, 2, keys)
    with pytest.raises(RuleViolation, match="you are trustee 1"):
        b.writer.write(b.signers[0], "trustee.deal", {"dealing": as_other.to_json()})
    with pytest.raises(RuleViolation, match="trustees"):
        b.writer.write(b.voters[0], "trustee.deal", {"dealing": as_other.to_json()})
    b.deal_all()
    with pytest.raises(RuleViolation, match=r"dealt already"):
        b.writer.write(b.signers[0], "trustee.deal", {"dealing": b.dealings[0].to_json()})


def test_a_complaint_names_the_dealer_and_blocks_opening(builder):
    b = builder()
    b.create()
    b.deal_all()
    b.writer.write(
        b.signers[1], "trustee.complain", {"dealer": 3, "reason": "share does not match"}
    )
    with pytest.raises(RuleViolation, match="trustee 3 dealt a bad share"):
        b.open()


def test_a_wrong_partial_decryption_is_refused(builder):
    b = builder(voters=3)
    b.create()
    b.deal_all()
    b.open()
    for v in b.voters:
        b.cast(v, [[1, 0, 0]])
    b.close()
    partial = b.partial(1)
    partial["factors"][0], partial["factors"][1] = partial["factors"][1], partial["factors"][0]
    with pytest.raises(RuleViolation, match="decryption of ciphertext 0 is wrong"):
        b.writer.write(b.signers[0], "trustee.decrypt", {"partial": partial})


def test_a_result_needs_threshold_partials_and_the_true_counts(builder):
    b = builder(voters=3)
    b.create()
    b.deal_all()
    b.open()
    for v in b.voters:
        b.cast(v, [[0, 0, 1]])
    b.close()
    b.decrypt(3)
    with pytest.raises(RuleViolation, match="1 of the 2 partial decryptions"):
        b.writer.write(b.creator, "election.result", {"counts": [0, 0, 3]})
    b.decrypt(1)
    with pytest.raises(RuleViolation, match="not the counts"):
        b.writer.write(b.creator, "election.result", {"counts": [0, 1, 2]})
    b.result()
    assert b.state.counts == (0, 0, 3)


def test_an_election_with_no_ballots_counts_zeros(builder):
    b = builder()
    b.create()
    b.deal_all()
    b.open()
    b.close()
    b.result()
    report = verify_record(b.lines())
    assert report.ok and report.counts == (0, 0, 0)


def test_party_list_seats_with_constituencies_and_threshold(builder):
    parties = ("Workers", "Students", "Doctors", "Tiny")
    b = builder(
        voters=12,
        options=parties,
        method="party_list",
        seats=5,
        divisor="dhondt",
        threshold_percent="10",
        constituencies=[{"name": "Minsk", "seats": 3}, {"name": "Hrodna", "seats": 2}],
    )
    electorate = [
        {"keys": [v.public], "constituency": "Minsk" if i < 7 else "Hrodna"}
        for i, v in enumerate(b.voters)
    ]
    b.create(electorate=electorate)
    b.deal_all()
    b.open()
    choices = [0, 0, 0, 1, 1, 2, 3, 0, 1, 1, 2, 2]  # 7 in Minsk, 5 in Hrodna
    for voter, choice in zip(b.voters, choices, strict=True):
        marks = [0] * 4
        marks[choice] = 1
        b.cast(voter, [marks])
    b.close()
    b.decrypt(1)
    b.decrypt(2)
    body = b.result_body()
    # Minsk: W3 S2 D1 T1; Hrodna: W1 S2 D2; "Tiny" has 1 of 12 (< 10%) and no seat.
    assert body["counts"] == [3, 2, 1, 1, 1, 2, 2, 0]
    b.result()
    report = verify_record(b.lines())
    assert report.ok, report.failure
    assert report.counts == (4, 4, 3, 1)
    assert report.counts_by_constituency == ((3, 2, 1, 1), (1, 2, 2, 0))
    assert sum(report.seats) == 5 and report.seats[3] == 0
    with pytest.raises(RuleViolation):
        b.writer.write(b.creator, "election.result", {**body, "seats": [5, 0, 0, 0]})


def test_voters_added_by_roll_events_can_vote(builder):
    b = builder(voters=2)
    late = Identity.generate()
    b.create()
    b.writer.write(b.creator, "election.roll", {"voters": [{"keys": [late.public]}]})
    with pytest.raises(RuleViolation, match="already has a vote"):
        b.writer.write(b.creator, "election.roll", {"voters": [{"keys": [late.public]}]})
    b.deal_all()
    b.open()
    b.cast(late, [[0, 1, 0]])
    assert b.state.casts == 1


def test_one_vote_per_person_across_device_keys(builder):
    b = builder(voters=1)
    phone = Identity.generate()
    b.create(electorate=[{"keys": [b.voters[0].public, phone.public]}])
    b.deal_all()
    b.open()
    b.cast(b.voters[0], [[1, 0, 0]])
    b.cast(phone, [[0, 1, 0]])
    b.close()
    assert b.state.counted == 1


def test_bad_create_bodies_are_refused(builder):
    b = builder()
    with pytest.raises(RuleViolation, match="at most the 3 trustees"):
        b.create(threshold=4)
    b2 = builder()
    with pytest.raises(RuleViolation, match="twice"):
        b2.create(electorate=[{"keys": [b2.voters[0].public]}, {"keys": [b2.voters[0].public]}])
    b3 = builder()
    with pytest.raises(RuleViolation, match="max 1"):
        b3.create(questions=[{"text": "?", "options": ["a", "b"], "min": 0, "max": 2}])
