"""``veche node wipe``: the encryption header shredded first, every other file
overwritten and deleted, a new, empty node in their place; a wipe killed after the
header is gone leaves data nobody can read (docs/node.md, "Encryption at rest")."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from tests.web import test_encrypted_db as encrypted
from tests.web.locked_nodes import (
    PASSPHRASE,
    data_key,
    env,
    folder_bytes,
    found,
    opens_with,
    read_node,
    run,
    written_node,
)
from tests.web.served import VECHE

from veche.web.db import encryption

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        os.environ.get("VECHE_TEST_DATABASE") == "postgres",
        reason="the wipe is for the embedded database; a hub drops its PostgreSQL database",
    ),
]


def test_wipe_leaves_nothing_the_real_passphrase_can_read(tmp_path: Path) -> None:
    folder = written_node(tmp_path)
    (folder / "audits" / "7").mkdir(parents=True)
    (folder / "audits" / "7" / "official.csv").write_text("Rusalka,1\n")
    old_key = data_key(folder)
    before = folder_bytes(folder)

    # No terminal and no --yes: refused, nothing touched.
    refused = run([VECHE, "node", "wipe"], env(folder))
    assert refused.returncode == 2 and "--yes" in refused.stderr
    assert folder_bytes(folder) == before

    done = run([VECHE, "node", "wipe", "--yes", "--kdf-profile", "interactive"], env(folder))
    assert done.returncode == 0, done.stderr[-2000:]
    assert re.search(r"Wiped .*: \d+ files, .* in \d+\.\d\d s \(the encryption header", done.stdout)
    # A new node, as `veche init` makes it: encrypted under $VECHE_NODE_PASSPHRASE.
    assert "Veche node ready" in done.stdout and "encrypted" in done.stdout
    assert sorted(p.name for p in folder.iterdir()) <= [
        "encryption.json",
        "static",
        "veche.sqlite3",
        "veche.sqlite3-shm",
        "veche.sqlite3-wal",
    ]
    assert found(folder) == set()
    assert not opens_with(folder / "veche.sqlite3", old_key)
    empty = read_node(folder, PASSPHRASE)
    assert empty.returncode == 0 and empty.stdout.splitlines() == ["[]", "[]", "[]"]


def test_a_wipe_killed_after_the_header_is_shredded_leaves_the_data_unreadable(
    tmp_path: Path,
) -> None:
    folder = written_node(tmp_path)
    header = (folder / "encryption.json").read_bytes()
    wiping = subprocess.Popen(
        [VECHE, "node", "wipe", "--yes"],
        env={**env(folder), "VECHE_TEST_WIPE_PAUSE": "after-shred"},
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        assert wiping.stdout is not None
        assert wiping.stdout.readline() == b"SHREDDED\n"
    finally:
        wiping.send_signal(signal.SIGKILL)
        wiping.wait(timeout=10)
    # Killed there: the database is still in the folder, but its header is noise.
    assert (folder / "veche.sqlite3").stat().st_size > 0
    noise = (folder / "encryption.json").read_bytes()
    assert len(noise) >= len(header) and noise != header
    with pytest.raises(ValueError):  # not JSON, not even text
        json.loads(noise)
    with pytest.raises(encryption.EncryptionError):
        encryption.unlock(folder, passphrase=PASSPHRASE)
    refused = read_node(folder, PASSPHRASE)
    assert refused.returncode == 1 and "not a Veche encryption header" in refused.stderr
    assert found(folder) == set()
    # A second wipe finishes the job.
    again = run([VECHE, "node", "wipe", "--yes", "--kdf-profile", "interactive"], env(folder))
    assert again.returncode == 0, again.stderr[-2000:]
    assert read_node(folder, PASSPHRASE).stdout.splitlines() == ["[]", "[]", "[]"]


def test_wiping_the_encrypted_demo(tmp_path: Path) -> None:
    """The demo: every name gone from every byte, the demo passphrase opens an empty
    node; the time the wipe took is printed (docs/node.md records it)."""
    folder = tmp_path / "demo"
    demo_env = env(folder, None)
    made = run([VECHE, "demo", "--no-serve"], demo_env)
    assert made.returncode == 0, made.stderr[-3000:]
    passphrase_env = env(folder, "veche demo node")
    names = json.loads(run([sys.executable, "-c", encrypted.DEMO_NAMES], passphrase_env).stdout)
    size = sum(len(b) for b in folder_bytes(folder).values())
    done = run([VECHE, "node", "wipe", "--yes", "--kdf-profile", "interactive"], passphrase_env)
    assert done.returncode == 0, done.stderr[-2000:]
    print(f"\n{done.stdout.splitlines()[0]} (folder of {size / 1e6:.1f} MB)")
    took = float(re.search(r"in (\d+\.\d+) s", done.stdout).group(1))  # type: ignore[union-attr]
    assert took < 10  # a sanity bound on a loaded machine; docs/node.md has the figure
    everything = b"\0".join(folder_bytes(folder).values())
    needles = [t for texts in names.values() for t in texts if len(t) >= 5 and t != "Veche"]
    assert len(needles) > 50
    assert [t for t in needles if t.encode() in everything] == []
    empty = run([sys.executable, "-c", encrypted.DEMO_NAMES], passphrase_env)
    assert json.loads(empty.stdout) == {"committees": [], "pseudonyms": [], "motions": []}
