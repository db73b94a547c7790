"""``veche trustee``: a trustee's steps, offline on the trustee's own machine.

``keygen`` makes the trustee's election keys (sealed under a passphrase, never
sent anywhere); ``share`` signs this trustee's dealing; ``check`` opens the
shares the others dealt and signs a complaint naming any bad dealer;
``decrypt`` signs this trustee's partial decryption of the closed tally. Each
reads the election record (``veche election export``) and writes an event file
for the node (``veche log import FILE`` or the election's trustee page).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from veche.cli.base import CliError, add_json_flag, print_json


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    trustee = commands.add_parser("trustee", help="an election trustee's offline steps")
    sub = trustee.add_subparsers(dest="trustee_command", metavar="ACTION", required=True)

    keygen = sub.add_parser("keygen", help="make this trustee's election keys")
    keygen.add_argument("--out", "-o", type=Path, required=True, help="key file to write")
    keygen.add_argument("--force", action="store_true")
    add_json_flag(keygen)
    keygen.set_defaults(handler=_keygen)

    for name, helptext in (
        ("share", "sign this trustee's dealing for the key ceremony"),
        ("check", "open the shares the others dealt; sign complaints about bad ones"),
        (
            "decrypt",
            "sign this trustee's partial decryption of the closed tally (of a pledge that "
            "reveals only whether it crossed: of its blinded list)",
        ),
        (
            "blind",
            "sign this trustee's blinding round of a pledge that reveals only whether it "
            "crossed (pledge-v1 §7)",
        ),
    ):
        step = sub.add_parser(name, help=helptext)
        step.add_argument("--record", type=Path, required=True, help="the election record file")
        step.add_argument("--key", type=Path, required=True, help="this trustee's key file")
        step.add_argument("--out", "-o", type=Path, required=True, help="event file to write")
        add_json_flag(step)
        step.set_defaults(handler=_step, step=name)


def _passphrase(confirm: bool = False) -> str:
    from veche.cli.keys import read_passphrase

    return read_passphrase("Trustee passphrase: ", confirm=confirm)


def _profile() -> str:
    import os

    return os.environ.get("VECHE_KDF_PROFILE", "moderate")


def _keygen(args: argparse.Namespace) -> int:
    from veche.election.offline import TrusteeKeys, save_trustee_keys

    if args.out.exists() and not args.force:
        raise CliError(f"{args.out} exists; use --force to overwrite it")
    passphrase = _passphrase(confirm=True)
    if len(passphrase) < 10:
        raise CliError("the passphrase needs at least 10 characters")
    keys = TrusteeKeys.generate()
    try:
        save_trustee_keys(args.out, keys, passphrase, _profile())  # mode 0600, atomic
    except OSError as error:
        raise CliError(f"cannot write {args.out}: {error.strerror or error}") from error
    public = f"{keys.identity.public}:{keys.box_public}"
    if args.json:
        print_json({"key": keys.identity.public, "box": keys.box_public, "trustee": public})
    else:
        print(public)
    return 0


def _step(args: argparse.Namespace) -> int:
    from veche.election import offline
    from veche.election.record import RecordError, split_record
    from veche.events import EventError
    from veche.events.identity import SealError
    from veche.events.registry import RuleViolation
    from veche.pledge.offline import blind_events, is_crossed_only, reveal_decryption_events

    try:
        lines = split_record(args.record.read_bytes())
        keys = offline.load_trustee_keys(args.key, _passphrase())
        if args.step == "share":
            events = [offline.dealing_event(lines, keys)]
        elif args.step == "check":
            events = offline.complaint_events(lines, keys)
        elif args.step == "blind":
            events = blind_events(lines, keys)
        elif is_crossed_only(lines):
            events = reveal_decryption_events(lines, keys)
        else:
            events = [offline.partial_decryption_event(lines, keys)]
    except OSError as error:
        raise CliError(str(error)) from error
    except (RecordError, SealError, EventError, RuleViolation, offline.OfflineError) as error:
        raise CliError(str(error)) from error
    if events:
        try:
            args.out.write_bytes(b"".join(e.raw + b"\n" for e in events))
        except OSError as error:
            raise CliError(f"cannot write {args.out}: {error.strerror or error}") from error
    if args.json:
        print_json(
            {"events": [{"id": e.id, "kind": e.kind} for e in events], "file": str(args.out)}
        )
    elif events:
        for e in events:
            print(f"{e.kind}: {e.id}")
        print(f"written to {args.out}: take it to the node (veche log import {args.out})")
    else:
        print("every share checks out: nothing to complain about")
    return 0
