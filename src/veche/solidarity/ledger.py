# A rule's sentence with values is a %-template that pages translate (apps/store/reasons.py).
# ruff: noqa: UP031
"""The solidarity fund's double-entry book: entries, balances, k-of-n payouts.

Every entry is a list of postings in ONE currency; each posting debits or
credits one account by a positive whole number of minor units (kopecks,
cents). An entry is accepted only if its debits equal its credits, so the
balances of all accounts in a currency always sum to zero. A balance is
debits minus credits: holdings (cash, bank) and outflows (payouts, costs) are
positive, inflows (donations) negative. Payouts do not touch the book until
``k`` distinct treasurers named in the fund's rules have approved them.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

__all__ = [
    "ACCOUNTS",
    "CURRENCIES",
    "HOLDINGS",
    "SPACES",
    "AmountError",
    "Approval",
    "Entry",
    "FundRules",
    "Ledger",
    "LedgerError",
    "Payout",
    "Posting",
    "check_entry",
    "format_amount",
    "parse_amount",
]

CURRENCIES: tuple[str, ...] = ("BYN", "EUR", "USD")
ACCOUNTS: dict[str, str] = {
    "donations": "donations received",
    "pledges": "pledges (promised, not yet received)",
    "cash": "cash holdings",
    "bank": "bank holdings",
    "payouts": "payouts to strikers",
    "costs": "costs",
}
HOLDINGS = ("cash", "bank")
# Inflows are counted as money in; payouts and costs as money out.
INFLOW = ("donations",)
OUTFLOW = ("payouts", "costs")
MAX_AMOUNT = 10**15  # minor units: far above any fund, far below overflow anywhere


class LedgerError(ValueError):
    """An entry, payout or approval the book refuses; ``rule`` and ``field`` say why."""

    def __init__(self, rule: str, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.rule = rule
        self.field = field
        self.message = message


class AmountError(LedgerError):
    """An amount as typed that is not one: ``code`` says why and ``params`` holds what a
    page needs to say so in its reader's language (the English ``message`` is for the
    command line)."""

    def __init__(self, code: str, message: str, **params: object) -> None:
        super().__init__(code, "amount", message)
        self.code = code
        self.params = params


# Spaces people and programs put between thousands: space, no-break space, thin space,
# narrow no-break space. A space is never a decimal separator, in any language.
SPACES = " \u00a0\u2009\u202f"
_DIGITS = re.compile(r"[0-9]+")


def parse_amount(text: str, *, decimal: str = ".", group: str = ",") -> int:
    """An amount in major units as people write it, to minor units: ``150``, ``150.5``,
    ``350,50``, ``1 250,00``, ``1\u202f250.5``, and ``1,250.50`` where ``,`` is the
    reader's thousands separator (``decimal`` and ``group`` are the reader's locale's).

    A comma or dot followed by one or two digits is a decimal separator in any locale.
    Followed by three digits it could be either (``1,250`` is 1250 in English and
    1.25 in Russian), so it is read as thousands only where it is the locale's
    thousands separator, and refused as ambiguous elsewhere. Raises ``AmountError``.
    """
    raw = text
    text = text.strip(SPACES + "\t\n")
    if not text:
        raise AmountError("amount-empty", "write an amount, like 150 or 150.50")
    if text[0] in "-\u2212":
        raise AmountError("amount-positive", "must be more than zero")
    marks = [c for c in text if c in ",."]
    kinds = set(marks)
    whole, fraction = text, ""
    if len(kinds) == 2:
        # Both marks: only the locale's own "1,250.50" (or "1.250,50" where that is it).
        last = max(text.rfind(","), text.rfind("."))
        if text[last] != decimal or group not in ",." or text.count(decimal) != 1:
            raise AmountError("amount-ambiguous", f"{raw!r} mixes commas and dots", text=raw)
        whole, fraction = text[:last].replace(group, " "), text[last + 1 :]
    elif len(kinds) == 1:
        mark = marks[0]
        tail = text.rsplit(mark, 1)[1]
        if len(marks) == 1 and tail.isascii() and tail.isdigit() and len(tail) <= 2:
            whole, fraction = text.rsplit(mark, 1)
        elif mark == group and mark != decimal:
            whole = text.replace(mark, " ")
        elif len(marks) == 1 and len(tail) == 3 and tail.isascii() and tail.isdigit():
            raise AmountError(
                "amount-ambiguous",
                f"{raw!r} could be thousands or decimals; write two decimals, like 1250.00",
                text=raw,
            )
        elif len(marks) == 1 and tail.isascii() and tail.isdigit():
            raise AmountError(
                "amount-decimals", f"{raw!r} has more than two decimal digits", text=raw
            )
        else:
            raise AmountError(
                "amount-format", f"{raw!r} is not an amount like 150 or 150.50", text=raw
            )
    for space in SPACES:
        whole = whole.replace(space, " ")
    groups = whole.split(" ")
    if not all(g.isascii() and _DIGITS.fullmatch(g) for g in groups) or (
        fraction and not (fraction.isascii() and fraction.isdigit())
    ):
        raise AmountError("amount-format", f"{raw!r} is not an amount like 150 or 150.50", text=raw)
    if len(groups) > 1 and (len(groups[0]) > 3 or any(len(g) != 3 for g in groups[1:])):
        raise AmountError(
            "amount-grouping", f"{raw!r}: thousands are groups of three digits", text=raw
        )
    digits = "".join(groups)
    if len(digits.lstrip("0")) > 13:
        raise AmountError("amount-max", f"must be at most {MAX_AMOUNT // 100}", limit=MAX_AMOUNT)
    value = int(digits) * 100 + int(fraction.ljust(2, "0"))
    if value <= 0:
        raise AmountError("amount-positive", "must be more than zero")
    return value


def format_amount(
    minor: int, currency: str = "", *, decimal: str = ".", group: str = "\u202f"
) -> str:
    """Minor units as major units: ``123456`` -> ``1\u202f234.56`` (``parse_amount`` reads
    it back with the same ``decimal``)."""
    sign = "-" if minor < 0 else ""
    whole, cents = divmod(abs(minor), 100)
    grouped = f"{whole:,}".replace(",", group)
    text = f"{sign}{grouped}{decimal}{cents:02d}"
    return f"{text} {currency}".strip()


@dataclass(frozen=True, slots=True)
class Posting:
    account: str
    currency: str
    side: str  # "debit" or "credit"
    amount: int

    @property
    def signed(self) -> int:
        return self.amount if self.side == "debit" else -self.amount


@dataclass(frozen=True, slots=True)
class Entry:
    id: str
    day: str
    postings: tuple[Posting, ...]
    category: str = "entry"

    @property
    def currency(self) -> str:
        return self.postings[0].currency


def check_entry(entry: Entry, *, allow_payouts: bool = False) -> None:
    """Refuse an entry that does not balance, mixes currencies or has a bad posting."""
    if len(entry.postings) < 2:
        raise LedgerError("entry-postings", "postings", "an entry needs at least two postings")
    currencies = sorted({p.currency for p in entry.postings})
    for index, posting in enumerate(entry.postings):
        where = f"postings[{index}]"
        if posting.account not in ACCOUNTS:
            raise LedgerError(
                "account",
                f"{where}.account",
                "must be one of %(values)s" % {"values": ", ".join(ACCOUNTS)},
            )
        if posting.account == "payouts" and not allow_payouts:
            raise LedgerError(
                "payout-approval",
                f"{where}.account",
                "payouts are recorded as payouts and take effect after k treasurer approvals",
            )
        if posting.currency not in CURRENCIES:
            raise LedgerError(
                "currency",
                f"{where}.currency",
                "must be one of %(values)s" % {"values": ", ".join(CURRENCIES)},
            )
        if posting.side not in ("debit", "credit"):
            raise LedgerError("side", f"{where}.side", "must be debit or credit")
        if type(posting.amount) is not int or posting.amount <= 0:
            raise LedgerError(
                "amount-positive",
                f"{where}.amount",
                "must be a positive whole number of minor units; "
                "to reverse an entry, post the opposite side",
            )
        if posting.amount > MAX_AMOUNT:
            raise LedgerError(
                "amount-max", f"{where}.amount", "must be at most %(n)s" % {"n": MAX_AMOUNT}
            )
    if len(currencies) > 1:
        raise LedgerError(
            "one-currency",
            "postings",
            "one entry may not mix currencies (%(currencies)s); "
            "record an exchange as two entries" % {"currencies": ", ".join(currencies)},
        )
    debits = sum(p.amount for p in entry.postings if p.side == "debit")
    credits = sum(p.amount for p in entry.postings if p.side == "credit")
    if debits != credits:
        raise LedgerError(
            "balanced",
            "postings",
            "debits (%(debits)s) must equal credits (%(credits)s)"
            % {
                "debits": format_amount(debits, currencies[0]),
                "credits": format_amount(credits, currencies[0]),
            },
        )


@dataclass(frozen=True, slots=True)
class FundRules:
    treasurers: frozenset[str]
    k: int

    def __post_init__(self) -> None:
        if not self.treasurers:
            raise LedgerError("treasurers", "treasurers", "name at least one treasurer")
        if not 1 <= self.k <= len(self.treasurers):
            raise LedgerError(
                "k-of-n",
                "k",
                "k must be between 1 and the number of treasurers (%(n)d)"
                % {"n": len(self.treasurers)},
            )


@dataclass(frozen=True, slots=True)
class Payout:
    id: str
    ref: str
    day: str
    amount: int
    currency: str
    source: str
    commitment: str

    def entry(self) -> Entry:
        return Entry(
            id=self.id,
            day=self.day,
            category="payout",
            postings=(
                Posting("payouts", self.currency, "debit", self.amount),
                Posting(self.source, self.currency, "credit", self.amount),
            ),
        )


@dataclass(frozen=True, slots=True)
class Approval:
    payout: str
    treasurer: str


@dataclass
class Ledger:
    """The book in memory: what the Django projection keeps in tables, for tests and tools."""

    rules: FundRules
    balances: dict[tuple[str, str], int] = field(default_factory=lambda: defaultdict(int))
    entries: list[Entry] = field(default_factory=list)
    payouts: dict[str, Payout] = field(default_factory=dict)
    approvals: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    effective: set[str] = field(default_factory=set)

    def post(self, entry: Entry) -> None:
        check_entry(entry)
        self._apply(entry)

    def _apply(self, entry: Entry) -> None:
        self.entries.append(entry)
        for posting in entry.postings:
            self.balances[(posting.account, posting.currency)] += posting.signed

    def propose(self, payout: Payout, author: str) -> None:
        require_treasurer(self.rules, author)
        check_payout(payout)
        if payout.id in self.payouts:
            raise LedgerError("payout-unique", "payout", "this payout is already recorded")
        self.payouts[payout.id] = payout

    def approve(self, approval: Approval) -> bool:
        """Record one approval; return True if it made the payout take effect."""
        payout = self.payouts.get(approval.payout)
        if payout is None:
            raise LedgerError("payout-known", "payout", "no such payout in this fund")
        given = self.approvals[approval.payout]
        check_approval(self.rules, given, approval.treasurer)
        if len(given) + 1 == self.rules.k:
            check_funds(self.balances, payout)
        given.add(approval.treasurer)
        if len(given) == self.rules.k:
            self.effective.add(payout.id)
            self._apply(payout.entry())
            return True
        return False

    def balance(self, account: str, currency: str) -> int:
        return self.balances.get((account, currency), 0)


def require_treasurer(rules: FundRules, key: str) -> None:
    if key not in rules.treasurers:
        raise LedgerError(
            "treasurer", "author", "only the treasurers named in the fund's rules may do this"
        )


def check_payout(payout: Payout) -> None:
    if payout.currency not in CURRENCIES:
        raise LedgerError(
            "currency", "currency", "must be one of %(values)s" % {"values": ", ".join(CURRENCIES)}
        )
    if payout.source not in HOLDINGS:
        raise LedgerError(
            "source", "source", "must be one of %(values)s" % {"values": ", ".join(HOLDINGS)}
        )
    if type(payout.amount) is not int or not 0 < payout.amount <= MAX_AMOUNT:
        raise LedgerError("amount-positive", "amount", "must be a positive whole number")


def check_approval(rules: FundRules, given: Iterable[str], treasurer: str) -> None:
    require_treasurer(rules, treasurer)
    given = set(given)
    if treasurer in given:
        raise LedgerError(
            "approve-once", "author", "this treasurer has already approved this payout"
        )
    if len(given) >= rules.k:
        raise LedgerError("approve-done", "payout", "this payout already has its approvals")


def check_funds(balances: Mapping[tuple[str, str], int], payout: Payout) -> None:
    """A payout may not take more than its source account holds."""
    held = balances.get((payout.source, payout.currency), 0)
    if held < payout.amount:
        raise LedgerError(
            "funds",
            "amount",
            "the fund's %(source)s holds %(held)s, less than %(amount)s"
            % {
                "source": payout.source,
                "held": format_amount(held, payout.currency),
                "amount": format_amount(payout.amount, payout.currency),
            },
        )
