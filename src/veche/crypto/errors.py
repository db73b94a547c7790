"""Exceptions of the election crypto core.

Every failure names the item that failed (``item``, a path into the wire object
such as ``answers[0].choices[3].proof``) so a verifier can tell a voter or an
auditor exactly what was wrong; a trustee's bad share names its dealer.
"""

from __future__ import annotations


class CryptoError(ValueError):
    """Base class: input that the election crypto core rejects."""

    def __init__(self, message: str, *, item: str = "") -> None:
        self.item = item
        self.reason = message
        super().__init__(f"{item}: {message}" if item else message)


class InvalidEncoding(CryptoError):
    """Malformed base64url, JSON shape, version or length."""


class InvalidPoint(CryptoError):
    """A point that is not a canonical encoding of a prime-order-subgroup element."""


class InvalidScalar(CryptoError):
    """A scalar that is not a canonical 32-byte little-endian integer below L."""


class ProofInvalid(CryptoError):
    """A zero-knowledge proof whose equations or challenge do not check out."""


class BallotInvalid(CryptoError):
    """A ballot that is malformed or whose proofs fail; ``item`` names the part."""


class AuditFailed(CryptoError):
    """A Benaloh audit: the revealed randomness does not open the ballot to its choices."""


class ShareInvalid(CryptoError):
    """A trustee's key share that does not match its dealer's commitments."""

    def __init__(self, message: str, *, dealer: int, item: str = "") -> None:
        self.dealer = dealer
        super().__init__(f"trustee {dealer} dealt a bad share: {message}", item=item)


class DecryptionInvalid(CryptoError):
    """A partial decryption whose proof fails, or too few of them to combine."""


class DiscreteLogNotFound(CryptoError):
    """The decrypted point is not m*G for any m within the bound."""
