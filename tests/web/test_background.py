"""Durable background work (veche.web.background): queued tasks outlive their process.

The unit tests queue tasks in the test database and play the worker's part; the last
test kills a real ``veche serve`` (its gunicorn and its worker, ``kill -9``) in the
middle of an audit and restarts it: the audit runs again within seconds, and a second
kill leaves it cleanly failed, for its owner to retry.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import time
from pathlib import Path
from typing import Any

import pytest
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult
from tests.factories import World

from veche.apps.accounts.actions import create_account
from veche.apps.audit import actions, runner
from veche.apps.audit.models import AuditRun
from veche.web import background

pytestmark = pytest.mark.django_db


def _queued_audit() -> tuple[AuditRun, DBTaskResult]:
    from django.core.files.uploadedfile import SimpleUploadedFile

    account, _ = create_account("Zubr", "correct horse battery", World().person("Zubr"))
    upload = SimpleUploadedFile("official.csv", b"not,a,protocol\n")
    run = actions.start_audit_run(account.pk, title="t", official=upload)
    runner.start(run.pk)
    return run, DBTaskResult.objects.get()


def _claim(task: DBTaskResult, worker_id: str) -> None:
    task.refresh_from_db()
    task.claim(worker_id)


def test_a_lock_is_held_until_released() -> None:
    held = background.try_lock("test:one")
    assert held is not None
    assert background.try_lock("test:one") is None  # another connection or file handle
    assert background.is_alive("test:one")
    held.release()
    assert not background.is_alive("test:one")


@pytest.mark.usefixtures("queued_tasks")
def test_a_task_whose_worker_died_runs_again_then_fails_for_a_retry() -> None:
    run, task = _queued_audit()
    assert task.status == TaskResultStatus.READY and task.queue_name == "audits"

    _claim(task, "dead-worker-1")  # claimed by a worker whose lock nobody holds
    assert background.recover() == 1
    task.refresh_from_db()
    run.refresh_from_db()
    assert task.status == TaskResultStatus.READY  # queued to run again
    assert run.status == AuditRun.Status.QUEUED and run.stage == "restarted"

    _claim(task, "dead-worker-2")
    assert background.recover() == 1
    task.refresh_from_db()
    run.refresh_from_db()
    assert task.status == TaskResultStatus.FAILED
    assert task.exception_class_path.endswith("TaskInterrupted")
    assert run.status == AuditRun.Status.FAILED and run.error == runner.INTERRUPTED
    assert background.recover() == 0


@pytest.mark.usefixtures("queued_tasks")
def test_a_task_of_a_living_worker_is_left_alone() -> None:
    _run, task = _queued_audit()
    alive = background.try_lock("worker:living-worker")
    assert alive is not None
    try:
        _claim(task, "living-worker")
        assert background.recover() == 0
        task.refresh_from_db()
        assert task.status == TaskResultStatus.RUNNING
    finally:
        alive.release()
    assert background.recover() == 1  # and once it is gone, the task is taken back


@pytest.mark.usefixtures("queued_tasks")
def test_the_worker_runs_queued_audits_and_records_the_outcome() -> None:
    run, _task = _queued_audit()
    assert background.run_pending() == 1
    run.refresh_from_db()
    assert run.status == AuditRun.Status.FAILED  # the file is no protocol: an input error
    assert run.error and run.error not in runner.RETRYABLE


# -- a real node, killed ------------------------------------------------------------------


def _row(folder: Path, database: str | None, public_id: str) -> tuple[str, str, int, int]:
    """The run's status, error and progress, and how many workers claimed its task."""
    sql = (
        "SELECT r.status, r.error, r.progress, t.worker_ids FROM audit_auditrun r, "
        "django_tasks_database_dbtaskresult t WHERE r.public_id = %s"
    )
    if database is None:
        with sqlite3.connect(f"file:{folder / 'veche.sqlite3'}?mode=ro", uri=True) as db:
            row = db.execute(sql.replace("%s", "?"), [public_id]).fetchone()
    else:
        import psycopg

        with psycopg.connect(database) as db:
            row = db.execute(sql.encode(), [public_id]).fetchone()
    import json

    workers = row[3] if isinstance(row[3], list) else json.loads(row[3])
    return str(row[0]), str(row[1]), int(row[2]), len(workers)


def _wait(what: str, check: Any, timeout: float) -> float:
    """Poll ``check`` until true; how long it took."""
    start = time.monotonic()
    while not check():
        if time.monotonic() - start > timeout:
            raise AssertionError(f"not within {timeout} s: {what}")
        time.sleep(0.05)
    return time.monotonic() - start


@pytest.mark.slow
def test_a_node_killed_mid_audit_resumes_it_then_offers_a_retry(tmp_path: Path) -> None:
    from tests.web.served import node_database, run_python, veche_serve

    folder = tmp_path / "node"
    folder.mkdir()
    with node_database() as database:
        public_id = run_python(
            folder,
            "from django.core.files import File\n"
            "from veche.audit import simulate, write_simulation\n"
            "from veche.apps.accounts.actions import create_account\n"
            "from veche.apps.audit import actions, runner\n"
            "from tests.factories import World\n"
            f"files = write_simulation(simulate(8000, seed=5, stuffing=0.2), {str(tmp_path)!r})\n"
            "account, _ = create_account('Zubr', 'correct horse battery', World().person('Zubr'))\n"
            "with files['official'].open('rb') as official:\n"
            "    run = actions.start_audit_run(account.pk, title='Killed', "
            "official=File(official, name='official.csv'), simulated=True)\n"
            "runner.start(run.pk)\n"  # queued: no worker runs yet
            "print(run.public_id)\n",
            database,
        ).strip()

        def row() -> tuple[str, str, int, int]:
            return _row(folder, database, public_id)

        assert row()[0] == "queued"

        def kill_while_drawing(node: Any, claims: int) -> None:
            """Kill -9 the server and its worker while the audit draws its plots (the
            longest stage: seconds), run by the ``claims``-th worker to take it."""
            _wait(
                "the audit draws its plots",
                lambda: row()[0] == "running" and row()[2] >= 75 and row()[3] == claims,
                120,
            )
            os.killpg(node.process.pid, signal.SIGKILL)
            node.process.wait(timeout=10)
            assert row()[0] == "running"  # as the dead worker left it

        with veche_serve(folder, 1, database) as node:
            kill_while_drawing(node, 1)
        with veche_serve(folder, 1, database) as node:
            # Taken back by the new worker and run again from its files, within seconds.
            assert _wait("the audit runs again", lambda: row()[3] == 2, 10) < 10
            kill_while_drawing(node, 2)
        # Killed twice: the next start marks it failed, within seconds, for a retry.
        with veche_serve(folder, 1, database):
            assert _wait("the audit is marked failed", lambda: row()[0] == "failed", 10) < 10
            assert row()[1] == runner.INTERRUPTED
