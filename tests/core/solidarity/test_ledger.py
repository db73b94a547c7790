"""The fund's book as pure logic: balancing, refusals, k-of-n approvals (hypothesis)."""

from __future__ import annotations

from collections import defaultdict

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from veche.solidarity.ledger import (
    ACCOUNTS,
    CURRENCIES,
    Approval,
    Entry,
    FundRules,
    Ledger,
    LedgerError,
    Payout,
    Posting,
    check_entry,
    format_amount,
    parse_amount,
)

TREASURERS = frozenset({"t1", "t2", "t3"})
PLAIN_ACCOUNTS = [a for a in ACCOUNTS if a != "payouts"]


@st.composite
def valid_entries(draw: st.DrawFn) -> Entry:
    currency = draw(st.sampled_from(CURRENCIES))
    debits = draw(st.lists(st.integers(1, 10**9), min_size=1, max_size=4))
    total = sum(debits)
    # Split the same total into credits so the entry balances.
    cuts = (
        sorted(draw(st.lists(st.integers(1, total - 1), max_size=3, unique=True)))
        if total > 1
        else []
    )
    credits = [b - a for a, b in zip([0, *cuts], [*cuts, total], strict=True)]
    postings = [
        Posting(draw(st.sampled_from(PLAIN_ACCOUNTS)), currency, "debit", d) for d in debits
    ] + [Posting(draw(st.sampled_from(PLAIN_ACCOUNTS)), currency, "credit", c) for c in credits]
    return Entry(id=str(draw(st.integers())), day="2020-08-20", postings=tuple(postings))


@st.composite
def invalid_entries(draw: st.DrawFn) -> Entry:
    entry = draw(valid_entries())
    postings = list(entry.postings)
    flaw = draw(st.sampled_from(["unbalanced", "negative", "zero", "mixed", "payouts", "account"]))
    first = postings[0]
    if flaw == "unbalanced":
        postings[0] = Posting(first.account, first.currency, first.side, first.amount + 1)
    elif flaw == "negative":
        postings[0] = Posting(first.account, first.currency, first.side, -first.amount)
    elif flaw == "zero":
        postings.append(Posting("cash", first.currency, "debit", 0))
    elif flaw == "mixed":
        other = next(c for c in CURRENCIES if c != first.currency)
        postings.append(Posting("cash", other, "debit", 5))
        postings.append(Posting("donations", other, "credit", 5))
    elif flaw == "payouts":
        postings.append(Posting("payouts", first.currency, "debit", 5))
        postings.append(Posting("bank", first.currency, "credit", 5))
    else:
        postings[0] = Posting("savings", first.currency, first.side, first.amount)
    return Entry(id=entry.id, day=entry.day, postings=tuple(postings))


@settings(max_examples=150, deadline=None)
@given(st.lists(st.one_of(valid_entries(), invalid_entries()), max_size=25))
def test_balances_equal_the_sum_of_accepted_entries(entries: list[Entry]) -> None:
    book = Ledger(FundRules(TREASURERS, 2))
    accepted: list[Entry] = []
    for entry in entries:
        before = dict(book.balances)
        try:
            book.post(entry)
        except LedgerError:
            assert dict(book.balances) == before  # a refused entry changes nothing
        else:
            accepted.append(entry)
    expected: dict[tuple[str, str], int] = defaultdict(int)
    for entry in accepted:
        for posting in entry.postings:
            expected[(posting.account, posting.currency)] += posting.signed
    assert {k: v for k, v in book.balances.items() if v} == {k: v for k, v in expected.items() if v}
    for currency in CURRENCIES:  # double entry: every currency's book sums to zero
        assert sum(v for (_, c), v in book.balances.items() if c == currency) == 0


@given(invalid_entries())
def test_every_invalid_entry_is_refused(entry: Entry) -> None:
    with pytest.raises(LedgerError):
        check_entry(entry)


def test_refusal_messages_name_the_problem() -> None:
    def entry(*postings: Posting) -> Entry:
        return Entry("e", "2020-08-20", postings)

    cases = [
        (
            entry(Posting("bank", "BYN", "debit", 100), Posting("donations", "BYN", "credit", 99)),
            "debits (1.00 BYN) must equal credits (0.99 BYN)",
        ),
        (
            entry(Posting("bank", "BYN", "debit", 100), Posting("donations", "EUR", "credit", 100)),
            "may not mix currencies (BYN, EUR)",
        ),
        (
            entry(Posting("bank", "BYN", "debit", -5), Posting("donations", "BYN", "credit", -5)),
            "positive whole number",
        ),
        (entry(Posting("bank", "BYN", "debit", 5)), "at least two postings"),
    ]
    for bad, message in cases:
        with pytest.raises(LedgerError) as caught:
            check_entry(bad)
        assert message in str(caught.value)


def _funded(k: int) -> Ledger:
    book = Ledger(FundRules(TREASURERS, k))
    book.post(
        Entry(
            "d",
            "2020-08-14",
            (Posting("bank", "BYN", "debit", 1000), Posting("donations", "BYN", "credit", 1000)),
        )
    )
    book.propose(Payout("p", "ref-1", "2020-08-20", 400, "BYN", "bank", "c" * 43), "t1")
    return book


@pytest.mark.parametrize("k", [1, 2, 3])
def test_k_of_n_payout_takes_effect_exactly_at_the_kth_distinct_approval(k: int) -> None:
    book = _funded(k)
    for index, treasurer in enumerate(["t1", "t2", "t3"][:k]):
        assert book.balance("bank", "BYN") == 1000
        became = book.approve(Approval("p", treasurer))
        assert became == (index == k - 1)
    assert book.balance("bank", "BYN") == 600
    assert book.balance("payouts", "BYN") == 400


def test_approvals_by_the_same_or_a_non_treasurer_are_refused() -> None:
    book = _funded(2)
    book.approve(Approval("p", "t1"))
    for who, rule in (("t1", "approve-once"), ("mallory", "treasurer")):
        with pytest.raises(LedgerError) as caught:
            book.approve(Approval("p", who))
        assert caught.value.rule == rule
    assert book.balance("bank", "BYN") == 1000
    assert book.approve(Approval("p", "t3"))
    with pytest.raises(LedgerError, match="already has its approvals"):
        book.approve(Approval("p", "t2"))


def test_a_payout_beyond_holdings_does_not_take_effect() -> None:
    book = Ledger(FundRules(TREASURERS, 1))
    book.propose(Payout("p", "r", "2020-08-20", 1, "EUR", "cash", "c" * 43), "t2")
    with pytest.raises(LedgerError, match=r"holds 0\.00 EUR"):
        book.approve(Approval("p", "t2"))
    assert not book.effective


def test_fund_rules_need_a_sensible_k() -> None:
    with pytest.raises(LedgerError, match="between 1 and the number of treasurers"):
        FundRules(TREASURERS, 4)
    with pytest.raises(LedgerError, match="at least one treasurer"):
        FundRules(frozenset(), 1)


@pytest.mark.parametrize(
    ("text", "minor"), [("150", 15000), ("150.5", 15050), ("150.50", 15050), ("0.01", 1)]
)
def test_parse_amount(text: str, minor: int) -> None:
    assert parse_amount(text) == minor


@pytest.mark.parametrize("text", ["", "1.001", "-5", "1e3", "0", "0.00", "１２", "1,5,5"])
def test_parse_amount_refuses(text: str) -> None:
    with pytest.raises(LedgerError):
        parse_amount(text)


@given(st.integers(1, 10**13))
def test_amount_round_trip(minor: int) -> None:
    assert parse_amount(format_amount(minor).replace("\u202f", "")) == minor
