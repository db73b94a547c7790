"""Run a node: ``veche init``, ``veche serve``, ``veche worker``, ``veche demo``, and
``veche node operator add|remove|list``: who manages the node's peers."""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from pathlib import Path

from veche.cli.base import (
    CliError,
    add_json_flag,
    check_database,
    is_encrypted_node,
    migrate_quietly,
    node_passphrase,
    print_json,
    ready,
    setup_django,
)


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    init = commands.add_parser("init", help="create the data folder and the database")
    init.add_argument(
        "--encrypt",
        action="store_true",
        help="encrypt the new database with a key from a node passphrase (asked on the"
        " terminal, or $VECHE_NODE_PASSPHRASE) or from --key-file",
    )
    init.add_argument(
        "--key-file",
        help="with --encrypt: the key lives in this file (made if missing; keep it on a"
        " removable stick, and give it to later commands as $VECHE_NODE_KEY_FILE)",
    )
    init.add_argument(
        "--kdf-profile",
        default="moderate",
        choices=("interactive", "moderate", "sensitive"),
        help="with --encrypt: Argon2id cost for the node passphrase (default: moderate, 256 MiB)",
    )
    add_json_flag(init)
    init.set_defaults(handler=_init)

    serve = commands.add_parser("serve", help="serve the web UI (gunicorn)")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=2)
    serve.add_argument(
        "--no-worker",
        action="store_true",
        help="do not start the background worker (run `veche worker` yourself)",
    )
    serve.set_defaults(handler=_serve)

    worker = commands.add_parser(
        "worker", help="run queued background work (audits, syncs); veche serve starts one"
    )
    worker.add_argument("--once", action="store_true", help="run the tasks queued now, then exit")
    worker.add_argument("--parent", type=int, help=argparse.SUPPRESS)
    # The database key from `veche serve`, through an inherited pipe (never argv or env).
    worker.add_argument("--key-fd", type=int, help=argparse.SUPPRESS)
    worker.set_defaults(handler=_worker)

    demo = commands.add_parser(
        "demo", help="init, load the Belarus 2020 demonstration data, and serve"
    )
    demo.add_argument("--no-serve", action="store_true", help="load the demo and exit")
    demo.add_argument("--host", default="127.0.0.1")
    demo.add_argument("--port", type=int, default=8000)
    demo.add_argument("--fresh", action="store_true", help="delete the data folder first")
    demo.add_argument(
        "--lang",
        choices=("mixed", "be", "ru", "en"),
        default="mixed",
        help="the language the demo's people write in (default mixed: each committee in the"
        " language its people used in 2020, Russian or Belarusian)",
    )
    demo.add_argument("--plain", action="store_true", help="do not encrypt a new demo database")
    demo.set_defaults(handler=_demo)

    node = commands.add_parser("node", help="this node's settings: its operators")
    node_sub = node.add_subparsers(dest="node_command", metavar="ACTION", required=True)
    operator = node_sub.add_parser(
        "operator", help="accounts that manage this node's peers (add, remove, list)"
    )
    operator_sub = operator.add_subparsers(dest="operator_command", metavar="ACTION", required=True)
    for name, help_text in (
        ("add", "let an account add, sync and remove peers in the web UI"),
        ("remove", "take that right back"),
    ):
        action = operator_sub.add_parser(name, help=help_text)
        action.add_argument("pseudonym", help="the account's pseudonym on this node")
        add_json_flag(action)
        action.set_defaults(handler=_operator, operator=name == "add")
    listing = operator_sub.add_parser("list", help="this node's operators")
    add_json_flag(listing)
    listing.set_defaults(handler=_operators)


def _init(args: argparse.Namespace) -> int:
    if args.encrypt:
        _encrypt_new_node(args)
    elif args.key_file:
        raise CliError("--key-file goes with --encrypt")
    setup_django(args)
    from django.conf import settings
    from django.db import connection

    encrypted = is_encrypted_node()
    if encrypted:
        # Only `veche init` may make the encrypted database where there is none.
        connection.allow_create = True  # type: ignore[attr-defined]
    check_database()
    migrate_quietly()
    if args.json:
        print_json(
            {"data_dir": str(settings.DATA_DIR), "database": _db_name(), "encrypted": encrypted}
        )
    else:
        print(
            f"Veche node ready in {settings.DATA_DIR} ({_db_name()}"
            f"{', encrypted' if encrypted else ''})"
        )
    return 0


