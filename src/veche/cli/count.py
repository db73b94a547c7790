"""``veche count``: count ballot files with Veche's counting rules, no database needed.

``veche count stv FILE.blt`` runs the Scottish STV count (SSI 2007/42) on a
BLT file and prints the winners in order of election and how each tie was
decided, so a published count of a real election can be checked against it.
"""

from __future__ import annotations

import argparse
from typing import Any

from veche.cli.base import CliError, add_json_flag, print_json


def register(commands: Any) -> None:
    count = commands.add_parser("count", help="count ballot files (STV...) without a database")
    methods = count.add_subparsers(dest="method", metavar="METHOD", required=True)
    stv = methods.add_parser(
        "stv",
        help="single transferable vote, Scottish rules (SSI 2007/42), from a BLT file",
        description="Count a BLT ballot file by the Scottish STV rules and print the winners "
        "in order of election.",
    )
    stv.add_argument("file", metavar="FILE.blt", help="ballot file in BLT format")
    stv.add_argument(
        "--seed",
        help="seed for the lot that breaks ties the rules cannot otherwise break "
        "(default: the SHA-256 digest of the ballots)",
    )
    stv.add_argument(
        "--seats", type=int, help="override the number of seats given in the file's first line"
    )
    add_json_flag(stv)
    stv.set_defaults(handler=handle_stv)


def _stage_json(result: Any, stage: Any) -> dict[str, Any]:
    from veche.counting.stv import format_votes

    names = result.candidates
    return {
        "stage": stage.number,
        "action": stage.action,
        "candidate": None if stage.candidate is None else names[stage.candidate],
        "transfer_value": (
            None if stage.transfer_value is None else format_votes(stage.transfer_value)
        ),
        # A list in candidate order (see "candidates"): names need not be unique.
        "votes": [format_votes(v) for v in stage.votes],
        "non_transferable": format_votes(stage.non_transferable),
        "rounding_loss": format_votes(stage.rounding_loss),
        "quota": stage.quota,
        "elected": [names[c] for c in stage.elected],
        "elected_by_rule_52": [names[c] for c in stage.elected_by_rule_52],
    }


def handle_stv(args: argparse.Namespace) -> int:
    from veche.counting.blt import BltError, read_blt
    from veche.counting.stv import STVError, count_stv

    try:
        election = read_blt(args.file)
    except FileNotFoundError as error:
        raise CliError(f"no such ballot file: {args.file}") from error
    except IsADirectoryError as error:
        raise CliError(f"{args.file} is a folder, not a ballot file") from error
    except BltError as error:
        raise CliError(f"{args.file}: {error}") from error
    seats = args.seats if args.seats is not None else election.seats
    try:
        result = count_stv(election.ballots, seats, seed=args.seed)
    except STVError as error:
        raise CliError(str(error)) from error
    names = result.candidates
    tie_breaks = [
        {
            "stage": t.stage,
            "purpose": t.purpose,
            "tied": [names[c] for c in t.tied],
            "chosen": names[t.chosen],
            "rule": f"SSI 2007/42 Sch. 1 rule {t.rule}",
            "looked_back_to_stage": t.looked_back_to,
            "explanation": t.explanation,
        }
        for t in result.tie_breaks
    ]
    if args.json:
        print_json(
            {
                "method": "Scottish STV (SSI 2007/42, rules 45-52)",
                "title": election.title,
                "seats": seats,
                "candidates": list(names),
                "withdrawn": [names[c] for c in sorted(election.ballots.withdrawn)],
                "valid_votes": result.valid_votes,
                "invalid_papers": result.invalid_papers,
                "quota": result.quota,
                "winners": list(result.winners),
                "stages": [_stage_json(result, s) for s in result.stages],
                "tie_breaks": tie_breaks,
                "seed": result.seed,
            }
        )
        return 0
    if election.title:
        print(election.title)
    print(
        f"Scottish STV, {seats} seat(s), {result.valid_votes} valid votes, "
        f"quota {result.quota}, {len(result.stages)} stage(s)"
    )
    if result.invalid_papers:
        print(f"{result.invalid_papers} paper(s) had no first preference and were not counted")
    print("Elected, in order of election:")
    for place, name in enumerate(result.winners, start=1):
        print(f"  {place}. {name}")
    if len(result.winners) < seats:
        print(f"Only {len(result.winners)} candidate(s) stood for {seats} seat(s).")
    if tie_breaks:
        print("Ties:")
        for t in result.tie_breaks:
            print(f"  stage {t.stage} ({t.purpose}): {t.explanation}")
    else:
        print("No ties had to be broken.")
    return 0
