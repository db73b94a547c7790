"""An encrypted node's data folder, read byte by byte as a captor would.

Each node here is a real process on a real data folder: ``veche init --encrypt``,
then committees, members and a motion written through the actions, the process
killed before SQLite tidies its write-ahead log (as a seized, running laptop would
be). Nothing the members wrote may be found in any file of the folder; the same
folder opened with the passphrase shows it all; a wrong passphrase and a damaged
file are refused without a byte changing (docs/node.md, "Encryption at rest").
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from tests.web.served import VECHE, node_env

pytestmark = pytest.mark.skipif(
    os.environ.get("VECHE_TEST_DATABASE") == "postgres",
    reason="encryption at rest is for the embedded database; hubs use disk encryption",
)

PASSPHRASE = "seized laptop gives nothing away"
# What members wrote: none of it may appear in the folder, in any encoding we store.
SECRETS = (
    "Minsk Tractor Works strike committee",
    "Zubr-Kalinouski",
    "Rusalka",
    "Stop work on Monday",
)

WRITE = f"""
import os, django
django.setup()
from veche.cli.base import unlock_database
unlock_database()
from django.db import connection
connection.ensure_connection()
# Keep every change in the write-ahead log, as a running node has it when seized.
connection.connection.execute("PRAGMA wal_autocheckpoint = 0")
from veche.apps.committees import actions
from veche.events import Identity
founder, member = Identity(b"F" * 32), Identity(b"M" * 32)
space = actions.create_committee(
    founder, name={SECRETS[0]!r}, kind="workplace", level="local", pseudonym={SECRETS[1]!r}
).id
code, _ = actions.invite(founder, space)
actions.join(member, space, code, {SECRETS[2]!r})
actions.propose(founder, space, kind="strike_call", title={SECRETS[3]!r}, text="All shops.")
os._exit(0)  # no clean close: the log stays beside the database
"""

READ = """
import django
django.setup()
from veche.cli.base import check_database, unlock_database
unlock_database()
check_database()
from veche.apps.committees.models import Committee, Member, Motion
print(list(Committee.objects.values_list("name", flat=True)))
print(sorted(Member.objects.values_list("pseudonym", flat=True)))
print(list(Motion.objects.values_list("title", flat=True)))
"""


def _env(folder: Path, passphrase: str | None = PASSPHRASE) -> dict[str, str]:
    extra = {"VECHE_NODE_PASSPHRASE": passphrase} if passphrase else {}
    return node_env(folder, DJANGO_SETTINGS_MODULE="veche.web.settings", **extra)


def _run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, env=env, capture_output=True, text=True, timeout=180, check=False)


def _node(tmp_path: Path, *, encrypt: bool) -> Path:
    folder = tmp_path / ("encrypted" if encrypt else "plain")
    init = (
        [VECHE, "init", "--kdf-profile", "interactive"] if encrypt else [VECHE, "init", "--plain"]
    )
    done = _run(init, _env(folder))
    assert done.returncode == 0, done.stderr
    written = _run([sys.executable, "-c", WRITE], _env(folder))
    assert written.returncode == 0, written.stderr[-3000:]
    return folder


def _folder_bytes(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def _found(folder: Path) -> set[str]:
    """Each secret found in any file of the folder, as UTF-8 or as UTF-16 (SQLite's
    other text encoding), whole or its first 8 characters."""
    everything = b"\0".join(_folder_bytes(folder).values())
    found = set()
    for secret in SECRETS:
        for text in (secret, secret[:8]):
            for encoding in ("utf-8", "utf-16-le", "utf-16-be"):
                if text.encode(encoding) in everything:
                    found.add(secret)
    return found


@pytest.mark.slow
def test_a_seized_encrypted_folder_shows_nothing_members_wrote(tmp_path: Path) -> None:
    plain = _node(tmp_path, encrypt=False)
    assert _found(plain) == set(SECRETS)  # the search does find them where they are plain

    folder = _node(tmp_path, encrypt=True)
    files = _folder_bytes(folder)
    assert files["veche.sqlite3-wal"], "the write-ahead log should hold the writes"
    assert "veche.sqlite3-shm" in files
    assert not files["veche.sqlite3"].startswith(b"SQLite format 3")
    assert _found(folder) == set()

    read = _run([sys.executable, "-c", READ], _env(folder))
    assert read.returncode == 0, read.stderr[-3000:]
    assert read.stdout.splitlines() == [
        repr([SECRETS[0]]),
        repr(sorted([SECRETS[1], SECRETS[2]])),
        repr([SECRETS[3]]),
    ]


@pytest.mark.slow
def test_a_wrong_passphrase_is_refused_and_changes_nothing(tmp_path: Path) -> None:
    folder = _node(tmp_path, encrypt=True)
    before = _folder_bytes(folder)
    done = _run([VECHE, "node", "operator", "list"], _env(folder, "not the passphrase"))
    assert done.returncode == 2
    assert "wrong node key: the node passphrase does not open" in done.stderr
    assert "Traceback" not in done.stderr
    assert _folder_bytes(folder) == before

    locked = _run([VECHE, "node", "operator", "list"], {**_env(folder, None)})
    assert locked.returncode == 2
    assert "this node is encrypted" in locked.stderr
    assert _folder_bytes(folder) == before


def _checkpointed(tmp_path: Path) -> Path:
    """An encrypted node stopped cleanly: everything in veche.sqlite3, no log."""
    folder = _node(tmp_path, encrypt=True)
    done = _run([VECHE, "node", "operator", "list"], _env(folder))
    assert done.returncode == 0, done.stderr
    assert not (folder / "veche.sqlite3-wal").exists()
    return folder


def _flip(data: bytes, offset: int) -> bytes:
    return data[:offset] + bytes([data[offset] ^ 0x01]) + data[offset + 1 :]


@pytest.mark.slow
@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda data: data[: len(data) // 2], "cannot be read with this node's key"),
        (lambda data: data[: len(data) // 2 + 100], "cannot be read with this node's key"),
        (lambda data: _flip(data, 100), "cannot be read with this node's key"),
        (lambda data: _flip(data, len(data) - 3000), "was altered or damaged"),
        (lambda data: b"", "missing or empty"),
    ],
    ids=["truncated", "truncated-mid-page", "first-page-altered", "last-page-altered", "emptied"],
)
def test_a_damaged_database_is_refused_and_never_overwritten(
    tmp_path: Path, damage: object, message: str
) -> None:
    folder = _checkpointed(tmp_path)
    database = folder / "veche.sqlite3"
    database.write_bytes(damage(database.read_bytes()))  # type: ignore[operator]
    before = _folder_bytes(folder)
    # The whole file is checked where a node starts and by `veche node check`, not by
    # every command (it reads every page).
    for command in (["serve", "--port", "9"], ["node", "check"]):
        done = _run([VECHE, *command], _env(folder))
        assert done.returncode == 2, (command, done.stdout, done.stderr[-2000:])
        assert message in done.stderr, done.stderr[-2000:]
        assert "Traceback" not in done.stderr
        assert _folder_bytes(folder) == before


@pytest.mark.slow
def test_a_key_file_opens_the_node_and_nothing_else_does(tmp_path: Path) -> None:
    folder = tmp_path / "node"
    stick = tmp_path / "stick" / "veche.key"
    done = _run([VECHE, "init", "--key-file", str(stick)], _env(folder, None))
    assert done.returncode == 0, done.stderr
    assert len(bytes.fromhex(stick.read_text())) == 32
    assert stick.stat().st_mode & 0o777 == 0o600
    assert stick.read_text().strip() not in (folder / "encryption.json").read_text()
    with_stick = {**_env(folder, None), "VECHE_NODE_KEY_FILE": str(stick)}
    assert _run([VECHE, "node", "operator", "list"], with_stick).returncode == 0
    without = _run([VECHE, "node", "operator", "list"], _env(folder))
    assert without.returncode == 2
    assert "VECHE_NODE_KEY_FILE" in without.stderr
    other = tmp_path / "other.key"
    other.write_text("00" * 32)
    wrong = _run(
        [VECHE, "node", "operator", "list"], {**with_stick, "VECHE_NODE_KEY_FILE": str(other)}
    )
    assert wrong.returncode == 2
    assert "does not open this node's database" in wrong.stderr


DEMO_NAMES = """
import json, django
django.setup()
from veche.cli.base import unlock_database
unlock_database()
from veche.apps.committees.models import Committee, Member, Motion
print(json.dumps({
    "committees": sorted(set(Committee.objects.values_list("name", flat=True))),
    "pseudonyms": sorted(set(Member.objects.values_list("pseudonym", flat=True))),
    "motions": sorted(set(Motion.objects.values_list("title", flat=True))),
}))
"""


@pytest.mark.slow
def test_the_encrypted_demo_node_gives_nothing_away_and_serves_it_unlocked(
    tmp_path: Path,
) -> None:
    import json

    from tests.web.served import veche_serve

    folder = tmp_path / "demo"
    done = _run([VECHE, "demo", "--no-serve"], _env(folder, None))
    assert done.returncode == 0, done.stderr[-3000:]
    assert "its node passphrase is 'veche demo node'" in done.stdout
    read = _run([sys.executable, "-c", DEMO_NAMES], _env(folder, "veche demo node"))
    assert read.returncode == 0, read.stderr[-3000:]
    names = json.loads(read.stdout)
    assert len(names["committees"]) > 20 and len(names["pseudonyms"]) > 40, names
    assert len(names["motions"]) > 20, names
    # Every byte of the folder: database, log, audits' uploads and reports, bundles, QR.
    everything = b"\0".join(_folder_bytes(folder).values())
    needles = [f'"pseudonym":"{p}"' for p in names["pseudonyms"]]
    # Bare names of five or more bytes (shorter ones meet random bytes by chance), but
    # not the demo's pseudonym "Veche": the static files name the software.
    needles += [t for texts in names.values() for t in texts if len(t) >= 5 and t != "Veche"]
    found = [
        text
        for text in needles
        for encoding in ("utf-8", "utf-16-le", "utf-16-be")
        if text.encode(encoding) in everything
    ]
    assert found == []

    # Unlocked, the same node serves them (its background worker gets the key by pipe).
    with veche_serve(folder, VECHE_NODE_PASSPHRASE="veche demo node") as served:
        status, page = served.get("/strike/")  # the public strike map
        assert status == 200
        assert b"Grodno" in page  # a workplace of the demo, from the database
    assert "Traceback" not in served.output(), served.output()[-3000:]
    assert "locked" not in served.output()


@pytest.mark.slow
def test_veche_node_encrypt_turns_a_plain_node_into_an_encrypted_one(tmp_path: Path) -> None:
    folder = _node(tmp_path, encrypt=False)
    _run([VECHE, "node", "operator", "list"], _env(folder))  # stopped cleanly
    assert _found(folder) == set(SECRETS)
    done = _run([VECHE, "node", "encrypt", "--kdf-profile", "interactive"], _env(folder))
    assert done.returncode == 0, done.stderr[-3000:]
    assert "encrypted (" in done.stdout
    assert (folder / "encryption.json").exists()
    assert not [p.name for p in folder.iterdir() if "plain" in p.name or "encrypting" in p.name]
    assert _found(folder) == set()
    read = _run([sys.executable, "-c", READ], _env(folder))
    assert read.returncode == 0, read.stderr[-3000:]
    assert SECRETS[0] in read.stdout and SECRETS[3] in read.stdout
    again = _run([VECHE, "node", "encrypt"], _env(folder))
    assert again.returncode == 2 and "already encrypted" in again.stderr
