"""The fund's rules through the one write path: balanced entries, k-of-n payouts, reports.

Every refusal is checked for its message and for leaving the state digest as it was.
"""

from __future__ import annotations

from typing import Any

import pytest

from veche.apps.fund import actions
from veche.apps.fund.models import Balance, Payout, Report
from veche.apps.store.log import rebuild, record, state_digest
from veche.events import RuleViolation

pytestmark = pytest.mark.django_db


def balances(space: str) -> dict[tuple[str, str], int]:
    return {(b.account, b.currency): b.amount for b in Balance.objects.filter(space=space)}


def refused(call: Any, rule: str, words: str) -> RuleViolation:
    before = state_digest()
    with pytest.raises(RuleViolation) as caught:
        call()
    assert caught.value.rule == rule, caught.value
    assert words in caught.value.message
    assert state_digest() == before
    return caught.value


def test_donation_and_cost_move_balances(fund: Any) -> None:
    actions.record_donation(
        fund.who("Zubr"),
        fund.space,
        day="2020-08-14",
        amount=150_00,
        currency="BYN",
        donor="Diaspora-Vilnius",
    )
    actions.record_cost(
        fund.who("Zubr"), fund.space, day="2020-08-15", amount=20_00, currency="BYN", memo="SIMs"
    )
    assert balances(fund.space) == {
        ("bank", "BYN"): 130_00,
        ("donations", "BYN"): -150_00,
        ("costs", "BYN"): 20_00,
    }


def _entry(fund: Any, name: str, postings: list[dict[str, Any]]) -> Any:
    return lambda: actions.record_entry(
        fund.who(name), fund.space, day="2020-08-14", category="donation", postings=postings
    )


def P(account: str, side: str, amount: int, currency: str = "BYN") -> dict[str, Any]:
    return {"account": account, "side": side, "amount": amount, "currency": currency}


def test_bad_entries_are_refused_with_clear_messages(fund: Any) -> None:
    refused(
        _entry(fund, "Zubr", [P("bank", "debit", 100), P("donations", "credit", 90)]),
        "balanced",
        "must equal credits",
    )
    refused(
        _entry(fund, "Zubr", [P("bank", "debit", -100), P("donations", "credit", -100)]),
        "amount-positive",
        "positive whole number",
    )
    refused(
        _entry(fund, "Zubr", [P("bank", "debit", 100, "EUR"), P("donations", "credit", 100)]),
        "one-currency",
        "may not mix currencies",
    )
    refused(
        _entry(
            fund, "Zubr", [P("bank", "debit", 100, "RUB"), P("donations", "credit", 100, "RUB")]
        ),
        "currency",
        "BYN, EUR, USD",
    )
    refused(
        _entry(fund, "Zubr", [P("payouts", "debit", 100), P("bank", "credit", 100)]),
        "payout-approval",
        "k treasurer approvals",
    )
    refused(
        _entry(fund, "Rusalka", [P("bank", "debit", 100), P("donations", "credit", 100)]),
        "treasurer",
        "only the treasurers",
    )


def test_payout_takes_effect_only_after_k_distinct_treasurers(fund: Any) -> None:
    actions.record_donation(
        fund.who("Sokol"), fund.space, day="2020-08-14", amount=1000_00, currency="BYN"
    )
    event, salt = actions.propose_payout(
        fund.who("Sokol"),
        fund.space,
        recipient="R-17",
        amount=300_00,
        currency="BYN",
        source="bank",
        day="2020-08-20",
    )
    assert len(salt) == 22
    before = balances(fund.space)
    actions.approve_payout(fund.who("Sokol"), fund.space, event.id)
    assert balances(fund.space) == before
    assert Payout.objects.get(event=event.id).status == "pending"
    refused(
        lambda: actions.approve_payout(fund.who("Sokol"), fund.space, event.id),
        "approve-once",
        "already approved",
    )
    refused(
        lambda: actions.approve_payout(fund.who("Rusalka"), fund.space, event.id),
        "treasurer",
        "only the treasurers",
    )
    actions.approve_payout(fund.who("Vasilek"), fund.space, event.id)
    assert Payout.objects.get(event=event.id).status == "effective"
    assert balances(fund.space)[("bank", "BYN")] == 700_00
    assert balances(fund.space)[("payouts", "BYN")] == 300_00
    refused(
        lambda: actions.approve_payout(fund.who("Zubr"), fund.space, event.id),
        "approve-done",
        "already has its approvals",
    )


def test_payout_beyond_holdings_is_refused_at_the_last_approval(fund: Any) -> None:
    actions.record_donation(
        fund.who("Sokol"), fund.space, day="2020-08-14", amount=100_00, currency="EUR"
    )
    event, _ = actions.propose_payout(
        fund.who("Sokol"),
        fund.space,
        recipient="R-1",
        amount=500_00,
        currency="EUR",
        source="bank",
        day="2020-08-20",
    )
    actions.approve_payout(fund.who("Zubr"), fund.space, event.id)
    refused(
        lambda: actions.approve_payout(fund.who("Sokol"), fund.space, event.id),
        "funds",
        "holds 100.00 EUR",
    )


