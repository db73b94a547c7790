"""The ``veche`` command: a thin layer over the pure cores and the Django apps.

Each command group lives in its own module with a ``register(subparsers)``
function; heavy imports (Django, numpy) happen inside the handlers so that
``veche --help`` stays fast.
"""

from __future__ import annotations

import argparse
import importlib
import re
import sys
from typing import Any

from veche import __version__
from veche.cli.base import CliError

COMMAND_MODULES: tuple[str, ...] = (
    "veche.cli.node",
    "veche.cli.keys",
    "veche.cli.log",
    "veche.cli.committee",
    "veche.cli.audit",
    "veche.cli.count",
    "veche.cli.strike",
    "veche.cli.fund",
    "veche.cli.plan",
    "veche.cli.sync",
    "veche.cli.election",
    "veche.cli.trustee",
    "veche.cli.space",
    "veche.cli.pledge",
    "veche.cli.appeal",
    "veche.cli.publish",
)


class VecheParser(argparse.ArgumentParser):
    """argparse that reads a key or an event id beginning with ``-`` as a value.

    Keys and ids are 43 characters of base64url, one in 64 of them begins with a
    dash, and plain argparse would take ``-Xa7…`` for an unknown option.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._negative_number_matcher = re.compile(
            r"^-\d+$|^-\d*\.\d+$|^-[A-Za-z0-9_-]{41}[AEIMQUYcgkosw048]$"
        )


def build_parser() -> argparse.ArgumentParser:
    parser = VecheParser(
        prog="veche",
        description="Veche: committees, motions, verifiable elections and election audits, "
        "offline-first.",
    )
    parser.add_argument("--version", action="version", version=f"veche {__version__}")
    parser.add_argument(
        "--data-dir",
        help="the node's data folder (default: $VECHE_DATA_DIR or ./data)",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for module_name in COMMAND_MODULES:
        importlib.import_module(module_name).register(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        status = args.handler(args)
    except CliError as error:
        print(f"veche: error: {error}", file=sys.stderr)
        return 2
    except Exception as error:
        if not _misconfigured(error):
            raise
        print(f"veche: error: {error}", file=sys.stderr)  # settings, or the database's collation
        return 2
    except KeyboardInterrupt:
        return 130
    return int(status or 0)


def _misconfigured(error: Exception) -> bool:
    """Django's ImproperlyConfigured, without importing Django: commands that need no
    database (``election verify``, ``audit``) must not load it."""
    exceptions = sys.modules.get("django.core.exceptions")
    return exceptions is not None and isinstance(error, exceptions.ImproperlyConfigured)


if __name__ == "__main__":
    sys.exit(main())
