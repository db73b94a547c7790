"""``veche plan ...``: participatory budgets and needs surveys (docs/formats/planning-v1.md).

``plan budget open|propose|vote|close|payouts|show`` and ``plan survey open|publish|show``.
A needs survey is a committee election whose trustees decrypt only each item's total
(election-v1 ``totals``): ``plan survey open`` creates it, members answer and trustees
decrypt as in any election (``veche election``, ``veche trustee``); ``plan survey
publish`` sends its totals to the council.
"""

from __future__ import annotations

import argparse
from datetime import UTC, datetime, timedelta
from fractions import Fraction
from pathlib import Path
from typing import Any

from veche.cli.base import CliError, add_json_flag, print_json, ready
from veche.cli.keys import load_signer
from veche.cli.strike import signed


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    plan = commands.add_parser("plan", help="participatory budgets and needs surveys")
    kinds = plan.add_subparsers(dest="plan_kind", metavar="WHAT", required=True)
    budget = kinds.add_parser("budget", help="a participatory budget")
    sub = budget.add_subparsers(dest="budget_command", metavar="ACTION", required=True)

    def writer(name: str, help_text: str) -> argparse.ArgumentParser:
        parser = sub.add_parser(name, help=help_text)
        parser.add_argument("--space", required=True, help="the committee or council")
        parser.add_argument("--key", required=True, type=Path, help="your key file")
        add_json_flag(parser)
        return parser

    opened = writer("open", "open a budget: its amount, windows and rule")
    opened.add_argument("--title", required=True)
    opened.add_argument("--amount", required=True, help="in major units, like 1500 or 1500.50")
    opened.add_argument("--currency", default="BYN", choices=("BYN", "EUR", "USD"))
    opened.add_argument("--rule", default="mes", choices=("mes", "greedy"))
    opened.add_argument(
        "--ballot",
        default="approval",
        choices=("approval", "points"),
        help="approval (tick projects) or points (share out --points between projects)",
    )
    opened.add_argument(
        "--points", type=int, default=None, help="with --ballot points: each voter's points, 1-100"
    )
    opened.add_argument("--from-fund", action="store_true", help="paid from the fund")
    opened.add_argument("--proposal-hours", type=int, default=72)
    opened.add_argument("--voting-hours", type=int, default=72)
    opened.set_defaults(handler=_open)

    propose = writer("propose", "propose a project with its cost")
    propose.add_argument("budget", help="the budget's id")
    propose.add_argument("--name", required=True)
    propose.add_argument("--cost", required=True, help="in major units")
    propose.add_argument("--description", default="")
    propose.set_defaults(handler=_propose)

    vote = writer(
        "vote", "approve projects, or give them points (a later vote replaces an earlier)"
    )
    vote.add_argument("budget")
    vote.add_argument("--approve", action="append", default=[], help="a project id (repeat)")
    vote.add_argument(
        "--points",
        action="append",
        default=[],
        metavar="PROJECT=N",
        help="on a points budget: N points to a project (repeat)",
    )
    vote.set_defaults(handler=_vote)

    close = writer("close", "count the result and sign it (after voting closes)")
    close.add_argument("budget")
    close.set_defaults(handler=_close)

    payouts = writer("payouts", "a treasurer proposes the winners' payouts from the fund")
    payouts.add_argument("budget")
    payouts.set_defaults(handler=_payouts)

    show = sub.add_parser("show", help="a budget: projects, result and why")
    show.add_argument("budget")
    add_json_flag(show)
    show.set_defaults(handler=_show)

    survey = kinds.add_parser("survey", help="a needs survey (a committee election)")
    ssub = survey.add_subparsers(dest="survey_command", metavar="ACTION", required=True)
    sopen = ssub.add_parser("open", help="open a needs survey (totals only are decrypted)")
    sopen.add_argument("--committee", required=True, help="the committee's space id")
    sopen.add_argument(
        "--motion", required=True, help="the passed election motion that calls it (you closed it)"
    )
    sopen.add_argument("--key", required=True, type=Path, help="your key file")
    sopen.add_argument("--title", required=True)
    sopen.add_argument(
        "--item",
        action="append",
        required=True,
        metavar="TEXT:UNIT:MAX",
        help="an item, its unit and the most one member may answer (1-200), e.g. "
        "'Food parcels per week:parcels:10' or 'Money:units of 10 BYN:50' (repeat)",
    )
    sopen.add_argument(
        "--trustee",
        action="append",
        required=True,
        metavar="KEY:BOX",
        help="a trustee's public keys as printed by 'veche trustee keygen' (repeat)",
    )
    sopen.add_argument("--threshold", type=int, required=True, help="trustees needed to decrypt")
    add_json_flag(sopen)
    sopen.set_defaults(handler=_open_survey)
    publish = ssub.add_parser("publish", help="publish a survey's totals to the council")
    publish.add_argument("election", help="the survey's election id")
    publish.add_argument("--council", required=True)
    publish.add_argument("--key", required=True, type=Path)
    add_json_flag(publish)
    publish.set_defaults(handler=_publish)
    needs = ssub.add_parser("show", help="a council's needs: its committees' totals")
    needs.add_argument("--space", required=True)
    add_json_flag(needs)
    needs.set_defaults(handler=_needs)


