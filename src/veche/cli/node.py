"""Run a node: ``veche init``, ``veche serve``, ``veche demo``."""

from __future__ import annotations

import argparse
import os
import sys

from veche.cli.base import add_json_flag, migrate_quietly, print_json, setup_django


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    init = commands.add_parser("init", help="create the data folder and the database")
    add_json_flag(init)
    init.set_defaults(handler=_init)

    serve = commands.add_parser("serve", help="serve the web UI (gunicorn)")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=2)
    serve.set_defaults(handler=_serve)

    demo = commands.add_parser(
        "demo", help="init, load the Belarus 2020 demonstration data, and serve"
    )
    demo.add_argument("--no-serve", action="store_true", help="load the demo and exit")
    demo.add_argument("--host", default="127.0.0.1")
    demo.add_argument("--port", type=int, default=8000)
    demo.add_argument("--fresh", action="store_true", help="delete the data folder first")
    demo.set_defaults(handler=_demo)


def _init(args: argparse.Namespace) -> int:
    setup_django(args)
    migrate_quietly()
    from django.conf import settings

    if args.json:
        print_json({"data_dir": str(settings.DATA_DIR), "database": _db_name()})
    else:
        print(f"Veche node ready in {settings.DATA_DIR} ({_db_name()})")
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
    setup_django(args)
    migrate_quietly()
    run_server(args.host, args.port, args.workers)
    return 0


def run_server(host: str, port: int, workers: int = 2) -> None:
    from gunicorn.app.base import BaseApplication

    from veche.web.wsgi import application

    class _Server(BaseApplication):  # type: ignore[misc]
        def load_config(self) -> None:
            self.cfg.set("bind", f"[{host}]:{port}" if ":" in host else f"{host}:{port}")
            self.cfg.set("workers", workers)
            self.cfg.set("worker_class", "gthread")
            self.cfg.set("threads", 4)
            self.cfg.set("accesslog", None)
            self.cfg.set("timeout", 120)

        def load(self) -> object:
            return application

    print(f"Serving Veche on http://{host}:{port}/ (Ctrl+C stops)", flush=True)
    _Server().run()


def _demo(args: argparse.Namespace) -> int:
    _allow_host(args.host)
    setup_django(args)
    from django.conf import settings

    if args.fresh:
        db = settings.DATA_DIR / "veche.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            path = db.with_name(db.name + suffix)
            if path.exists():
                path.unlink()
    migrate_quietly()
    from veche.demo import load

    try:
        summary = load.load_demo(out=sys.stdout)
    except load.DemoAlreadyLoaded as error:
        print(str(error))
    else:
        print(summary)
    if args.no_serve:
        return 0
    run_server(args.host, args.port)
    return 0
