"""``veche pledge``: secret strike pledges (format pledge-v1).

``verify`` needs no database and no Django settings: it checks an exported
pledge record as ``veche election verify`` checks an election record (exit 0
and the result; 1 if it does not verify; 2 if the file cannot be read; 3 if the
verifier failed). ``simulate`` plays a whole pledge in memory and writes its
record. On a node: ``open`` (a committee's pledge, with its trustees),
``start`` (under the trustees' key, once each has dealt: ``veche trustee
share``), ``make`` (seal a pledge on this machine, or withdraw), ``close``
(after the deadline), ``blind`` (a trustee's blinding round of a pledge opened
with ``--reveal crossed``, pledge-v1 §7), ``decrypt`` (a trustee's partial
decryption of the total, or of such a pledge's blinded list, signed here with
the trustee's key file), ``result``, ``show``,
``export`` and ``general`` (pass a council's strike call that counts plants).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from veche.cli.base import CliError, add_json_flag, print_json, ready
from veche.cli.keys import load_signer


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
    simulate.add_argument(
        "--reveal",
        choices=("total", "crossed"),
        default="total",
        help="what the result reveals: the total, or only whether the target was reached",
    )
    simulate.add_argument("--out", "-o", type=Path, required=True, help="record file to write")
    add_json_flag(simulate)
    simulate.set_defaults(handler=_simulate)

    opened = sub.add_parser("open", help="open a pledge for a committee's members")
    opened.add_argument("--key", type=Path, required=True, help="your key file")
    opened.add_argument("--committee", required=True, help="the strike committee's space id")
    opened.add_argument("--strike-call", help="the committee's motion the target passes")
    opened.add_argument("--title", required=True)
    opened.add_argument("--workplace", required=True)
    opened.add_argument("--shop")
    opened.add_argument("--strike-date", required=True, help="YYYY-MM-DD")
    opened.add_argument("--deadline", required=True, help="UTC, e.g. 2020-08-25T18:00:00Z")
    opened.add_argument("--needed", type=int, help="pledges that reach the target")
    opened.add_argument("--percent", help="or: this percent of --workforce")
    opened.add_argument("--workforce", type=int)
    opened.add_argument(
        "--trustee", action="append", required=True, metavar="KEY:BOX", help="(repeat)"
    )
    opened.add_argument("--threshold", type=int, required=True, help="trustees needed")
    opened.add_argument(
        "--reveal",
        choices=("total", "crossed"),
        default="total",
        help="what the result reveals: the total (default), or only whether the target "
        "was reached (the trustees then each run 'veche pledge blind')",
    )
    add_json_flag(opened)
    opened.set_defaults(handler=_open)

    for name, helptext in (
        ("start", "start the pledge under the trustees' key (after every trustee has dealt)"),
        ("close", "close the pledge after its deadline, stating the encrypted total"),
        ("result", "publish the total and whether it reached the target"),
    ):
        step = sub.add_parser(name, help=helptext)
        step.add_argument("pledge")
        step.add_argument("--key", type=Path, required=True, help="your key file")
        add_json_flag(step)
        step.set_defaults(handler=_step, step=name)

    make = sub.add_parser("make", help="pledge (or withdraw): sealed on this machine")
    make.add_argument("pledge")
    make.add_argument("--key", type=Path, required=True, help="your key file")
    choice = make.add_mutually_exclusive_group(required=True)
    choice.add_argument("--strike", action="store_true", help="I strike if the target is met")
    choice.add_argument("--withdraw", action="store_true", help="pledge 0 (withdraw)")
    add_json_flag(make)
    make.set_defaults(handler=_make)

    blind = sub.add_parser(
        "blind",
        help="a trustee's blinding round of a pledge that reveals only whether it crossed",
    )
    blind.add_argument("pledge")
    blind.add_argument("--trustee-key", type=Path, required=True, help="trustee key file")
    add_json_flag(blind)
    blind.set_defaults(handler=_trustee_step, trustee_step="blind")

    decrypt = sub.add_parser(
        "decrypt",
        help="a trustee's partial decryption of the total (or, for a pledge that reveals "
        "only whether it crossed, of the blinded list)",
    )
    decrypt.add_argument("pledge")
    decrypt.add_argument("--trustee-key", type=Path, required=True, help="trustee key file")
    add_json_flag(decrypt)
    decrypt.set_defaults(handler=_trustee_step, trustee_step="decrypt")

    show = sub.add_parser("show", help="a pledge's stage, target and result")
    show.add_argument("pledge")
    add_json_flag(show)
    show.set_defaults(handler=_show)

    general = sub.add_parser(
        "general",
        help="pass a council's strike call that counts plants, once enough member "
        "committees' pledges have passed their strike calls (pledge-v1 §8)",
    )
    general.add_argument("--council", required=True, help="the council's space")
    general.add_argument("--motion", required=True, help="the council's strike call")
    general.add_argument("--key", type=Path, required=True, help="your key file")
    general.add_argument(
        "--dry-run", action="store_true", help="only show the plants counted so far"
    )
    add_json_flag(general)
    general.set_defaults(handler=_general)

    export = sub.add_parser("export", help="write a pledge's record (its events, one a line)")
    export.add_argument("pledge")
    export.add_argument("-o", "--out", type=Path, required=True)
    export.set_defaults(handler=_export)


def _simulate(args: argparse.Namespace) -> int:
    from veche.pledge.simulate import simulate_pledge

    if not 0 <= args.pledged <= args.members or args.members < 1 or args.needed < 1:
        raise CliError("need 1 <= members, 0 <= pledged <= members and needed >= 1")
    if not 1 <= args.threshold <= args.trustees:
        raise CliError("need 1 <= threshold <= trustees")
    values = [1] * args.pledged + [0] * (args.members - args.pledged)
    run = simulate_pledge(
        values=values,
        needed=args.needed,
        trustees=args.trustees,
        threshold=args.threshold,
        reveal=args.reveal,
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
        elif report.crossed is not None:
            verdict = "REACHED" if report.crossed else "not reached"
            print(f"target {verdict} (this pledge reveals no total)")
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


def _need_pledge(pledge: str) -> None:
    from veche.apps.elections.pledge_actions import pledge_exists

    if not pledge_exists(pledge):
        raise CliError(f"no pledge {pledge} on this node")


def _open(args: argparse.Namespace) -> int:
    ready(args)
    from veche.apps.elections import pledge_actions
    from veche.events import RuleViolation

    trustees = []
    for text in args.trustee:
        key, sep, box = text.partition(":")
        if not sep:
            raise CliError(f"--trustee {text!r}: give KEY:BOX as 'veche trustee keygen' prints")
        trustees.append((key, box))
    try:
        event = pledge_actions.create_pledge(
            load_signer(args.key, prompt="Passphrase: "),
            title=args.title,
            workplace=args.workplace,
            shop=args.shop,
            strike_date=args.strike_date,
            deadline=args.deadline,
            trustees=trustees,
            threshold=args.threshold,
            needed=args.needed,
            percent=args.percent,
            workforce=args.workforce,
            committee=args.committee,
            strike_call=args.strike_call,
            reveal=args.reveal,
        )
    except RuleViolation as violation:
        raise CliError(str(violation)) from violation
    if args.json:
        print_json({"pledge": event.id})
    else:
        print(event.id)
    return 0


def _step(args: argparse.Namespace) -> int:
    ready(args)
    from veche.apps.elections import pledge_actions
    from veche.events import RuleViolation

    _need_pledge(args.pledge)
    act = {
        "start": pledge_actions.open_pledge,
        "close": pledge_actions.close_pledge,
        "result": pledge_actions.publish_pledge_result,
    }[args.step]
    try:
        event = act(load_signer(args.key, prompt="Passphrase: "), args.pledge)
    except RuleViolation as violation:
        raise CliError(str(violation)) from violation
    if args.json:
        print_json({"event": event.id, "kind": event.kind, "body": event.body})
    else:
        print(f"{event.kind}: {event.id}")
        if event.kind == "pledge.result":
            verdict = "REACHED" if event.body["crossed"] else "not reached"
            if "total" in event.body:
                print(f"total: {event.body['total']}: target {verdict}")
            else:
                print(f"target {verdict} (this pledge reveals no total)")
    return 0


def _make(args: argparse.Namespace) -> int:
    identity = load_signer(args.key, prompt="Passphrase: ")
    ready(args)
    from veche.apps.elections import pledge_actions
    from veche.apps.elections.pledges import state_of
    from veche.apps.store.context import Context
    from veche.crypto.ballot import encrypt_ballot
    from veche.events import RuleViolation

    _need_pledge(args.pledge)
    state = state_of(Context(), args.pledge)
    if state.stage != "open":
        raise CliError(f"the pledge is {state.stage}, not open")
    ballot, _secrets = encrypt_ballot(state.crypto_election(), [[1 if args.strike else 0]])
    try:
        event = pledge_actions.make_pledge(identity, args.pledge, ballot.to_json())
    except RuleViolation as violation:
        raise CliError(f"the pledge was refused: {violation}") from violation
    if args.json:
        print_json({"event": event.id})
    else:
        print(f"sealed and recorded as event {event.id}")
    return 0


def _trustee_step(args: argparse.Namespace) -> int:
    """``blind`` or ``decrypt``: signed here with the trustee's key file, then recorded."""
    ready(args)
    from veche.apps.elections.actions import export_record, ingest_file
    from veche.apps.elections.models import Pledge
    from veche.election import offline
    from veche.events import RuleViolation
    from veche.events.identity import SealError
    from veche.pledge.offline import blind_events, reveal_decryption_events

    _need_pledge(args.pledge)
    from veche.cli.trustee import _passphrase

    crossed_only = (
        Pledge.objects.filter(space=args.pledge).values_list("body__reveal", flat=True).first()
        == "crossed"
    )
    data = export_record(args.pledge)
    lines = data[:-1].split(b"\n")
    try:
        keys = offline.load_trustee_keys(args.trustee_key, _passphrase())
        if args.trustee_step == "blind":
            events = blind_events(lines, keys)
        elif crossed_only:
            events = reveal_decryption_events(lines, keys)
        else:
            events = [offline.partial_decryption_event(lines, keys)]
        report = ingest_file(
            args.pledge, b"".join(e.raw + b"\n" for e in events), source="cli:trustee"
        )
    except OSError as error:
        raise CliError(str(error)) from error
    except (SealError, RuleViolation, offline.OfflineError) as error:
        raise CliError(str(error)) from error
    bad = [o for o in report.outcomes if o.status not in ("applied", "duplicate")]
    if bad:
        raise CliError(f"refused: {bad[0].reason}")
    if args.json:
        print_json({"events": [e.id for e in events], "kind": events[0].kind})
    else:
        for event in events:
            print(f"{event.kind}: {event.id}")
    return 0


