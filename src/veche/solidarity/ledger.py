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
_AMOUNT = re.compile(r"\A([0-9]{1,13})(?:\.([0-9]{1,2}))?\Z")


class LedgerError(ValueError):
    """An entry, payout or approval the book refuses; ``rule`` and ``field`` say why."""

    def __init__(self, rule: str, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.rule = rule
        self.field = field
        self.message = message


def parse_amount(text: str) -> int:
    """'150', '150.5' or '150.50' (major units) to minor units (15000, 15050, 15050)."""
    match = _AMOUNT.match(text.strip())
    if match is None:
        raise LedgerError(
            "amount-format", "amount", f"{text!r} is not an amount like 150 or 150.50"
        )
    whole, fraction = match.group(1), (match.group(2) or "").ljust(2, "0")
    value = int(whole) * 100 + int(fraction)
    if value <= 0:
        raise LedgerError("amount-positive", "amount", "must be more than zero")
    return value


def format_amount(minor: int, currency: str = "") -> str:
    sign = "-" if minor < 0 else ""
    whole, cents = divmod(abs(minor), 100)
    text = f"{sign}{whole:,}.{cents:02d}".replace(",", "\u202f")
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
                "account", f"{where}.account", f"must be one of {', '.join(ACCOUNTS)}"
            )
        if posting.account == "payouts" and not allow_payouts:
            raise LedgerError(
                "payout-approval",
                f"{where}.account",
                "payouts are recorded as payouts and take effect after k treasurer approvals",
            )
        if posting.currency not in CURRENCIES:
            raise LedgerError(
                "currency", f"{where}.currency", f"must be one of {', '.join(CURRENCIES)}"
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
            raise LedgerError("amount-max", f"{where}.amount", f"must be at most {MAX_AMOUNT}")
    if len(currencies) > 1:
        raise LedgerError(
            "one-currency",
            "postings",
            f"one entry may not mix currencies ({', '.join(currencies)}); "
            "record an exchange as two entries",
        )
    debits = sum(p.amount for p in entry.postings if p.side == "debit")
    credits = sum(p.amount for p in entry.postings if p.side == "credit")
    if debits != credits:
        raise LedgerError(
            "balanced",
            "postings",
            f"debits ({format_amount(debits, currencies[0])}) must equal credits "
            f"({format_amount(credits, currencies[0])})",
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
                f"k must be between 1 and the number of treasurers ({len(self.treasurers)})",
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
        raise LedgerError("currency", "currency", f"must be one of {', '.join(CURRENCIES)}")
    if payout.source not in HOLDINGS:
        raise LedgerError("source", "source", f"must be one of {', '.join(HOLDINGS)}")
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
            f"the fund's {payout.source} holds {format_amount(held, payout.currency)}, "
            f"less than {format_amount(payout.amount, payout.currency)}",
        )
