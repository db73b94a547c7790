"""The same events give the same state on PostgreSQL (hubs) as on SQLite (laptops).

Runs the real ``veche`` command against a fresh PostgreSQL database named by
``VECHE_TEST_POSTGRES_URL`` (``.ci/run`` starts one); skipped elsewhere.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from tests.committees.test_convergence import _federation_log

from veche.apps.store.log import state_digest
from veche.events import parse_event

pytestmark = [pytest.mark.django_db, pytest.mark.slow]
URL = os.environ.get("VECHE_TEST_POSTGRES_URL", "")


@pytest.fixture
def postgres_url() -> str:
    if not URL:
        if os.environ.get("CI"):
            pytest.fail("CI must provide VECHE_TEST_POSTGRES_URL (see .ci/run)")
        pytest.skip("set VECHE_TEST_POSTGRES_URL to run the PostgreSQL test")
    import psycopg

    name = f"veche_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(URL, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    yield URL.rsplit("/", 1)[0] + "/" + name
    with psycopg.connect(URL, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')


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
