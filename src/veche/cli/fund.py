"""``veche fund ...``: the solidarity fund's ledger, payouts, and its public reports.

``report``, ``verify-report`` and ``check-payout`` are what the public and
recipients use: the last two need no database at all.
"""

from __future__ import annotations

import argparse
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from veche.cli.base import CliError, add_json_flag, print_json, ready
from veche.cli.keys import load_signer
from veche.cli.strike import signed


def _today() -> str:
    return datetime.now(UTC).date().isoformat()


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    fund = commands.add_parser("fund", help="the solidarity fund: ledger, payouts, reports")
    sub = fund.add_subparsers(dest="fund_command", metavar="ACTION", required=True)

    def writer(name: str, help_text: str, space: bool = True) -> argparse.ArgumentParser:
        parser = sub.add_parser(name, help=help_text)
        if space:
            parser.add_argument("--space", help="the committee (default: the only fund here)")
        parser.add_argument("--key", required=True, type=Path, help="your key file")
        add_json_flag(parser)
        return parser

    create = writer("create", "set up the committee's fund, naming its treasurers and k")
    create.add_argument("--name", required=True)
    create.add_argument(
        "--treasurer", action="append", required=True, help="a treasurer's public key (repeat)"
    )
    create.add_argument("-k", "--k", type=int, required=True, help="approvals a payout needs")
    create.set_defaults(handler=_create)

    for name, help_text in (("donate", "record a donation"), ("cost", "record a cost")):
        parser = writer(name, help_text)
        parser.add_argument("--amount", required=True, help="in major units, like 150.50")
        parser.add_argument("--currency", required=True, choices=("BYN", "EUR", "USD"))
        parser.add_argument("--account", default="bank", choices=("bank", "cash"))
        parser.add_argument("--day", default=None, help="default: today (UTC)")
        parser.add_argument("--memo", default="")
        if name == "donate":
            parser.add_argument("--donor", default="", help="optional pseudonymous donor")
            parser.add_argument("--pledge", action="store_true", help="promised, not received")
        parser.set_defaults(handler=_donate if name == "donate" else _cost)

    entry = writer("entry", "record any balanced entry")
    entry.add_argument("--day", default=None)
    entry.add_argument("--category", required=True)
    entry.add_argument(
        "--posting",
        action="append",
        required=True,
        help="ACCOUNT:debit|credit:AMOUNT:CURRENCY, e.g. bank:debit:10.00:EUR (repeat)",
    )
    entry.add_argument("--memo", default="")
    entry.set_defaults(handler=_entry)

    payout = writer("payout", "propose a payout to a pseudonymous recipient")
    payout.add_argument("--recipient", required=True, help="the vetting committee's id")
    payout.add_argument("--amount", required=True)
    payout.add_argument("--currency", required=True, choices=("BYN", "EUR", "USD"))
    payout.add_argument("--source", default="bank", choices=("bank", "cash"))
    payout.add_argument("--day", default=None)
    payout.add_argument("--note", default="")
    payout.set_defaults(handler=_payout)

    approve = writer("approve", "approve a payout (a treasurer, once)")
    approve.add_argument("payout", help="the payout's event id")
    approve.set_defaults(handler=_approve)

    publish = writer("publish", "sign and publish the report of a period")
    publish.add_argument("--period", required=True, help="a month like 2020-08, or all")
    publish.set_defaults(handler=_publish)

    ledger = sub.add_parser("ledger", help="balances and payouts (this node's view)")
    ledger.add_argument("--space")
    add_json_flag(ledger)
    ledger.set_defaults(handler=_ledger)

    report = sub.add_parser("report", help="write a published report as report.html + .json")
    report.add_argument("--period", required=True, help="a month like 2020-08, or all")
    report.add_argument("-o", "--output", required=True, type=Path, help="directory to write")
    report.add_argument("--space", help="the committee (default: the only fund here)")
    report.add_argument("--key", type=Path, help="publish it first with this treasurer's key")
    add_json_flag(report)
    report.set_defaults(handler=_report)

    verify = sub.add_parser("verify-report", help="check a written report (no database needed)")
    verify.add_argument("directory", type=Path)
    add_json_flag(verify)
    verify.set_defaults(handler=_verify)

    check = sub.add_parser("check-payout", help="a recipient checks their payout is counted")
    check.add_argument("directory", type=Path)
    check.add_argument(
        "--salt", required=True, help="write --salt=VALUE: a salt may start with '-'"
    )
    check.add_argument("--recipient", required=True)
    check.add_argument("--amount", required=True, help="in major units, like 300 or 300.00")
    check.add_argument("--currency", choices=("BYN", "EUR", "USD"))
    add_json_flag(check)
    check.set_defaults(handler=_check)


