"""Fixtures shared by the adversarial suite: the command line in-process, key files,
signed-in browsers (Django's test client), separate nodes, and an honest history."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.test import Client
from tests.adversary.helpers import Federation, honest_federation
from tests.apps.sync.nodes import PASSPHRASE, Node
from tests.factories import World

from veche.events import Identity
from veche.events.identity import save_identity

Cli = Callable[..., tuple[int, str, str]]


@pytest.fixture
def world() -> World:
    return World()


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Cli:
    """Run ``veche ARGS…`` in this process against the test database; returns (exit
    status, stdout, stderr). Key files (``key_file``) open with ``$VECHE_PASSPHRASE``."""
    from veche.cli import main

    monkeypatch.setenv("VECHE_PASSPHRASE", PASSPHRASE)

    def run(*argv: str | Path) -> tuple[int, str, str]:
        capsys.readouterr()
        code = main([str(a) for a in argv])
        out, err = capsys.readouterr()
        return code, out, err

    return run


@pytest.fixture
def key_file(tmp_path: Path) -> Callable[[Identity, str], Path]:
    """Write a key file for an identity (cheap Argon2, the nodes' passphrase)."""

    def write(identity: Identity, name: str) -> Path:
        path = tmp_path / "keys" / f"{name}.key"
        save_identity(path, identity, PASSPHRASE, profile="test")
        return path

    return write


@pytest.fixture
def signed_in() -> Callable[[Identity, str], Client]:
    """A browser signed in with an account of this node for the identity (created if
    missing, with the nodes' passphrase)."""
    from veche.apps.accounts.actions import create_account
    from veche.apps.accounts.models import Account

    def sign_in(identity: Identity, pseudonym: str) -> Client:
        if not Account.objects.filter(pseudonym=pseudonym).exists():
            create_account(pseudonym, PASSPHRASE, identity)
        client = Client()
        answer = client.post(
            "/accounts/sign-in/", {"pseudonym": pseudonym, "passphrase": PASSPHRASE}
        )
        assert answer.status_code == 302, answer.status_code
        return client

    return sign_in


@pytest.fixture
def nodes(tmp_path: Path) -> Iterator[Callable[..., Node]]:
    """Separate nodes (own data folder, the real ``veche`` command); ``nodes(name,
    serve=True)`` also runs ``veche serve`` on a loopback port. All are stopped after."""
    made: list[Node] = []

    def node(name: str, *, serve: bool = False) -> Node:
        made.append(Node(tmp_path / "nodes" / name))
        made[-1].folder.mkdir(parents=True, exist_ok=True)
        if serve:
            made[-1].start()
        return made[-1]

    try:
        yield node
    finally:
        for each in made:
            each.stop()


@pytest.fixture
def federation() -> Federation:
    """The honest history of ``helpers.Federation`` (no election), loaded into the store."""
    return honest_federation()


@pytest.fixture
def federation_with_election() -> Federation:
    """The same with a decided secret-ballot election of the MTZ committee."""
    return honest_federation(election=True)
