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
    vote.add_argument(
        "--secrets", type=Path, help="keep the ballot's audit secrets in this file (mode 0600)"
    )
    vote.add_argument(
        "--audit",
        type=Path,
        metavar="FILE",
        help="audit instead of casting: write the ballot, its randomness and its tracker to FILE "
        "(mode 0600) for 'veche election check-audit'; nothing is cast",
    )
    add_json_flag(vote)
    vote.set_defaults(handler=_vote)

    check_audit = sub.add_parser(
        "check-audit",
        help="check a ballot audit file: recompute its ciphertexts and tracker from its randomness",
    )
    check_audit.add_argument("file", type=Path, help="the audit file (vote page or vote --audit)")
    check_audit.add_argument(
        "--record", type=Path, help="also check the election id, key and questions against it"
    )
    add_json_flag(check_audit)
    check_audit.set_defaults(handler=_check_audit)


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
    _write_public(args.out, result.record)
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
    """Exit 0: the record verifies; 1: it does not; 2: the file cannot be read; 3: the
    verifier failed (a bug). Every case prints a verdict, with ``--json`` one object."""
    from veche.election.record import (
        RecordError,
        VerificationReport,
        split_record,
        verify_record,
    )

    try:
        data = args.file.read_bytes()
    except OSError as error:
        reason = f"cannot read {args.file}: {error.strerror or error}"
        if not args.json:
            raise CliError(reason) from error
        unreadable = VerificationReport(ok=False, failure=reason, item="file").to_json()
        print_json({**unreadable, "verdict": "unreadable"})
        return 2
    try:
        report = verify_record(split_record(data))
    except RecordError as error:
        report = VerificationReport(ok=False, failure=str(error), item="record")
    status = {"ok": 0, "failed": 1, "error": 3}[report.verdict]
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
                if report.vacant:
                    print(f"vacant seats: {report.vacant} (no party with votes could take them)")
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
    _write_public(args.out, data)
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
    if args.audit is not None:
        return _vote_audit(args, path)
    if path.exists():
        from veche.election.offline import OfflineError, cast_event

        lines = _read_lines(path)
        state = _record_state(path, lines)
        marks = selections_from_choices(state.require_spec(), args.choice)
        try:
            event, secrets, tracker = cast_event(lines, identity, marks)
        except OfflineError as error:
            raise CliError(str(error)) from error
        out = args.out or path.with_name(f"ballot-{tracker[:8]}.jsonl")
        _write_public(out, event.raw + b"\n")
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
        _write_secret(args.secrets, json.dumps(secrets.to_json()) + "\n")
    if args.json:
        print_json({"event": event.id, "tracker": tracker})
    else:
        print(f"ballot tracker: {tracker}")
        print(where)
    return 0


def _record_state(path: Path, lines: list[bytes]) -> Any:
    """The election state a record leads to, for signing a ballot offline against it."""
    from veche.election.offline import OfflineError, load_record_state

    try:
        _, state = load_record_state(lines)
    except OfflineError as error:
        raise CliError(f"{path}: {error}") from error
    if state.spec is None:
        raise CliError(f"{path} is not an election's record")
    return state


def _write_public(path: Path, data: bytes) -> None:
    """A record or an event file: nothing secret in it, but say why it could not be written."""
    try:
        path.write_bytes(data)
    except OSError as error:
        raise CliError(f"cannot write {path}: {error.strerror or error}") from error


def _write_secret(path: Path, text: str) -> None:
    """Ballot randomness reveals the vote: written like a key file (0600, atomic)."""
    from veche.events.secret_file import write_secret_file

    try:
        write_secret_file(path, text)
    except OSError as error:
        raise CliError(f"cannot write {path}: {error.strerror or error}") from error


def _vote_audit(args: argparse.Namespace, path: Path) -> int:
    """Encrypt a ballot as ``vote`` would, and reveal it for an audit instead of casting it."""
    from veche.crypto.ballot import encrypt_ballot

    if path.exists():
        state = _record_state(path, _read_lines(path))
    else:
        ready(args)
        from veche.apps.elections import actions

        state = actions._state(args.election)
        if state.spec is None:
            raise CliError(f"no election {args.election} on this node")
    if state.stage != "open":
        raise CliError(f"the election is {state.stage}, not open")
    marks = selections_from_choices(state.require_spec(), args.choice)
    election = state.crypto_election()
    try:
        ballot, secrets = encrypt_ballot(election, marks)
    except ValueError as error:
        raise CliError(str(error)) from error
    tracker = ballot.tracker()
    audit = {
        "format": AUDIT_FORMAT,
        "v": 1,
        "election": election.to_json(),
        "ballot": ballot.to_json(),
        "secrets": secrets.to_json(),
        "tracker": tracker,
    }
    _write_secret(args.audit, json.dumps(audit, indent=2, sort_keys=True) + "\n")
    if args.json:
        print_json({"audit": str(args.audit), "tracker": tracker})
    else:
        print(f"ballot tracker: {tracker}")
        print(f"audit written to {args.audit}; this ballot is NOT cast (its secrets are out)")
        print(f"check it on another machine: veche election check-audit {args.audit}")
    return 0


AUDIT_FORMAT = "veche-ballot-audit"


class _AuditUnreadable(Exception):
    """The audit file (or the record given with it) cannot be read: exit status 2."""


