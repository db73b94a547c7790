"""``veche appeal ...``: the committees' appeals (issue 19 item 4), their printable
leaflets and QR codes.

``list`` shows the passed appeals (public by their kind's rule); ``leaflet`` and ``qr``
draw one appeal this node holds, its fixed lines in ``--language`` (the appeal's own
words stay as the committee wrote them; a leaflet of an appeal not yet passed says so).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from veche.cli.base import LANGUAGES, CliError, add_json_flag, print_json, ready


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    appeal = commands.add_parser("appeal", help="appeals: list, leaflet (PDF), QR code")
    sub = appeal.add_subparsers(dest="appeal_command", metavar="ACTION", required=True)
    listing = sub.add_parser("list", help="the passed appeals this node holds, newest first")
    listing.add_argument("--space", help="only this committee's")
    add_json_flag(listing)
    listing.set_defaults(handler=_list)
    leaflet = sub.add_parser("leaflet", help="write an appeal's printable leaflet (PDF)")
    leaflet.add_argument("--motion", required=True, help="the appeal motion's id")
    leaflet.add_argument("--size", choices=("a4", "a5"), default="a4")
    leaflet.add_argument(
        "--language", "--lang", choices=LANGUAGES, default="en", help="the fixed lines' language"
    )
    leaflet.add_argument("-o", "--output", required=True, type=Path, help="the PDF to write")
    leaflet.set_defaults(handler=_leaflet)
    qr = sub.add_parser("qr", help="write an appeal's QR code (.png or .svg)")
    qr.add_argument("--motion", required=True, help="the appeal motion's id")
    qr.add_argument("-o", "--output", required=True, type=Path, help="a .png or .svg file")
    qr.set_defaults(handler=_qr)


def _list(args: argparse.Namespace) -> int:
    ready(args)
    from dataclasses import asdict

    from veche.apps.committees.appeals import passed_appeals

    appeals = passed_appeals(args.space)
    if args.json:
        print_json([asdict(a) for a in appeals])
        return 0
    for a in appeals:
        print(f"{a.event}  {a.passed_at}  {a.audience:<11}  {a.committee}: {a.title}")
    if not appeals:
        print("no appeal passed yet")
    return 0


def _appeal(motion: str):  # type: ignore[no-untyped-def]
    from veche.apps.committees.appeals import appeal_of
    from veche.apps.committees.models import Committee, Motion

    row = Motion.objects.filter(event=motion, kind="appeal").first()
    if row is None:
        raise CliError(f"no appeal motion {motion} on this node")
    name = Committee.objects.filter(space=row.space).values_list("name", flat=True).first()
    return appeal_of(row, name or "")


def _leaflet(args: argparse.Namespace) -> int:
    ready(args)
    from django.utils import translation

    from veche.apps.committees.appeals import leaflet_pdf

    appeal = _appeal(args.motion)
    with translation.override(args.language):
        pdf = leaflet_pdf(appeal, args.size)
    args.output.write_bytes(pdf)
    print(args.output)
    return 0


def _qr(args: argparse.Namespace) -> int:
    ready(args)
    from veche.apps.committees.appeals import qr_image

    kind = args.output.suffix.lower().lstrip(".")
    if kind not in ("png", "svg"):
        raise CliError("the QR code's file ends in .png or .svg")
    args.output.write_bytes(qr_image(_appeal(args.motion), kind))
    print(args.output)
    return 0