def _amount(text: str) -> int:
    from veche.solidarity.ledger import LedgerError, parse_amount

    try:
        return parse_amount(text)
    except LedgerError as error:
        raise CliError(f"--amount: {error.message}") from error


def _space(args: argparse.Namespace) -> str:
    from veche.apps.fund.models import Fund

    if args.space:
        return str(args.space)
    spaces = list(Fund.objects.values_list("space", flat=True)[:2])
    if len(spaces) != 1:
        raise CliError("name the committee with --space" if spaces else "no fund on this node yet")
    return spaces[0]


def _done(args: argparse.Namespace, event: Any, text: str, **extra: Any) -> int:
    if args.json:
        print_json({"event": event.id, **extra})
    else:
        print(f"{text} ({event.id})")
    return 0


def _create(args: argparse.Namespace) -> int:
    ready(args)
    from veche.apps.fund import actions

    if not args.space:
        raise CliError("--space is required to create a fund")
    identity = load_signer(args.key)
    event = signed(
        lambda: actions.create_fund(
            identity, args.space, name=args.name, treasurers=args.treasurer, k=args.k
        )
    )
    return _done(args, event, f"fund set up: {args.k} of {len(set(args.treasurer))} treasurers")


def _donate(args: argparse.Namespace) -> int:
    ready(args)
    from veche.apps.fund import actions

    space, amount, identity = _space(args), _amount(args.amount), load_signer(args.key)
    event = signed(
        lambda: actions.record_donation(
            identity,
            space,
            day=args.day or _today(),
            amount=amount,
            currency=args.currency,
            account=args.account,
            donor=args.donor,
            memo=args.memo,
            pledge=args.pledge,
        )
    )
    return _done(args, event, "donation recorded")


def _cost(args: argparse.Namespace) -> int:
    ready(args)
    from veche.apps.fund import actions

    space, amount, identity = _space(args), _amount(args.amount), load_signer(args.key)
    event = signed(
        lambda: actions.record_cost(
            identity,
            space,
            day=args.day or _today(),
            amount=amount,
            currency=args.currency,
            account=args.account,
            memo=args.memo,
        )
    )
    return _done(args, event, "cost recorded")


def _entry(args: argparse.Namespace) -> int:
    ready(args)
    from veche.apps.fund import actions

    postings = []
    for text in args.posting:
        parts = text.split(":")
        if len(parts) != 4:
            raise CliError(f"--posting {text!r}: use ACCOUNT:debit|credit:AMOUNT:CURRENCY")
        account, side, amount, currency = parts
        postings.append(
            {"account": account, "side": side, "amount": _amount(amount), "currency": currency}
        )
    space, identity = _space(args), load_signer(args.key)
    event = signed(
        lambda: actions.record_entry(
            identity,
            space,
            day=args.day or _today(),
            category=args.category,
            postings=postings,
            memo=args.memo,
        )
    )
    return _done(args, event, "entry recorded")


def _payout(args: argparse.Namespace) -> int:
    ready(args)
    from veche.apps.fund import actions

    space, amount, identity = _space(args), _amount(args.amount), load_signer(args.key)
    event, salt = signed(
        lambda: actions.propose_payout(
            identity,
            space,
            recipient=args.recipient,
            amount=amount,
            currency=args.currency,
            source=args.source,
            day=args.day or _today(),
            note=args.note,
        )
    )
    if args.json:
        print_json({"event": event.id, "salt": salt, "ref": event.body["ref"]})
    else:
        print(f"payout proposed ({event.id}); it needs the treasurers' approvals")
        print(f"salt for the recipient (not kept on this node): --salt={salt}")
    return 0


def _approve(args: argparse.Namespace) -> int:
    ready(args)
    from veche.apps.fund import actions
    from veche.apps.fund.models import Payout

    space, identity = _space(args), load_signer(args.key)
    event = signed(lambda: actions.approve_payout(identity, space, args.payout))
    status = Payout.objects.get(event=args.payout).status
    return _done(args, event, f"approved; the payout is {status}", status=status)