def test_approval_must_cite_a_payout_of_this_fund(fund: Any) -> None:
    donation = actions.record_donation(
        fund.who("Sokol"), fund.space, day="2020-08-14", amount=100, currency="BYN"
    )
    refused(
        lambda: actions.approve_payout(fund.who("Zubr"), fund.space, donation.id),
        "payout-known",
        "not a payout",
    )
    actions.record_donation(
        fund.who("Sokol"), fund.space, day="2020-08-15", amount=100, currency="BYN"
    )
    refused(
        lambda: record(
            fund.who("Zubr"),
            space=fund.space,
            kind="fund.approve",
            body={"payout": donation.id},
            deps=(),
        ),
        "cite-in-deps",
        "must be listed in deps",
    )


def test_fund_rules_checks(fund: Any) -> None:
    world = fund.world
    space = world.committee("Sokol", ("Zubr",), name="MTZ")
    refused(
        lambda: actions.create_fund(
            world.person("Sokol"),
            space,
            name="MTZ fund",
            treasurers=[world.person("Sokol").public],
            k=2,
        ),
        "k-of-n",
        "between 1 and the number of treasurers",
    )
    refused(
        lambda: actions.create_fund(
            world.person("Sokol"),
            space,
            name="MTZ fund",
            treasurers=[world.person("Outsider").public],
            k=1,
        ),
        "treasurer-member",
        "active member",
    )
    refused(
        lambda: actions.create_fund(
            world.person("Outsider"),
            space,
            name="MTZ fund",
            treasurers=[world.person("Sokol").public],
            k=1,
        ),
        "member",
        "only members",
    )
    refused(
        lambda: actions.create_fund(
            fund.who("Zubr"), fund.space, name="Second", treasurers=[fund.who("Zubr").public], k=1
        ),
        "fund-once",
        "already has a fund",
    )


def test_reports_close_their_period_and_may_not_overlap(fund: Any) -> None:
    actions.record_donation(
        fund.who("Sokol"), fund.space, day="2020-08-14", amount=100_00, currency="BYN"
    )
    actions.publish_report(fund.who("Zubr"), fund.space, "2020-08")
    report = Report.objects.get(space=fund.space)
    assert report.content["in"] == {"donation": {"BYN": 100_00}}
    refused(
        lambda: actions.publish_report(fund.who("Zubr"), fund.space, "2020-08"),
        "period-overlap",
        "overlaps the published report for 2020-08",
    )
    refused(
        lambda: actions.publish_report(fund.who("Zubr"), fund.space, "all"),
        "period-overlap",
        "overlaps",
    )
    refused(
        lambda: actions.record_donation(
            fund.who("Sokol"), fund.space, day="2020-08-30", amount=1, currency="BYN"
        ),
        "period-closed",
        "closed by a published report",
    )
    refused(
        lambda: actions.publish_report(fund.who("Rusalka"), fund.space, "2020-09"),
        "treasurer",
        "only the treasurers",
    )
    actions.publish_report(fund.who("Zubr"), fund.space, "2020-09")


def test_report_with_a_wrong_digest_is_refused(fund: Any) -> None:
    refused(
        lambda: record(
            fund.who("Zubr"),
            space=fund.space,
            kind="fund.report",
            body={"period": "2020-08", "digest": "A" * 43},
            deps=(fund.fund_event,),
        ),
        "report-digest",
        "not that of this fund's report",
    )


def test_rebuild_reproduces_the_fund_state(fund: Any) -> None:
    actions.record_donation(
        fund.who("Sokol"), fund.space, day="2020-08-14", amount=900_00, currency="USD"
    )
    event, _ = actions.propose_payout(
        fund.who("Sokol"),
        fund.space,
        recipient="R-2",
        amount=100_00,
        currency="USD",
        source="bank",
        day="2020-08-20",
    )
    actions.approve_payout(fund.who("Sokol"), fund.space, event.id)
    actions.approve_payout(fund.who("Zubr"), fund.space, event.id)
    actions.publish_report(fund.who("Zubr"), fund.space, "all")
    before = state_digest()
    rebuild()
    assert state_digest() == before
    assert balances(fund.space)[("bank", "USD")] == 800_00


def test_the_fund_converges_whatever_the_arrival_order(fund: Any) -> None:
    from veche.apps.fund.models import Approval, Entry, Fund, Posting
    from veche.apps.store.log import ingest
    from veche.apps.store.models import StoredEvent

    actions.record_donation(
        fund.who("Sokol"), fund.space, day="2020-08-14", amount=900_00, currency="EUR"
    )
    event, _ = actions.propose_payout(
        fund.who("Sokol"),
        fund.space,
        recipient="R-2",
        amount=100_00,
        currency="EUR",
        source="bank",
        day="2020-08-20",
    )
    actions.approve_payout(fund.who("Vasilek"), fund.space, event.id)
    actions.approve_payout(fund.who("Zubr"), fund.space, event.id)
    actions.publish_report(fund.who("Zubr"), fund.space, "2020-08")
    digest = state_digest()
    raws = [bytes(r) for r in StoredEvent.objects.order_by("-height").values_list("raw", flat=True)]
    StoredEvent.objects.all().delete()
    rebuild()
    assert not Fund.objects.exists() and not Posting.objects.exists()
    assert not Approval.objects.exists() and not Entry.objects.exists()
    report = ingest(raws, source="test")  # newest first: the store must order them itself
    assert report.count("applied") == len(raws)
    assert state_digest() == digest