def _amount(text: str, flag: str) -> int:
    from veche.solidarity.ledger import LedgerError, parse_amount

    try:
        return parse_amount(text)
    except LedgerError as error:
        raise CliError(f"{flag}: {error.message}") from error


def _done(args: argparse.Namespace, event: Any, text: str) -> int:
    if args.json:
        print_json({"event": event.id, "kind": event.kind, "body": event.body})
    else:
        print(f"{text} ({event.id})")
    return 0


def _open(args: argparse.Namespace) -> int:
    ready(args)
    from veche.apps.planning import actions

    identity, amount = load_signer(args.key), _amount(args.amount, "--amount")
    if (args.ballot == "points") != (args.points is not None):
        raise CliError("--points N (1-100) goes with --ballot points, and only with it")
    now = datetime.now(UTC).replace(microsecond=0)
    proposals = now + timedelta(hours=args.proposal_hours)
    event = signed(
        lambda: actions.open_budget(
            identity,
            args.space,
            title=args.title,
            amount=amount,
            currency=args.currency,
            rule=args.rule,
            ballot=args.ballot,
            points=args.points,
            from_fund=args.from_fund,
            proposals_close=proposals,
            votes_close=proposals + timedelta(hours=args.voting_hours),
        )
    )
    return _done(args, event, "budget opened")


def _propose(args: argparse.Namespace) -> int:
    ready(args)
    from veche.apps.planning import actions

    identity, cost = load_signer(args.key), _amount(args.cost, "--cost")
    event = signed(
        lambda: actions.propose_project(
            identity,
            args.space,
            args.budget,
            name=args.name,
            cost=cost,
            description=args.description,
        )
    )
    return _done(args, event, "project proposed")


def _vote(args: argparse.Namespace) -> int:
    ready(args)
    from veche.apps.planning import actions

    identity = load_signer(args.key)
    if args.points and args.approve:
        raise CliError("give either --approve (approval budget) or --points (points budget)")
    if args.points:
        points = _points(args.points)
        event = signed(lambda: actions.vote(identity, args.space, args.budget, points=points))
    else:
        event = signed(lambda: actions.vote(identity, args.space, args.budget, list(args.approve)))
    return _done(args, event, "vote recorded")


def _points(given: list[str]) -> dict[str, int]:
    """``PROJECT=N`` flags as {project: N}; the rule checks the projects and the sum."""
    points: dict[str, int] = {}
    for text in given:
        project, sep, number = text.partition("=")
        if not sep or not project or not number.strip().isdigit():
            raise CliError(f"--points {text}: write PROJECT=N, N a whole number")
        if project in points:
            raise CliError(f"--points: project {project} given twice")
        points[project] = int(number)
    return points


def _close(args: argparse.Namespace) -> int:
    ready(args)
    from veche.apps.planning import actions

    identity = load_signer(args.key)
    event = signed(lambda: actions.close(identity, args.space, args.budget))
    return _done(args, event, f"budget decided: {len(event.body['winners'])} winning projects")


