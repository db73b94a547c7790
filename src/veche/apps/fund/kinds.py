# A rule's sentence with values is a %-template that pages translate (apps/store/reasons.py).
# ruff: noqa: UP031
"""The fund's event kinds: rules, entries, payouts, approvals, published reports.

All are events of the committee's own space. The pure book-keeping rules live
in ``veche.solidarity.ledger``; these functions apply them to the projected
state of the space and to the events an event names in ``deps``.
"""

from __future__ import annotations

from typing import Any

from veche.apps.committees.kinds import member_status, require_member
from veche.apps.committees.models import Member
from veche.apps.fund.models import Approval, Balance, Entry, Fund, Payout, Posting, Report
from veche.apps.store.context import Context
from veche.apps.store.kinds import projection, register
from veche.events import Event, RuleViolation
from veche.events.schema import Enum, EventId, Int, List, Obj, PublicKey, Str
from veche.solidarity import ledger
from veche.solidarity.report import PeriodError, in_period, overlaps, parse_period, report_digest

DAY = Str(min_length=10, max_length=10, pattern=r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
CATEGORIES = ("donation", "pledge", "pledge_received", "cost", "transfer", "correction")
POSTING = Obj(
    required={
        "account": Str(min_length=1, max_length=20),
        "currency": Str(min_length=1, max_length=10),
        "side": Str(min_length=1, max_length=10),
        "amount": Int(),
    }
)


def _violation(error: ledger.LedgerError, prefix: str = "body.") -> RuleViolation:
    field = error.field if error.field == "author" else prefix + error.field
    return RuleViolation(error.rule, error.message, field)


# -- shared look-ups ---------------------------------------------------------------


def fund_of(ctx: Context, space: str) -> Fund | None:
    return ctx.cached(("fund", space), lambda: ctx.rows(Fund).filter(space=space).first())


def require_fund(ctx: Context, event: Event) -> Fund:
    fund = fund_of(ctx, event.space_id)
    if fund is None:
        raise RuleViolation("fund-exists", "this committee has no fund yet (fund.create)", "space")
    return fund


def rules_of(fund: Fund) -> ledger.FundRules:
    return ledger.FundRules(frozenset(fund.treasurers), fund.k)


def require_treasurer(ctx: Context, event: Event) -> Fund:
    """A treasurer named in the fund's rules who is still an active member."""
    fund = require_fund(ctx, event)
    if event.author in fund.treasurers:
        require_member(ctx, event)  # a treasurer who left or was expelled can no longer act
    try:
        ledger.require_treasurer(rules_of(fund), event.author)
    except ledger.LedgerError as error:
        raise _violation(error) from error
    return fund


def balances_of(ctx: Context, space: str) -> dict[tuple[str, str], int]:
    return ctx.cached(
        ("balances", space),
        lambda: {
            (a, c): v
            for a, c, v in ctx.rows(Balance)
            .filter(space=space)
            .values_list("account", "currency", "amount")
        },
    )


def closed_periods(ctx: Context, space: str) -> list[str]:
    return ctx.cached(
        ("closed", space),
        lambda: list(ctx.rows(Report).filter(space=space).values_list("period", flat=True)),
    )


def require_open(ctx: Context, space: str, day: str, field: str) -> None:
    try:
        parse_period(day[:7])
    except PeriodError as error:
        raise RuleViolation("day", "must be a real day like 2020-08-11", field) from error
    for period in closed_periods(ctx, space):
        if in_period(day, period):
            raise RuleViolation(
                "period-closed",
                "the period %(period)s is closed by a published report; "
                "date this in a period with no report" % {"period": period},
                field,
            )


def _post(ctx: Context, space: str, event_id: str, postings: list[ledger.Posting]) -> None:
    balances = balances_of(ctx, space)
    for index, posting in enumerate(postings):
        ctx.insert(
            Posting(
                space=space,
                event=event_id,
                index=index,
                account=posting.account,
                currency=posting.currency,
                amount=posting.signed,
            )
        )
        key = (posting.account, posting.currency)
        balances[key] = balances.get(key, 0) + posting.signed
        ctx.upsert(
            Balance(space=space, account=key[0], currency=key[1], amount=balances[key]),
            key=("space", "account", "currency"),
            update=("amount",),
        )


# -- fund.create ---------------------------------------------------------------------


def check_create(ctx: Context, event: Event) -> None:
    require_member(ctx, event)
    if fund_of(ctx, event.space_id) is not None:
        raise RuleViolation("fund-once", "this committee already has a fund", "space")
    body = event.body
    try:
        ledger.FundRules(frozenset(body["treasurers"]), body["k"])
    except ledger.LedgerError as error:
        raise _violation(error) from error
    for index, key in enumerate(body["treasurers"]):
        if member_status(ctx, event.space_id, key) != Member.Status.ACTIVE:
            raise RuleViolation(
                "treasurer-member",
                "every treasurer must be an active member of the committee",
                f"body.treasurers[{index}]",
            )


def apply_create(ctx: Context, event: Event) -> None:
    fund = Fund(
        space=event.space_id,
        event=event.id,
        name=event.body["name"],
        treasurers=sorted(event.body["treasurers"]),
        k=event.body["k"],
        created_by=event.author,
    )
    ctx.memo[("fund", event.space_id)] = fund
    ctx.insert(fund)


# -- fund.entry ------------------------------------------------------------------------


def entry_of(event: Event) -> ledger.Entry:
    body = event.body
    return ledger.Entry(
        id=event.id,
        day=body["day"],
        category=body["category"],
        postings=tuple(
            ledger.Posting(p["account"], p["currency"], p["side"], p["amount"])
            for p in body["postings"]
        ),
    )


def check_entry(ctx: Context, event: Event) -> None:
    require_treasurer(ctx, event)
    require_open(ctx, event.space_id, event.body["day"], "body.day")
    try:
        ledger.check_entry(entry_of(event))
    except ledger.LedgerError as error:
        raise _violation(error) from error


def apply_entry(ctx: Context, event: Event) -> None:
    entry = entry_of(event)
    body = event.body
    ctx.insert(
        Entry(
            space=event.space_id,
            event=event.id,
            day=entry.day,
            category=entry.category,
            currency=entry.currency,
            amount=sum(p.amount for p in entry.postings if p.side == "debit"),
            memo=body.get("memo", ""),
            donor=body.get("donor", ""),
            author=event.author,
        )
    )
    _post(ctx, event.space_id, event.id, list(entry.postings))


# -- fund.payout / fund.approve ------------------------------------------------------------


def payouts_of(ctx: Context, space: str) -> dict[str, Payout]:
    return ctx.cached(
        ("payouts", space), lambda: {p.event: p for p in ctx.rows(Payout).filter(space=space)}
    )


def approvals_of(ctx: Context, space: str) -> dict[str, set[str]]:
    def load() -> dict[str, set[str]]:
        given: dict[str, set[str]] = {}
        for payout, treasurer in (
            ctx.rows(Approval).filter(space=space).values_list("payout", "treasurer")
        ):
            given.setdefault(payout, set()).add(treasurer)
        return given

    return ctx.cached(("approvals", space), load)


def payout_value(payout: Payout) -> ledger.Payout:
    return ledger.Payout(
        id=payout.event,
        ref=payout.ref,
        day=payout.day,
        amount=payout.amount,
        currency=payout.currency,
        source=payout.source,
        commitment=payout.commitment,
    )


def check_payout(ctx: Context, event: Event) -> None:
    require_treasurer(ctx, event)
    body = event.body
    require_open(ctx, event.space_id, body["day"], "body.day")
    try:
        ledger.check_payout(
            ledger.Payout(
                event.id,
                body["ref"],
                body["day"],
                body["amount"],
                body["currency"],
                body["source"],
                body["commitment"],
            )
        )
    except ledger.LedgerError as error:
        raise _violation(error) from error
    if any(p.ref == body["ref"] for p in payouts_of(ctx, event.space_id).values()):
        raise RuleViolation("payout-ref", "another payout has this reference", "body.ref")


def apply_payout(ctx: Context, event: Event) -> None:
    body = event.body
    payout = Payout(
        space=event.space_id,
        event=event.id,
        ref=body["ref"],
        recipient=body["recipient"],
        commitment=body["commitment"],
        amount=body["amount"],
        currency=body["currency"],
        source=body["source"],
        day=body["day"],
        note=body.get("note", ""),
        proposed_by=event.author,
    )
    payouts_of(ctx, event.space_id)[event.id] = payout
    _save_payout(ctx, payout)


def _save_payout(ctx: Context, payout: Payout) -> None:
    ctx.upsert(payout, key=("event",), update=("approvals", "status"))


def check_approve(ctx: Context, event: Event) -> None:
    fund = require_treasurer(ctx, event)
    payout_id = event.body["payout"]
    cited = ctx.cited(event, payout_id, "body.payout")
    if cited.event.kind != "fund.payout" or cited.event.space_id != event.space_id:
        raise RuleViolation("payout-known", "this is not a payout of this fund", "body.payout")
    payout = payouts_of(ctx, event.space_id).get(payout_id)
    if payout is None:
        raise RuleViolation("payout-known", "this payout was not accepted", "body.payout")
    rules = rules_of(fund)
    given = approvals_of(ctx, event.space_id).get(payout_id, set())
    try:
        ledger.check_approval(rules, given, event.author)
        if len(given) + 1 == rules.k:
            ledger.check_funds(balances_of(ctx, event.space_id), payout_value(payout))
    except ledger.LedgerError as error:
        raise _violation(error) from error
    if len(given) + 1 == rules.k:
        require_open(ctx, event.space_id, payout.day, "body.payout")


def apply_approve(ctx: Context, event: Event) -> None:
    space = event.space_id
    fund = fund_of(ctx, space)
    assert fund is not None  # the rule required it
    payout = payouts_of(ctx, space)[event.body["payout"]]
    approvals_of(ctx, space).setdefault(payout.event, set()).add(event.author)
    ctx.insert(Approval(space=space, event=event.id, payout=payout.event, treasurer=event.author))
    payout.approvals += 1
    if payout.approvals == fund.k:
        payout.status = Payout.Status.EFFECTIVE
        value = payout_value(payout)
        ctx.insert(
            Entry(
                space=space,
                event=payout.event,
                day=payout.day,
                category="payout",
                currency=payout.currency,
                amount=payout.amount,
                author=payout.proposed_by,
            )
        )
        _post(ctx, space, payout.event, list(value.entry().postings))
    _save_payout(ctx, payout)


# -- fund.report -------------------------------------------------------------------------


def check_report(ctx: Context, event: Event) -> None:
    fund = require_treasurer(ctx, event)
    period = event.body["period"]
    try:
        parse_period(period)
    except PeriodError as error:
        raise RuleViolation("period", str(error), "body.period") from error
    for published in closed_periods(ctx, event.space_id):
        if overlaps(period, published):
            raise RuleViolation(
                "period-overlap",
                "the period %(period)s overlaps the published report for %(published)s"
                % {"period": period, "published": published},
                "body.period",
            )
    if fund.event not in event.deps:
        raise RuleViolation("report-cites-fund", "a report must cite the fund's rules", "deps")
    expected = report_digest(build(ctx, event.space_id, period))
    if event.body["digest"] != expected:
        raise RuleViolation(
            "report-digest",
            "the digest is not that of this fund's report for the period as this node holds it",
            "body.digest",
        )


def apply_report(ctx: Context, event: Event) -> None:
    period = event.body["period"]
    ctx.insert(
        Report(
            space=event.space_id,
            event=event.id,
            period=period,
            digest=event.body["digest"],
            content=build(ctx, event.space_id, period),
            author=event.author,
            at=event.at,
        )
    )
    closed_periods(ctx, event.space_id).append(period)


def build(ctx: Context, space: str, period: str) -> dict[str, Any]:
    """The fund's report for ``period`` from the projected state (see veche.solidarity.report)."""
    from veche.apps.fund.reports import build_from_rows

    fund = fund_of(ctx, space)
    assert fund is not None
    ctx.flush()
    return build_from_rows(fund, period)


def register_all() -> None:
    register(
        "fund.create",
        body=Obj(
            required={
                "name": Str(min_length=2, max_length=200),
                "treasurers": List(PublicKey(), min_length=1, max_length=20, unique=True),
                "k": Int(1, 20),
            }
        ),
        rule=check_create,
        apply=apply_create,
        summary="a member sets up the committee's fund: its treasurers and k of n approvals",
    )
    register(
        "fund.entry",
        body=Obj(
            required={
                "day": DAY,
                "category": Enum(CATEGORIES),
                "postings": List(POSTING, min_length=1, max_length=20),
            },
            optional={"memo": Str(max_length=500), "donor": Str(min_length=1, max_length=100)},
        ),
        rule=check_entry,
        apply=apply_entry,
        summary="a treasurer records a balanced entry (donation, pledge, cost, transfer)",
    )
    register(
        "fund.payout",
        body=Obj(
            required={
                "ref": Str(min_length=8, max_length=43, pattern=r"[A-Za-z0-9_-]+"),
                "recipient": Str(min_length=1, max_length=200),
                "commitment": EventId(),
                "amount": Int(),
                "currency": Str(min_length=1, max_length=10),
                "source": Str(min_length=1, max_length=20),
                "day": DAY,
            },
            optional={"note": Str(max_length=500)},
        ),
        rule=check_payout,
        apply=apply_payout,
        summary="a treasurer proposes a payout to a pseudonymous recipient",
    )
    register(
        "fund.approve",
        body=Obj(required={"payout": EventId()}),
        rule=check_approve,
        apply=apply_approve,
        summary="a treasurer approves a payout (cited in deps); k approvals make it effective",
    )
    register(
        "fund.report",
        body=Obj(
            required={
                "period": Str(min_length=3, max_length=7),
                "digest": Str(min_length=43, max_length=43),
            }
        ),
        rule=check_report,
        apply=apply_report,
        summary="a treasurer publishes the transparency report of a period",
    )
    projection(Fund, digest=("space", "event", "name", "treasurers", "k", "created_by"))
    projection(
        Entry,
        digest=(
            "space",
            "event",
            "day",
            "category",
            "currency",
            "amount",
            "memo",
            "donor",
            "author",
        ),
        order=("event",),
    )
    projection(
        Posting,
        digest=("space", "event", "index", "account", "currency", "amount"),
        order=("event", "index"),
    )
    projection(
        Balance, digest=("space", "account", "currency", "amount"), order=("account", "currency")
    )
    projection(
        Payout,
        digest=(
            "space",
            "event",
            "ref",
            "recipient",
            "commitment",
            "amount",
            "currency",
            "source",
            "day",
            "note",
            "proposed_by",
            "approvals",
            "status",
        ),
        order=("event",),
    )
    projection(Approval, digest=("space", "event", "payout", "treasurer"), order=("event",))
    projection(
        Report,
        digest=("space", "event", "period", "digest", "content", "author", "at"),
        order=("event",),
    )
