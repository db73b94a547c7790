"""The only writers of fund state: each action appends one signed event of the committee."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from veche.apps.fund.models import Fund
from veche.apps.fund.reports import build_from_rows
from veche.apps.store.log import record
from veche.events import Event, Identity, RuleViolation
from veche.solidarity.commitment import new_payout_ref, new_salt, payout_commitment
from veche.solidarity.report import PeriodError, parse_period, report_digest


def create_fund(
    identity: Identity,
    space: str,
    *,
    name: str,
    treasurers: list[str],
    k: int,
    at: datetime | None = None,
) -> Event:
    body = {"name": name.strip(), "treasurers": sorted(set(treasurers)), "k": k}
    return record(identity, space=space, kind="fund.create", body=body, at=at)


def record_entry(
    identity: Identity,
    space: str,
    *,
    day: str,
    category: str,
    postings: list[dict[str, Any]],
    memo: str = "",
    donor: str = "",
    at: datetime | None = None,
) -> Event:
    body: dict[str, Any] = {"day": day, "category": category, "postings": postings}
    if memo.strip():
        body["memo"] = memo.strip()
    if donor.strip():
        body["donor"] = donor.strip()
    return record(identity, space=space, kind="fund.entry", body=body, at=at)


def record_donation(
    identity: Identity,
    space: str,
    *,
    day: str,
    amount: int,
    currency: str,
    account: str = "bank",
    donor: str = "",
    memo: str = "",
    pledge: bool = False,
    at: datetime | None = None,
) -> Event:
    """A donation received into ``account`` (or promised, when ``pledge``)."""
    debit = "pledges" if pledge else account
    return record_entry(
        identity,
        space,
        day=day,
        category="pledge" if pledge else "donation",
        postings=[
            {"account": debit, "currency": currency, "side": "debit", "amount": amount},
            {"account": "donations", "currency": currency, "side": "credit", "amount": amount},
        ],
        memo=memo,
        donor=donor,
        at=at,
    )


def record_cost(
    identity: Identity,
    space: str,
    *,
    day: str,
    amount: int,
    currency: str,
    account: str = "bank",
    memo: str = "",
    at: datetime | None = None,
) -> Event:
    return record_entry(
        identity,
        space,
        day=day,
        category="cost",
        postings=[
            {"account": "costs", "currency": currency, "side": "debit", "amount": amount},
            {"account": account, "currency": currency, "side": "credit", "amount": amount},
        ],
        memo=memo,
        at=at,
    )


def propose_payout(
    identity: Identity,
    space: str,
    *,
    recipient: str,
    amount: int,
    currency: str,
    source: str,
    day: str,
    note: str = "",
    salt: str | None = None,
    at: datetime | None = None,
) -> tuple[Event, str]:
    """Record a payout proposal; returns the event and the salt to hand to the recipient.

    The salt is not stored anywhere on the node: the vetting committee keeps
    it with the recipient's record, off this node.
    """
    salt = salt or new_salt()
    ref = new_payout_ref()
    body: dict[str, Any] = {
        "ref": ref,
        "recipient": recipient.strip(),
        "commitment": payout_commitment(salt, recipient, amount, currency, ref),
        "amount": amount,
        "currency": currency,
        "source": source,
        "day": day,
    }
    if note.strip():
        body["note"] = note.strip()
    return record(identity, space=space, kind="fund.payout", body=body, at=at), salt


def approve_payout(
    identity: Identity, space: str, payout: str, at: datetime | None = None
) -> Event:
    return record(
        identity,
        space=space,
        kind="fund.approve",
        body={"payout": payout},
        deps=(payout,),
        at=at,
    )


def publish_report(
    identity: Identity, space: str, period: str, at: datetime | None = None
) -> Event:
    """Sign the digest of the period's report as this node computes it."""
    try:
        parse_period(period)
    except PeriodError as error:
        raise RuleViolation("period", str(error), "body.period") from error
    fund = Fund.objects.filter(space=space).first()
    if fund is None:
        raise RuleViolation("fund-exists", "this committee has no fund yet", "space")
    digest = report_digest(build_from_rows(fund, period))
    return record(
        identity,
        space=space,
        kind="fund.report",
        body={"period": period, "digest": digest},
        deps=(fund.event,),
        at=at,
    )
