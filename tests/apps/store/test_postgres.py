"""The same events give the same state on PostgreSQL (hubs) as on SQLite (laptops).

Runs the real ``veche`` command against a fresh PostgreSQL database on the server of
the PostgreSQL pass, or of ``VECHE_TEST_POSTGRES_URL`` (``.ci/run`` starts one), or a
local one if it answers; skipped without a server, except in CI. The test's own
database (SQLite or PostgreSQL) holds the expected state, so on the SQLite pass this
compares the two databases.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from tests import databases
from tests.apps.committees.test_convergence import _federation_log

from veche.apps.store.log import state_digest
from veche.events import parse_event

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


@pytest.fixture
def postgres_url() -> Iterator[str]:
    server = databases.require_postgres()
    url = databases.create_database("veche_hub", server)
    yield url
    databases.drop_database(url, server)


def _veche(url: str, data: Path, *argv: str) -> str:
    env = {**os.environ, "DATABASE_URL": url, "VECHE_DATA_DIR": str(data)}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    done = subprocess.run(
        [sys.executable, "-m", "veche.cli", *argv],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_postgres_node_reaches_the_same_state(postgres_url: str, tmp_path: Path) -> None:
    raws = _federation_log()
    expected = state_digest()
    events = tmp_path / "events.jsonl"
    events.write_bytes(b"\n".join(reversed(raws)) + b"\n")  # reversed: everything arrives early
    _veche(postgres_url, tmp_path, "init")
    # The operator names the committees a fresh node is seeded with (docs/sync.md).
    spaces = [f"--space={s}" for s in sorted({parse_event(r, verify=False).space_id for r in raws})]
    report = json.loads(
        _veche(postgres_url, tmp_path, "log", "import", str(events), *spaces, "--json")
    )
    assert report["summary"].get("invalid", 0) == 0
    assert _veche(postgres_url, tmp_path, "state", "digest").strip() == expected
    assert json.loads(_veche(postgres_url, tmp_path, "log", "verify", "--json"))["ok"] is True
    again = json.loads(
        _veche(postgres_url, tmp_path, "log", "import", str(events), *spaces, "--json")
    )
    assert again["summary"] == {"duplicate": len(raws)}
    _veche(postgres_url, tmp_path, "log", "rebuild")
    assert _veche(postgres_url, tmp_path, "state", "digest").strip() == expected


def test_a_hub_database_sorting_text_by_language_is_refused(tmp_path: Path) -> None:
    """A hub's database made on a machine whose locale is en_US (initdb's default
    there) sorts text by language rules (``-`` and ``_`` ignored, case folded) and
    would give another state than its peers: the node refuses it, saying how to
    create one that sorts by bytes."""
    import psycopg

    server = databases.require_postgres()
    try:
        url = databases.create_database("veche_hub", server, icu_locale="en-US")
    except psycopg.errors.FeatureNotSupported as error:
        pytest.skip(f"this PostgreSQL has no ICU: {error}")
    try:
        env = {**os.environ, "DATABASE_URL": url, "VECHE_DATA_DIR": str(tmp_path)}
        env.pop("DJANGO_SETTINGS_MODULE", None)
        done = subprocess.run(
            [sys.executable, "-m", "veche.cli", "init"],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        assert done.returncode != 0
        assert "sorts text by language rules" in done.stderr
        assert "--locale=C" in done.stderr
    finally:
        databases.drop_database(url, server)
