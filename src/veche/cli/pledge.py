"""``veche pledge``: verify and simulate secret strike pledges (format pledge-v1).

``verify`` needs no database and no Django settings: it checks an exported
pledge record as ``veche election verify`` checks an election record (exit 0
and the result; 1 if it does not verify; 2 if the file cannot be read; 3 if the
verifier failed). ``simulate`` plays a whole pledge in memory and writes its
record.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from veche.cli.base import CliError, add_json_flag, print_json


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    pledge = commands.add_parser(
        "pledge", help="secret strike pledges: 'I strike if N of us do', verifiable"
    )
    sub = pledge.add_subparsers(dest="pledge_command", metavar="ACTION", required=True)

    verify = sub.add_parser("verify", help="verify a pledge record file, with no database")
    verify.add_argument("file", type=Path)
    add_json_flag(verify)
    verify.set_defaults(handler=_verify)

    simulate = sub.add_parser("simulate", help="run a whole pledge in memory, write its record")
    simulate.add_argument("--members", type=int, required=True)
    simulate.add_argument("--pledged", type=int, required=True, help="members who pledge 1")
    simulate.add_argument("--needed", type=int, required=True, help="pledges that reach it")
    simulate.add_argument("--trustees", type=int, default=3)
    simulate.add_argument("--threshold", type=int, default=2)
    simulate.add_argument("--out", "-o", type=Path, required=True, help="record file to write")
    add_json_flag(simulate)
    simulate.set_defaults(handler=_simulate)


def _simulate(args: argparse.Namespace) -> int:
    from veche.pledge.simulate import simulate_pledge

    if not 0 <= args.pledged <= args.members or args.members < 1 or args.needed < 1:
        raise CliError("need 1 <= members, 0 <= pledged <= members and needed >= 1")
    if not 1 <= args.threshold <= args.trustees:
        raise CliError("need 1 <= threshold <= trustees")
    values = [1] * args.pledged + [0] * (args.members - args.pledged)
    run = simulate_pledge(
        values=values, needed=args.needed, trustees=args.trustees, threshold=args.threshold
    )
    args.out.write_bytes(run.writer.record())
    summary = {
        "pledge": run.writer.space,
        "members": args.members,
        "total": run.state.total,
        "crossed": run.state.crossed,
        "record": str(args.out),
    }
    if args.json:
        print_json(summary)
    else:
        print(f"pledge {run.writer.space}: {args.members} members, record in {args.out}")
    return 0


def _verify(args: argparse.Namespace) -> int:
    from veche.pledge.record import PledgeReport, RecordError, split_record, verify_record

    try:
        data = args.file.read_bytes()
    except OSError as error:
        reason = f"cannot read {args.file}: {error.strerror or error}"
        if not args.json:
            raise CliError(reason) from error
        unreadable = PledgeReport(ok=False, failure=reason, item="file").to_json()
        print_json({**unreadable, "verdict": "unreadable"})
        return 2
    try:
        report = verify_record(split_record(data))
    except RecordError as error:
        report = PledgeReport(ok=False, failure=str(error), item="record")
    status = {"ok": 0, "failed": 1, "error": 3}[report.verdict]
    if args.json:
        print_json(report.to_json())
    elif report.ok:
        where = (report.workplace or "") + (f", {report.shop}" if report.shop else "")
        print(f"OK: {report.title} ({report.pledge})")
        print(
            f"{where}: strike from {report.strike_date} if {report.needed} pledge; "
            f"pledging closes {report.deadline}"
        )
        if report.strike_call:
            print(
                f"strike call {report.strike_call} of committee {report.committee}: NOT CHECKED "
                "here (the record does not hold the committee's log)"
            )
        print(
            f"{report.events} events, {report.members} members, {report.pledges_made} pledges "
            f"made, {report.pledges_counted} members' latest counted; stage {report.stage}"
        )
        if report.total is not None:
            verdict = "REACHED" if report.crossed else "not reached"
            print(f"total: {report.total} of {report.needed} needed: target {verdict}")
        else:
            print("no result yet: every event so far checks out")
        if report.refused:
            print(f"{len(report.refused)} event(s) refused by the rules, without effect:")
            for refusal in report.refused[:10]:
                print(f"  {refusal.event} ({refusal.kind}): {refusal.reason}")
    elif report.error:
        print(f"ERROR: {report.failure}", file=sys.stderr)
    else:
        print(f"FAILED: {report.failure}", file=sys.stderr)
    return status
