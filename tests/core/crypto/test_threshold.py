"""The trustee ceremony, partial decryptions and their combination."""

from __future__ import annotations

import itertools
import json
from functools import cache

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from nacl.public import PrivateKey, PublicKey, SealedBox

from veche.crypto import (
    Ciphertext,
    CryptoError,
    Dealing,
    DecryptionInvalid,
    DiscreteLogNotFound,
    ElectionKey,
    L,
    PartialDecryption,
    Scalar,
    ShareInvalid,
    base_mul,
    combine_partial_decryptions,
    deal,
    deterministic_scalars,
    discrete_log,
    election_key_from_dealings,
    encrypt,
    homomorphic_sum,
    lagrange_at_zero,
    open_share,
    partial_decrypt,
    random_scalar,
    trustee_secret,
    verify_partial_decryption,
)
from veche.crypto.encoding import b64decode, b64encode

EID = "election-42"


@cache
def ceremony(
    trustees: int, threshold: int
) -> tuple[ElectionKey, tuple[Scalar, ...], tuple[PrivateKey, ...], tuple[Dealing, ...]]:
    boxes = tuple(PrivateKey.generate() for _ in range(trustees))
    publics = [bytes(b.public_key) for b in boxes]
    dealings = tuple(deal(EID, i, threshold, publics) for i in range(1, trustees + 1))
    key = election_key_from_dealings(EID, trustees, threshold, dealings)
    secrets = tuple(
        trustee_secret([open_share(d, j, boxes[j - 1]) for d in dealings])
        for j in range(1, trustees + 1)
    )
    return key, secrets, boxes, dealings


def test_verification_keys_match_the_trustees_secrets() -> None:
    key, secrets, _, _ = ceremony(3, 2)
    assert [base_mul(s) for s in secrets] == list(key.verification_keys)
    assert ElectionKey.from_json(json.loads(json.dumps(key.to_json()))) == key


@pytest.mark.parametrize(("trustees", "threshold"), [(1, 1), (3, 2), (4, 3), (3, 3)])
def test_any_threshold_subset_decrypts(trustees: int, threshold: int) -> None:
    key, secrets, _, _ = ceremony(trustees, threshold)
    counts = [3, 0, 7]
    cts = [encrypt(key.public_key, m, random_scalar()) for m in counts]
    partials = {j: partial_decrypt(key, j, secrets[j - 1], cts) for j in range(1, trustees + 1)}
    for subset in itertools.combinations(range(1, trustees + 1), threshold):
        chosen = [partials[j] for j in subset]
        assert combine_partial_decryptions(key, cts, chosen, bound=10) == counts
    if threshold > 1:
        with pytest.raises(DecryptionInvalid):
            combine_partial_decryptions(key, cts, [partials[1]] * threshold, bound=10)


def test_partial_decryption_round_trip_and_tamper() -> None:
    key, secrets, _, _ = ceremony(3, 2)
    cts = [encrypt(key.public_key, m, random_scalar()) for m in (1, 2)]
    partial = partial_decrypt(key, 2, secrets[1], cts)
    wire = json.dumps(partial.to_json())
    verify_partial_decryption(key, cts, PartialDecryption.from_json(json.loads(wire)))
    rejected = 0
    for position in range(len(wire)):
        tampered = wire[:position] + chr(ord(wire[position]) ^ 1) + wire[position + 1 :]
        try:
            parsed = PartialDecryption.from_json(json.loads(tampered))
            verify_partial_decryption(key, cts, parsed)
        except (CryptoError, ValueError):
            rejected += 1
    assert rejected == len(wire)


def test_a_wrong_partial_decryption_names_the_trustee_and_never_yields_counts() -> None:
    key, secrets, _, _ = ceremony(3, 2)
    cts = [encrypt(key.public_key, 4, random_scalar())]
    good = partial_decrypt(key, 1, secrets[0], cts)
    # Trustee 3 uses trustee 2's share: right form, wrong key.
    forged = partial_decrypt(key, 2, secrets[1], cts)
    forged = PartialDecryption(3, forged.factors, forged.proofs)
    with pytest.raises(DecryptionInvalid, match=r"partial_decryptions\[3\]"):
        combine_partial_decryptions(key, cts, [good, forged], bound=10)