def _show(args: argparse.Namespace) -> int:
    ready(args)
    from veche.apps.elections.models import Pledge, Trustee

    pledge = Pledge.objects.filter(space=args.pledge).first()
    if pledge is None:
        raise CliError(f"no pledge {args.pledge} on this node")
    data: dict[str, Any] = {
        "pledge": pledge.space,
        "title": pledge.title,
        "workplace": pledge.workplace,
        "shop": pledge.shop,
        "strike_date": pledge.strike_date,
        "deadline": pledge.deadline,
        "needed": pledge.needed,
        "stage": pledge.stage,
        "pledges_counted": pledge.counted,
        "trustees_dealt": Trustee.objects.filter(space=pledge.space, dealing__isnull=False).count(),
        "reveal": pledge.body.get("reveal", "total"),
        "blinding_rounds": len(pledge.reveal.get("rounds", [])),
        "total": pledge.total,
        "crossed": pledge.crossed,
    }
    if args.json:
        print_json(data)
    else:
        for name, value in data.items():
            print(f"{name}: {value}")
    return 0


def _general(args: argparse.Namespace) -> int:
    ready(args)
    from veche.apps.committees.models import Motion
    from veche.apps.elections import pledge_actions
    from veche.apps.elections.pledge_general import counted_plants, plants_needed
    from veche.events import RuleViolation

    motion = Motion.objects.filter(space=args.council, event=args.motion).first()
    needed = plants_needed(motion.target) if motion is not None else None
    if motion is None or motion.kind != "strike_call" or needed is None:
        raise CliError(f"no strike call counting plants {args.motion} in {args.council}")
    plants = counted_plants(args.council)
    data: dict[str, Any] = {
        "council": args.council,
        "motion": args.motion,
        "status": motion.status,
        "needed": needed,
        "plants": [
            {"committee": p.committee, "pledge": p.pledge, "strike": p.strike} for p in plants
        ],
    }
    if not args.dry_run:
        try:
            event = pledge_actions.general_strike(
                load_signer(args.key, prompt="Passphrase: "), args.council, args.motion
            )
        except RuleViolation as violation:
            raise CliError(str(violation)) from violation
        data["event"] = event.id
        data["status"] = "passed"
    if args.json:
        print_json(data)
    else:
        print(f"{len(plants)} of {needed} plants have reached their targets")
        for plant in plants:
            print(f"  {plant.committee}: pledge {plant.pledge}, strike {plant.strike}")
        if "event" in data:
            print(f"pledge.general: {data['event']}: the strike call passed")
    return 0


def _export(args: argparse.Namespace) -> int:
    ready(args)
    from veche.apps.elections.actions import export_record

    _need_pledge(args.pledge)
    try:
        args.out.write_bytes(export_record(args.pledge))
    except OSError as error:
        raise CliError(f"cannot write {args.out}: {error.strerror or error}") from error
    print(f"written to {args.out}")
    return 0
