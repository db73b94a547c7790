"""A hub's busy minute: fifty members vote on a motion and cast their secret ballots at once.

Every member's thread (its own database connection, as a gunicorn thread has) votes on
the committee's open motion and casts the ballot their device encrypted, half of them in
one order, half in the other, all released together; two outsiders try the same and must
be refused. Then every vote and ballot is counted once, nobody equivocated, and
``veche log rebuild`` (the real command, in a subprocess, on this test's database) finds
no drift: the state re-derived from the events is the live state.

On PostgreSQL the motion and the election are two spaces with two advisory locks, so
their appends really run side by side; on SQLite one writer at a time waits for the
database's write lock (``busy_timeout``). The SQLite database is a file copy, as in
tests/apps/store/test_one_writer.py (whose fixture this module uses).
"""

from __future__ import annotations

import re
import subprocess
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from tests import databases
from tests.apps.elections.helpers import OPTIONS, setup_election
from tests.apps.store.test_one_writer import _at_once, _file_database  # noqa: F401 - autouse fixture
from tests.web.served import VECHE, node_env

from veche.apps.committees import actions
from veche.apps.committees.models import Motion, Vote
from veche.apps.elections import actions as elections
from veche.apps.elections.kinds import state_of
from veche.apps.elections.models import Ballot, BallotCiphertext, Election
from veche.apps.store.context import Context
from veche.apps.store.log import state_digest
from veche.apps.store.models import EquivocationRecord, Status, StoredEvent
from veche.crypto.ballot import encrypt_ballot
from veche.events import RuleViolation, parse_event

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

VOTERS = tuple(f"Voter{i:02}" for i in range(50))
OUTSIDERS = ("Outsider1", "Outsider2")
CHOICES = ("yes", "no", "abstain")


def _database_url() -> str:
    """This test's own database as ``DATABASE_URL``, for a ``veche`` subprocess."""
    name = str(connection.settings_dict["NAME"])
    if connection.vendor == "sqlite":
        return f"sqlite:///{name}"  # the file copy (_file_database), absolute path
    return databases.with_database(databases.run_server_url(), name)