def _encrypt_new_node(args: argparse.Namespace) -> None:
    """Write the encryption header of a new node, before Django reads its settings."""
    from veche.web.db import encryption

    url = os.environ.get("DATABASE_URL", "")
    if url and not url.startswith("sqlite:"):
        raise CliError(
            "--encrypt is for the embedded database; a PostgreSQL hub keeps its data on an"
            " encrypted disk instead (docs/node.md, 'Encryption at rest')"
        )
    data_dir = _data_dir(args)
    if encryption.is_encrypted(data_dir):
        return  # already encrypted: unlocked like any start
    database = data_dir / "veche.sqlite3"
    if database.exists() and database.stat().st_size > 0:
        raise CliError(
            f"{database} already holds an unencrypted node; converting one is not supported"
            " yet: start a new node in another folder and sync or import its spaces"
        )
    data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    try:
        if args.key_file:
            key = encryption.create_with_key_file(data_dir, Path(args.key_file).resolve())
        else:
            passphrase = node_passphrase("New node passphrase: ", confirm=True)
            key = encryption.create_with_passphrase(data_dir, passphrase, args.kdf_profile)
    except encryption.EncryptionError as error:
        raise CliError(str(error)) from error
    encryption.hold(key)


def _operator(args: argparse.Namespace) -> int:
    ready(args)
    from veche.apps.accounts.models import Account

    account = Account.objects.filter(pseudonym=args.pseudonym.strip()).first()
    if account is None:
        raise CliError(f"no account {args.pseudonym!r} on this node")
    changed = account.is_operator != args.operator
    account.is_operator = args.operator
    account.save(update_fields=["is_operator"])
    if args.json:
        print_json(
            {
                "pseudonym": account.pseudonym,
                "key": account.public_key,
                "operator": args.operator,
                "changed": changed,
            }
        )
    else:
        state = "is an operator" if args.operator else "is not an operator"
        print(f"{account.pseudonym} {state}{'' if changed else ' (unchanged)'}")
    return 0


def _operators(args: argparse.Namespace) -> int:
    ready(args)
    from veche.apps.accounts.models import Account

    operators = list(
        Account.objects.filter(is_operator=True)
        .order_by("pseudonym")
        .values_list("pseudonym", "public_key")
    )
    if args.json:
        print_json({"operators": [{"pseudonym": n, "key": k} for n, k in operators]})
    elif operators:
        for name, key in operators:
            print(f"{name}\t{key}")
    else:
        print("no operators: add one with veche node operator add PSEUDONYM")
    return 0


def _db_name() -> str:
    from django.db import connection

    return f"{connection.vendor}:{connection.settings_dict['NAME']}"


def _allow_host(host: str) -> None:
    allowed = os.environ.get("VECHE_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")
    if host not in ("0.0.0.0", "::"):  # noqa: S104 - the operator chose to listen widely
        os.environ["VECHE_ALLOWED_HOSTS"] = f"{allowed},{host}"
    else:
        os.environ["VECHE_ALLOWED_HOSTS"] = "*"


def _serve(args: argparse.Namespace) -> int:
    _allow_host(args.host)
    _fingerprint_static()
    ready(args)
    run_server(args.host, args.port, args.workers, worker=not args.no_worker)
    return 0


def _worker(args: argparse.Namespace) -> int:
    ready(args)
    from veche.web import background

    if args.once:
        print(f"{background.run_pending()} tasks run")
    else:
        background.run_worker(parent=args.parent)
    return 0


def _fingerprint_static() -> None:
    """Serve static files under content-hashed names, cached for ever (see settings)."""
    os.environ["VECHE_STATIC_MANIFEST"] = "1"


def _collect_static() -> None:
    from django.core.management import call_command

    call_command("collectstatic", interactive=False, verbosity=0)


