"""One writer per space: concurrent local appends never sign two events at one position.

Each thread has its own database connection (Django's are per thread), so these tests
run outside the test transaction (``transaction=True``), on SQLite and on PostgreSQL.

On SQLite the suite's database is a shared-cache in-memory one, whose table locks fail at
once ("database table is locked") instead of waiting: no node runs on that. So these
tests copy it to a file, as a node's database is (WAL, ``busy_timeout``, ``BEGIN
IMMEDIATE`` from the settings), and every connection of the test opens the file.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import connection, transaction
from django.db.transaction import TransactionManagementError
from tests.factories import World

from veche.apps.committees import actions
from veche.apps.committees.models import Motion, Vote
from veche.apps.store import locks
from veche.apps.store.log import rebuild, state_digest
from veche.apps.store.models import EquivocationRecord, Status, StoredEvent
from veche.events import RuleViolation

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _file_database(transactional_db: None, tmp_path: Path) -> Iterator[None]:
    """On SQLite, the test's connections (every thread's) open a file copy of the schema."""
    if connection.vendor != "sqlite" or not connection.is_in_memory_db():
        yield  # PostgreSQL, or the encrypted test database: already shared by every thread
        return
    settings = connection.settings_dict  # the dict every thread's connection is made from
    memory = settings["NAME"]
    keeper = sqlite3.connect(memory, uri=True)  # the in-memory database outlives the switch
    path = tmp_path / "node.sqlite3"
    connection.ensure_connection()
    with sqlite3.connect(path) as copy:
        connection.connection.backup(copy)
    copy.close()
    connection.close()  # a no-op on the in-memory database...
    settings["NAME"] = str(path)
    connection.close()  # ...and on the file: it ends the in-memory connection now
    try:
        yield
    finally:
        connection.close()
        settings["NAME"] = memory
        connection.ensure_connection()
        keeper.close()


def _at_once(calls: list[Callable[[], Any]]) -> list[Any]:
    """Run the calls on as many threads, released together; each one's result or error."""
    start = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)

    def run(index: int, call: Callable[[], Any]) -> None:
        try:
            start.wait()
            results[index] = call()
        except BaseException as error:
            results[index] = error
        finally:
            connection.close()  # this thread's own connection

    threads = [threading.Thread(target=run, args=item) for item in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a writer never finished"
    return results


def test_a_double_tapped_vote_is_two_positions_not_an_equivocation() -> None:
    w = World()
    space = w.committee("Sokol", ("Zubr", "Rusalka"))
    motion = actions.propose(w.person("Sokol"), space, kind="general", title="Tea", text="?").id
    zubr = w.person("Zubr")

    results = _at_once([lambda: actions.vote(zubr, space, motion, choice="yes")] * 2)

    errors = [r for r in results if isinstance(r, BaseException)]
    assert not errors, errors
    seqs = sorted(r.seq for r in results)
    assert seqs[1] == seqs[0] + 1  # one after the other, never the same seq
    assert not EquivocationRecord.objects.exists()
    votes = StoredEvent.objects.filter(space=space, author=zubr.public, kind="motion.vote")
    assert set(votes.values_list("status", flat=True)) == {Status.APPLIED}
    assert list(Vote.objects.filter(motion=motion).values_list("choice", flat=True)) == ["yes"]

    actions.vote(zubr, space, motion, choice="no")  # the member is not held as a forker
    assert list(Vote.objects.filter(motion=motion).values_list("choice", flat=True)) == ["no"]
    before = state_digest()
    rebuild()
    assert state_digest() == before


def test_many_voters_and_a_close_at_once_end_in_one_state() -> None:
    w = World()
    voters = tuple(f"Voter{i:02}" for i in range(22))
    space = w.committee("Sokol", voters)
    motion = actions.propose(w.person("Sokol"), space, kind="general", title="Tea", text="?").id

    def voting(name: str, choice: str) -> Callable[[], Any]:
        return lambda: actions.vote(w.person(name), space, motion, choice=choice)

    calls = [voting(name, "yes" if i % 3 else "no") for i, name in enumerate(voters)]
    calls.insert(len(calls) // 2, lambda: actions.close(w.person("Sokol"), space, motion))
    results = _at_once(calls)

    unexpected = [
        r
        for r in results
        if isinstance(r, BaseException)
        and not (isinstance(r, RuleViolation) and r.rule == "closed")  # voted too late
    ]
    assert not unexpected, unexpected
    closing = results[len(calls) // 2]
    assert not isinstance(closing, BaseException), closing  # the close is never refused
    assert not EquivocationRecord.objects.exists()
    assert not StoredEvent.objects.filter(space=space).exclude(status=Status.APPLIED).exists()
    row = Motion.objects.get(event=motion)
    assert row.status in ("passed", "failed")
    in_time = [r for r in results if not isinstance(r, BaseException) and r.kind == "motion.vote"]
    assert row.result["yes"] + row.result["no"] == len(in_time)

    before = state_digest()
    rebuild()
    assert state_digest() == before


def test_the_lock_is_per_space_and_needs_a_transaction() -> None:
    with pytest.raises(TransactionManagementError):
        locks.lock_space("a space")  # a transaction-scoped lock outside one would not hold
    if connection.vendor != "postgresql":
        return  # SQLite: BEGIN IMMEDIATE, one writer per database

    def free(key: int) -> bool:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [key])
            return bool(cursor.fetchone()[0])

    with transaction.atomic():
        locks.lock_spaces(["one space", "another"])
        held, other = _at_once(
            [
                lambda: free(locks.lock_key("space", "one space")),
                lambda: free(locks.lock_key("space", "a third")),
            ]
        )
    assert (held, other) == (False, True)
    assert _at_once([lambda: free(locks.lock_key("space", "one space"))]) == [True]  # released