def _publish(args: argparse.Namespace) -> int:
    ready(args)
    from veche.apps.fund import actions

    space, identity = _space(args), load_signer(args.key)
    event = signed(lambda: actions.publish_report(identity, space, args.period))
    return _done(args, event, f"report for {args.period} published")


def _ledger(args: argparse.Namespace) -> int:
    ready(args)
    from veche.apps.fund.models import Balance, Fund, Payout
    from veche.solidarity.ledger import format_amount

    space = _space(args)
    fund = Fund.objects.get(space=space)
    balances: list[dict[str, Any]] = [
        {"account": b.account, "currency": b.currency, "amount": b.amount}
        for b in Balance.objects.filter(space=space).order_by("currency", "account")
    ]
    payouts: list[dict[str, Any]] = [
        {
            "payout": p.event,
            "day": p.day,
            "recipient": p.recipient,
            "amount": p.amount,
            "currency": p.currency,
            "approvals": p.approvals,
            "status": p.status,
        }
        for p in Payout.objects.filter(space=space).order_by("day", "event")
    ]
    if args.json:
        print_json(
            {
                "fund": fund.name,
                "k": fund.k,
                "treasurers": fund.treasurers,
                "balances": balances,
                "payouts": payouts,
            }
        )
    else:
        print(f"{fund.name}: {fund.k} of {len(fund.treasurers)} treasurers approve payouts")
        for b in balances:
            print(f"  {b['account']:10} {format_amount(b['amount'], b['currency']):>20}")
        for p in payouts:
            amount = format_amount(p["amount"], p["currency"])
            print(f"  payout {p['day']} {amount:>16} {p['status']} ({p['approvals']}/{fund.k})")
    return 0


def _report(args: argparse.Namespace) -> int:
    ready(args)
    from veche.apps.fund import actions
    from veche.apps.fund.models import Report
    from veche.apps.fund.reports import document_of
    from veche.solidarity.report import PeriodError, parse_period, write_report

    try:
        parse_period(args.period)
    except PeriodError as error:
        raise CliError(str(error)) from error
    space = _space(args)
    report = Report.objects.filter(space=space, period=args.period).first()
    if report is None:
        if args.key is None:
            raise CliError(
                f"no report for {args.period} is published; a treasurer publishes it with "
                "--key (or: veche fund publish)"
            )
        identity = load_signer(args.key)
        signed(lambda: actions.publish_report(identity, space, args.period))
        report = Report.objects.get(space=space, period=args.period)
    json_path, html_path = write_report(args.output, document_of(report))
    if args.json:
        print_json({"json": str(json_path), "html": str(html_path), "digest": report.digest})
    else:
        print(f"wrote {html_path} and {json_path}")
    return 0


def _verify(args: argparse.Namespace) -> int:
    from veche.solidarity.ledger import format_amount
    from veche.solidarity.report import verify_report

    result = verify_report(args.directory)
    if args.json:
        print_json({"ok": result.ok, "problems": result.problems})
        return 0 if result.ok else 1
    if not result.ok:
        for problem in result.problems:
            print(f"FAIL: {problem}")
        return 1
    assert result.document is not None
    report = result.document["report"]
    totals = ", ".join(format_amount(v, c) for c, v in report["out"].get("payouts", {}).items())
    print(
        f"OK: {report['fund']['name']}, {report['period']}: signature, digest, sums and "
        f"{report['payouts']} commitments check ({totals or 'no payouts'})"
    )
    return 0


def _check(args: argparse.Namespace) -> int:
    from veche.solidarity.commitment import CommitmentError
    from veche.solidarity.report import find_payout, verify_report

    result = verify_report(args.directory)
    if result.document is None or not result.ok:
        raise CliError("the report does not verify: run veche fund verify-report first")
    try:
        found = find_payout(
            result.document,
            salt=args.salt,
            recipient=args.recipient,
            amount=_amount(args.amount),
            currency=args.currency,
        )
    except CommitmentError as error:
        raise CliError(str(error)) from error
    if args.json:
        print_json({"found": bool(found), "payouts": found})
    elif found:
        print(f"your payout is counted in this report (payout {found[0]['payout']})")
    else:
        print("no payout in this report matches this salt, recipient and amount")
    return 0 if found else 1