def _reseal(
    dealing: Dealing, recipient: int, box: PublicKey, payload: dict[str, object]
) -> Dealing:
    boxes = list(dealing.boxes)
    boxes[recipient - 1] = SealedBox(box).encrypt(json.dumps(payload).encode())
    return Dealing(
        dealing.election_id, dealing.dealer, dealing.commitments, dealing.proofs, tuple(boxes)
    )


def test_a_bad_share_names_its_dealer() -> None:
    boxes = [PrivateKey.generate() for _ in range(3)]
    publics = [bytes(b.public_key) for b in boxes]
    dealing = deal(EID, 2, 2, publics)
    real = open_share(dealing, 3, boxes[2])
    payload = {"v": 1, "election": EID, "dealer": 2, "recipient": 3, "share": real.encode()}
    wrong_value = dict(payload, share=(real + Scalar.from_int(1)).encode())
    cases = [
        _reseal(dealing, 3, boxes[2].public_key, wrong_value),
        _reseal(dealing, 3, boxes[2].public_key, dict(payload, dealer=1)),
        _reseal(dealing, 3, boxes[2].public_key, dict(payload, recipient=2)),
        _reseal(dealing, 3, boxes[2].public_key, dict(payload, share="not base64!")),
        _reseal(dealing, 3, boxes[0].public_key, payload),  # sealed to someone else
    ]
    for bad in cases:
        with pytest.raises(ShareInvalid, match="trustee 2 dealt a bad share") as info:
            open_share(bad, 3, boxes[2])
        assert info.value.dealer == 2
    # The untouched boxes still open.
    assert open_share(cases[0], 1, boxes[0]) == open_share(dealing, 1, boxes[0])


def test_tampered_dealings_are_rejected_naming_the_dealer() -> None:
    _key, _, _, dealings = ceremony(3, 2)
    wire = json.dumps(dealings[1].to_json())
    rejected = 0
    for position in range(0, len(wire), 3):
        tampered = wire[:position] + chr(ord(wire[position]) ^ 1) + wire[position + 1 :]
        try:
            parsed = Dealing.from_json(json.loads(tampered))
            others = [dealings[0], parsed, dealings[2]]
            election_key_from_dealings(EID, 3, 2, others)
        except ShareInvalid as error:
            assert error.dealer == 2
            rejected += 1
        except (CryptoError, ValueError):
            rejected += 1
        else:
            # Only the boxes may change undetected here; their recipient checks them.
            assert parsed.commitments == dealings[1].commitments
            assert parsed.boxes != dealings[1].boxes
            rejected += 1
    assert rejected == len(range(0, len(wire), 3))


def test_missing_or_duplicate_dealings_are_refused() -> None:
    _, _, _, dealings = ceremony(3, 2)
    with pytest.raises(CryptoError):
        election_key_from_dealings(EID, 3, 2, dealings[:2])
    with pytest.raises(CryptoError):
        election_key_from_dealings(EID, 3, 2, [dealings[0], dealings[0], dealings[2]])
    with pytest.raises(ShareInvalid):
        election_key_from_dealings("another-election", 3, 2, dealings)


@settings(max_examples=20, deadline=None)
@given(
    st.lists(st.integers(min_value=0, max_value=L - 1), min_size=1, max_size=5),
    st.data(),
)
def test_lagrange_recovers_the_constant_term(coefficients: list[int], data: st.DataObject) -> None:
    degree = len(coefficients) - 1
    indices = data.draw(
        st.lists(
            st.integers(min_value=1, max_value=50),
            min_size=degree + 1,
            max_size=degree + 1,
            unique=True,
        )
    )
    values = [sum(c * pow(i, k, L) for k, c in enumerate(coefficients)) % L for i in indices]
    lambdas = lagrange_at_zero(indices)
    assert sum(lam.to_int() * v for lam, v in zip(lambdas, values, strict=True)) % L == (
        coefficients[0] % L
    )


@settings(max_examples=30, deadline=None)
@given(st.integers(min_value=0, max_value=5000), st.integers(min_value=0, max_value=5000))
def test_discrete_log_is_bounded(m: int, bound: int) -> None:
    point = base_mul(Scalar.from_int(m))
    if m <= bound:
        assert discrete_log(point, bound) == m
    else:
        with pytest.raises(DiscreteLogNotFound):
            discrete_log(point, bound)


