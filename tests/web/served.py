"""A real ``veche serve`` on a loopback port, in a data folder of its own, for tests
that need the server itself: its worker, its static files, its logs, a proxy in front.

A served node uses the run's kind of database: SQLite in its data folder on the
SQLite pass, a PostgreSQL database of its own (``node_database``) on the PostgreSQL
pass, as a hub runs; never the test run's own database.
"""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

from tests import databases

VECHE = str(Path(sys.executable).with_name("veche"))
PASSPHRASE = "correct horse battery"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def node_database() -> Iterator[str | None]:
    """The served node's DATABASE_URL: None (SQLite in its folder) on the SQLite pass,
    a fresh PostgreSQL database, dropped afterwards, on the PostgreSQL pass."""
    if not databases.on_postgres():
        yield None
        return
    url = databases.create_database("veche_served")
    try:
        yield url
    finally:
        databases.drop_database(url)


def node_env(folder: Path, database: str | None = None, **extra: str) -> dict[str, str]:
    env = dict(os.environ)
    for name in ("DJANGO_SETTINGS_MODULE", "DATABASE_URL"):
        env.pop(name, None)
    for name in list(env):
        if name.startswith("VECHE_") and name != "VECHE_CHROMIUM":
            del env[name]
    env.update(VECHE_DATA_DIR=str(folder), VECHE_KDF_PROFILE="test", PYTHONUNBUFFERED="1")
    if database:
        env["DATABASE_URL"] = database
    env.update(extra)
    return env


def run_python(folder: Path, code: str, database: str | None = None, **extra: str) -> str:
    """Run ``code`` with Django set up on the node's data folder (before or while it serves)."""
    prelude = "import django; django.setup(); from django.core.management import call_command; call_command('migrate', verbosity=0)\n"
    env = node_env(folder, database, DJANGO_SETTINGS_MODULE="veche.web.settings", **extra)
    done = subprocess.run(
        [sys.executable, "-c", prelude + code],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


@dataclass
class Served:
    folder: Path
    port: int
    process: subprocess.Popen[bytes]
    log: Path

    def get(self, path: str, timeout: float = 5.0) -> tuple[int, bytes]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            connection.request("GET", path)
            response = connection.getresponse()
            return response.status, response.read()
        finally:
            connection.close()

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")


@contextmanager
def veche_serve(
    folder: Path, workers: int = 2, database: str | None = None, **extra: str
) -> Iterator[Served]:
    """``veche serve --host 127.0.0.1`` until the block ends; stopped with its workers."""
    folder.mkdir(parents=True, exist_ok=True)
    port = free_port()
    log = folder.parent / f"{folder.name}-serve.log"
    with log.open("wb") as sink:
        process = subprocess.Popen(
            [VECHE, "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers)],
            env=node_env(folder, database, **extra),
            stdout=sink,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: the workers stop with it
        )
    served = Served(folder, port, process, log)
    try:
        deadline = time.monotonic() + 90
        while True:
            if process.poll() is not None:
                raise AssertionError(f"veche serve exited:\n{served.output()[-3000:]}")
            try:
                if served.get("/accounts/sign-in/", timeout=2)[0] == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise AssertionError(f"veche serve did not answer:\n{served.output()[-3000:]}")
            time.sleep(0.2)
        yield served
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            with suppress(subprocess.TimeoutExpired):
                process.wait(timeout=20)
        with suppress(ProcessLookupError):  # a worker that outlived its master
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