def _veche_log_rebuild(folder: Path) -> subprocess.CompletedProcess[str]:
    connection.close()  # nothing of this thread's holds the database while it rebuilds
    folder.mkdir()
    return subprocess.run(
        [VECHE, "log", "rebuild"],
        env=node_env(folder, _database_url(), **databases.test_key_env(folder)),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_fifty_members_vote_and_cast_ballots_at_once(tmp_path: Path) -> None:
    election = setup_election(VOTERS)
    world, committee = election.world, election.committee
    election.deal_all()
    elections.open_election(world.person("Sokol"), election.space)
    motion = actions.propose(
        world.person("Sokol"), committee, kind="general", title="Strike on Monday", text="?"
    ).id
    # Ballots are encrypted on the members' devices beforehand; the node only signs them.
    crypto = state_of(Context(), election.space).crypto_election()
    picks = {name: i % len(OPTIONS) for i, name in enumerate(VOTERS + OUTSIDERS)}
    ballots = {}
    for name, pick in picks.items():
        marks = [0] * len(OPTIONS)
        marks[pick] = 1
        ballots[name] = encrypt_ballot(crypto, [marks])[0].to_json()
    choices = {name: CHOICES[i % 3] for i, name in enumerate(VOTERS + OUTSIDERS)}

    def member(index: int, name: str) -> Callable[[], Any]:
        def vote() -> Any:
            return actions.vote(world.person(name), committee, motion, choice=choices[name])

        def cast() -> Any:
            return elections.cast_ballot(world.person(name), election.space, ballots[name])

        steps = (vote, cast) if index % 2 else (cast, vote)

        def run() -> list[Any]:
            done = []
            for step in steps:  # an outsider's refusal does not stop its other step
                try:
                    done.append(step())
                except RuleViolation as refused:
                    done.append(refused)
            return done

        return run

    everyone = VOTERS + OUTSIDERS
    for name in everyone:
        world.person(name)  # the identities exist before the threads share the world
    results = dict(
        zip(everyone, _at_once([member(i, n) for i, n in enumerate(everyone)]), strict=True)
    )

    crashed = {n: r for n, r in results.items() if isinstance(r, BaseException)}
    assert not crashed, crashed  # anything but a rule's refusal escaped an action
    refused = {
        n: [r.rule for r in steps if isinstance(r, RuleViolation)] for n, steps in results.items()
    }
    assert {n: rules for n, rules in refused.items() if rules} == {
        name: refused[name] for name in OUTSIDERS
    }, refused  # members are never refused
    for name in OUTSIDERS:  # neither the vote (not a member) nor the ballot (not a voter)
        assert sorted(refused[name]) == ["eligible", "member"], (name, results[name])
    outsider_keys = [world.person(n).public for n in OUTSIDERS]
    assert not StoredEvent.objects.filter(author__in=outsider_keys).exists()

    # Nobody equivocated; every member's chain in each space is 1, 2, 3… without a gap.
    assert not EquivocationRecord.objects.exists()
    assert not StoredEvent.objects.exclude(status=Status.APPLIED).exists()
    chains: dict[tuple[str, str], list[int]] = {}
    for space, author, seq in StoredEvent.objects.filter(
        space__in=[committee, election.space]
    ).values_list("space", "author", "seq"):
        chains.setdefault((space, author), []).append(seq)
    for chain, seqs in chains.items():
        assert sorted(seqs) == list(range(1, len(seqs) + 1)), chain

    # Every vote and every ballot once, in the log and in the live projections.
    keys = {world.person(n).public: n for n in VOTERS}
    votes = [
        parse_event(bytes(raw))
        for raw in StoredEvent.objects.filter(space=committee, kind="motion.vote").values_list(
            "raw", flat=True
        )
    ]
    assert sorted(v.author for v in votes if v.body["motion"] == motion) == sorted(keys)
    casts = StoredEvent.objects.filter(space=election.space, kind="ballot.cast")
    assert sorted(casts.values_list("author", flat=True)) == sorted(keys)
    live = Vote.objects.filter(space=committee, motion=motion)
    assert {keys[p]: c for p, c in live.values_list("person", "choice")} == {
        n: choices[n] for n in VOTERS
    }
    assert Ballot.objects.filter(space=election.space).count() == len(VOTERS)
    assert Ballot.objects.filter(space=election.space, counted=True).count() == len(VOTERS)
    assert len(
        set(Ballot.objects.filter(space=election.space).values_list("voter", flat=True))
    ) == (len(VOTERS))
    assert BallotCiphertext.objects.filter(space=election.space).count() == len(VOTERS) * len(
        OPTIONS
    )
    assert Election.objects.get(space=election.space).casts == len(VOTERS)

    # The counts: the motion's result and the election's decrypted tally.
    actions.close(world.person("Sokol"), committee, motion)
    result = Motion.objects.get(event=motion).result
    expected = Counter(choices[n] for n in VOTERS)
    assert {c: result[c] for c in CHOICES} == {c: expected[c] for c in CHOICES}, result
    elections.close_election(world.person("Sokol"), election.space)
    assert Election.objects.get(space=election.space).counted == len(VOTERS)
    election.decrypt(1)
    election.decrypt(3)
    elections.publish_result(world.person("Sokol"), election.space)
    counts = Election.objects.get(space=election.space).counts
    tally = Counter(picks[n] for n in VOTERS)
    assert counts == [tally[i] for i in range(len(OPTIONS))], counts

    # `veche log rebuild` re-derives everything from the events: no drift.
    before = state_digest()
    events = StoredEvent.objects.count()
    rebuilt = _veche_log_rebuild(tmp_path / "cli")
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert "drifted" not in rebuilt.stderr and "state changed" not in rebuilt.stderr, rebuilt.stderr
    reported = re.fullmatch(
        r"rebuilt projections from (\d+) events; digest (\S+)\n", rebuilt.stdout
    )
    assert reported, rebuilt.stdout
    assert (int(reported.group(1)), reported.group(2)) == (events, before)
    assert state_digest() == before
