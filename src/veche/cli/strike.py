"""``veche workplace ...`` and ``veche strike ...``: the registry, status, totals, map.

Writes sign with a key file (``--key``, passphrase from $VECHE_PASSPHRASE or
the terminal) and go through the same rules as the web. Reads show what this
node holds; ``--public`` shows only what the public sees (published status).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from veche.cli.base import LANGUAGES, CliError, add_json_flag, print_json, ready
from veche.cli.keys import load_signer


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    workplace = commands.add_parser("workplace", help="the registry of workplaces")
    wsub = workplace.add_subparsers(dest="workplace_command", metavar="ACTION", required=True)
    add = wsub.add_parser("add", help="register a workplace with its strike committee")
    add.add_argument("--space", required=True, help="the strike committee's space id")
    add.add_argument("--key", required=True, type=Path, help="a member's key file")
    add.add_argument("--name", required=True)
    add.add_argument("--city", required=True)
    add.add_argument("--region", required=True, help="minsk-city, brest, vitebsk, gomel, ...")
    add.add_argument("--sector", required=True)
    add.add_argument("--workforce", required=True, type=int)
    add_json_flag(add)
    add.set_defaults(handler=_add)
    update = wsub.add_parser("update", help="correct a workplace's details")
    update.add_argument("workplace", help="the workplace id")
    update.add_argument("--key", required=True, type=Path)
    for name in ("name", "city", "region", "sector"):
        update.add_argument(f"--{name}")
    update.add_argument("--workforce", type=int)
    add_json_flag(update)
    update.set_defaults(handler=_update)
    listing = wsub.add_parser("list", help="list registered workplaces")
    listing.add_argument("--space", help="only this committee's")
    add_json_flag(listing)
    listing.set_defaults(handler=_list_workplaces)

    strike = commands.add_parser("strike", help="strike status, totals, map and chart")
    ssub = strike.add_subparsers(dest="strike_command", metavar="ACTION", required=True)
    status = ssub.add_parser("status", help="every workplace's latest status (or: status set)")
    status.add_argument("--public", action="store_true", help="published status only")
    add_json_flag(status)
    status.set_defaults(handler=_status_list)
    status_sub = status.add_subparsers(dest="status_command", metavar="set")
    put = status_sub.add_parser("set", help="record a workplace's status from a day on")
    put.add_argument("workplace", help="the workplace id")
    put.add_argument("--key", required=True, type=Path, help="a committee member's key file")
    put.add_argument("--status", required=True, help="working, warning_strike, go_slow, ...")
    put.add_argument("--day", required=True, help="the day it took effect, like 2020-08-11")
    share = put.add_mutually_exclusive_group()
    share.add_argument("--per-mille", type=int, default=None, help="share of workers out, 0-1000")
    share.add_argument("--percent", type=int, default=None, help="share of workers out, 0-100")
    put.add_argument("--note", default="")
    put.add_argument("--publish", action="store_true", help="let the public see this status")
    add_json_flag(put)
    put.set_defaults(handler=_status_set)
    timeline = ssub.add_parser("timeline", help="one workplace's status changes")
    timeline.add_argument("workplace")
    timeline.add_argument("--public", action="store_true")
    add_json_flag(timeline)
    timeline.set_defaults(handler=_timeline)
    totals = ssub.add_parser("totals", help="plants and workers out by day, region and sector")
    totals.add_argument("--until", help="last day (default: the latest change)")
    totals.add_argument("--stale-days", type=int, default=7)
    totals.add_argument("--public", action="store_true")
    add_json_flag(totals)
    totals.set_defaults(handler=_totals)
    drawing = ssub.add_parser("map", help="write the strike map (SVG)")
    drawing.add_argument("-o", "--output", required=True, type=Path)
    drawing.add_argument("--public", action="store_true")
    drawing.add_argument(
        "--language", "--lang", choices=LANGUAGES, default="en", help="the map's language"
    )
    drawing.set_defaults(handler=_map)
    chart = ssub.add_parser("chart", help="write the chart of strikers over time (SVG)")
    chart.add_argument("-o", "--output", required=True, type=Path)
    chart.add_argument("--public", action="store_true")
    chart.add_argument(
        "--language", "--lang", choices=LANGUAGES, default="en", help="the chart's language"
    )
    chart.set_defaults(handler=_chart)
    ballot = ssub.add_parser("ballot", help="secret strike ballots: open, show, result")
    bsub = ballot.add_subparsers(dest="ballot_command", metavar="ACTION", required=True)
    bopen = bsub.add_parser(
        "open", help="open a secret yes/no strike ballot (the committee's election, preset)"
    )
    bopen.add_argument("workplace", help="the workplace id")
    bopen.add_argument("--key", required=True, type=Path, help="your key file")
    bopen.add_argument(
        "--motion", required=True, help="the committee's passed election motion you closed"
    )
    bopen.add_argument("--day", required=True, help="strike from this day, like 2020-08-17")
    bopen.add_argument("--quorum", type=int, default=0, help="votes cast needed (default none)")
    bopen.add_argument(
        "--trustee", action="append", required=True, metavar="KEY:BOX", help="(repeat)"
    )
    bopen.add_argument("--threshold", type=int, required=True, help="trustees needed")
    add_json_flag(bopen)
    bopen.set_defaults(handler=_ballot_open)
    bshow = bsub.add_parser("show", help="a workplace's strike ballots and their outcomes")
    bshow.add_argument("workplace", help="the workplace id")
    add_json_flag(bshow)
    bshow.set_defaults(handler=_ballot_show)
    bresult = bsub.add_parser(
        "result", help="apply a ballot's verified yes: the workplace strikes from its day"
    )
    bresult.add_argument("election", help="the ballot's election id")
    bresult.add_argument("--key", required=True, type=Path, help="a committee member's key file")
    add_json_flag(bresult)
    bresult.set_defaults(handler=_ballot_result)


def signed(call: Any) -> Any:
    """Run an action; a refusal becomes one clear line for the user."""
    from veche.events import RuleViolation

    try:
        return call()
    except RuleViolation as error:
        raise CliError(f"refused: {error}") from error


def _workplace_dict(w: Any, public: bool = False) -> dict[str, Any]:
    from veche.solidarity.geography import REGION_NAMES

    status = w.public_status if public else w.status
    return {
        "id": w.workplace,
        "committee": w.space,
        "name": w.name,
        "city": w.city,
        "region": w.region,
        "region_name": REGION_NAMES.get(w.region, w.region),
        "sector": w.sector,
        "workforce": w.workforce,
        "status": status or None,
        "since": (w.public_day if public else w.status_day) or None,
        "out_per_mille": w.public_out_per_mille if public else w.out_per_mille,
    }


def _add(args: argparse.Namespace) -> int:
    ready(args)
    from veche.apps.strike import actions

    identity = load_signer(args.key)
    event = signed(
        lambda: actions.register_workplace(
            identity,
            args.space,
            name=args.name,
            city=args.city,
            region=args.region,
            sector=args.sector,
            workforce=args.workforce,
        )
    )
    if args.json:
        print_json({"workplace": event.id, "space": args.space})
    else:
        print(event.id)
    return 0


def _find(workplace: str) -> Any:
    from veche.apps.strike.models import Workplace

    row = Workplace.objects.filter(workplace=workplace).first()
    if row is None:
        raise CliError(f"no workplace {workplace} on this node (see: veche workplace list)")
    return row


def _update(args: argparse.Namespace) -> int:
    ready(args)
    from veche.apps.strike import actions

    row = _find(args.workplace)
    identity = load_signer(args.key)
    changes = {k: getattr(args, k) for k in ("name", "city", "region", "sector", "workforce")}
    event = signed(lambda: actions.update_workplace(identity, row.space, row.workplace, **changes))
    print_json({"event": event.id}) if args.json else print(event.id)
    return 0


def _list_workplaces(args: argparse.Namespace) -> int:
    ready(args)
    from veche.apps.strike.models import Workplace

    rows = Workplace.objects.order_by("region", "name")
    if args.space:
        rows = rows.filter(space=args.space)
    items = [_workplace_dict(w) for w in rows]
    if args.json:
        print_json(items)
    else:
        for item in items:
            print(f"{item['id']}  {item['name']} ({item['city']}, {item['workforce']} workers)")
    return 0


def _status_list(args: argparse.Namespace) -> int:
    ready(args)
    from veche.apps.strike.models import Workplace
    from veche.solidarity.strike import STATUS_LABELS

    rows = Workplace.objects.order_by("region", "name")
    items = [_workplace_dict(w, args.public) for w in rows]
    if args.public:
        items = [i for i in items if i["status"]]
    if args.json:
        print_json(items)
    else:
        for i in items:
            label = STATUS_LABELS.get(i["status"] or "", "no status yet")
            share = f", {i['out_per_mille'] / 10:g}% out" if i["out_per_mille"] else ""
            since = f" since {i['since']}" if i["since"] else ""
            print(f"{i['name']:45} {i['region_name']:16} {label}{since}{share}")
    return 0


def _status_set(args: argparse.Namespace) -> int:
    ready(args)
    from veche.apps.strike import actions

    row = _find(args.workplace)
    if args.percent is not None:
        if not 0 <= args.percent <= 100:
            raise CliError("--percent must be from 0 to 100")
        share = args.percent * 10
    else:
        share = args.per_mille if args.per_mille is not None else 0
    identity = load_signer(args.key)
    event = signed(
        lambda: actions.record_status(
            identity,
            row.space,
            row.workplace,
            day=args.day,
            status=args.status,
            out_per_mille=share,
            note=args.note,
            published=args.publish,
        )
    )
    if args.json:
        print_json({"event": event.id, "workplace": row.workplace, "status": args.status})
    else:
        print(f"recorded {args.status} from {args.day} at {row.name} ({event.id})")
    return 0


def _timeline(args: argparse.Namespace) -> int:
    ready(args)
    from veche.apps.strike.access import timeline

    row = _find(args.workplace)
    items: list[dict[str, Any]] = [
        {
            "day": c.day,
            "status": c.status,
            "out_per_mille": c.out_per_mille,
            "note": c.note,
            "published": c.published,
            "event": c.event,
        }
        for c in timeline(row, full=not args.public)
    ]
    if args.json:
        print_json({"workplace": _workplace_dict(row, args.public), "timeline": items})
    else:
        print(row.name)
        for i in items:
            print(f"  {i['day']}  {i['status']:15} {i['out_per_mille'] / 10:5g}%  {i['note']}")
    return 0


def _totals_of(args: argparse.Namespace) -> Any:
    from veche.apps.strike.access import pending_spaces, totals
    from veche.solidarity.strike import StrikeError, parse_day

    until = None
    if getattr(args, "until", None):
        try:
            until = parse_day(args.until, "--until")
        except StrikeError as error:
            raise CliError(str(error)) from error
    result = totals(
        published_only=args.public, until=until, stale_days=getattr(args, "stale_days", 7)
    )
    return result, pending_spaces()


def _totals(args: argparse.Namespace) -> int:
    ready(args)
    result, pending = _totals_of(args)
    document = result.as_dict()
    document["not_held"]["spaces_waiting_for_events"] = pending
    if args.json:
        print_json(document)
        return 0
    for day in result.days:
        print(f"{day.day}  {day.plants_out:5} workplaces out  {day.workers_out:8} workers out")
    if result.today:
        for region, (plants, workers) in sorted(result.today.by_region.items()):
            print(f"  {region:12} {plants:4} workplaces {workers:8} workers")
    print(
        f"not held: {len(result.stale)} workplaces with no report in {result.stale_days} days, "
        f"{len(result.never_reported)} never reported, "
        f"{len(result.committees_without_workplaces)} committees without a workplace, "
        f"{len(pending)} spaces waiting for events",
        file=sys.stderr,
    )
    return 0


def _map(args: argparse.Namespace) -> int:
    ready(args)
    from django.utils import translation

    from veche.apps.strike.access import markers
    from veche.apps.strike.labels import strike_map_svg

    found = markers(None) if args.public else _all_markers()
    with translation.override(args.language):
        drawn = strike_map_svg(found)
    args.output.write_text(drawn, encoding="utf-8")
    print(args.output)
    return 0


def _all_markers() -> list[Any]:
    from veche.apps.strike.models import Workplace
    from veche.solidarity.drawing import MapMarker
    from veche.solidarity.strike import OUT_STATUSES, workers_out

    return [
        MapMarker(
            w.workplace,
            w.name,
            w.city,
            w.region,
            w.status or "working",
            workers_out(w.workforce, w.out_per_mille) if w.status in OUT_STATUSES else 0,
        )
        for w in Workplace.objects.all()
    ]


def _chart(args: argparse.Namespace) -> int:
    ready(args)
    from django.utils import translation

    from veche.apps.strike.labels import strikers_chart_svg

    result, _ = _totals_of(args)
    with translation.override(args.language):
        drawn = strikers_chart_svg(result.days)
    args.output.write_text(drawn, encoding="utf-8")
    print(args.output)
    return 0


def _ballot_open(args: argparse.Namespace) -> int:
    ready(args)
    from veche.apps.strike import ballots

    row = _find(args.workplace)
    trustees = []
    for text in args.trustee:
        key, sep, box = text.partition(":")
        if not sep:
            raise CliError(f"--trustee {text!r}: give KEY:BOX as 'veche trustee keygen' prints")
        trustees.append((key, box))
    identity = load_signer(args.key)
    election, binding = signed(
        lambda: ballots.open_ballot(
            identity,
            row.space,
            motion=args.motion,
            workplace=row.workplace,
            day=args.day,
            title=f"Strike ballot: {row.name}",
            question=f"Strike from {_readable_day(args.day)}?",
            options=("Yes", "No"),
            trustees=trustees,
            threshold=args.threshold,
            quorum=args.quorum,
        )
    )
    if args.json:
        print_json({"election": election.id, "ballot": binding.id, "workplace": row.workplace})
    else:
        print(f"strike ballot {election.id} for {row.name} from {args.day}")
    return 0


def _ballot_dicts(workplace: str) -> list[dict[str, Any]]:
    from veche.apps.elections.models import Election
    from veche.apps.strike import ballots

    found = []
    for row in ballots.StrikeBallot.objects.filter(workplace=workplace).order_by("id"):
        election = Election.objects.filter(space=row.election).first()
        outcome = ballots.ballot_outcome(row, election)
        found.append(
            {
                "election": row.election,
                "ballot": row.event,
                "day": row.day,
                "quorum": row.quorum,
                "stage": election.stage if election else "",
                "yes": outcome.yes if outcome else None,
                "no": outcome.no if outcome else None,
                "cast": outcome.cast if outcome else None,
                "strike": outcome.strike if outcome else None,
                "applied": row.result_event or None,
            }
        )
    return found


def _ballot_show(args: argparse.Namespace) -> int:
    ready(args)
    row = _find(args.workplace)
    found = _ballot_dicts(row.workplace)
    if args.json:
        print_json({"workplace": row.workplace, "ballots": found})
        return 0
    for ballot in found:
        if ballot["yes"] is None:
            said = f"{ballot['stage']}, no result yet"
        else:
            said = f"{ballot['yes']} yes, {ballot['no']} no, {ballot['cast']} cast: " + (
                "applied" if ballot["applied"] else "yes wins" if ballot["strike"] else "no change"
            )
        print(f"{ballot['election']}  from {ballot['day']}  {said}")
    return 0


def _ballot_result(args: argparse.Namespace) -> int:
    ready(args)
    from veche.apps.strike import ballots

    row = ballots.StrikeBallot.objects.filter(election=args.election).first()
    if row is None:
        raise CliError(f"no strike ballot {args.election} on this node")
    identity = load_signer(args.key)
    event = signed(lambda: ballots.apply_ballot_result(identity, args.election))
    row.refresh_from_db()
    if args.json:
        print_json(
            {
                "election": args.election,
                "event": event.id if event else None,
                "applied": row.result_event or None,
            }
        )
    elif event is not None:
        print(f"applied: on strike from {row.day} ({event.id})")
    elif row.result_event:
        print(f"applied already ({row.result_event})")
    else:
        print("nothing to apply: no verified result yet, or no majority for striking")
    return 0


def _readable_day(day: str) -> str:
    """The question voters read says "17 August 2020", not "2020-08-17" (the signed
    ``day`` of the binding stays ISO; a bad day is refused by the rule, as given)."""
    from datetime import date

    try:
        parsed = date.fromisoformat(day)
    except ValueError:
        return day
    return f"{parsed.day} {parsed:%B %Y}"