class _AuditFailed(Exception):
    def __init__(self, message: str, item: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.item = item


def _check_audit(args: argparse.Namespace) -> int:
    """Exit 0: the audit passes; 1: it does not; 2: the file (or the record) cannot be read."""
    result: dict[str, Any] = {
        "verdict": "passed",
        "ok": True,
        "failure": None,
        "item": None,
        "election": None,
        "tracker": None,
        "choices": [],
        "record": None if args.record is None else str(args.record),
    }
    status = 0
    try:
        _audit(args, result)
    except _AuditUnreadable as error:
        result.update(verdict="unreadable", ok=False, failure=str(error), choices=[])
        status = 2
    except _AuditFailed as error:
        result.update(verdict="failed", ok=False, failure=error.message, item=error.item)
        result["choices"] = []
        status = 1
    if args.json:
        print_json(result)
    elif status == 0:
        print(f"AUDIT PASSED: election {result['election']}, tracker {result['tracker']}")
        print("the ciphertexts and the tracker were recomputed from the randomness; marked:")
        for question in result["choices"]:
            text = f" ({question['text']})" if question["text"] else ""
            marked = ", ".join(
                f"{m['option']}. {m['name']}" if m["name"] else f"option {m['option']}"
                for m in question["marked"]
            )
            print(f"  question {question['question']}{text}: {marked or 'nothing'}")
        if args.record is None:
            print("the election key was not checked: give --record RECORD to check it too")
        print("an audited ballot must not be cast: its randomness reveals the vote")
    elif status == 1:
        print(f"AUDIT FAILED: {result['failure']}", file=sys.stderr)
    else:
        print(f"veche: error: {result['failure']}", file=sys.stderr)
    return status


def _audit(args: argparse.Namespace, result: dict[str, Any]) -> None:
    from veche.crypto.ballot import Ballot, BallotSecrets, Election, audit_ballot
    from veche.crypto.errors import CryptoError
    from veche.election.rules import ballot_tracker

    try:
        document = json.loads(args.file.read_bytes())
    except OSError as error:
        raise _AuditUnreadable(f"cannot read {args.file}: {error.strerror or error}") from error
    except ValueError as error:  # not UTF-8, not JSON
        raise _AuditUnreadable(f"{args.file} is not JSON: {error}") from error
    if not isinstance(document, dict) or document.get("format") != AUDIT_FORMAT:
        raise _AuditUnreadable(f"{args.file} is not a ballot audit file ({AUDIT_FORMAT})")
    if document.get("v") != 1:
        raise _AuditUnreadable(f"{args.file}: unsupported audit file version {document.get('v')!r}")
    missing = sorted({"election", "ballot", "secrets", "tracker"} - document.keys())
    if missing:
        raise _AuditFailed(f"the audit file lacks {', '.join(missing)}", missing[0])
    try:
        election = Election.from_json(document["election"], item="election")
        ballot = Ballot.from_json(document["ballot"], item="ballot")
        secrets = BallotSecrets.from_json(document["secrets"], item="secrets")
    except CryptoError as error:
        raise _AuditFailed(f"{error.item}: {error.reason}", error.item) from None
    result["election"] = election.election_id
    names = _record_names(args.record, election) if args.record is not None else None
    if ballot.election_id != election.election_id:
        raise _AuditFailed(
            f"the ballot is for election {ballot.election_id}, not {election.election_id}",
            "ballot.election",
        )
    try:
        audit_ballot(election, ballot, secrets)
    except CryptoError as error:
        where = f"{error.item}: " if error.item else ""
        raise _AuditFailed(f"{where}{error.reason}", error.item) from None
    except ValueError as error:  # lists of the wrong lengths
        raise _AuditFailed(f"the secrets do not fit the ballot: {error}", "secrets") from None
    tracker = document["tracker"]
    recomputed = ballot_tracker(document["ballot"])
    if tracker != recomputed:
        raise _AuditFailed(
            f"the tracker {str(tracker)[:60]!r} is not this ballot's: it is {recomputed}. The "
            "page showed a tracker for another ballot than the one it revealed",
            "tracker",
        )
    result["tracker"] = recomputed
    for q, marks in enumerate(secrets.selections):
        texts = names[q] if names is not None else None
        result["choices"].append(
            {
                "question": q + 1,
                "text": texts[0] if texts else None,
                "marked": [
                    {"option": k + 1, "name": texts[1][k] if texts else None}
                    for k, mark in enumerate(marks)
                    if mark
                ],
            }
        )


def _record_names(record: Path, election: Any) -> list[tuple[str, tuple[str, ...]]]:
    """Check the audited election against a record; return its questions' words."""
    from veche.election.record import RecordError, split_record, verified_state

    try:
        lines = split_record(record.read_bytes())
    except OSError as error:
        raise _AuditUnreadable(f"cannot read {record}: {error.strerror or error}") from error
    except RecordError as error:
        raise _AuditUnreadable(f"{record}: {error}") from error
    state, report, _ = verified_state(lines)
    if not report.ok:
        raise _AuditFailed(f"the record does not verify: {report.failure}", "record")
    spec = state.spec
    if spec is None or state.key is None:
        raise _AuditFailed("the record's election is not open: it has no key yet", "record")
    expected = state.crypto_election()
    if election.election_id != expected.election_id:
        raise _AuditFailed(
            f"the audit is for election {election.election_id}, the record is of "
            f"{expected.election_id}",
            "election.election",
        )
    if election.public_key != expected.public_key:
        raise _AuditFailed(
            "the ballot was encrypted to another key than the election's: whoever holds that "
            "key can read it. Do not vote on that page",
            "election.public_key",
        )
    if election.questions != expected.questions:
        raise _AuditFailed(
            "the audited questions differ from the election's (options, min or max)",
            "election.questions",
        )
    return [(q.text, tuple(q.options)) for q in spec.questions]