def run_server(host: str, port: int, workers: int = 2, *, worker: bool = True) -> None:
    """gunicorn with Veche's worker (veche.web.worker.BufferingWorker): threads get
    only complete requests, so slow or drip-feeding clients cannot take them all.
    With ``worker``, the background worker (``veche worker``) runs beside it."""
    from django.conf import settings
    from gunicorn.app.base import BaseApplication

    if settings.STATIC_MANIFEST:
        _collect_static()
    from veche.web.wsgi import application

    class _Server(BaseApplication):  # type: ignore[misc]
        def load_config(self) -> None:
            self.cfg.set("bind", f"[{host}]:{port}" if ":" in host else f"{host}:{port}")
            self.cfg.set("workers", workers)
            self.cfg.set("worker_class", "veche.web.worker.BufferingWorker")
            self.cfg.set("threads", 4)
            # Requests are logged by Django (veche.access: no query strings, no
            # cookies, the client's address hashed), not by gunicorn.
            self.cfg.set("accesslog", None)
            # Forwarding headers are judged by Django against VECHE_TRUSTED_PROXIES
            # (veche.web.middleware.TrustedProxyMiddleware), not by gunicorn.
            self.cfg.set("forwarded_allow_ips", "")
            self.cfg.set("timeout", 120)
            # No control socket in the home folder (gunicorn >= 25): one node per data
            # folder, and systemd's ProtectHome would refuse it anyway.
            if "control_socket_disable" in self.cfg.settings:
                self.cfg.set("control_socket_disable", True)

        def load(self) -> object:
            return application

    print(f"Serving Veche on http://{host}:{port}/ (Ctrl+C stops)", flush=True)
    if not worker:
        _Server().run()
        return
    from veche.web.background import worker_process

    with worker_process():
        _Server().run()


# The demo node's passphrase, printed when `veche demo` encrypts a new demo folder.
DEMO_NODE_PASSPHRASE = "veche demo node"  # noqa: S105 - printed to the operator on purpose


def _demo(args: argparse.Namespace) -> int:
    _allow_host(args.host)
    if not args.no_serve:
        _fingerprint_static()
    from veche.web.db.encryption import HEADER_NAME

    data_dir = _data_dir(args)
    if args.fresh:
        # Before Django starts: a fresh demo needs no key to throw the old one away.
        for name in ("veche.sqlite3", "veche.sqlite3-wal", "veche.sqlite3-shm", HEADER_NAME):
            (data_dir / name).unlink(missing_ok=True)
    created = _encrypt_demo(args, data_dir)
    _unlock_demo(data_dir)
    setup_django(args)
    if created:
        from django.db import connection

        connection.allow_create = True  # type: ignore[attr-defined]
    check_database()
    migrate_quietly()
    from veche.demo import load

    try:
        summary = load.load_demo(out=sys.stdout, lang=args.lang)
    except load.DemoAlreadyLoaded as error:
        print(str(error))
    else:
        print(summary)
    if is_encrypted_node():
        print(
            f"The demo node's database is encrypted; its node passphrase is"
            f" {_demo_passphrase()!r} (`veche serve` asks for it)."
        )
    if args.no_serve:
        return 0
    run_server(args.host, args.port)
    return 0


def _data_dir(args: argparse.Namespace) -> Path:
    """The data folder settings will use (``--data-dir``, else ``$VECHE_DATA_DIR``)."""
    return Path(args.data_dir or os.environ.get("VECHE_DATA_DIR", "data")).resolve()


def _demo_passphrase() -> str:
    return os.environ.get("VECHE_NODE_PASSPHRASE") or DEMO_NODE_PASSPHRASE


def _encrypt_demo(args: argparse.Namespace, data_dir: Path) -> bool:
    """A new demo folder is encrypted, as a real node should be (``--plain`` not), under
    the demo's printed passphrase; an existing folder is left as it is."""
    from veche.web.db import encryption

    url = os.environ.get("DATABASE_URL", "")
    if args.plain or (url and not url.startswith("sqlite:")):
        return False
    if encryption.is_encrypted(data_dir):
        return False
    database = data_dir / "veche.sqlite3"
    if database.exists() and database.stat().st_size > 0:
        return False  # a plain demo made by an older veche: kept plain
    data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    encryption.hold(encryption.create_with_passphrase(data_dir, _demo_passphrase(), "interactive"))
    return True


def _unlock_demo(data_dir: Path) -> None:
    """An encrypted demo folder opens with the demo's passphrase without asking; any
    other folder is unlocked as every command does (the terminal is asked)."""
    from veche.web.db import encryption

    if encryption.held() is not None or not encryption.is_encrypted(data_dir):
        return
    # Not the demo's passphrase, or a key file: setup_django asks as for any command.
    with contextlib.suppress(encryption.EncryptionError):
        encryption.hold(encryption.unlock(data_dir, passphrase=_demo_passphrase()))
