"""``veche election``: simulate, verify and export election records; run an election on a node.

``simulate`` and ``verify`` need no database (``verify`` must work on any
machine holding a record, without Django settings). ``export``, ``create``,
``open``, ``close``, ``tally``, ``show`` and ``vote`` work on the node's
database. ``vote`` encrypts on this machine; with a record file instead of an
election id it signs the ballot offline into an event file for
``veche log import``.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from veche.cli.base import CliError, add_json_flag, print_json, ready
from veche.cli.keys import load_signer


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    election = commands.add_parser("election", help="secret-ballot elections anyone can verify")
    sub = election.add_subparsers(dest="election_command", metavar="ACTION", required=True)

    simulate = sub.add_parser("simulate", help="run a whole election in memory, write its record")
    simulate.add_argument("--voters", type=int, required=True)
    simulate.add_argument("--options", type=int, required=True)
    simulate.add_argument("--trustees", type=int, default=3)
    simulate.add_argument("--threshold", type=int, default=2)
    simulate.add_argument("--method", choices=("plurality", "approval"), default="plurality")
    simulate.add_argument("--seed", type=int, help="seed for the voters' random choices")
    simulate.add_argument("--out", "-o", type=Path, required=True, help="record file to write")
    add_json_flag(simulate)
    simulate.set_defaults(handler=_simulate)

    verify = sub.add_parser("verify", help="verify a record file, with no database")
    verify.add_argument("file", type=Path)
    add_json_flag(verify)
    verify.set_defaults(handler=_verify)

    export = sub.add_parser("export", help="write an election's record (its events, one a line)")
    export.add_argument("election", help="the election's id (its space id)")
    export.add_argument("-o", "--out", type=Path, required=True)
    export.set_defaults(handler=_export)

    create = sub.add_parser(
        "create", help="create an election in a committee, or for an electoral roll"
    )
    create.add_argument(
        "--committee", help="committee space id (its members at the call are the electorate)"
    )
    create.add_argument(
        "--motion",
        help="with --committee: the committee's passed election motion that called it "
        "(its id); you must be the member who closed it",
    )
    create.add_argument(
        "--roll",
        type=Path,
        help="electoral roll instead of a committee: a JSON list of "
        '{"keys": [KEY, ...], "constituency": NAME} (an assembly election)',
    )
    create.add_argument(
        "--constituency",
        action="append",
        metavar="NAME:SEATS",
        help="party lists: a constituency and its seats (repeat)",
    )
    create.add_argument("--key", type=Path, required=True, help="your key file")
    create.add_argument("--title", required=True)
    create.add_argument("--question", default="", help="the question (default: the title)")
    create.add_argument("--option", action="append", required=True, help="an option (repeat)")
    create.add_argument(
        "--method", choices=("plurality", "approval", "party_list"), default="plurality"
    )
    create.add_argument("--seats", type=int, default=1, help="winners, or seats for party lists")
    create.add_argument("--divisor", choices=("dhondt", "sainte-lague"))
    create.add_argument("--threshold-percent", help="national threshold for party lists, e.g. 5")
    create.add_argument(
        "--trustee",
        action="append",
        required=True,
        metavar="KEY:BOX",
        help="a trustee's public keys as printed by 'veche trustee keygen' (repeat)",
    )
    create.add_argument("--threshold", type=int, required=True, help="trustees needed to decrypt")
    create.add_argument(
        "--public-board", action="store_true", help="anyone with the link may read the board"
    )
    add_json_flag(create)
    create.set_defaults(handler=_create)

    for name, helptext in (
        ("open", "open the election (after every trustee has dealt)"),
        ("close", "close the election and state the encrypted tally"),
        ("tally", "publish the result from the trustees' partial decryptions"),
    ):
        step = sub.add_parser(name, help=helptext)
        step.add_argument("election")
        step.add_argument("--key", type=Path, required=True, help="the creator's key file")
        add_json_flag(step)
        step.set_defaults(handler=_step, step=name)

    show = sub.add_parser("show", help="an election's stage, trustees, ballots and result")
    show.add_argument("election")
    add_json_flag(show)
    show.set_defaults(handler=_show)

    vote = sub.add_parser("vote", help="encrypt a ballot on this machine and cast it")
    vote.add_argument("election", help="election id on this node, or a record file (offline)")
    vote.add_argument("--key", type=Path, required=True, help="your key file")
    vote.add_argument(
        "--choice",
        action="append",
        required=True,
        help="an option to mark, by number from 1 or by name (repeat; Q:N for question Q)",
    )
    vote.add_argument("--out", "-o", type=Path, help="offline: the event file to write")
    vote.add_argument("--secrets", type=Path, help="keep the ballot's audit secrets in this file")
    add_json_flag(vote)
    vote.set_defaults(handler=_vote)


def _read_lines(path: Path) -> list[bytes]:
    from veche.election.record import RecordError, split_record

    try:
        return split_record(path.read_bytes())
    except OSError as error:
        raise CliError(f"cannot read {path}: {error}") from error
    except RecordError as error:
        raise CliError(f"{path}: {error}") from error


def _simulate(args: argparse.Namespace) -> int:
    from veche.election.simulate import simulate

    try:
        result = simulate(
            voters=args.voters,
            options=args.options,
            trustees=args.trustees,
            threshold=args.threshold,
            method=args.method,
            seed=args.seed,
            check_ballots=False,
        )
    except ValueError as error:
        raise CliError(str(error)) from error
    args.out.write_bytes(result.record)
    summary = {
        "election": result.election,
        "voters": result.voters,
        "counts": list(result.true_counts),
        "absent_trustee": result.absent_trustee,
        "record": str(args.out),
        "seconds": round(result.seconds, 2),
    }
    if args.json:
        print_json(summary)
    else:
        print(f"election {result.election}: {result.voters} voters, record in {args.out}")
        print("true counts: " + " ".join(str(c) for c in result.true_counts))
        if result.absent_trustee:
            print(f"trustee {result.absent_trustee} stayed away")
    return 0


def _verify(args: argparse.Namespace) -> int:
    from veche.election.record import RecordError, split_record, verify_record

    try:
        data = args.file.read_bytes()
    except OSError as error:
        raise CliError(f"cannot read {args.file}: {error}") from error
    try:
        report = verify_record(split_record(data))
    except RecordError as error:
        from veche.election.record import VerificationReport

        report = VerificationReport(ok=False, failure=str(error), item="record")
    if args.json:
        print_json(report.to_json())
    elif report.ok:
        print(f"OK: {report.title} ({report.election})")
        print(_call_line(report))
        print(
            f"{report.events} events, {report.voters} voters, {report.ballots_cast} ballots cast, "
            f"{report.ballots_counted} counted; stage {report.stage}"
        )
        if report.counts is not None:
            print("counts: " + " ".join(str(c) for c in report.counts))
            if report.seats is not None:
                print("seats: " + " ".join(str(s) for s in report.seats))
        else:
            print("no result yet: every event so far checks out")
        if report.refused:
            print(f"{len(report.refused)} event(s) refused by the rules, without effect:")
            for refusal in report.refused[:10]:
                print(f"  {refusal.event} ({refusal.kind}): {refusal.reason}")
    else:
        print(f"FAILED: {report.failure}", file=sys.stderr)
    return 0 if report.ok else 1


def _call_line(report: Any) -> str:
    """Who called the election, and that this record alone cannot show it."""
    if report.call is None:
        return "called by no committee: an election for its own electoral roll"
    return (
        f"called by committee {report.committee}, motion {report.motion} (its close "
        f"{report.call}): NOT CHECKED. The record does not hold the committee's log, so it "
        "cannot show that the committee called this election; a node holding that log checks it "
        "(the election's page says whether it did)"
    )


def _export(args: argparse.Namespace) -> int:
    ready(args)
    from veche.apps.elections.actions import election_exists, export_record

    if not election_exists(args.election):
        raise CliError(f"no election {args.election} on this node")
    data = export_record(args.election)
    args.out.write_bytes(data)
    events = data.count(b"\n")
    print(f"{events} events written to {args.out}")
    return 0


def _create(args: argparse.Namespace) -> int:
    ready(args)
    from veche.apps.elections import actions
    from veche.events import RuleViolation

    if (args.committee is None) == (args.roll is None):
        raise CliError("give either --committee or --roll")
    electorate = None
    if args.roll is not None:
        try:
            electorate = json.loads(args.roll.read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            raise CliError(f"cannot read the roll {args.roll}: {error}") from error
        if not isinstance(electorate, list):
            raise CliError(f"{args.roll}: the roll is a JSON list of voters")
    constituencies = []
    for text in args.constituency or ():
        name, sep, seats = text.rpartition(":")
        if not sep or not seats.isdigit():
            raise CliError(f"--constituency {text!r}: give NAME:SEATS")
        constituencies.append((name, int(seats)))
    trustees = []
    for text in args.trustee:
        key, sep, box = text.partition(":")
        if not sep:
            raise CliError(f"--trustee {text!r}: give KEY:BOX as 'veche trustee keygen' prints")
        trustees.append((key, box))
    options = list(args.option)
    question = {
        "text": args.question or args.title,
        "options": options,
        "min": 0 if args.method == "approval" else 1,
        "max": len(options) if args.method == "approval" else 1,
    }
    try:
        event = actions.create_election(
            load_signer(args.key, prompt="Passphrase: "),
            committee=args.committee,
            title=args.title,
            questions=[question],
            method=args.method,
            seats=args.seats,
            trustees=trustees,
            threshold=args.threshold,
            divisor=args.divisor,
            threshold_percent=args.threshold_percent,
            constituencies=constituencies or None,
            electorate=electorate,
            public_board=args.public_board,
            motion=args.motion,
        )
    except RuleViolation as violation:
        raise CliError(str(violation)) from violation
    if args.json:
        print_json({"election": event.id})
    else:
        print(event.id)
    return 0


def _step(args: argparse.Namespace) -> int:
    ready(args)
    from veche.apps.elections import actions
    from veche.events import RuleViolation

    if not actions.election_exists(args.election):
        raise CliError(f"no election {args.election} on this node")
    act = {
        "open": actions.open_election,
        "close": actions.close_election,
        "tally": actions.publish_result,
    }[args.step]
    try:
        event = act(load_signer(args.key, prompt="Passphrase: "), args.election)
    except RuleViolation as violation:
        raise CliError(str(violation)) from violation
    if args.json:
        print_json({"event": event.id, "kind": event.kind, "body": event.body})
    else:
        print(f"{event.kind}: {event.id}")
        if event.kind == "election.result":
            print("counts: " + " ".join(str(c) for c in event.body["counts"]))
    return 0


def _show(args: argparse.Namespace) -> int:
    ready(args)
    from veche.apps.elections.models import Ballot, Election, Trustee

    election = Election.objects.filter(space=args.election).first()
    if election is None:
        raise CliError(f"no election {args.election} on this node")
    data: dict[str, Any] = {
        "election": election.space,
        "title": election.title,
        "stage": election.stage,
        "committee": election.committee or None,
        "call": None
        if "call" not in election.body
        else {
            "committee": election.body["committee"],
            "motion": election.body["motion"],
            "close": election.body["call"],
            "checked": election.call_checked,
        },
        "public_key": election.public_key or None,
        "trustees": [
            {"index": t.index, "key": t.key, "box": t.box, "dealt": t.dealing is not None}
            for t in Trustee.objects.filter(space=election.space).order_by("index")
        ],
        "ballots_cast": election.casts,
        "ballots_counted": election.counted,
        "trackers": list(
            Ballot.objects.filter(space=election.space, counted=True)
            .order_by("tracker")
            .values_list("tracker", flat=True)
        ),
        "counts": election.counts,
        "seats": election.seats,
    }
    if args.json:
        print_json(data)
    else:
        print(f"{election.title} [{election.stage}] {election.space}")
        call = data["call"]
        if call is not None:
            state = (
                "checked against the committee's log"
                if call["checked"]
                else "this node cannot check that call (it holds nothing of the committee's log)"
            )
            print(f"  called by committee {call['committee']}, motion {call['motion']}: {state}")
        for t in data["trustees"]:
            print(f"  trustee {t['index']}: {'dealt' if t['dealt'] else 'waiting'}")
        print(f"  ballots cast {election.casts}, counted {election.counted}")
        if election.counts is not None:
            print("  counts: " + " ".join(str(c) for c in election.counts))
    return 0


def selections_from_choices(spec: Any, choices: list[str]) -> list[list[int]]:
    """Turn ``--choice`` values (``N``, ``name`` or ``Q:N``) into 0/1 marks per question."""
    marks = [[0] * len(q.options) for q in spec.questions]
    for text in choices:
        question = 0
        value = text
        head, sep, tail = text.partition(":")
        if sep and head.isdigit() and int(head) >= 1:
            question, value = int(head) - 1, tail
        if question >= len(spec.questions):
            raise CliError(f"--choice {text!r}: there are {len(spec.questions)} questions")
        options = spec.questions[question].options
        if value.isdigit() and 1 <= int(value) <= len(options):
            index = int(value) - 1
        elif value in options:
            index = options.index(value)
        else:
            raise CliError(f"--choice {text!r}: options are 1..{len(options)} or {list(options)}")
        marks[question][index] = 1
    return marks


def _vote(args: argparse.Namespace) -> int:
    identity = load_signer(args.key, prompt="Passphrase: ")
    path = Path(args.election)
    if path.exists():
        from veche.election.offline import OfflineError, cast_event, load_record_state

        lines = _read_lines(path)
        _, state = load_record_state(lines)
        marks = selections_from_choices(state.require_spec(), args.choice)
        try:
            event, secrets, tracker = cast_event(lines, identity, marks)
        except OfflineError as error:
            raise CliError(str(error)) from error
        out = args.out or path.with_name(f"ballot-{tracker[:8]}.jsonl")
        out.write_bytes(event.raw + b"\n")
        where = f"event file {out} (take it to the node: veche log import {out})"
    else:
        ready(args)
        from veche.apps.elections import actions
        from veche.crypto.ballot import encrypt_ballot
        from veche.events import RuleViolation

        state = actions._state(args.election)
        if state.spec is None:
            raise CliError(f"no election {args.election} on this node")
        if state.stage != "open":
            raise CliError(f"the election is {state.stage}, not open")
        marks = selections_from_choices(state.spec, args.choice)
        try:
            ballot, secrets = encrypt_ballot(state.crypto_election(), marks)
        except ValueError as error:
            raise CliError(str(error)) from error
        tracker = ballot.tracker()
        try:
            event = actions.cast_ballot(identity, args.election, ballot.to_json())
        except RuleViolation as violation:
            raise CliError(f"the ballot was refused: {violation}") from violation
        where = f"cast as event {event.id}"
    if args.secrets:
        args.secrets.write_text(json.dumps(secrets.to_json()) + "\n", encoding="utf-8")
    if args.json:
        print_json({"event": event.id, "tracker": tracker})
    else:
        print(f"ballot tracker: {tracker}")
        print(where)
    return 0
