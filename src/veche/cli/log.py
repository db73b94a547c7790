"""``veche log verify|show|rebuild|import|redact`` and ``veche state digest``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from veche.cli.base import CliError, add_json_flag, print_json, ready
from veche.cli.sync import add_space_flag, speaking


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    log = commands.add_parser("log", help="inspect and check the event log")
    sub = log.add_subparsers(dest="log_command", metavar="ACTION", required=True)

    verify = sub.add_parser("verify", help="re-verify every stored event")
    verify.add_argument("--space", help="only this space")
    add_json_flag(verify)
    verify.set_defaults(handler=_verify)

    show = sub.add_parser("show", help="list events in order")
    show.add_argument("--space", help="only this space")
    show.add_argument("--limit", type=int, default=50)
    show.add_argument("--raw", action="store_true", help="print canonical bytes, one per line")
    add_json_flag(show)
    show.set_defaults(handler=_show)

    rebuild = sub.add_parser("rebuild", help="drop and re-derive all projections from events")
    add_json_flag(rebuild)
    rebuild.set_defaults(handler=_rebuild)

    imp = sub.add_parser(
        "import",
        help="append events from a file of canonical JSON lines (only committees this node"
        " holds and those named with --space)",
    )
    imp.add_argument("file", type=Path, help="one event per line ('-' for standard input)")
    add_space_flag(imp)
    add_json_flag(imp)
    imp.set_defaults(handler=_import)

    redact = sub.add_parser(
        "redact",
        help="remove now the content that committees' retention rules no longer keep"
        " (the node also does it by itself, hourly)",
    )
    redact.add_argument("--space", action="append", help="only this space (repeatable)")
    add_json_flag(redact)
    redact.set_defaults(handler=_redact)

    state = commands.add_parser("state", help="the projected state")
    state_sub = state.add_subparsers(dest="state_command", metavar="ACTION", required=True)
    digest = state_sub.add_parser("digest", help="hash of the projected state")
    digest.add_argument("--space", help="only this space")
    add_json_flag(digest)
    digest.set_defaults(handler=_digest)


def _verify(args: argparse.Namespace) -> int:
    ready(args)
    from veche.apps.store.integrity import verify_report

    report = verify_report(args.space)
    problems = report.problems
    if args.json:
        print_json(
            {
                "ok": not problems,
                "events": report.count,
                "redacted": report.redacted,
                "redacted_tips": report.redacted_tips,
                "problems": [{"event": p.event_id, "problem": p.message} for p in problems],
            }
        )
    else:
        for problem in problems:
            print(f"{problem.event_id}: {problem.message}")
        verdict = "all verify" if not problems else f"{len(problems)} do not verify"
        print(
            f"{report.count} events checked; {verdict}", file=sys.stderr if problems else sys.stdout
        )
        if report.redacted:
            print(
                f"{report.redacted} redacted under retention rules, checked by the events"
                f" that name them, the rule and their kept fields; {report.redacted_tips}"
                " of them named by no event (their kept fields rest on this node's word)"
            )
    return 1 if problems else 0


def _redact(args: argparse.Namespace) -> int:
    ready(args)
    from veche.apps.store.retention import redact_due

    done = redact_due(spaces=args.space)
    if args.json:
        print_json({"redacted": done})
    elif done:
        for space, count in sorted(done.items()):
            print(f"{space}: {count} redacted")
    else:
        print("nothing to redact")
    return 0


def _show(args: argparse.Namespace) -> int:
    ready(args)
    from veche.apps.store.models import StoredEvent

    query = StoredEvent.objects.all()
    if args.space:
        query = query.filter(space=args.space)
    rows = list(query.order_by("space", "height", "id")[: args.limit])
    from veche.apps.store.log import reason_text
    from veche.apps.store.models import EquivocationRecord, ExternalCitation, MissingDependency

    ids = [r.id for r in rows]
    waits: dict[str, list[str]] = {}
    for event, missing in MissingDependency.objects.filter(event__in=ids).values_list(
        "event", "missing"
    ):
        waits.setdefault(event, []).append(missing)
    for event, cited in ExternalCitation.objects.filter(event__in=ids).values_list(
        "event", "cited"
    ):
        waits.setdefault(event, []).append(cited)
    flagged = set(
        EquivocationRecord.objects.filter(space__in={r.space for r in rows}).values_list(
            "space", "author"
        )
    )
    if args.raw:
        for row in rows:
            sys.stdout.write(bytes(row.raw).decode("utf-8") + "\n")
        return 0
    if args.json:
        print_json(
            [
                {
                    "id": r.id,
                    "space": r.space,
                    "kind": r.kind,
                    "author": r.author,
                    "seq": r.seq,
                    "height": r.height,
                    "status": r.status,
                    "reason": r.reason,
                    "waits_for": sorted(waits.get(r.id, [])),
                    "author_equivocated": (r.space, r.author) in flagged,
                    "at": r.at,
                }
                for r in rows
            ]
        )
    else:
        with speaking():
            for r in rows:
                flag = " [equivocated]" if (r.space, r.author) in flagged else ""
                print(
                    f"{r.at}  {r.status:10} {r.kind:20} {r.id}  by {r.author[:8]}…{flag} #{r.seq}"
                )
                if r.reason:
                    print(f"    {reason_text(r.reason)}")
                if r.id in waits:
                    print(f"    waits for {', '.join(sorted(waits[r.id]))}")
    return 0


def _rebuild(args: argparse.Namespace) -> int:
    ready(args)
    from veche.apps.store.log import rebuild, state_digest

    before = state_digest()
    count = rebuild()
    after = state_digest()
    if args.json:
        print_json({"events": count, "digest_before": before, "digest_after": after})
    else:
        print(f"rebuilt projections from {count} events; digest {after}")
        if before != after:
            print("note: the state changed: it had drifted from the events", file=sys.stderr)
    return 0


def _import(args: argparse.Namespace) -> int:
    ready(args)
    with speaking():
        return _import_file(args)


def _import_file(args: argparse.Namespace) -> int:
    from veche.apps.store.log import reason_text
    from veche.apps.sync.gate import Source, admit

    handle = sys.stdin.buffer if str(args.file) == "-" else None
    try:
        data = handle.read() if handle else args.file.read_bytes()
    except OSError as error:
        raise CliError(f"cannot read {args.file}: {error}") from error
    lines = [line for line in data.split(b"\n") if line.strip()]
    # The operator at the command line: the committees this node holds and those
    # named with --space (docs/sync.md, "What a node accepts").
    taken = admit(lines, Source.operator(f"file:{args.file}", spaces=args.space))
    if args.json:
        print_json(
            {
                "summary": taken.summary(),
                "refused": taken.refusal_as_dict(),
                "outcomes": [
                    {
                        "line": i + 1,
                        "event": getattr(o, "event_id", None),
                        "status": str(o.status),
                        "reason": o.reason,
                    }
                    for i, o in enumerate(taken.inputs)
                ],
            }
        )
    else:
        for i, outcome in enumerate(taken.inputs):
            if outcome.status == "invalid":
                print(f"line {i + 1}: {outcome.status}: {outcome.reason}", file=sys.stderr)
            elif outcome.status in ("rejected", "held", "unverified"):
                print(
                    f"line {i + 1}: {outcome.status}: {reason_text(outcome.reason)}",
                    file=sys.stderr,
                )
            elif outcome.status == "pending":
                waiting = ", ".join(getattr(outcome, "waiting_for", ()))
                print(f"line {i + 1}: pending: waits for {waiting}", file=sys.stderr)
        print(", ".join(f"{n} {status}" for status, n in taken.summary().items()))
        for line in taken.refusal_lines():
            print(line, file=sys.stderr)
    return 1 if taken.report.count("invalid") or taken.refused_count else 0


def _digest(args: argparse.Namespace) -> int:
    ready(args)
    from veche.apps.store.log import state_digest

    value = state_digest(args.space)
    if args.json:
        print_json({"digest": value, "space": args.space})
    else:
        print(value)
    return 0
