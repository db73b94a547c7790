"""``veche space drop``: a node lets go of a space it no longer needs."""

from __future__ import annotations

import argparse
import sys

from veche.cli.base import CliError, add_json_flag, print_json, ready


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    space = commands.add_parser("space", help="spaces this node holds")
    sub = space.add_subparsers(dest="space_command", metavar="ACTION", required=True)
    drop = sub.add_parser(
        "drop",
        help="remove a space's events and pages from this node; sync no longer brings it",
    )
    drop.add_argument("space", help="the space's id (its space.create event)")
    drop.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    add_json_flag(drop)
    drop.set_defaults(handler=_drop)


def _drop(args: argparse.Namespace) -> int:
    ready(args)
    from veche.apps.store.models import StoredEvent
    from veche.apps.store.retention import drop_space

    held = StoredEvent.objects.filter(space=args.space).count()
    if not held:
        raise CliError(f"this node holds no space {args.space}")
    if not args.yes:
        if not sys.stdin.isatty():
            raise CliError("dropping a space cannot be undone: confirm with --yes")
        answer = input(f"Drop space {args.space} and its {held} events from this node? [y/N] ")
        if answer.strip().lower() not in ("y", "yes"):
            print("nothing dropped")
            return 1
    removed = drop_space(args.space)
    if args.json:
        print_json({"space": args.space, "dropped": removed})
    else:
        print(f"dropped {args.space}: {removed} rows; its events will be refused from now on")
    return 0