def _payouts(args: argparse.Namespace) -> int:
    ready(args)
    from veche.apps.planning import actions

    identity = load_signer(args.key)
    events = signed(lambda: actions.propose_payouts(identity, args.space, args.budget))
    if args.json:
        print_json({"payouts": [e.id for e in events]})
    else:
        print(f"{len(events)} payouts proposed; each needs the treasurers' approvals")
    return 0


def _show(args: argparse.Namespace) -> int:
    ready(args)
    from veche.apps.planning.models import Budget, Project

    row = Budget.objects.filter(event=args.budget).first()
    if row is None:
        raise CliError("no such budget on this node")
    projects = Project.objects.filter(budget=row.event).order_by("event")
    outcomes = {o["project"]: o for o in row.outcomes}
    data = {
        "budget": row.event,
        "title": row.title,
        "amount": row.amount,
        "currency": row.currency,
        "rule": row.rule,
        "ballot": row.ballot,
        "points": row.points if row.ballot == "points" else None,
        "status": row.status,
        "winners": row.winners,
        "spent": row.spent,
        "voters": row.voters,
        "projects": [
            {"id": p.event, "name": p.name, "cost": p.cost, "outcome": outcomes.get(p.event)}
            for p in projects
        ],
    }
    if args.json:
        print_json(data)
    else:
        ballot = f"points ({row.points} each)" if row.ballot == "points" else "approval"
        print(
            f"{row.title}: {row.amount / 100:.2f} {row.currency}, {row.rule}, {ballot}, "
            f"{row.status}"
        )
        unit = "points" if row.ballot == "points" else "votes"
        for p in data["projects"]:
            outcome = p["outcome"]
            won = outcome["reason"] if outcome else "-"
            votes = f"  {Fraction(outcome['votes'])} {unit}" if outcome else ""
            print(f"  {p['id']}  {p['cost'] / 100:.2f}  {won}{votes}  {p['name']}")
    return 0


def survey_items(texts: list[str]) -> list[tuple[str, int]]:
    """``TEXT:UNIT:MAX`` items as (question text "TEXT (UNIT)", MAX)."""
    items = []
    for text in texts:
        parts = text.rsplit(":", 2)
        if len(parts) != 3 or not parts[0].strip() or not parts[2].strip().isdigit():
            raise CliError(f"--item {text!r}: give TEXT:UNIT:MAX, e.g. 'Food parcels:parcels:10'")
        name, unit, most = parts[0].strip(), parts[1].strip(), int(parts[2])
        if not 1 <= most <= 200:
            raise CliError(f"--item {text!r}: MAX is 1 to 200")
        items.append((f"{name} ({unit})" if unit else name, most))
    return items


def _open_survey(args: argparse.Namespace) -> int:
    ready(args)
    from veche.apps.planning import actions

    items = survey_items(args.item)
    trustees = []
    for text in args.trustee:
        key, sep, box = text.partition(":")
        if not sep:
            raise CliError(f"--trustee {text!r}: give KEY:BOX as 'veche trustee keygen' prints")
        trustees.append((key, box))
    identity = load_signer(args.key)
    event = signed(  # ElectionActionError is a RuleViolation: one clear line
        lambda: actions.open_survey(
            identity,
            args.committee,
            motion=args.motion,
            title=args.title,
            items=items,
            trustees=trustees,
            threshold=args.threshold,
        )
    )
    if args.json:
        print_json({"election": event.id, "items": [t for t, _ in items]})
    else:
        print(event.id)
    return 0


def _publish(args: argparse.Namespace) -> int:
    ready(args)
    from veche.apps.planning import actions

    identity = load_signer(args.key)
    event = signed(lambda: actions.publish_survey(identity, args.council, args.election))
    return _done(args, event, "survey totals published to the council")


def _needs(args: argparse.Namespace) -> int:
    ready(args)
    from veche.apps.planning.models import SurveySummary

    rows = SurveySummary.objects.filter(space=args.space).order_by("event")
    totals: dict[str, int] = {}
    for row in rows:
        for item in row.items:
            totals[item["text"]] = totals.get(item["text"], 0) + int(item["total"])
    if args.json:
        print_json(
            {
                "summaries": [
                    {"event": r.event, "committee": r.committee, "items": r.items} for r in rows
                ],
                "totals": totals,
            }
        )
    else:
        for text, total in sorted(totals.items()):
            print(f"{total:>8}  {text}")
    return 0
