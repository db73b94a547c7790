"""``veche publish -o DIR`` and ``veche publish verify DIR``: the signed static mirror.

``publish`` reads the node's applied events, keeps what the committees made public
(docs/formats/mirror-v1.md §2) and writes the mirror, rewriting only changed files.
``verify`` needs no database: it re-derives every page from the folder's signed events
and exits 0 when all follow, 1 naming each page that does not, 2 when it cannot read.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from veche.cli.base import CliError, add_json_flag, print_json, ready


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    publish = commands.add_parser(
        "publish",
        help="write the signed static mirror of what the committees published (or: verify)",
    )
    publish.add_argument("-o", "--output", type=Path, help="the mirror's folder")
    add_json_flag(publish)
    publish.set_defaults(handler=_publish)
    actions = publish.add_subparsers(dest="publish_command", metavar="verify")
    verify = actions.add_parser("verify", help="check a mirror folder, with no database")
    verify.add_argument("folder", type=Path)
    verify.add_argument(
        "--committee",
        action="append",
        metavar="SPACE",
        help="a committee's space id you know from a trusted source (repeatable): any "
        "other committee in the folder is a problem, since anyone can found a committee "
        "of any name",
    )
    add_json_flag(verify)
    verify.set_defaults(handler=_verify)


def public_event_bytes() -> list[bytes]:
    """The canonical bytes of the applied events a mirror carries (mirror-v1 §2)."""
    from veche.apps.store.models import StoredEvent
    from veche.events import parse_event
    from veche.publish.facts import (
        FUND_KINDS,
        MEMBERSHIP_KINDS,
        MOTION_EVENT_KINDS,
        STRIKE_KINDS,
        select_public,
    )

    kinds = (*MEMBERSHIP_KINDS, *MOTION_EVENT_KINDS, *STRIKE_KINDS, *FUND_KINDS)
    rows = StoredEvent.objects.filter(status="applied", kind__in=kinds, redacted=False)
    events = [parse_event(bytes(raw), verify=False) for raw in rows.values_list("raw", flat=True)]
    creators: dict[str, set[str]] = {}
    for election in published_elections():
        creators.setdefault(election.committee, set()).add(election.creator)
    return [event.raw for event in select_public(events, creators)]


def published_elections() -> list[Any]:
    """Decided elections called by a committee that published their board and result
    (``public_board``, the election page's own rule for readers outside the committee)."""
    from veche.apps.elections.models import Election

    return list(
        Election.objects.filter(public_board=True, stage="decided", call_checked=True)
        .exclude(committee="")
        .order_by("space")
    )


def public_documents(events: list[bytes]) -> dict[str, bytes]:
    """The published fund reports among ``events``, as ``veche fund report`` writes them,
    the published elections' records and the published audits' bundles (mirror-v1 §3):
    path in the mirror -> bytes."""
    from veche.apps.elections.actions import export_record
    from veche.apps.fund.models import Report
    from veche.apps.fund.reports import document_of
    from veche.events.envelope import event_id
    from veche.publish.facts import election_record_file, fund_report_files
    from veche.solidarity.report import document_bytes, render_html

    ids = {event_id(data) for data in events}
    documents: dict[str, bytes] = {}
    for election in published_elections():
        documents[election_record_file(election.space)] = export_record(election.space)
    for report in Report.objects.order_by("event"):
        if report.event not in ids:
            continue
        document = document_of(report)
        json_path, html_path = fund_report_files(report.event)
        documents[json_path] = document_bytes(document)
        documents[html_path] = render_html(document).encode("utf-8")
    # Audits published by a passed general motion naming the bundle's digest: the node's
    # finished run with that digest (audit-bundle-v1), inputs, params.json and report.json.
    from veche.apps.audit.publication import bundles_named
    from veche.events import parse_event
    from veche.publish.facts import audit_digest_of

    digests = {
        digest
        for data in events
        if (digest := audit_digest_of(parse_event(data, verify=False))) is not None
    }
    for digest, files in bundles_named(digests).items():
        for name, body in files.items():
            documents[f"audit/{digest}/{name}"] = body
    return documents


def _publish(args: argparse.Namespace) -> int:
    if args.output is None:
        raise CliError("name the mirror's folder: veche publish -o DIR")
    ready(args)
    from veche.publish.mirror import write_mirror

    events = public_event_bytes()
    report = write_mirror(args.output, events, public_documents(events))
    if args.json:
        print_json(
            {
                "written": report.written,
                "unchanged": report.unchanged,
                "removed": report.removed,
            }
        )
    else:
        print(
            f"{args.output}: {len(report.written)} files written, {report.unchanged} unchanged, "
            f"{len(report.removed)} removed"
        )
    return 0


def _verify(args: argparse.Namespace) -> int:
    from veche.publish.mirror import folder_committees, verify_mirror

    try:
        problems = verify_mirror(args.folder, args.committee)
        committees = folder_committees(args.folder)
    except OSError as error:
        raise CliError(f"cannot read the mirror: {error}") from error
    if args.json:
        print_json(
            {
                "ok": not problems,
                "problems": [vars(p) for p in problems],
                "committees": [{"name": n, "space": s} for n, s in committees],
            }
        )
        return 1 if problems else 0
    # A name proves nothing: the reader compares these ids with ones they trust.
    for name, space in committees:
        print(f"committee {name}: {space}")
    if problems:
        for problem in problems:
            print(problem, file=sys.stderr)
        print(f"{args.folder}: {len(problems)} problems: NOT verified", file=sys.stderr)
    else:
        print(f"{args.folder}: every page follows from its signed events: verified")
    return 1 if problems else 0
