"""What every command group shares: the error type, Django start-up, JSON output."""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from veche.web.db import encryption

Handler = Callable[[argparse.Namespace], int | None]

# The languages a command can write its pictures and reports in (settings.LANGUAGES).
LANGUAGES = ("be", "ru", "en")


class CliError(Exception):
    """A problem the user can fix; printed as one line, exit status 2."""


def setup_django(args: argparse.Namespace | None = None, *, unlock: bool = True) -> None:
    """Configure Django for a command that needs the node's database, and (unless
    ``unlock`` is false) unlock an encrypted one.

    ``--data-dir`` on the command line wins over ``VECHE_DATA_DIR``.
    """
    data_dir = getattr(args, "data_dir", None) if args is not None else None
    if data_dir:
        os.environ["VECHE_DATA_DIR"] = str(Path(data_dir).resolve())
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "veche.web.settings")
    import django

    django.setup()
    if unlock:
        unlock_database(args)


ENCRYPTED_ENGINE = "veche.web.db.sqlcipher"


def is_encrypted_node() -> bool:
    """Whether Django was set up on an encrypted embedded database (settings decide)."""
    from django.conf import settings

    return bool(settings.DATABASES["default"]["ENGINE"] == ENCRYPTED_ENGINE)


def unlock_database(args: argparse.Namespace | None = None) -> None:
    """On an encrypted node, get the database key before anything touches the database.

    The key comes from the parent process through a pipe (``--key-fd``: the worker
    ``veche serve`` starts), from ``$VECHE_NODE_KEY_FILE``, or from the node
    passphrase (``$VECHE_NODE_PASSPHRASE``, else asked on the terminal), never from
    the command line. A wrong one is refused after a pause, nothing touched.
    """
    if not is_encrypted_node():
        return
    from django.conf import settings

    from veche.web.db import encryption

    key_fd = getattr(args, "key_fd", None) if args is not None else None
    if key_fd is not None:
        encryption.hold(encryption.key_from_fd(key_fd))
        return
    if encryption.held() is not None:
        return
    data_dir = Path(settings.DATA_DIR)
    try:
        header = encryption.read_header(data_dir)
        if header["source"] == "key-file":
            key_file = os.environ.get("VECHE_NODE_KEY_FILE", "")
            opened = encryption.open_node(data_dir, key_file=Path(key_file) if key_file else None)
        else:
            opened = encryption.open_node(data_dir, passphrase=node_passphrase("Node passphrase: "))
    except encryption.WrongKey as error:
        time.sleep(WRONG_KEY_PAUSE)  # on top of Argon2id: guessing at the terminal is slow
        raise CliError(f"{error}; nothing was changed") from error
    except encryption.EncryptionError as error:
        raise CliError(str(error)) from error
    if opened.duress:
        # Not a word about it: the command goes on, on a new, empty node.
        duress_wipe(data_dir, opened)
        return
    assert opened.key is not None
    encryption.hold(opened.key, opened.wrapping)


def duress_wipe(data_dir: Path, opened: encryption.Opened) -> None:
    """The duress passphrase was given: wipe the folder (the header first), then make a
    new, empty node encrypted under that passphrase, and hold its key (the database is
    made by the migration that follows)."""
    from django.db import connection

    from veche.web.db import encryption, wipe

    connection.close()
    wipe.wipe(data_dir)
    encryption.hold(encryption.write_new_header(data_dir, opened.wrapping), opened.wrapping)
    connection.allow_create = True  # type: ignore[attr-defined]


WRONG_KEY_PAUSE = 2.0


def node_passphrase(prompt: str, *, confirm: bool = False) -> str:
    """``$VECHE_NODE_PASSPHRASE``, else typed on the terminal (not echoed)."""
    from_env = os.environ.get("VECHE_NODE_PASSPHRASE", "")
    if from_env:
        return from_env
    if not sys.stdin.isatty():
        raise CliError(
            "this node is encrypted: type its passphrase on a terminal, or set"
            " VECHE_NODE_PASSPHRASE (never on the command line)"
        )
    passphrase = getpass.getpass(prompt)
    if not passphrase:
        raise CliError("an empty node passphrase protects nothing")
    if confirm and getpass.getpass("The same passphrase again: ") != passphrase:
        raise CliError("the two passphrases differ; nothing was created")
    return passphrase


def check_database() -> None:
    """At a node's start (``veche serve``, ``veche node check``; not at every command,
    it reads the whole file): every page of an encrypted database checked (its HMAC),
    so a damaged or altered file is refused before the node serves or writes anything."""
    if not is_encrypted_node():
        return
    from django.db import connection

    connection.ensure_connection()
    problems = connection.integrity_problems()  # type: ignore[attr-defined]
    if problems:
        raise CliError(
            f"{connection.settings_dict['NAME']} was altered or damaged"
            f" ({'; '.join(problems[:3])}): the node will not start on it, and nothing was"
            " written to it. Restore it from a backup"
        )


def ready(args: argparse.Namespace | None = None) -> None:
    """Start Django on the node's database, its schema created or upgraded: what every
    command that reads or writes the node's data calls first."""
    setup_django(args)
    migrate_quietly()


def migrate_quietly() -> None:
    """Create or upgrade the node's database schema without chatter."""
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)


def print_json(value: Any) -> None:
    json.dump(value, sys.stdout, ensure_ascii=False, indent=2, sort_keys=True)
    sys.stdout.write("\n")


def add_json_flag(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print machine-readable JSON")
