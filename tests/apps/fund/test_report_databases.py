"""A fund's transparency report is the same bytes on SQLite and on PostgreSQL.

PostgreSQL's jsonb gives a report's JSON back with its keys ordered by length, so a
report written from it once rendered its tables in another order than its own
``verify-report`` expected. The fund below has money in under three categories and
out under two, in two currencies: any key order shows. The test writes and verifies
the report from the run's own database, then imports the same events into a separate
node on the other database (tests/apps/sync/nodes.py) and requires the same bytes there:
on the SQLite pass that node is on PostgreSQL, on the PostgreSQL pass on SQLite.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from tests import databases
from tests.apps.fund.conftest import FundWorld
from tests.apps.sync.nodes import Node

from veche.apps.fund import actions
from veche.apps.fund.models import Report
from veche.apps.fund.reports import document_of
from veche.apps.store.log import state_digest
from veche.apps.store.models import StoredEvent
from veche.solidarity.report import document_bytes, render_html, verify_report, write_report

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


def _publish(fund: FundWorld) -> Report:
    sokol, zubr = fund.who("Sokol"), fund.who("Zubr")
    space = fund.space
    day = "2020-08-14"
    actions.record_donation(zubr, space, day=day, amount=1000_00, currency="BYN", donor="D-1")
    actions.record_donation(zubr, space, day=day, amount=50_00, currency="EUR")
    actions.record_donation(sokol, space, day=day, amount=200_00, currency="BYN", pledge=True)
    actions.record_entry(
        sokol,
        space,
        day="2020-08-15",
        category="correction",  # neither donation nor pledge: "other" in the report
        postings=[
            {"account": "bank", "currency": "USD", "side": "debit", "amount": 30_00},
            {"account": "donations", "currency": "USD", "side": "credit", "amount": 30_00},
        ],
    )
    actions.record_cost(sokol, space, day="2020-08-16", amount=12_50, currency="BYN")
    for recipient, amount, currency in (("R-1", 300_00, "BYN"), ("R-2", 20_00, "EUR")):
        payout, _ = actions.propose_payout(
            zubr,
            space,
            recipient=recipient,
            amount=amount,
            currency=currency,
            source="bank",
            day="2020-08-21",
        )
        for treasurer in (zubr, sokol):
            actions.approve_payout(treasurer, space, payout.id)
    actions.publish_report(zubr, space, "2020-08")
    return Report.objects.get(space=space, period="2020-08")


def _reversed(value: Any) -> Any:
    """``value`` with every object's keys in reverse sorted order."""
    if isinstance(value, dict):
        return {key: _reversed(value[key]) for key in sorted(value, reverse=True)}
    if isinstance(value, list):
        return [_reversed(item) for item in value]
    return value


def test_the_report_is_the_same_bytes_on_both_databases(fund: FundWorld, tmp_path: Path) -> None:
    report = _publish(fund)
    content = report.content
    assert set(content["in"]) == {"donation", "other", "pledge"}
    assert set(content["out"]) == {"costs", "payouts"}
    here = tmp_path / "here"
    write_report(here, document_of(report))
    result = verify_report(here)
    assert result.ok, result.problems
    # The same document whatever order the JSON column gives the keys back in.
    report.content = _reversed(content)
    assert list(report.content["in"]) != sorted(content["in"])
    assert document_bytes(document_of(report)) == (here / "report.json").read_bytes()
    assert render_html(document_of(report)).encode() == (here / "report.html").read_bytes()

    other_database = "sqlite" if databases.on_postgres() else "postgres"
    if other_database == "postgres":
        databases.require_postgres()
    node = Node(tmp_path / "node", database=other_database)
    node.folder.mkdir()
    events = tmp_path / "events.jsonl"
    raws = StoredEvent.objects.filter(status="applied").order_by("height", "id")
    events.write_bytes(b"".join(bytes(raw) + b"\n" for raw in raws.values_list("raw", flat=True)))
    node.veche("log", "import", str(events), f"--space={fund.space}")
    there = tmp_path / "there"
    node.veche("fund", "report", f"--space={fund.space}", "--period", "2020-08", "-o", str(there))
    for name in ("report.json", "report.html"):
        assert (there / name).read_bytes() == (here / name).read_bytes(), name
    assert node.veche("fund", "verify-report", str(there)).stdout.startswith("OK")
    assert node.digest() == state_digest()
