"""The recipient's receipt: the text its QR code carries, and reading it back.

``veche-payout:v1?r=<recipient>&a=<minor units>&c=<currency>&s=<salt>`` (query-string
encoded). A recipient scans the code with any phone and pastes the text into the check
form of a published report; the form also takes the three values typed by hand.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import parse_qs, urlencode

PREFIX = "veche-payout:v1?"


@dataclass(frozen=True)
class ReceiptData:
    recipient: str
    amount: int
    currency: str
    salt: str


def receipt_text(data: ReceiptData) -> str:
    query = urlencode({"r": data.recipient, "a": data.amount, "c": data.currency, "s": data.salt})
    return PREFIX + query


def parse_receipt_text(text: str) -> ReceiptData | None:
    """The receipt a QR code's text carries, or None if the text is not one."""
    text = text.strip()
    if not text.startswith(PREFIX):
        return None
    fields = parse_qs(text[len(PREFIX) :], strict_parsing=False)
    try:
        (recipient,), (amount,), (currency,), (salt,) = (
            fields["r"],
            fields["a"],
            fields["c"],
            fields["s"],
        )
    except (KeyError, ValueError):
        return None
    if not (amount.isascii() and amount.isdigit()) or int(amount) <= 0:
        return None
    return ReceiptData(recipient.strip(), int(amount), currency.strip(), salt.strip())
