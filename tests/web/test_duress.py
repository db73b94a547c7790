"""The duress passphrase: typed at unlock, on the terminal or on the unlock page, it
wipes the node (the encryption header first) and opens a new, empty node under
itself; the old data cannot be read afterwards, with the real passphrase either
(docs/node.md, "Encryption at rest")."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest
from tests.web.locked_nodes import (
    DURESS,
    PASSPHRASE,
    SECRETS,
    data_key,
    env,
    found,
    hidden_fields,
    opens_with,
    read_node,
    run,
    serve,
    written_node,
)
from tests.web.served import VECHE

from veche.web.db import encryption

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        os.environ.get("VECHE_TEST_DATABASE") == "postgres",
        reason="encryption at rest is for the embedded database; hubs use disk encryption",
    ),
]


def _header(folder: Path) -> dict[str, object]:
    return dict(json.loads((folder / "encryption.json").read_text()))


def _shape(header: dict[str, object]) -> dict[str, object]:
    """What a reader of the header sees without the passphrase: keys and sizes."""
    return {
        key: [len(slot) for slot in value] if isinstance(value, list) else type(value).__name__
        for key, value in header.items()
    }


def _set_duress(folder: Path) -> None:
    done = run([VECHE, "node", "duress", "set"], {**env(folder), "VECHE_DURESS_PASSPHRASE": DURESS})
    assert done.returncode == 0, done.stderr[-2000:]


def _gone(folder: Path, old_key: bytes) -> None:
    """The old data cannot be read: not by its key, not by the real passphrase, not in
    any byte of the folder; the duress passphrase opens an empty node."""
    assert found(folder) == set()
    assert not opens_with(folder / "veche.sqlite3", old_key)
    with pytest.raises(encryption.WrongKey):
        encryption.open_node(folder, passphrase=PASSPHRASE)
    empty = read_node(folder, DURESS)
    assert empty.returncode == 0, empty.stderr[-2000:]
    assert empty.stdout.splitlines() == ["[]", "[]", "[]"]
    for name in ("audits", "exports", "node-key.json", "sync-tickets", "unlock-tries"):
        assert not (folder / name).exists(), name


def test_the_header_does_not_say_whether_a_duress_passphrase_is_set(tmp_path: Path) -> None:
    folder = written_node(tmp_path)
    without = _header(folder)
    _set_duress(folder)
    with_duress = _header(folder)
    assert _shape(with_duress) == _shape(without)
    assert with_duress["salt"] == without["salt"] and with_duress["v"] == 2
    # The node passphrase still opens it, the duress one is known as such; a duress
    # passphrase equal to the node's is refused.
    assert encryption.open_node(folder, passphrase=PASSPHRASE).key is not None
    assert encryption.open_node(folder, passphrase=DURESS).duress
    same = run(
        [VECHE, "node", "duress", "set"], {**env(folder), "VECHE_DURESS_PASSPHRASE": PASSPHRASE}
    )
    assert same.returncode == 2 and "must differ" in same.stderr
    # Cleared: the same shape again, and the old duress passphrase is just wrong.
    assert run([VECHE, "node", "duress", "clear"], env(folder)).returncode == 0
    assert _shape(_header(folder)) == _shape(without)
    with pytest.raises(encryption.WrongKey):
        encryption.open_node(folder, passphrase=DURESS)
    assert SECRETS[0] in read_node(folder, PASSPHRASE).stdout


def test_the_duress_passphrase_on_the_unlock_page_wipes_and_serves_an_empty_node(
    tmp_path: Path,
) -> None:
    folder = written_node(tmp_path)
    _set_duress(folder)
    old_key = data_key(folder)
    with serve(folder) as server:
        server.wait_for("/", "Node passphrase")
        browser = server.http()
        token = hidden_fields(browser.get("/")[2])["csrf"]
        status, _h, page = browser.post("/", {"passphrase": DURESS, "csrf": token})
        assert status == 200 and "Unlocked" in page
        # The usual first-run page of a new node, nothing of the old one.
        home = server.wait_for("/accounts/sign-in/", 'name="pseudonym"')
        assert SECRETS[1] not in home
    assert "Traceback" not in server.output(), server.output()[-3000:]
    _gone(folder, old_key)


def test_a_node_made_by_the_previous_release_opens_and_takes_a_duress_passphrase(
    tmp_path: Path,
) -> None:
    """A version 1 header (the key derived directly, a check value) keeps opening;
    setting a duress passphrase wraps the same database key in a version 2 header."""
    folder = written_node(tmp_path)
    # Rewrite the node as version 1, as yesterday's release made it.
    old = run(
        [
            sys.executable,
            "-c",
            "import json, sys, secrets, pathlib\n"
            "from sqlcipher3 import dbapi2\n"
            "from veche.events.encoding import b64e\n"
            "from veche.web.db import encryption\n"
            "folder = pathlib.Path(sys.argv[1])\n"
            "key = encryption.unlock(folder, passphrase=sys.argv[2])\n"
            "h = json.loads((folder / 'encryption.json').read_text())\n"
            "salt = secrets.token_bytes(16)\n"
            "v1 = encryption.DatabaseKey(encryption._argon2(sys.argv[2], salt,"
            " h['opslimit'], h['memlimit']))\n"
            "c = dbapi2.connect(str(folder / 'veche.sqlite3'))\n"
            'c.execute(key.pragma()); c.execute(f"PRAGMA rekey = \\"x\'{v1.raw.hex()}\'\\"")\n'
            "c.close()\n"
            "header = {'format': encryption.FORMAT, 'v': 1, 'source': 'passphrase',"
            " 'kdf': 'argon2id', 'opslimit': h['opslimit'], 'memlimit': h['memlimit'],"
            " 'salt': b64e(salt), 'check': b64e(v1.check_value())}\n"
            "(folder / 'encryption.json').write_text(json.dumps(header))\n",
            str(folder),
            PASSPHRASE,
        ],
        env(folder),
    )
    assert old.returncode == 0, old.stderr[-2000:]
    assert _header(folder)["v"] == 1
    v1_key = data_key(folder)
    _set_duress(folder)
    assert _header(folder)["v"] == 2
    assert data_key(folder) == v1_key  # the same database key, now wrapped
    assert SECRETS[0] in read_node(folder, PASSPHRASE).stdout
    # The duress passphrase at the terminal: nothing says what happened, an ordinary,
    # empty node.
    done = run([VECHE, "node", "operator", "list"], env(folder, DURESS))
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.startswith("no operators") and done.stderr == ""
    _gone(folder, v1_key)
