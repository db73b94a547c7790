"""The Terelius–Wikström proof of shuffle: honest shuffles verify, and every change to
the statement or to any component of the proof is refused."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from veche.crypto import (
    InvalidEncoding,
    ProofInvalid,
    Scalar,
    base_mul,
    deterministic_scalars,
    discrete_log,
    encrypt,
)
from veche.crypto.elgamal import Ciphertext
from veche.crypto.proofs import Binding
from veche.crypto.shuffle import (
    DOMAIN_SHUFFLE,
    ShuffleProof,
    generator,
    prove_shuffle,
    shuffle,
    verify_shuffle,
)

SECRET = Scalar.from_int(123456789)
KEY = base_mul(SECRET)
BINDING = Binding(DOMAIN_SHUFFLE, "election-1", KEY, ("round", 1))
RNG = deterministic_scalars(b"shuffle tests")
INPUTS = [encrypt(KEY, m, RNG()) for m in (0, 1, 2, 3, 4)]
OUTPUTS, PROOF = shuffle(BINDING, INPUTS, rng=RNG)


def decrypt(ct: Ciphertext) -> int:
    return discrete_log(ct.beta - ct.alpha * SECRET, 10)


def test_honest_shuffle_verifies_and_keeps_the_plaintexts() -> None:
    verify_shuffle(BINDING, INPUTS, OUTPUTS, PROOF)
    assert sorted(decrypt(ct) for ct in OUTPUTS) == [0, 1, 2, 3, 4]
    # Re-encrypted: no output equals an input.
    assert not {(c.alpha, c.beta) for c in OUTPUTS} & {(c.alpha, c.beta) for c in INPUTS}


def test_round_trip_through_json() -> None:
    wire = json.loads(json.dumps(PROOF.to_json()))
    verify_shuffle(BINDING, INPUTS, OUTPUTS, ShuffleProof.from_json(wire, size=5))
    with pytest.raises(InvalidEncoding):
        ShuffleProof.from_json(wire, size=4)


def test_single_ciphertext() -> None:
    outputs, proof = shuffle(BINDING, INPUTS[:1], rng=RNG)
    verify_shuffle(BINDING, INPUTS[:1], outputs, proof)


def test_generators_are_distinct_points_of_the_group() -> None:
    points = {generator(i) for i in range(20)}
    assert len(points) == 20
    assert all(not p.is_identity() for p in points)


def test_changed_output_ciphertext_is_refused() -> None:
    bad = list(OUTPUTS)
    bad[2] = Ciphertext(bad[2].alpha, bad[2].beta + base_mul(Scalar.from_int(1)))
    with pytest.raises(ProofInvalid):
        verify_shuffle(BINDING, INPUTS, bad, PROOF)


def test_changed_input_ciphertext_is_refused() -> None:
    bad = list(INPUTS)
    bad[0] = encrypt(KEY, 0, RNG())
    with pytest.raises(ProofInvalid):
        verify_shuffle(BINDING, bad, OUTPUTS, PROOF)


def test_swapped_pair_without_a_new_proof_is_refused() -> None:
    bad = list(OUTPUTS)
    bad[0], bad[1] = bad[1], bad[0]
    with pytest.raises(ProofInvalid):
        verify_shuffle(BINDING, INPUTS, bad, PROOF)


def test_proof_for_another_input_list_is_refused() -> None:
    other = [encrypt(KEY, m, RNG()) for m in (0, 1, 2, 3, 4)]
    with pytest.raises(ProofInvalid):
        verify_shuffle(BINDING, other, OUTPUTS, PROOF)


def test_truncated_or_duplicated_output_is_refused() -> None:
    with pytest.raises(ProofInvalid):
        verify_shuffle(BINDING, INPUTS, OUTPUTS[:4], PROOF)
    with pytest.raises(ProofInvalid):
        verify_shuffle(BINDING, INPUTS, [*OUTPUTS[:4], OUTPUTS[0]], PROOF)
    with pytest.raises(ProofInvalid):
        verify_shuffle(BINDING, INPUTS, [*OUTPUTS, OUTPUTS[0]], PROOF)


def test_another_binding_is_refused() -> None:
    for binding in (
        replace(BINDING, election_id="election-2"),
        replace(BINDING, context=("round", 2)),
        replace(BINDING, key=base_mul(Scalar.from_int(7))),
    ):
        with pytest.raises(ProofInvalid):
            verify_shuffle(binding, INPUTS, OUTPUTS, PROOF)


def test_a_shuffle_that_changes_a_plaintext_cannot_be_proved() -> None:
    # A dishonest mixer replaces the 0 by a 1 and proves with the honest witness.
    perm = [0, 1, 2, 3, 4]
    randomness = [RNG() for _ in perm]
    outputs = [
        Ciphertext(ct.alpha + base_mul(r), ct.beta + KEY * r)
        for ct, r in zip(INPUTS, randomness, strict=True)
    ]
    outputs[0] = Ciphertext(outputs[0].alpha, outputs[0].beta + base_mul(Scalar.from_int(1)))
    proof = prove_shuffle(BINDING, INPUTS, outputs, perm, randomness, rng=RNG)
    with pytest.raises(ProofInvalid):
        verify_shuffle(BINDING, INPUTS, outputs, proof)


FIELDS = ("commitments", "chain", "c", "s", "s_hat", "s_prime")


@settings(max_examples=30, deadline=None)
@given(
    field=st.sampled_from(FIELDS),
    position=st.integers(min_value=0, max_value=4),
    delta=st.integers(min_value=1, max_value=2**64),
)
def test_every_component_of_the_proof_tampered_is_refused(
    field: str, position: int, delta: int
) -> None:
    d = Scalar.from_int(delta)
    proof = PROOF
    if field == "c":
        proof = replace(proof, challenge=proof.challenge + d)
    elif field == "s":
        s = list(proof.s)
        s[position % 4] = s[position % 4] + d
        proof = replace(proof, s=(s[0], s[1], s[2], s[3]))
    elif field == "commitments":
        points = list(proof.commitments)
        points[position] = points[position] + base_mul(d)
        proof = replace(proof, commitments=tuple(points))
    elif field == "chain":
        points = list(proof.chain)
        points[position] = points[position] + base_mul(d)
        proof = replace(proof, chain=tuple(points))
    elif field == "s_hat":
        scalars = list(proof.s_hat)
        scalars[position] = scalars[position] + d
        proof = replace(proof, s_hat=tuple(scalars))
    else:
        scalars = list(proof.s_prime)
        scalars[position] = scalars[position] + d
        proof = replace(proof, s_prime=tuple(scalars))
    with pytest.raises(ProofInvalid):
        verify_shuffle(BINDING, INPUTS, OUTPUTS, proof)
