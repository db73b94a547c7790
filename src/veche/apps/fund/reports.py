"""Reports from the projected ledger: build one, and the document of a published one."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.utils.translation import gettext

from veche.apps.fund.labels import account_label, category_label, period_label
from veche.apps.fund.models import Entry, Fund, Payout, Posting, Report
from veche.apps.store.models import StoredEvent
from veche.solidarity import ledger
from veche.solidarity.report import ReportPayout, build_report, canonical, make_document


def fund_summary(fund: Fund) -> dict[str, Any]:
    return {"space": fund.space, "name": fund.name, "treasurers": fund.treasurers, "k": fund.k}


def entries_of(space: str) -> list[ledger.Entry]:
    postings: dict[str, list[ledger.Posting]] = defaultdict(list)
    for event, account, currency, amount in (
        Posting.objects.filter(space=space)
        .order_by("event", "index")
        .values_list("event", "account", "currency", "amount")
    ):
        side = "debit" if amount > 0 else "credit"
        postings[event].append(ledger.Posting(account, currency, side, abs(amount)))
    return [
        ledger.Entry(id=event, day=day, category=category, postings=tuple(postings[event]))
        for event, day, category in Entry.objects.filter(space=space)
        .order_by("day", "event")
        .values_list("event", "day", "category")
    ]


def build_from_rows(fund: Fund, period: str) -> dict[str, Any]:
    payouts = [
        ReportPayout(p.ref, p.day, p.recipient, p.commitment, p.amount, p.currency)
        for p in Payout.objects.filter(space=fund.space, status=Payout.Status.EFFECTIVE)
    ]
    return build_report(
        fund=fund_summary(fund), period=period, entries=entries_of(fund.space), payouts=payouts
    )


def _raw(event_id: str) -> bytes:
    return bytes(StoredEvent.objects.values_list("raw", flat=True).get(id=event_id))


def content_of(report: Report) -> dict[str, Any]:
    """A published report's content as built, whatever key order its JSON column kept
    (PostgreSQL's jsonb reorders keys; SQLite keeps the text)."""
    content: dict[str, Any] = canonical(report.content)
    return content


def document_of(report: Report) -> dict[str, Any]:
    """report.json's content for a published report (see veche.solidarity.report)."""
    fund = Fund.objects.get(space=report.space)
    return make_document(content_of(report), _raw(report.event), _raw(fund.event))


def report_context(report: Report, document: dict[str, Any]) -> dict[str, Any]:
    """A published report as its page shows it: codes turned into the reader's labels,
    tables in a fixed order (amounts stay minor units; the template formats them)."""
    content = document["report"]
    fund = content["fund"]
    money_in = [
        (category_label(name) if name != "other" else gettext("Other income"), cur, amount)
        for name, row in sorted(content["in"].items())
        for cur, amount in sorted(row.items())
    ]
    money_out = [
        (account_label(name), cur, amount)
        for name, row in sorted(content["out"].items())
        for cur, amount in sorted(row.items())
    ]
    counts: dict[str, int] = defaultdict(int)
    for item in content["commitments"]:
        counts[item["currency"]] += 1
    totals = [
        (cur, amount, counts[cur])
        for cur, amount in sorted(content["out"].get("payouts", {}).items())
    ]
    return {
        "report": report,
        "content": content,
        "fund": fund,
        "period": period_label(content["period"]),
        "money_in": money_in,
        "money_out": money_out,
        "totals": totals,
        "commitments": content["commitments"],
        "digest": document["digest"],
        "treasurer_count": len(fund["treasurers"]),
    }
