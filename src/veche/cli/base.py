"""What every command group shares: the error type, Django start-up, JSON output."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

Handler = Callable[[argparse.Namespace], int | None]

# The languages a command can write its pictures and reports in (settings.LANGUAGES).
LANGUAGES = ("be", "ru", "en")


class CliError(Exception):
    """A problem the user can fix; printed as one line, exit status 2."""


def setup_django(args: argparse.Namespace | None = None) -> None:
    """Configure Django for a command that needs the node's database.

    ``--data-dir`` on the command line wins over ``VECHE_DATA_DIR``.
    """
    data_dir = getattr(args, "data_dir", None) if args is not None else None
    if data_dir:
        os.environ["VECHE_DATA_DIR"] = str(Path(data_dir).resolve())
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "veche.web.settings")
    import django

    django.setup()


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
