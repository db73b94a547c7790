"""SQLite is opened for power cuts on SD cards: WAL, and every commit synced
(synchronous=FULL). Why, and what it costs: docs/node.md, "Durability"."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from veche.web import settings as node_settings


def test_the_node_syncs_every_commit_to_disk(tmp_path: Path) -> None:
    database = node_settings.DATABASES["default"]
    if database["ENGINE"] != "django.db.backends.sqlite3":
        pytest.skip("SQLite only: PostgreSQL syncs every commit (synchronous_commit=on)")
    connection = sqlite3.connect(tmp_path / "node.sqlite3")
    try:
        connection.executescript(database["OPTIONS"]["init_command"])
        assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        # 2 is FULL: the write-ahead log is synced at every commit, so a power cut
        # cannot take back an event the node said it recorded (or already passed on).
        assert connection.execute("PRAGMA synchronous").fetchone()[0] == 2
    finally:
        connection.close()
