"""The empty tally and the empty constituency: close, decrypt, result and verify all work.

A party-list election with constituencies where one constituency gets no ballot
used to crash closing (the sum of no ciphertexts is the identity, which no
parser accepts) and then the seat allocation (no party had a vote there).
"""

from __future__ import annotations

import pytest

from veche.crypto.elgamal import encrypt
from veche.crypto.group import GENERATOR, Scalar, base_mul, random_scalar
from veche.election.record import verify_record
from veche.election.rules import _tally_entry
from veche.events import RuleViolation

PARTIES = ("Workers", "Students", "Doctors")


def _two_constituencies(builder, voters_in_minsk: int, voters: int = 5):
    b = builder(
        voters=voters,
        options=PARTIES,
        method="party_list",
        seats=5,
        divisor="dhondt",
        constituencies=[{"name": "Minsk", "seats": 3}, {"name": "Hrodna", "seats": 2}],
    )
    b.create(
        electorate=[
            {"keys": [v.public], "constituency": "Minsk" if i < voters_in_minsk else "Hrodna"}
            for i, v in enumerate(b.voters)
        ]
    )
    b.deal_all()
    b.open()
    return b


def _vote(b, voter, party):
    marks = [0] * len(PARTIES)
    marks[party] = 1
    b.cast(voter, [marks])


def test_a_constituency_without_ballots_closes_tallies_and_verifies(builder):
    b = _two_constituencies(builder, voters_in_minsk=3)
    for voter, party in zip(b.voters[:3], (0, 0, 1), strict=True):
        _vote(b, voter, party)  # nobody in Hrodna votes
    close = b.close()
    # Hrodna's entries are (B, Y + 0): the public encryption of 0 with randomness 1.
    hrodna = close.body["tally"][3:]
    assert all(ct["alpha"] == GENERATOR.encode() for ct in hrodna)
    assert all(ct["beta"] == b.state.key.public_key.encode() for ct in hrodna)
    b.decrypt(1)
    b.decrypt(3)
    body = b.result_body()
    assert body["counts"] == [2, 1, 0, 0, 0, 0]
    # Minsk's 3 seats by D'Hondt (W 2, S 1, W 1 → W 2, S 1); Hrodna's 2 stay vacant.
    assert body["seats"] == [2, 1, 0]
    # A result that fills the empty constituency's seats anyway is refused.
    with pytest.raises(RuleViolation, match="seats"):
        b.writer.write(b.creator, "election.result", {**body, "seats": [3, 2, 0]})
    b.result()
    report = verify_record(b.lines())
    assert report.ok, report.failure
    assert report.stage == "decided"
    assert report.counts_by_constituency == ((2, 1, 0), (0, 0, 0))
    assert report.seats == (2, 1, 0) and report.vacant == 2
    assert report.to_json()["vacant"] == 2


def test_no_ballot_at_all_leaves_every_seat_vacant(builder):
    b = _two_constituencies(builder, voters_in_minsk=3)
    close = b.close()
    assert close.body == {"ballots": 0, "tally": []}
    with pytest.raises(RuleViolation, match="nothing to decrypt"):
        b.decrypt(1)
    body = b.result_body()
    assert body == {"counts": [0] * 6, "seats": [0, 0, 0]}
    b.result()
    report = verify_record(b.lines())
    assert report.ok, report.failure
    assert report.seats == (0, 0, 0) and report.vacant == 5


def test_a_single_list_with_no_ballot_verifies(builder):
    b = builder(voters=2, options=PARTIES, method="party_list", seats=3, divisor="dhondt")
    b.create()
    b.deal_all()
    b.open()
    b.close()
    b.result()
    report = verify_record(b.lines())
    assert report.ok, report.failure
    assert report.seats == (0, 0, 0) and report.vacant == 3


def test_a_tally_entry_whose_randomness_cancels_stays_decryptable():
    secret = random_scalar()
    key = base_mul(secret)
    r = random_scalar()
    # Two colluding voters' ciphertexts with randomness r and -r: alpha sums to the identity.
    one, two = encrypt(key, 1, r), encrypt(key, 1, -r)
    total = one + two
    assert total.alpha.is_identity()
    entry = _tally_entry(total.alpha, total.beta, key)
    assert entry.alpha == GENERATOR
    # It decrypts to the same plaintext: beta - x * alpha = 2G.
    assert entry.beta - entry.alpha * secret == base_mul(Scalar.from_int(2))
