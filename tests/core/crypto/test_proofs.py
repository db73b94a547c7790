"""ElGamal and the Fiat–Shamir proofs: round trips, soundness against wrong statements,
and binding of each challenge to its domain, election, key and context."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from veche.crypto import (
    GENERATOR,
    Ciphertext,
    L,
    ProofInvalid,
    Scalar,
    base_mul,
    discrete_log,
    encrypt,
    homomorphic_sum,
    random_scalar,
)
from veche.crypto.proofs import (
    DOMAIN_BIT,
    DOMAIN_DECRYPT,
    DOMAIN_RANGE,
    Binding,
    ChaumPedersenProof,
    DisjunctiveProof,
    SchnorrProof,
    prove_chaum_pedersen,
    prove_encrypts_one_of,
    prove_schnorr,
    verify_chaum_pedersen,
    verify_encrypts_one_of,
    verify_schnorr,
)

SECRET = Scalar.from_int(0x1234567890ABCDEF)
KEY = base_mul(SECRET)
scalars = st.integers(min_value=1, max_value=L - 1).map(Scalar.from_int)


def decrypt(ct: Ciphertext, bound: int = 1000) -> int:
    return discrete_log(ct.beta - ct.alpha * SECRET, bound)


@settings(max_examples=30, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=50), min_size=1, max_size=8), st.data())
def test_exponential_elgamal_adds_plaintexts(messages: list[int], data: st.DataObject) -> None:
    cts = [encrypt(KEY, m, data.draw(scalars)) for m in messages]
    assert [decrypt(ct) for ct in cts] == messages
    assert decrypt(homomorphic_sum(cts)) == sum(messages)
    assert Ciphertext.from_json(cts[0].to_json()) == cts[0]


def test_encrypting_zero_uses_the_identity_internally() -> None:
    r = random_scalar()
    ct = encrypt(KEY, 0, r)
    assert ct.beta == KEY * r
    assert decrypt(ct) == 0


@settings(max_examples=25, deadline=None)
@given(
    st.lists(st.integers(min_value=0, max_value=6), min_size=1, max_size=4, unique=True),
    st.data(),
)
def test_disjunctive_proof_round_trip(values: list[int], data: st.DataObject) -> None:
    message = data.draw(st.sampled_from(values))
    r = data.draw(scalars)
    ct = encrypt(KEY, message, r)
    binding = Binding(DOMAIN_RANGE, "e1", KEY, (0,))
    proof = prove_encrypts_one_of(binding, ct, values, message, r)
    verify_encrypts_one_of(binding, ct, values, proof)
    again = DisjunctiveProof.from_json(proof.to_json(), branches=len(values))
    verify_encrypts_one_of(binding, ct, values, again)


def test_a_ciphertext_of_two_cannot_pass_as_a_bit() -> None:
    r = random_scalar()
    ct = encrypt(KEY, 2, r)
    binding = Binding(DOMAIN_BIT, "e1", KEY, (0, 0))
    # The prover lies about the plaintext: the real branch's equations no longer hold.
    for lie in (0, 1):
        proof = prove_encrypts_one_of(binding, ct, (0, 1), lie, r)
        with pytest.raises(ProofInvalid):
            verify_encrypts_one_of(binding, ct, (0, 1), proof)


def test_disjunctive_proof_is_bound_to_everything_it_hashes() -> None:
    r = random_scalar()
    ct = encrypt(KEY, 1, r)
    binding = Binding(DOMAIN_BIT, "e1", KEY, (0, 2))
    proof = prove_encrypts_one_of(binding, ct, (0, 1), 1, r)
    verify_encrypts_one_of(binding, ct, (0, 1), proof)
    other_key = base_mul(Scalar.from_int(99))
    for wrong in (
        Binding(DOMAIN_RANGE, "e1", KEY, (0, 2)),
        Binding(DOMAIN_BIT, "e2", KEY, (0, 2)),
        Binding(DOMAIN_BIT, "e1", KEY, (0, 3)),
        Binding(DOMAIN_BIT, "e1", other_key, (0, 2)),
    ):
        with pytest.raises(ProofInvalid):
            verify_encrypts_one_of(wrong, ct, (0, 1), proof)
    # Another ciphertext (a re-randomisation of the same plaintext) does not inherit it.
    rerandomised = ct + encrypt(KEY, 0, random_scalar())
    with pytest.raises(ProofInvalid):
        verify_encrypts_one_of(binding, rerandomised, (0, 1), proof)
    # Swapping branches, or claiming other values, fails.
    swapped = DisjunctiveProof(proof.challenges[::-1], proof.responses[::-1])
    with pytest.raises(ProofInvalid):
        verify_encrypts_one_of(binding, ct, (0, 1), swapped)
    with pytest.raises(ProofInvalid):
        verify_encrypts_one_of(binding, ct, (1, 2), proof)


def test_disjunctive_proof_with_a_changed_scalar_fails() -> None:
    r = random_scalar()
    ct = encrypt(KEY, 0, r)
    binding = Binding(DOMAIN_BIT, "e1", KEY, (0, 0))
    proof = prove_encrypts_one_of(binding, ct, (0, 1), 0, r)
    one = Scalar.from_int(1)
    for i in range(2):
        cs = list(proof.challenges)
        cs[i] = cs[i] + one
        with pytest.raises(ProofInvalid):
            verify_encrypts_one_of(
                binding, ct, (0, 1), DisjunctiveProof(tuple(cs), proof.responses)
            )
        vs = list(proof.responses)
        vs[i] = vs[i] + one
        with pytest.raises(ProofInvalid):
            verify_encrypts_one_of(
                binding, ct, (0, 1), DisjunctiveProof(proof.challenges, tuple(vs))
            )


@settings(max_examples=20, deadline=None)
@given(scalars)
def test_schnorr_round_trip_and_wrong_statement(secret: Scalar) -> None:
    binding = Binding("veche/election-v1/coefficient", "e1", None, (1, 0))
    public = base_mul(secret)
    proof = prove_schnorr(binding, public, secret)
    verify_schnorr(binding, public, SchnorrProof.from_json(proof.to_json()))
    with pytest.raises(ProofInvalid):
        verify_schnorr(binding, public + GENERATOR, proof)
    with pytest.raises(ProofInvalid):
        verify_schnorr(Binding(binding.domain, "e1", None, (2, 0)), public, proof)


@settings(max_examples=20, deadline=None)
@given(scalars, scalars)
def test_chaum_pedersen_round_trip_and_wrong_statement(secret: Scalar, h: Scalar) -> None:
    binding = Binding(DOMAIN_DECRYPT, "e1", KEY, (1, 0))
    base = base_mul(h)
    statement = (base_mul(secret), base, base * secret)
    proof = prove_chaum_pedersen(binding, statement, secret)
    verify_chaum_pedersen(binding, statement, ChaumPedersenProof.from_json(proof.to_json()))
    public, base, image = statement
    with pytest.raises(ProofInvalid):
        verify_chaum_pedersen(binding, (public, base, image + GENERATOR), proof)
    with pytest.raises(ProofInvalid):
        verify_chaum_pedersen(Binding(DOMAIN_DECRYPT, "e1", KEY, (2, 0)), statement, proof)
