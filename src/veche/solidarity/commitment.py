"""Salted commitments to payouts: a recipient can find their payout, nobody else can.

commitment = BLAKE2b-256, personalised ``veche-payout-v1``, over
``u16(len salt) ‖ salt ‖ u16(len recipient) ‖ recipient (UTF-8) ‖ u64(amount)
‖ currency (3 ASCII bytes) ‖ u16(len ref) ‖ ref (ASCII)``, all lengths and the
amount big-endian. The salt (16 random bytes) is known only to the recipient
and the committee that vetted them; without it the recipient id cannot be
guessed from the commitment even though recipient ids are short. ``ref`` is
the payout's own random reference (an event cannot contain its own id).
"""

from __future__ import annotations

import hashlib
import secrets
import struct

from veche.events.encoding import EncodingError, b64d, b64e

__all__ = [
    "SALT_BYTES",
    "CommitmentError",
    "new_payout_ref",
    "new_salt",
    "payout_commitment",
]

SALT_BYTES = 16
PERSON = b"veche-payout-v1"


class CommitmentError(ValueError):
    pass


def new_salt() -> str:
    return b64e(secrets.token_bytes(SALT_BYTES))


def new_payout_ref() -> str:
    return b64e(secrets.token_bytes(16))


def payout_commitment(salt: str, recipient: str, amount: int, currency: str, ref: str) -> str:
    try:
        salt_bytes = b64d(salt.strip())
    except EncodingError as error:
        raise CommitmentError("the salt must be the base64url text the committee gave") from error
    if not 16 <= len(salt_bytes) <= 64:
        raise CommitmentError("the salt must be 16 to 64 bytes")
    who = recipient.strip().encode("utf-8")
    if not who or len(who) > 200:
        raise CommitmentError("the recipient id must be 1 to 200 bytes")
    if type(amount) is not int or amount <= 0 or amount >= 2**63:
        raise CommitmentError("the amount must be a positive whole number of minor units")
    if len(currency) != 3 or not currency.isascii() or not currency.isupper():
        raise CommitmentError("the currency must be a three-letter code like BYN")
    ref_bytes = ref.encode("ascii")
    digest = hashlib.blake2b(digest_size=32, person=PERSON)
    digest.update(struct.pack(">H", len(salt_bytes)) + salt_bytes)
    digest.update(struct.pack(">H", len(who)) + who)
    digest.update(struct.pack(">Q", amount) + currency.encode("ascii"))
    digest.update(struct.pack(">H", len(ref_bytes)) + ref_bytes)
    return b64e(digest.digest())