def test_discrete_log_of_a_million() -> None:
    assert discrete_log(base_mul(Scalar.from_int(1_000_000)), 1_000_000) == 1_000_000
    assert discrete_log(base_mul(Scalar.from_int(999_999)), 1_000_000) == 999_999


def test_deterministic_ceremony_is_reproducible() -> None:
    publics = [bytes(PrivateKey(bytes([i]) * 32).public_key) for i in range(1, 4)]
    a = deal(EID, 1, 2, publics, rng=deterministic_scalars(b"seed"))
    b = deal(EID, 1, 2, publics, rng=deterministic_scalars(b"seed"))
    assert a.commitments == b.commitments and a.proofs == b.proofs
    # Sealed boxes use fresh ephemeral keys, so they differ, yet open to the same share.
    assert a.boxes != b.boxes
    box = PrivateKey(bytes([2]) * 32)
    assert open_share(a, 2, box) == open_share(b, 2, box)


def test_homomorphic_tally_then_threshold_decrypt() -> None:
    key, secrets, _, _ = ceremony(3, 2)
    votes = [0, 1, 1, 0, 1, 1, 1]
    cts = [encrypt(key.public_key, v, random_scalar()) for v in votes]
    total = homomorphic_sum(cts)
    partials = [partial_decrypt(key, j, secrets[j - 1], [total]) for j in (2, 3)]
    assert combine_partial_decryptions(key, [total], partials, bound=len(votes)) == [5]
    wire = Ciphertext.from_json(json.loads(json.dumps(total.to_json())))
    assert wire == total
    assert b64decode(b64encode(total.alpha.data)) == total.alpha.data


def test_election_tally_from_ballots_to_counts_per_question() -> None:
    from veche.crypto import Election, Question, counts_by_question, encrypt_ballot, tally_ballots

    key, secrets, _, _ = ceremony(3, 2)
    election = Election(EID, key.public_key, (Question(3, 1, 1), Question(2, 0, 2)))
    marks = [[[1, 0, 0], [1, 1]], [[0, 0, 1], [0, 1]], [[1, 0, 0], [0, 0]]]
    ballots = [encrypt_ballot(election, m)[0] for m in marks]
    tally = tally_ballots(election, ballots)
    partials = [partial_decrypt(key, j, secrets[j - 1], tally) for j in (3, 1)]
    counts = combine_partial_decryptions(key, tally, partials, bound=len(ballots))
    assert counts_by_question(election, counts) == [[2, 0, 1], [1, 2]]
    other = Election("other", key.public_key, election.questions)
    with pytest.raises(CryptoError):
        tally_ballots(other, ballots)


def test_flipping_any_byte_of_a_sealed_share_names_the_dealer() -> None:
    boxes = [PrivateKey.generate() for _ in range(2)]
    dealing = deal(EID, 1, 2, [bytes(b.public_key) for b in boxes])
    sealed = dealing.boxes[1]
    for position in range(len(sealed)):
        tampered = bytearray(sealed)
        tampered[position] ^= 0x80
        bad = Dealing(
            dealing.election_id,
            dealing.dealer,
            dealing.commitments,
            dealing.proofs,
            (dealing.boxes[0], bytes(tampered)),
        )
        with pytest.raises(ShareInvalid) as info:
            open_share(bad, 2, boxes[1])
        assert info.value.dealer == 1


@settings(max_examples=10, deadline=None)
@given(st.data())
def test_random_ceremonies_decrypt_with_any_quorum(data: st.DataObject) -> None:
    trustees = data.draw(st.integers(min_value=1, max_value=5))
    threshold = data.draw(st.integers(min_value=1, max_value=trustees))
    key, secrets, _, _ = ceremony(trustees, threshold)
    counts = data.draw(st.lists(st.integers(min_value=0, max_value=30), min_size=1, max_size=3))
    cts = [encrypt(key.public_key, m, random_scalar()) for m in counts]
    quorum = data.draw(
        st.lists(
            st.integers(min_value=1, max_value=trustees),
            min_size=threshold,
            max_size=trustees,
            unique=True,
        )
    )
    partials = [partial_decrypt(key, j, secrets[j - 1], cts) for j in quorum]
    assert combine_partial_decryptions(key, cts, partials, bound=30) == counts
