"""Durable background work: audits and syncs as tasks in the database, run by a worker.

The pages queue work through Django's Tasks API (the ``django-tasks`` backport, with
``django-tasks-db``'s database backend: a table in the node's own database, SQLite or
PostgreSQL, no extra server). ``veche serve`` starts one worker process next to the
web server (``veche worker`` runs one by hand); it takes tasks from two queues, each
on a thread of its own, so that a long audit never holds up a sync:

- ``audits``: one audit at a time for the whole node, across processes. The thread
  that runs the queue holds the node's *audit lock* while it does; a second worker
  (another ``veche serve`` on the same hub database) waits for it.
- ``default``: syncs (one per peer at a time: see ``veche.apps.sync.runner``) and
  members' bundle files (``veche.apps.sync.exports``).

A task survives its process. Every worker holds a *liveness lock* for as long as it
lives, named by its worker id, which the task's row records when the worker claims
it: an advisory lock on a connection of its own on PostgreSQL, an ``flock`` on a file
in the data folder on SQLite. The operating system or the database drops the lock the
moment the process dies, ``kill -9`` included. Every worker, when it starts and then
every few seconds, looks at the tasks marked running: one whose worker's lock can be
taken was interrupted. It is run again from the start (the work is idempotent) the
first time; the second time it is marked failed, and the app's ``on_interrupted``
hook records that on the app's own row (the page then offers a retry). A node killed
mid-audit therefore resumes it within seconds of its restart.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from django.conf import settings
from django.db import close_old_connections, connection, connections, transaction

log = logging.getLogger(__name__)

QUEUES = ("audits", "default")
# How often a worker looks for interrupted tasks and for its parent.
SWEEP_EVERY = 2.0
# How often a queue's thread looks for new tasks when it found none.
POLL_EVERY = 0.5
# How often a worker removes the content committees' retention rules no longer keep
# (event-v1 §16; ``veche log redact`` does it at once).
REDACT_EVERY = 3600.0
# A task interrupted this many times is given up (marked failed, offered for retry).
MAX_ATTEMPTS = 2
# Advisory-lock namespace on PostgreSQL (the two-integer form: its own key space, apart
# from the space locks' one-bigint form): "vech".
_PG_NAMESPACE = 0x76656368

# What an app does when one of its tasks was interrupted: ``gave_up`` is False when
# the task runs again, True when it was marked failed.
Interrupted = Callable[[list[Any], dict[str, Any], bool], None]
_ON_INTERRUPTED: dict[str, Interrupted] = {}


def on_interrupted(task_path: str) -> Callable[[Interrupted], Interrupted]:
    """Register the hook for the task at ``task_path`` (module.function). The module
    defining a task is imported by its app's ``AppConfig.ready``, so every process
    with Django set up knows every hook; this module imports no app."""

    def register(hook: Interrupted) -> Interrupted:
        _ON_INTERRUPTED[task_path] = hook
        return hook

    return register


# -- locks that die with their process ----------------------------------------------------


class _Held(Protocol):
    def release(self) -> None: ...


def _key(name: str) -> int:
    """A name's 31-bit lock key (PostgreSQL's advisory locks take integers)."""
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:4], "big") & 0x7FFFFFFF


def _lock_folder() -> Path:
    folder = Path(settings.DATA_DIR) / "workers"
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    return folder


@dataclass
class _FileLock:
    handle: Any
    path: Path

    def release(self) -> None:
        with contextlib.suppress(OSError):
            self.path.unlink()
        self.handle.close()


@dataclass
class _AdvisoryLock:
    wrapper: Any  # a DatabaseWrapper of its own, never shared with Django's

    def release(self) -> None:
        self.wrapper.close()  # the session ends: PostgreSQL drops its locks


def try_lock(name: str) -> _Held | None:
    """Take the process-lifetime lock ``name`` now, or None if a living process has it."""
    if connection.vendor == "postgresql":
        wrapper = connections.create_connection("default")
        wrapper.ensure_connection()
        wrapper.set_autocommit(True)
        with wrapper.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [_PG_NAMESPACE, _key(name)])
            taken = bool(cursor.fetchone()[0])
        if not taken:
            wrapper.close()
            return None
        return _AdvisoryLock(wrapper)
    path = _lock_folder() / f"{_key(name):08x}.lock"
    handle = path.open("a+")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.close()
        return None
    return _FileLock(handle, path)


def is_alive(name: str) -> bool:
    """Whether a living process holds the lock ``name``."""
    held = try_lock(name)
    if held is None:
        return True
    held.release()
    return False


def _worker_lock_name(worker_id: str) -> str:
    return f"worker:{worker_id}"


# -- interrupted tasks --------------------------------------------------------------------


class TaskInterrupted(Exception):
    """The process running the task died (the node was killed or lost power)."""


def recover() -> int:
    """Run again, or mark failed, every running task whose worker died; how many."""
    from django_tasks_db.compat import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    found = 0
    for row in DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING).only(
        "id", "worker_ids"
    ):
        worker_ids = list(row.worker_ids or [])
        if worker_ids and is_alive(_worker_lock_name(worker_ids[-1])):
            continue
        with transaction.atomic():
            task = (
                DBTaskResult.objects.select_for_update()
                .filter(id=row.id, status=TaskResultStatus.RUNNING)
                .first()
            )
            if task is None or list(task.worker_ids or []) != worker_ids:
                continue  # finished or claimed again meanwhile
            gave_up = len(worker_ids) >= MAX_ATTEMPTS
            if gave_up:
                task.set_failed(TaskInterrupted())
            else:
                task.status = TaskResultStatus.READY
                task.started_at = None
                task.save(update_fields=["status", "started_at"])
            arguments = task.args_kwargs or {}
            hook = _ON_INTERRUPTED.get(task.task_path)
        found += 1
        log.warning(
            "task %s (%s) was interrupted: %s",
            row.id,
            task.task_path,
            "given up" if gave_up else "runs again",
        )
        if hook is not None:
            try:
                hook(list(arguments.get("args", [])), dict(arguments.get("kwargs", {})), gave_up)
            except Exception:
                log.exception("the interruption hook of task %s failed", row.id)
    return found


# -- the worker ---------------------------------------------------------------------------


class _QueueThread(threading.Thread):
    """Runs one queue's tasks, one after another (django-tasks-db's own loop)."""

    def __init__(self, queue: str, worker_id: str, *, exclusive: str | None = None) -> None:
        super().__init__(name=f"tasks-{queue}", daemon=True)
        from django_tasks_db.management.commands.db_worker import Worker

        self.queue = queue
        self.exclusive = exclusive
        self.worker = Worker(
            queue_names=[queue],
            interval=POLL_EVERY,
            batch=False,
            backend_name="default",
            startup_delay=False,
            max_tasks=None,
            worker_id=worker_id,
            excluded_queue_names=[],
        )

    def stop(self) -> None:
        self.worker.running = False

    def run(self) -> None:
        held: _Held | None = None
        try:
            while self.worker.running:
                if self.exclusive is not None and held is None:
                    held = try_lock(self.exclusive)
                    if held is None:  # another process runs this queue
                        time.sleep(POLL_EVERY * 4)
                        continue
                try:
                    self.worker.run()
                except Exception:  # the database went away, say: wait, then go on
                    log.exception("the %s queue's worker failed; it starts again", self.queue)
                    time.sleep(POLL_EVERY * 4)
        finally:
            if held is not None:
                held.release()
            close_old_connections()
            connection.close()


def run_worker(parent: int | None = None, *, worker_id: str | None = None) -> None:
    """Run the node's worker until SIGTERM/SIGINT (or its parent, if given, is gone)."""
    from django.utils.crypto import get_random_string

    worker_id = worker_id or get_random_string(32)
    alive = try_lock(_worker_lock_name(worker_id))
    assert alive is not None, "a fresh worker id is never locked"
    stopping = threading.Event()

    def stop(_signum: int, _frame: object) -> None:
        stopping.set()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    threads = [
        _QueueThread("audits", worker_id, exclusive="queue:audits"),
        _QueueThread("default", worker_id),
    ]
    log.info("worker %s starts", worker_id[:8])
    try:
        _sweep()
        redact_next = _redact(0.0)
        for thread in threads:
            thread.start()
        while not stopping.wait(SWEEP_EVERY):
            if parent is not None and os.getppid() != parent:
                break  # veche serve is gone (kill -9): so is its worker
            _sweep()
            redact_next = _redact(redact_next)
    finally:
        for thread in threads:
            thread.stop()
        for thread in threads:
            # A task in progress is not waited for: its row stays "running" and the
            # next worker runs it again (a sync stops at no harm; an audit restarts).
            thread.join(timeout=2)
        alive.release()
        connection.close()


