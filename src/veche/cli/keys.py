"""``veche keys new|show``: identities kept in key files sealed under a passphrase."""

from __future__ import annotations

import argparse
import getpass
import os
from pathlib import Path

from veche.cli.base import CliError, add_json_flag, print_json


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    keys = commands.add_parser("keys", help="create and show identity key files")
    sub = keys.add_subparsers(dest="keys_command", metavar="ACTION", required=True)
    new = sub.add_parser("new", help="create a new Ed25519 identity in a sealed key file")
    new.add_argument("-o", "--output", required=True, type=Path, help="key file to write")
    new.add_argument("--force", action="store_true", help="overwrite an existing file")
    add_json_flag(new)
    new.set_defaults(handler=_new)
    export = sub.add_parser(
        "export", help="write a node account's key to a key file (for --as, or another device)"
    )
    export.add_argument("--account", required=True, help="the account's pseudonym on this node")
    export.add_argument("-o", "--output", required=True, type=Path)
    export.add_argument("--force", action="store_true")
    add_json_flag(export)
    export.set_defaults(handler=_export)
    show = sub.add_parser("show", help="print the public key of a key file")
    show.add_argument("file", type=Path)
    add_json_flag(show)
    show.set_defaults(handler=_show)


def read_passphrase(prompt: str = "Passphrase: ", *, confirm: bool = False) -> str:
    """From $VECHE_PASSPHRASE (scripts) or the terminal, never from argv (visible in ps)."""
    from_env = os.environ.get("VECHE_PASSPHRASE")
    if from_env:
        return from_env
    first = getpass.getpass(prompt)
    if confirm and getpass.getpass("Again: ") != first:
        raise CliError("the two passphrases differ")
    return first


def _new(args: argparse.Namespace) -> int:
    from veche.events import Identity
    from veche.events.identity import save_identity

    if args.output.exists() and not args.force:
        raise CliError(f"{args.output} exists; use --force to overwrite it")
    passphrase = read_passphrase(confirm=True)
    if len(passphrase) < 10:
        raise CliError("the passphrase needs at least 10 characters")
    identity = Identity.generate()
    save_identity(args.output, identity, passphrase)
    if args.json:
        print_json({"public": identity.public, "file": str(args.output)})
    else:
        print(identity.public)
    return 0


def _export(args: argparse.Namespace) -> int:
    """The key file is sealed under the same passphrase that unlocks the account."""
    from veche.cli.base import migrate_quietly, setup_django

    setup_django(args)
    migrate_quietly()
    from veche.apps.accounts.models import Account
    from veche.events import Identity
    from veche.events.identity import SealError, save_identity, unseal

    if args.output.exists() and not args.force:
        raise CliError(f"{args.output} exists; use --force to overwrite it")
    account = Account.objects.filter(pseudonym=args.account).first()
    if account is None:
        raise CliError(f"no account {args.account!r} on this node")
    passphrase = read_passphrase()
    try:
        identity = Identity(unseal(account.sealed_seed, passphrase))
    except SealError as error:
        raise CliError(str(error)) from error
    save_identity(args.output, identity, passphrase)
    if args.json:
        print_json({"public": identity.public, "file": str(args.output)})
    else:
        print(identity.public)
    return 0


def _show(args: argparse.Namespace) -> int:
    import json

    try:
        document = json.loads(args.file.read_text(encoding="utf-8"))
        public = document["public"]
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise CliError(f"{args.file} is not a readable Veche key file: {error}") from error
    if args.json:
        print_json({"public": public})
    else:
        print(public)
    return 0
