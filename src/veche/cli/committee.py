"""``veche committee list|show|create|invite|join`` and ``veche motion propose|vote|close|show``."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from veche.cli.base import CliError, add_json_flag, print_json, ready
from veche.cli.keys import load_signer


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    committee = commands.add_parser("committee", help="committees: list, show, create")
    sub = committee.add_subparsers(dest="committee_command", metavar="ACTION", required=True)
    listing = sub.add_parser("list", help="committees this node holds")
    add_json_flag(listing)
    listing.set_defaults(handler=_list)
    show = sub.add_parser("show", help="one committee: rules, members, motions, delegates")
    show.add_argument("space")
    add_json_flag(show)
    show.set_defaults(handler=_show)
    create = sub.add_parser("create", help="found a committee")
    _identity_args(create)
    create.add_argument("--name", required=True)
    create.add_argument(
        "--kind", choices=("workplace", "college", "neighbourhood", "council"), default="workplace"
    )
    create.add_argument(
        "--level", choices=("local", "city", "regional", "national"), default="local"
    )
    create.add_argument("--pseudonym", required=True)
    create.add_argument("--quorum", type=int, default=50, help="quorum, % of members")
    create.add_argument(
        "--majority", choices=("simple", "absolute", "two_thirds"), default="simple"
    )
    create.add_argument(
        "--admission", choices=("invitation", "vouching", "motion"), default="invitation"
    )
    create.add_argument("--vouches", type=int, default=2)
    create.add_argument("--ratification", action="store_true")
    add_json_flag(create)
    create.set_defaults(handler=_create)
    invite = sub.add_parser("invite", help="issue a one-time invitation code")
    _identity_args(invite)
    invite.add_argument("space")
    add_json_flag(invite)
    invite.set_defaults(handler=_invite)
    join = sub.add_parser("join", help="join a committee with an invitation code")
    who = join.add_mutually_exclusive_group(required=True)
    who.add_argument("--key", type=Path, help="a key file made by 'veche keys new'")
    who.add_argument("--account", help="the pseudonym of an account on this node")
    who.add_argument(
        "--new-account",
        action="store_true",
        help="make a new key and an account on this node named --pseudonym; "
        "the passphrase is asked twice (or read from $VECHE_PASSPHRASE)",
    )
    join.add_argument("space")
    join.add_argument("--code", required=True)
    join.add_argument("--pseudonym", required=True)
    add_json_flag(join)
    join.set_defaults(handler=_join)

    for name, help_text in (
        ("vouch", "vouch for a candidate (--member KEY)"),
        ("leave", "leave the committee"),
        ("add-device", "add a key for another device of yours (--member NEW_KEY)"),
        (
            "revoke-key",
            "revoke a lost or seized device key of yours (--member KEY) from an older key of "
            "yours; a lost main key takes a 'revocation' motion",
        ),
    ):
        action = sub.add_parser(name, help=help_text)
        _identity_args(action)
        action.add_argument("space")
        if name != "leave":
            action.add_argument("--member", required=True, help="the public key concerned")
        if name == "revoke-key":
            action.add_argument(
                "--after-seq",
                type=int,
                required=True,
                help="the last good event's sequence number; later ones are rejected",
            )
        add_json_flag(action)
        action.set_defaults(handler=_membership, membership_action=name)

    motion = commands.add_parser("motion", help="motions: propose, vote, close, show")
    msub = motion.add_subparsers(dest="motion_command", metavar="ACTION", required=True)
    propose = msub.add_parser("propose", help="propose a motion")
    _identity_args(propose)
    propose.add_argument("space")
    propose.add_argument("--kind", default="general")
    propose.add_argument("--title", required=True)
    propose.add_argument("--text", required=True)
    propose.add_argument(
        "--method", choices=("yes_no", "approval", "ranked", "stv"), default="yes_no"
    )
    propose.add_argument("--option", action="append", dest="options", help="repeat for each option")
    propose.add_argument("--seats", type=int)
    propose.add_argument("--deadline", help="UTC, like 2020-08-14T18:00:00Z")
    propose.add_argument(
        "--target",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="key=…, mandate=…, parent=…, child=…, join=…, motion=…, after_seq=N; "
        "an appeal: audience=police_army|workers|public, mirror=URL; a general motion "
        "publishing an audit: audit=DIGEST (what 'veche audit verify DIR' prints)",
    )
    add_json_flag(propose)
    propose.set_defaults(handler=_propose)
    vote = msub.add_parser("vote", help="vote (again) on an open motion")
    _identity_args(vote)
    vote.add_argument("space")
    vote.add_argument("motion")
    group = vote.add_mutually_exclusive_group(required=True)
    group.add_argument("--choice", choices=("yes", "no", "abstain"))
    group.add_argument("--approve", help="option numbers, comma-separated (0 is the first)")
    group.add_argument("--rank", help="option numbers best first, e.g. 2,0,1 or 2,0=1 for a tie")
    add_json_flag(vote)
    vote.set_defaults(handler=_vote)
    close = msub.add_parser("close", help="close a motion; the result is computed and signed")
    _identity_args(close)
    close.add_argument("space")
    close.add_argument("motion")
    add_json_flag(close)
    close.set_defaults(handler=_close)
    mshow = msub.add_parser("show", help="a motion, its votes and its result")
    mshow.add_argument("space")
    mshow.add_argument("motion")
    add_json_flag(mshow)
    mshow.set_defaults(handler=_motion_show)


def _identity_args(parser: argparse.ArgumentParser) -> None:
    who = parser.add_mutually_exclusive_group(required=True)
    who.add_argument("--key", type=Path, help="a key file made by 'veche keys new'")
    who.add_argument("--account", help="the pseudonym of an account on this node")


def identity_from(args: argparse.Namespace) -> Any:
    """The signer: a key file, or a node account; the passphrase is read, never argv."""
    return load_signer(args.key, args.account, prompt="Passphrase: ")


def _refusal(call: Any) -> Any:
    from veche.events import RuleViolation

    try:
        return call()
    except RuleViolation as violation:
        raise CliError(f"refused: {violation}") from violation


def _committee_json(c: Any) -> dict[str, Any]:
    from veche.apps.committees.models import Member

    return {
        "space": c.space,
        "name": c.name,
        "kind": c.kind,
        "level": c.level,
        "parent": c.parent or None,
        "demo": c.demo,
        "rules": c.rules,
        "members": Member.objects.filter(space=c.space, status="active")
        .values("person")
        .distinct()
        .count(),
    }


def _list(args: argparse.Namespace) -> int:
    ready(args)
    from veche.apps.committees.models import Committee

    rows = [_committee_json(c) for c in Committee.objects.order_by("level", "name")]
    if args.json:
        print_json(rows)
    else:
        for row in rows:
            parent = f" ← {row['parent'][:8]}…" if row["parent"] else ""
            print(
                f"{row['space']}  {row['level']:9} {row['kind']:13} {row['members']:>5}  {row['name']}{parent}"
            )
    return 0


def _show(args: argparse.Namespace) -> int:
    ready(args)
    from veche.apps.committees import federation
    from veche.apps.committees.models import Committee, Member, Motion

    committee = Committee.objects.filter(space=args.space).first()
    if committee is None:
        raise CliError(f"no committee {args.space} on this node")
    data = _committee_json(committee)
    data["member_list"] = list(
        Member.objects.filter(space=args.space)
        .order_by("pseudonym")
        .values("key", "pseudonym", "status")
    )
    data["motions"] = list(
        Motion.objects.filter(space=args.space)
        .order_by("proposed_at")
        .values("event", "kind", "title", "status")
    )
    data["delegates"] = [
        {
            "key": d.key,
            "pseudonym": d.pseudonym,
            "from": d.child_name or d.child,
            "recalled": bool(d.recalled_by),
        }
        for d in federation.delegates_of(args.space)
    ]
    # Seats whose mandate this node cannot check: listed apart, counted nowhere.
    data["unverified_seats"] = [
        {
            "key": s.key,
            "pseudonym": s.pseudonym,
            "from": s.child_name or s.child,
            "mandate": s.mandate,
            "seat_event": s.seat_event,
        }
        for s in federation.unverified_seats(args.space)
    ]
    if args.json:
        print_json(data)
    else:
        print(f"{committee.name} ({committee.kind}, {committee.level}), {data['members']} members")
        print(f"rules: {committee.rules}")
        for m in data["motions"]:
            print(f"  motion {m['event']}  {m['status']:7} {m['kind']:17} {m['title']}")
        for d in data["delegates"]:
            print(
                f"  delegate {d['pseudonym']} from {d['from']}"
                f"{' (recalled)' if d['recalled'] else ''}"
            )
        for s in data["unverified_seats"]:
            print(
                f"  seat claimed by {s['pseudonym']} from {s['from']}: mandate not verified"
                " on this node, not counted"
            )
    return 0


def _create(args: argparse.Namespace) -> int:
    ready(args)
    from veche.apps.committees import actions

    identity = identity_from(args)
    rules = {
        "quorum_percent": args.quorum,
        "majority": args.majority,
        "admission": args.admission,
        "vouches_needed": args.vouches,
        "ratification": args.ratification,
    }
    event = _refusal(
        lambda: actions.create_committee(
            identity,
            name=args.name,
            kind=args.kind,
            level=args.level,
            pseudonym=args.pseudonym,
            rules=rules,
        )
    )
    print_json({"space": event.id}) if args.json else print(event.id)
    return 0


def _invite(args: argparse.Namespace) -> int:
    ready(args)
    from veche.apps.committees import actions

    identity = identity_from(args)
    code, event = _refusal(lambda: actions.invite(identity, args.space))
    print_json({"code": code, "event": event.id}) if args.json else print(code)
    return 0


def _join(args: argparse.Namespace) -> int:
    ready(args)
    from veche.apps.committees import actions

    if args.new_account:
        return _join_as_new_account(args)
    identity = identity_from(args)
    event = _refusal(lambda: actions.join(identity, args.space, args.code, args.pseudonym))
    print_json({"event": event.id}) if args.json else print(event.id)
    return 0


def _join_as_new_account(args: argparse.Namespace) -> int:
    """Key, account and join together or not at all: a refusal leaves the code unused."""
    from veche.apps.accounts.actions import AccountError
    from veche.apps.committees import actions
    from veche.cli.keys import read_passphrase

    passphrase = read_passphrase("Choose a passphrase: ", confirm=True)
    try:
        event, account, identity = _refusal(
            lambda: actions.join_as_new_account(args.space, args.code, args.pseudonym, passphrase)
        )
    except AccountError as error:
        option = "--pseudonym" if error.field == "pseudonym" else "the passphrase"
        advice = ""
        if error.code == "taken":
            advice = (
                f"; choose another --pseudonym, or if that account is yours, "
                f"join with --account {args.pseudonym!r}"
            )
        raise CliError(f"{option}: {error.message}{advice}") from error
    if args.json:
        print_json({"event": event.id, "account": account.pseudonym, "public": identity.public})
    else:
        print(event.id)
    return 0


def _membership(args: argparse.Namespace) -> int:
    ready(args)
    from veche.apps.committees import actions

    identity = identity_from(args)
    calls = {
        "vouch": lambda: actions.vouch(identity, args.space, args.member),
        "leave": lambda: actions.leave(identity, args.space),
        "add-device": lambda: actions.add_device(identity, args.space, args.member),
        "revoke-key": lambda: actions.revoke_own_key(
            identity, args.space, args.member, args.after_seq
        ),
    }
    event = _refusal(calls[args.membership_action])
    print_json({"event": event.id}) if args.json else print(event.id)
    return 0


def _target(pairs: list[str]) -> dict[str, Any]:
    target: dict[str, Any] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep:
            raise CliError(f"--target {pair!r}: write NAME=VALUE")
        target[name] = int(value) if name == "after_seq" else value
    return target


def _propose(args: argparse.Namespace) -> int:
    ready(args)
    from veche.apps.committees import actions

    identity = identity_from(args)
    event = _refusal(
        lambda: actions.propose(
            identity,
            args.space,
            kind=args.kind,
            title=args.title,
            text=args.text,
            method=args.method,
            options=args.options,
            seats=args.seats,
            deadline=args.deadline,
            target=_target(args.target) or None,
        )
    )
    print_json({"motion": event.id}) if args.json else print(event.id)
    return 0


def _numbers(text: str) -> list[int]:
    try:
        return [int(part) for part in text.split(",") if part.strip()]
    except ValueError as error:
        raise CliError(f"{text!r}: option numbers are whole numbers separated by commas") from error


def _vote(args: argparse.Namespace) -> int:
    ready(args)
    from veche.apps.committees import actions

    identity = identity_from(args)
    kwargs: dict[str, Any] = {}
    if args.choice:
        kwargs["choice"] = args.choice
    elif args.approve is not None:
        kwargs["approve"] = _numbers(args.approve)
    else:
        # "2,0=1": 2 first, then 0 and 1 level with each other.
        kwargs["ranking"] = [_numbers(group.replace("=", ",")) for group in args.rank.split(",")]
    event = _refusal(lambda: actions.vote(identity, args.space, args.motion, **kwargs))
    print_json({"vote": event.id}) if args.json else print(event.id)
    return 0


def _close(args: argparse.Namespace) -> int:
    ready(args)
    from veche.apps.committees import actions

    identity = identity_from(args)
    event = _refusal(lambda: actions.close(identity, args.space, args.motion))
    if args.json:
        print_json({"close": event.id, "result": event.body["result"]})
    else:
        print(f"{event.id}: {'passed' if event.body['result']['passed'] else 'failed'}")
    return 0


def _motion_show(args: argparse.Namespace) -> int:
    ready(args)
    from veche.apps.committees import tally
    from veche.apps.committees.models import Member, Motion, Vote

    motion = Motion.objects.filter(space=args.space, event=args.motion).first()
    if motion is None:
        raise CliError(f"no motion {args.motion} in {args.space}")
    standing = tally.standing(motion)
    names = dict(Member.objects.filter(space=args.space).values_list("person", "pseudonym"))
    data = {
        "motion": motion.event,
        "kind": motion.kind,
        "title": motion.title,
        "text": motion.text,
        "method": motion.method,
        "options": motion.options,
        "status": motion.status,
        "version": motion.version,
        "result": standing.result,
        "stale_votes": standing.stale_votes,
        "recalled_votes": standing.recalled_votes,
        "votes": [
            {"who": names.get(p, p), "choice": c, "current": v == motion.version}
            for p, c, v in Vote.objects.filter(motion=motion.event).values_list(
                "person", "choice", "version"
            )
        ],
    }
    if args.json:
        print_json(data)
    else:
        print(f"{motion.title} [{motion.status}] ({motion.kind}, {motion.method})")
        print(f"result: {standing.result}")
        for v in data["votes"]:
            print(f"  {v['who']}: {v['choice']}{'' if v['current'] else ' (earlier text)'}")
    return 0
