"""``veche keys new|show``: identities kept in key files sealed under a passphrase."""

from __future__ import annotations

import argparse
import getpass
import os
from pathlib import Path
from typing import TYPE_CHECKING

from veche.cli.base import CliError, add_json_flag, print_json, ready

if TYPE_CHECKING:
    from veche.apps.accounts.models import Account
    from veche.events import Identity


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


def load_signer(
    key: Path | None,
    account: str | None = None,
    *,
    passphrase: str | None = None,
    prompt: str | None = None,
) -> Identity:
    """The identity a command signs with: a key file, or else (Django set up) the key
    of a node account, unsealed with ``passphrase`` or one read by ``read_passphrase``
    (default prompt: "Passphrase for KEY-FILE: "). A wrong passphrase, a damaged file or
    an unknown account is a ``CliError``.
    """
    from veche.events import Identity
    from veche.events.identity import SealError, load_identity, unseal

    found = None if key is not None else _account(account)
    if passphrase is None:
        passphrase = read_passphrase(prompt or f"Passphrase for {key}: ")
    try:
        if found is None:
            assert key is not None
            return load_identity(key, passphrase)
        return Identity(unseal(found.sealed_seed, passphrase))
    except SealError as error:
        raise CliError(str(error)) from error


def _account(pseudonym: str | None) -> Account:
    from veche.apps.accounts.models import Account

    found: Account | None = Account.objects.filter(pseudonym=pseudonym).first()
    if found is None:
        raise CliError(f"no account {pseudonym!r} on this node")
    return found


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
    ready(args)
    from veche.events.identity import save_identity

    if args.output.exists() and not args.force:
        raise CliError(f"{args.output} exists; use --force to overwrite it")
    _account(args.account)  # said before the passphrase is asked for
    passphrase = read_passphrase()
    identity = load_signer(None, args.account, passphrase=passphrase)
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
