"""Election cryptography (format v1): pure Python over libsodium, no Django.

Exponential ElGamal on the prime-order subgroup of Ed25519, Fiat–Shamir proofs
(Schnorr, Chaum–Pedersen, disjunctive), threshold keys from a Pedersen/Feldman
ceremony, partial decryptions, bounded discrete logs and the encrypted ballot
format. ``docs/formats/election-v1.md`` specifies every byte so that anyone can
write an independent verifier. Every wire object has ``to_json``/``from_json``;
``from_json`` checks each point and scalar, and the ``verify_*`` functions raise
a :class:`~veche.crypto.errors.CryptoError` subclass naming the failing item.
"""

from veche.crypto.ballot import (
    BALLOT_VERSION,
    Ballot,
    BallotRejection,
    BallotSecrets,
    Election,
    EncryptedAnswer,
    Question,
    audit_ballot,
    check_ballot,
    check_ballots,
    encrypt_ballot,
    parse_ballot,
    verify_ballot,
)
from veche.crypto.dlog import discrete_log
from veche.crypto.elgamal import Ciphertext, encrypt, homomorphic_sum
from veche.crypto.errors import (
    AuditFailed,
    BallotInvalid,
    CryptoError,
    DecryptionInvalid,
    DiscreteLogNotFound,
    InvalidEncoding,
    InvalidPoint,
    InvalidScalar,
    ProofInvalid,
    ShareInvalid,
)
from veche.crypto.group import (
    GENERATOR,
    IDENTITY,
    L,
    Point,
    PointSum,
    Scalar,
    base_mul,
    deterministic_scalars,
    hash_to_scalar,
    parse_point,
    parse_scalar,
    random_scalar,
)
from veche.crypto.tally import counts_by_question, tally_ballots
from veche.crypto.threshold import (
    Dealing,
    ElectionKey,
    PartialDecryption,
    combine_partial_decryptions,
    deal,
    election_key_from_dealings,
    lagrange_at_zero,
    open_share,
    partial_decrypt,
    trustee_secret,
    verify_dealing,
    verify_partial_decryption,
)

__all__ = [
    "BALLOT_VERSION",
    "GENERATOR",
    "IDENTITY",
    "AuditFailed",
    "Ballot",
    "BallotInvalid",
    "BallotRejection",
    "BallotSecrets",
    "Ciphertext",
    "CryptoError",
    "Dealing",
    "DecryptionInvalid",
    "DiscreteLogNotFound",
    "Election",
    "ElectionKey",
    "EncryptedAnswer",
    "InvalidEncoding",
    "InvalidPoint",
    "InvalidScalar",
    "L",
    "PartialDecryption",
    "Point",
    "PointSum",
    "ProofInvalid",
    "Question",
    "Scalar",
    "ShareInvalid",
    "audit_ballot",
    "base_mul",
    "check_ballot",
    "check_ballots",
    "combine_partial_decryptions",
    "counts_by_question",
    "deal",
    "deterministic_scalars",
    "discrete_log",
    "election_key_from_dealings",
    "encrypt",
    "encrypt_ballot",
    "hash_to_scalar",
    "homomorphic_sum",
    "lagrange_at_zero",
    "open_share",
    "parse_ballot",
    "parse_point",
    "parse_scalar",
    "partial_decrypt",
    "random_scalar",
    "tally_ballots",
    "trustee_secret",
    "verify_ballot",
    "verify_dealing",
    "verify_partial_decryption",
]
