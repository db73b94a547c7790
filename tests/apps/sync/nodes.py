"""Separate Veche nodes for sync tests: a data folder each, the real ``veche`` command,
and ``veche serve`` on a loopback port.

A node never shares the test run's database. On the SQLite pass it keeps SQLite in
its own data folder (``DATABASE_URL`` is removed from its environment); on the
PostgreSQL pass it gets a PostgreSQL database of its own, created with the node and
dropped after the test that made it (``drop_all``, from tests/conftest.py): so sync
over HTTP, ``veche serve`` and the commands are tested on PostgreSQL as a hub runs
them, and on SQLite as a laptop does.
"""

from __future__ import annotations

import json
import os
import socket
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests import databases

from veche.events import Event, Identity
from veche.events.identity import save_identity

PASSPHRASE = "node test passphrase"
VECHE = str(Path(sys.executable).with_name("veche"))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def key_file(folder: Path, identity: Identity, name: str) -> Path:
    path = folder / f"{name}.key"
    save_identity(path, identity, PASSPHRASE, profile="test")
    return path


def write_events(path: Path, events: list[Event]) -> Path:
    path.write_bytes(b"".join(e.raw + b"\n" for e in events))
    return path


@dataclass
class Node:
    folder: Path
    port: int = field(default_factory=free_port)
    server: subprocess.Popen[bytes] | None = None
    # "" as the test run (SQLite or PostgreSQL), or "sqlite" or "postgres" whatever the run.
    database: str = ""
    database_url: str | None = None  # set for PostgreSQL; None: SQLite in the data folder

    def __post_init__(self) -> None:
        if self.database not in ("", *databases.CHOICES):
            raise ValueError(f"database={self.database!r}")
        wanted = self.database or ("postgres" if databases.on_postgres() else "sqlite")
        if wanted == "postgres" and self.database_url is None:
            self.database_url = databases.create_database("veche_node")
            _made.append(self.database_url)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    def env(self) -> dict[str, str]:
        env = dict(os.environ)
        env.pop("DJANGO_SETTINGS_MODULE", None)
        env.pop("DATABASE_URL", None)
        if self.database_url:
            env["DATABASE_URL"] = self.database_url
        env.update(
            VECHE_DATA_DIR=str(self.folder),
            VECHE_KDF_PROFILE="test",
            VECHE_PASSPHRASE=PASSPHRASE,
        )
        return env

    def veche(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        done = subprocess.run(
            [VECHE, *args],
            check=False,
            env=self.env(),
            capture_output=True,
            text=True,
            timeout=120,
        )
        if check and done.returncode != 0:
            raise AssertionError(f"veche {' '.join(args)} failed: {done.stderr}{done.stdout}")
        return done

    def python(self, code: str) -> str:
        """Run Python with Django set up on this node's data folder and database (e.g. to
        add an account, or read a table whichever the database); what it printed."""
        setup = (
            "from veche.cli.base import setup_django, migrate_quietly\n"
            "setup_django()\nmigrate_quietly()\n"
        )
        done = subprocess.run(
            [sys.executable, "-c", setup + code],
            check=False,
            env=self.env(),
            capture_output=True,
            text=True,
            timeout=120,
        )
        if done.returncode != 0:
            raise AssertionError(f"python on {self.folder} failed: {done.stderr}")
        return done.stdout

    def query(self, sql: str) -> list[tuple[Any, ...]]:
        """Rows of one read-only SQL statement on the node's own database, SQLite or
        PostgreSQL; JSON columns come back as text on both, as SQLite stores them."""
        if self.database_url is None:
            uri = f"file:{self.folder / 'veche.sqlite3'}?mode=ro"
            with sqlite3.connect(uri, uri=True) as db:
                return list(db.execute(sql).fetchall())
        import psycopg
        from psycopg.types.string import TextLoader

        with psycopg.connect(self.database_url) as db:
            db.adapters.register_loader("jsonb", TextLoader)
            db.read_only = True
            return list(db.execute(sql.encode()).fetchall())

    def json(self, *args: str) -> Any:
        return json.loads(self.veche(*args, "--json").stdout)

    def digest(self) -> str:
        return str(self.json("state", "digest")["digest"])

    def start(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        self.server = subprocess.Popen(
            [VECHE, "serve", "--port", str(self.port), "--workers", "1"],
            env=self.env(),
            stdout=subprocess.DEVNULL,
            stderr=(self.folder / "server.log").open("ab"),
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return
            except OSError:
                if self.server.poll() is not None:
                    raise AssertionError("veche serve exited") from None
                time.sleep(0.1)
        raise AssertionError("veche serve did not start")

    def stop(self) -> None:
        if self.server is not None:
            self.server.terminate()
            try:
                self.server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.server.kill()
            self.server = None


_made: list[str] = []  # nodes' PostgreSQL databases not dropped yet


def drop_all() -> None:
    """Drop the PostgreSQL database of every node made so far (their servers are stopped)."""
    while _made:
        databases.drop_database(_made.pop())
