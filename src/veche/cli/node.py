"""Run a node: ``veche init``, ``veche serve``, ``veche worker``, ``veche demo``;
``veche node operator add|remove|list`` (who manages the node's peers), and an
encrypted node's ``veche node duress set|clear``, ``veche node wipe`` and
``veche node check`` (docs/node.md, "Encryption at rest")."""

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
    duress_wipe,
    is_encrypted_node,
    migrate_quietly,
    node_passphrase,
    print_json,
    ready,
    setup_django,
    unlock_database,
)


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    init = commands.add_parser(
        "init",
        help="create the data folder and the database (encrypted unless --plain)",
    )
    init.add_argument(
        "--plain",
        action="store_true",
        help="do not encrypt the new database (by default it is, with a key from a new node"
        " passphrase, asked on the terminal or $VECHE_NODE_PASSPHRASE, or from --key-file)",
    )
    # The default since encryption became it; kept so older scripts still run.
    init.add_argument("--encrypt", action="store_true", help=argparse.SUPPRESS)
    _add_key_options(init)
    # A panic's new, empty node: its key from the server, through an inherited pipe.
    init.add_argument("--key-fd", type=int, help=argparse.SUPPRESS)
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

    node = commands.add_parser(
        "node", help="this node's operators, its duress passphrase, wipe and check"
    )
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

    duress = node_sub.add_parser(
        "duress",
        help="a second passphrase that, typed at unlock, wipes the node and opens a new, empty one",
    )
    duress_sub = duress.add_subparsers(dest="duress_command", metavar="ACTION", required=True)
    duress_set = duress_sub.add_parser(
        "set", help="set or change it (asked twice, or $VECHE_DURESS_PASSPHRASE)"
    )
    duress_set.set_defaults(handler=_duress, clear=False)
    duress_clear = duress_sub.add_parser("clear", help="remove it (the header looks the same)")
    duress_clear.set_defaults(handler=_duress, clear=True)

    wipe = node_sub.add_parser(
        "wipe",
        help="destroy everything in the data folder (the encryption header first), then make"
        " a new, empty node",
    )
    wipe.add_argument("--yes", action="store_true", help="do not ask to confirm")
    wipe.add_argument("--plain", action="store_true", help="the new node is not encrypted")
    wipe.add_argument("--encrypt", action="store_true", help=argparse.SUPPRESS)
    _add_key_options(wipe)
    add_json_flag(wipe)
    wipe.set_defaults(handler=_wipe, key_fd=None)

    encrypt = node_sub.add_parser(
        "encrypt",
        help="encrypt a plain node's database and files (stop the node first); asks for a"
        " new node passphrase, or --key-file",
    )
    _add_key_options(encrypt)
    encrypt.set_defaults(handler=_encrypt_existing, encrypt=True)

    check = node_sub.add_parser(
        "check", help="check every page of an encrypted database (cipher_integrity_check)"
    )
    add_json_flag(check)
    check.set_defaults(handler=_check)


def _add_key_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--key-file",
        help="the key lives in this file (made if missing; keep it on a removable stick,"
        " and give it to later commands as $VECHE_NODE_KEY_FILE)",
    )
    parser.add_argument(
        "--kdf-profile",
        default="moderate",
        choices=("interactive", "moderate", "sensitive"),
        help="Argon2id cost for the node passphrase (default: moderate, 256 MiB)",
    )


def _init(args: argparse.Namespace) -> int:
    if args.plain and (args.encrypt or args.key_file):
        raise CliError("--plain makes an unencrypted node: it takes no --encrypt or --key-file")
    plain_kept = False
    if args.key_fd is None and not args.plain and _embedded():
        plain_kept = not _encrypt_new_node(args)
    setup_django(args)
    from django.conf import settings
    from django.db import connection

    encrypted = is_encrypted_node()
    if encrypted:
        # Only `veche init` may make the encrypted database where there is none.
        connection.allow_create = True  # type: ignore[attr-defined]
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
        if plain_kept:
            print("This node's database was made unencrypted before; it stays so.")
    return 0


def _embedded() -> bool:
    url = os.environ.get("DATABASE_URL", "")
    return not url or url.startswith("sqlite:")


def _encrypt_new_node(args: argparse.Namespace) -> bool:
    """Write the encryption header of a new node, before Django reads its settings;
    False when the folder already holds an unencrypted database (left as it is)."""
    from veche.web.db import encryption

    data_dir = _data_dir(args)
    if encryption.is_encrypted(data_dir):
        return True  # already encrypted: unlocked like any start
    database = data_dir / "veche.sqlite3"
    if database.exists() and database.stat().st_size > 0:
        if args.encrypt or args.key_file:
            raise CliError(
                f"{database} already holds an unencrypted node; `veche init` does not"
                " convert one: start a new node in another folder and sync or import its"
                " spaces"
            )
        return False
    data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    try:
        if args.key_file:
            key = encryption.create_with_key_file(data_dir, Path(args.key_file).resolve())
        else:
            passphrase = node_passphrase("New node passphrase: ", confirm=True)
            key = encryption.create_with_passphrase(data_dir, passphrase, args.kdf_profile)
    except encryption.EncryptionError as error:
        raise CliError(str(error)) from error
    assert encryption.held() == key
    return True