def _redact(due: float) -> float:
    """Apply the retention rules if it is time; when to do it next."""
    if time.monotonic() < due:
        return due
    try:
        from veche.apps.store.retention import redact_due

        redact_due()
    except Exception:
        log.exception("applying the retention rules failed")
    finally:
        close_old_connections()
    return time.monotonic() + REDACT_EVERY


def _sweep() -> None:
    try:
        recover()
    except Exception:
        log.exception("looking for interrupted tasks failed")
    finally:
        close_old_connections()


def run_pending() -> int:
    """Run the tasks that are ready now, here, one after another (``veche worker
    --once``, tests); how many ran. Django's connection is left as it is (the worker's
    loop would close it between tasks)."""
    from django.utils.crypto import get_random_string
    from django_tasks_db.management.commands.db_worker import Worker
    from django_tasks_db.models import DBTaskResult
    from django_tasks_db.utils import exclusive_transaction

    worker_id = get_random_string(32)
    alive = try_lock(_worker_lock_name(worker_id))  # so that no sweep takes its tasks
    assert alive is not None, "a fresh worker id is never locked"
    worker = Worker(
        queue_names=["*"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id=worker_id,
        excluded_queue_names=[],
    )
    count = 0
    try:
        while True:
            with exclusive_transaction(DBTaskResult.objects.db):
                ready = DBTaskResult.objects.ready().filter(backend_name="default")
                task = ready.get_locked()
                if task is None:
                    return count
                task.claim(worker_id)
            worker.run_task(task)
            count += 1
    finally:
        alive.release()


# -- next to the web server ---------------------------------------------------------------


@contextlib.contextmanager
def worker_process() -> Iterator[subprocess.Popen[bytes]]:
    """``veche worker`` as a child of this process, stopped when the block ends; the
    child also ends if this process is killed (it watches its parent)."""
    from veche.web.db import encryption

    command = [sys.executable, "-m", "veche.cli", "worker", "--parent", str(os.getpid())]
    key = encryption.held()
    key_fd = encryption.key_to_pipe(key) if key is not None else None
    if key_fd is not None:
        command += ["--key-fd", str(key_fd)]
    try:
        process = subprocess.Popen(  # noqa: S603 - our own CLI
            command, env=dict(os.environ), pass_fds=() if key_fd is None else (key_fd,)
        )
    finally:
        if key_fd is not None:
            os.close(key_fd)
    try:
        yield process
    finally:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
