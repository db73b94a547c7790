"""Encrypted nodes in real processes, for the unlock page, duress, wipe and panic
tests: made with ``veche init``, written to, served, and read byte by byte."""

from __future__ import annotations

import http.client
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

from tests.web import test_encrypted_db as encrypted
from tests.web.served import VECHE, free_port

PASSPHRASE = encrypted.PASSPHRASE
SECRETS = encrypted.SECRETS
DURESS = "the police are in the room"
env = encrypted._env
run = encrypted._run
folder_bytes = encrypted._folder_bytes
found = encrypted._found


def written_node(tmp_path: Path) -> Path:
    """An encrypted node (``veche init``) holding a committee, members and a motion."""
    return encrypted._node(tmp_path, encrypt=True)


def read_node(folder: Path, passphrase: str) -> subprocess.CompletedProcess[str]:
    """Committees, pseudonyms and motion titles, read through Django with ``passphrase``."""
    return run([sys.executable, "-c", encrypted.READ], env(folder, passphrase))


def data_key(folder: Path, passphrase: str = PASSPHRASE) -> bytes:
    from veche.web.db import encryption

    return encryption.unlock(folder, passphrase=passphrase).raw


def opens_with(database: Path, key: bytes) -> bool:
    """Whether SQLCipher reads ``database`` with the raw ``key``."""
    from sqlcipher3 import dbapi2  # type: ignore[import-untyped]

    connection = dbapi2.connect(str(database))
    try:
        connection.execute("PRAGMA cipher_log_level = NONE")
        connection.execute(f"PRAGMA key = \"x'{key.hex()}'\"")
        connection.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except dbapi2.DatabaseError:
        return False
    finally:
        connection.close()
    return True


@dataclass
class Http:
    """A tiny browser: one host, cookies kept, forms' hidden fields read."""

    port: int
    cookies: dict[str, str] = field(default_factory=dict)

    def request(
        self,
        method: str,
        path: str,
        form: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
        timeout: float = 30.0,
    ) -> tuple[int, dict[str, str], str]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        sent = dict(headers or {})
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form)
            sent["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            connection.request(method, path, body=body, headers=sent)
            response = connection.getresponse()
            text = response.read().decode("utf-8", errors="replace")
            for name, value in response.getheaders():
                if name.lower() == "set-cookie":
                    cookie = value.split(";", 1)[0]
                    key, _, val = cookie.partition("=")
                    self.cookies[key.strip()] = val.strip()
            return response.status, {k.lower(): v for k, v in response.getheaders()}, text
        finally:
            connection.close()

    def get(self, path: str, **kwargs: object) -> tuple[int, dict[str, str], str]:
        return self.request("GET", path, **kwargs)  # type: ignore[arg-type]

    def post(
        self, path: str, form: dict[str, str], **kwargs: object
    ) -> tuple[int, dict[str, str], str]:
        return self.request("POST", path, form, **kwargs)  # type: ignore[arg-type]


def hidden_fields(page: str) -> dict[str, str]:
    fields = {}
    for tag in re.findall(r"<input[^>]*type=\"hidden\"[^>]*>", page):
        name = re.search(r'name="([^"]+)"', tag)
        value = re.search(r'value="([^"]*)"', tag)
        if name:
            fields[name.group(1)] = value.group(1) if value else ""
    return fields


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    port: int
    log: Path

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def http(self) -> Http:
        return Http(self.port)

    def wait_for(self, path: str, text: str, timeout: float = 90.0) -> str:
        """Poll ``path`` until its page holds ``text``."""
        deadline = time.monotonic() + timeout
        while True:
            if self.process.poll() is not None:
                raise AssertionError(f"veche serve exited:\n{self.output()[-3000:]}")
            with suppress(OSError):
                _status, _headers, page = Http(self.port).get(path, timeout=5)
                if text in page:
                    return page
            if time.monotonic() > deadline:
                raise AssertionError(f"{path} never showed {text!r}:\n{self.output()[-3000:]}")
            time.sleep(0.2)


@contextmanager
def serve(folder: Path, passphrase: str | None = None, workers: int = 1) -> Iterator[Server]:
    """``veche serve`` on a loopback port, with no terminal (as systemd starts it)."""
    port = free_port()
    log = folder.parent / f"{folder.name}-serve-{port}.log"
    with log.open("wb") as sink:
        process = subprocess.Popen(
            [VECHE, "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers)],
            env=env(folder, passphrase),
            stdin=subprocess.DEVNULL,
            stdout=sink,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    server = Server(process, port, log)
    try:
        yield server
    finally:
        import os

        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            with suppress(subprocess.TimeoutExpired):
                process.wait(timeout=20)
        with suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