def _duress(args: argparse.Namespace) -> int:
    """Set or clear the duress passphrase of a node unlocked with its own passphrase."""
    from veche.web.db import encryption

    data_dir = _data_dir(args)
    if not encryption.is_encrypted(data_dir):
        raise CliError("this node is not encrypted: a duress passphrase needs an encrypted node")
    ready(args)  # unlocked with the node passphrase (the duress one would wipe it here)
    key, wrapping = encryption.held(), encryption.held_wrapping()
    if key is None or wrapping is None or wrapping.source != "passphrase":
        raise CliError(
            "a duress passphrase goes with a node passphrase; this node opens with a key file"
        )
    version = encryption.read_header(data_dir)["v"]
    opened = encryption.Opened(key, wrapping, version)
    try:
        if args.clear:
            encryption.clear_duress(data_dir, opened)
            print("No duress passphrase now.")
            return 0
        duress = _duress_passphrase()
        if version == 1:
            # The old header derived the database key itself: wrap that key under a new
            # salt (the old salt goes with the old header).
            opened = encryption.upgrade(data_dir, opened, node_passphrase("Node passphrase: "))
        encryption.set_duress(data_dir, opened, duress)
    except encryption.EncryptionError as error:
        raise CliError(str(error)) from error
    print(
        "Duress passphrase set. Typed at unlock (terminal or unlock page) it destroys this"
        " node's data and opens a new, empty node."
    )
    return 0


def _duress_passphrase() -> str:
    from_env = os.environ.get("VECHE_DURESS_PASSPHRASE", "")
    if from_env:
        return from_env
    if not sys.stdin.isatty():
        raise CliError(
            "type the duress passphrase on a terminal, or set VECHE_DURESS_PASSPHRASE"
            " (never on the command line)"
        )
    import getpass

    passphrase = getpass.getpass("Duress passphrase: ")
    if not passphrase:
        raise CliError("an empty duress passphrase is refused")
    if getpass.getpass("The same duress passphrase again: ") != passphrase:
        raise CliError("the two passphrases differ; nothing was changed")
    return passphrase


def _wipe(args: argparse.Namespace) -> int:
    """``veche node wipe``: no key needed (whoever can run it can delete the folder)."""
    from veche.web.db import encryption, wipe

    data_dir = _data_dir(args)
    if not (encryption.is_encrypted(data_dir) or (data_dir / "veche.sqlite3").exists()):
        raise CliError(f"{data_dir} holds no Veche node: nothing was wiped")
    if not args.yes:
        if not sys.stdin.isatty():
            raise CliError("veche node wipe asks to confirm on a terminal; --yes skips that")
        answer = input(
            f"Destroy every Veche file in {data_dir} (all but static/), for good? Type wipe: "
        )
        if answer.strip() != "wipe":
            raise CliError("not confirmed: nothing was wiped")
    if not _embedded():
        raise CliError(
            "a PostgreSQL hub's data is in PostgreSQL: drop its database (and its backups);"
            " veche node wipe is for the embedded database"
        )
    done = wipe.wipe(data_dir)
    summary = (
        f"Wiped {data_dir}: {done.files} files, {done.bytes / 1e6:.1f} MB overwritten, in"
        f" {done.seconds:.2f} s{' (the encryption header first)' if done.shredded else ''}."
    )
    print(summary, flush=True)
    try:
        return _init(args)
    except CliError as error:
        raise CliError(f"{error}. The folder is wiped; make a new node with veche init") from error


