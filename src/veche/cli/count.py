"""``veche count``: count ballot files with Veche's counting rules, no database needed.

``veche count stv FILE.blt`` runs the Scottish STV count (SSI 2007/42) on a
BLT file and prints the winners in order of election and how each tie was
decided, so a published count of a real election can be checked against it.
``veche count budget FILE.pb`` counts a participatory budget in the Pabulib
format by greedy-by-votes or the Method of Equal Shares and says why each
project won or lost.
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
    budget = methods.add_parser(
        "budget",
        help="participatory budget from a Pabulib .pb file: Equal Shares or greedy by votes",
        description="Count a participatory budget in the Pabulib format (pabulib.org/format) "
        "and print the funded projects and why each project won or lost.",
    )
    budget.add_argument("file", metavar="FILE.pb", help="budget election in Pabulib format")
    budget.add_argument(
        "--rule",
        choices=("mes", "greedy"),
        default="mes",
        help="mes: Method of Equal Shares (cost utilities for approval ballots, points for "
        "cumulative ones), add1 and greedy completion (default); greedy: most votes first, "
        "skipping what no longer fits",
    )
    add_json_flag(budget)
    budget.set_defaults(handler=handle_budget)


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


RULE_NAMES = {
    "mes": "Method of Equal Shares (cost utilities, add1, greedy completion)",
    "greedy": "greedy by votes",
}
# Cumulative ballots: the points are the utilities (docs/counting.md).
POINTS_RULE_NAMES = {
    "mes": "Method of Equal Shares (points utilities, add1, greedy completion by points per cost)",
    "greedy": "greedy by points",
}


def _exact(value: Any) -> str:
    """A Fraction as an exact string: "12", "12.5" or "100/3"."""
    from fractions import Fraction

    assert isinstance(value, Fraction)
    if value.denominator == 1:
        return str(value.numerator)
    scaled = value * 10**6
    if scaled.denominator == 1:
        return f"{value.numerator / value.denominator:.6f}".rstrip("0")
    return f"{value.numerator}/{value.denominator}"


def handle_budget(args: argparse.Namespace) -> int:
    from veche.counting.budget import BudgetError, count_budget, explain
    from veche.counting.pabulib import PabulibError, read_pabulib

    try:
        parsed = read_pabulib(args.file)
    except FileNotFoundError as error:
        raise CliError(f"no such budget file: {args.file}") from error
    except IsADirectoryError as error:
        raise CliError(f"{args.file} is a folder, not a budget file") from error
    except PabulibError as error:
        raise CliError(f"{args.file}: {error}") from error
    election = parsed.election
    try:
        result = count_budget(election, args.rule)
    except BudgetError as error:
        raise CliError(f"{args.file}: {error}") from error
    projects = {p.id: p for p in election.projects}
    names = POINTS_RULE_NAMES if election.vote_type == "cumulative" else RULE_NAMES
    if args.json:
        print_json(
            {
                "method": names[args.rule],
                "rule": args.rule,
                "description": parsed.meta.get("description", ""),
                "vote_type": parsed.vote_type,
                "budget": _exact(result.budget),
                "spent": _exact(result.spent),
                "left": _exact(result.left),
                "voters": result.voters,
                "winners": list(result.winners),
                "completion": list(result.completion),
                "voter_budget": (
                    None if result.voter_budget is None else _exact(result.voter_budget)
                ),
                "increments": result.increments,
                "projects": [
                    {
                        "id": o.project,
                        "name": projects[o.project].name,
                        "cost": _exact(o.cost),
                        "votes": _exact(o.votes),
                        "won": o.won,
                        "order": o.order,
                        "reason": o.reason,
                        "explanation": explain(o),
                        "left": None if o.left is None else _exact(o.left),
                        "max_share": None if o.max_share is None else _exact(o.max_share),
                        "payments": [{"amount": _exact(a), "voters": n} for a, n in o.payments],
                        **(
                            {
                                "supporters": o.supporters,
                                "per_point": None if o.per_point is None else _exact(o.per_point),
                                "point_payments": [
                                    {"points": _exact(k), "amount": _exact(a), "voters": n}
                                    for k, a, n in o.point_payments
                                ],
                                "points_per_cost": (
                                    None if o.points_per_cost is None else _exact(o.points_per_cost)
                                ),
                            }
                            if election.vote_type == "cumulative"
                            else {}
                        ),
                    }
                    for o in result.outcomes
                ],
                "remaining": (
                    {v: _exact(r) for v, r in zip(parsed.voter_ids, result.remaining, strict=True)}
                    if result.remaining
                    else {}
                ),
            }
        )
        return 0
    description = parsed.meta.get("description", "")
    if description:
        print(description)
    print(
        f"{names[args.rule]}: budget {_exact(result.budget)}, {result.voters} voter(s), "
        f"{len(election.projects)} project(s)"
    )
    if result.voter_budget is not None:
        print(
            f"Each voter's share: {float(result.voter_budget):.2f} "
            f"(budget / voters + {result.increments} from add1)"
        )
    print("Funded, in order:")
    won = sorted((o for o in result.outcomes if o.won), key=lambda o: o.order or 0)
    for o in won:
        name = projects[o.project].name
        label = f"{o.project} {name}".strip()
        print(f"  {o.order}. {label}: {explain(o)}")
    if not won:
        print("  (none)")
    lost = [o for o in result.outcomes if not o.won]
    if lost:
        print("Not funded:")
        for o in lost:
            label = f"{o.project} {projects[o.project].name}".strip()
            print(f"  {label}: {explain(o)}")
    print(f"Spent {_exact(result.spent)} of {_exact(result.budget)}, {_exact(result.left)} left.")
    return 0
