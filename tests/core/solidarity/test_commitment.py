"""Payout commitments: a known answer, and every input changes the commitment."""

from __future__ import annotations

import hashlib
import struct

import pytest

from veche.events.encoding import b64d, b64e
from veche.solidarity.commitment import CommitmentError, payout_commitment

SALT = b64e(bytes(range(16)))


def test_known_answer_follows_the_documented_layout() -> None:
    salt = bytes(range(16))
    message = (
        struct.pack(">H", 16)
        + salt
        + struct.pack(">H", 4)
        + b"R-17"
        + struct.pack(">Q", 30000)
        + b"BYN"
        + struct.pack(">H", 5)
        + b"ref01"
    )
    expected = b64e(hashlib.blake2b(message, digest_size=32, person=b"veche-payout-v1").digest())
    assert payout_commitment(SALT, "R-17", 30000, "BYN", "ref01") == expected
    assert len(b64d(expected)) == 32


@pytest.mark.parametrize(
    "changed",
    [
        (b64e(bytes(range(1, 17))), "R-17", 30000, "BYN", "ref01"),
        (SALT, "R-18", 30000, "BYN", "ref01"),
        (SALT, "R-17", 30001, "BYN", "ref01"),
        (SALT, "R-17", 30000, "EUR", "ref01"),
        (SALT, "R-17", 30000, "BYN", "ref02"),
    ],
)
def test_every_input_changes_the_commitment(changed: tuple[str, str, int, str, str]) -> None:
    assert payout_commitment(*changed) != payout_commitment(SALT, "R-17", 30000, "BYN", "ref01")


@pytest.mark.parametrize(
    "bad",
    [
        ("not base64!", "R", 1, "BYN", "r"),
        (b64e(b"short"), "R", 1, "BYN", "r"),
        (SALT, "", 1, "BYN", "r"),
        (SALT, "R", 0, "BYN", "r"),
        (SALT, "R", 1, "byn", "r"),
    ],
)
def test_bad_inputs_are_refused(bad: tuple[str, str, int, str, str]) -> None:
    with pytest.raises(CommitmentError):
        payout_commitment(*bad)