def _encrypt_existing(args: argparse.Namespace) -> int:
    """``veche node encrypt``: a stopped plain node made encrypted, resumable after a cut.

    The order keeps a readable node at every step: the plain database is checkpointed,
    copied into SQLCipher and the copy checked (``veche.web.db.convert``); the header is
    written; the files beside it are sealed; the plain database is moved aside, the
    copy takes its name, and the plain one is overwritten and deleted. Run again after
    a cut, it unlocks with the header and finishes.
    """
    import sqlite3

    from veche.web.db import convert, encryption, wipe

    if not _embedded():
        raise CliError("a PostgreSQL hub keeps its data on an encrypted disk instead")
    data_dir = _data_dir(args)
    database = data_dir / "veche.sqlite3"
    aside = data_dir / "veche.sqlite3.plain"
    copy = data_dir / "veche.sqlite3.encrypting"
    if aside.exists() and not database.exists():
        aside.rename(database)  # cut between the two renames: back to the start
    resuming = encryption.is_encrypted(data_dir)
    counts: dict[str, int] = {}
    if not aside.exists():
        if not database.exists() or database.stat().st_size == 0:
            raise CliError(f"{database} does not exist: nothing to encrypt")
        with database.open("rb") as handle:
            plain = handle.read(16) == b"SQLite format 3\0"
        if not plain:
            raise CliError(f"{database} is already encrypted")
    try:
        if resuming:
            opened = encryption.open_node(
                data_dir,
                passphrase=node_passphrase("Node passphrase: ")
                if encryption.read_header(data_dir)["source"] == "passphrase"
                else None,
                key_file=Path(args.key_file).resolve() if args.key_file else None,
            )
            if opened.key is None:
                raise CliError("wrong node key; nothing was changed")
            key = opened.key
        elif args.key_file:
            key_file = Path(args.key_file).resolve()
            if not key_file.exists():
                kek = encryption.DatabaseKey(os.urandom(32))
                from veche.events.secret_file import write_secret_file

                write_secret_file(key_file, kek.raw.hex() + "\n")
            wrapping = encryption.Wrapping("key-file", encryption._read_key_file(key_file).raw)
            key = encryption.DatabaseKey(os.urandom(32))
        else:
            passphrase = node_passphrase("New node passphrase: ", confirm=True)
            wrapping = encryption.passphrase_wrapping(passphrase, args.kdf_profile)
            key = encryption.DatabaseKey(os.urandom(32))
        if not aside.exists():
            # Everything in the main file, nothing left in a plain log beside the copy.
            with contextlib.closing(sqlite3.connect(database)) as connection:
                connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            for stale in (copy, *(copy.with_name(copy.name + s) for s in ("-wal", "-shm"))):
                stale.unlink(missing_ok=True)
            counts = convert.encrypt_database(database, copy, key)
            if not resuming:
                encryption.write_new_header(data_dir, wrapping, key)
        sealed = convert.seal_plain_files(data_dir, key)
        if not aside.exists():
            block = os.urandom(1 << 20)
            for log in (database.with_name(f"veche.sqlite3{s}") for s in ("-wal", "-shm")):
                if log.exists():  # emptied by the checkpoint; never beside the new file
                    wipe._overwrite(log, block)
            database.rename(aside)
        if copy.exists():
            copy.replace(database)
    except encryption.EncryptionError as error:
        raise CliError(f"{error}; run veche node encrypt again to finish") from error
    # The plain database: overwritten, then deleted.
    if aside.exists():
        wipe._overwrite(aside, os.urandom(1 << 20))
    print(
        f"{database} encrypted ({sum(counts.values())} rows copied and checked),"
        f" {len(sealed)} files sealed. On flash or an SSD the plain file's old blocks may"
        " survive: see docs/node.md"
    )
    return 0


def _check(args: argparse.Namespace) -> int:
    import time

    setup_django(args)
    start = time.monotonic()
    check_database()
    took = time.monotonic() - start
    if args.json:
        print_json({"database": _db_name(), "encrypted": is_encrypted_node(), "ok": True})
    elif is_encrypted_node():
        print(f"{_db_name()}: every page's HMAC checked, whole ({took:.2f} s)")
    else:
        print(f"{_db_name()}: not encrypted; no pages to check")
    return 0


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
    setup_django(args, unlock=False)
    if _needs_unlock_page():
        _unlock_by_page(args)
    else:
        unlock_database(args)
    check_database()
    migrate_quietly()
    run_server(args.host, args.port, args.workers, worker=not args.no_worker)
    return 0


def _needs_unlock_page() -> bool:
    """An encrypted node under a passphrase with no way to ask for it: no
    $VECHE_NODE_PASSPHRASE and no terminal (a service started by systemd)."""
    from django.conf import settings

    from veche.web.db import encryption

    if not is_encrypted_node() or encryption.held() is not None:
        return False
    if os.environ.get("VECHE_NODE_PASSPHRASE") or sys.stdin.isatty():
        return False
    try:
        source = encryption.read_header(Path(settings.DATA_DIR))["source"]
    except encryption.EncryptionError as error:
        raise CliError(str(error)) from error
    return bool(source == "passphrase")


def _unlock_by_page(args: argparse.Namespace) -> None:
    from django.conf import settings

    from veche.web.db import encryption
    from veche.web.unlock_server import serve_until_unlocked

    data_dir = Path(settings.DATA_DIR)
    opened = serve_until_unlocked(
        args.host, args.port, data_dir, announce=lambda line: print(line, flush=True)
    )
    if opened.duress:
        duress_wipe(data_dir, opened)
    else:
        assert opened.key is not None
        encryption.hold(opened.key, opened.wrapping)


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

    from veche.web.panic import SERVER_PID_ENV

    # What the operators' panic button stops (its workers hold the database key).
    os.environ[SERVER_PID_ENV] = str(os.getpid())
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
    # Held with its wrapping: a panic makes the new node's header under the same.
    encryption.create_with_passphrase(data_dir, _demo_passphrase(), "interactive")
    return True


def _unlock_demo(data_dir: Path) -> None:
    """An encrypted demo folder opens with the demo's passphrase without asking; any
    other folder is unlocked as every command does (the terminal is asked)."""
    from veche.web.db import encryption

    if encryption.held() is not None or not encryption.is_encrypted(data_dir):
        return
    # Not the demo's passphrase, or a key file: setup_django asks as for any command.
    with contextlib.suppress(encryption.EncryptionError):
        opened = encryption.open_node(data_dir, passphrase=_demo_passphrase())
        if opened.key is not None:  # the duress passphrase is never the demo's
            encryption.hold(opened.key, opened.wrapping)
