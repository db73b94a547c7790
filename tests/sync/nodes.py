"""Separate Veche nodes for sync tests: a data folder each, the real ``veche`` command,
and ``veche serve`` on a loopback port."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

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

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    def env(self) -> dict[str, str]:
        env = dict(os.environ)
        env.pop("DJANGO_SETTINGS_MODULE", None)
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

    def python(self, code: str) -> None:
        """Run Python with Django set up on this node's data folder (e.g. to add an account)."""
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
