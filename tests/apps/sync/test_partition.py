"""Issue 6's convergence test: three nodes, partitioned, reconnected by HTTP and by bundles.

Each node is a real ``veche serve`` with its own data folder on its own loopback
port. During the partition each node takes new events: votes on a motion (one
member changes their vote), a new member admitted on one side, and one author
who signs two different events with one seq on two sides (equivocation). Then
node A syncs with B over HTTP, B and C swap bundle files, A syncs again: all
three must end with the same state digest, holding every event exactly once.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.apps.sync.logs import Log
from tests.apps.sync.nodes import Node, key_file, write_events

from veche.events import Identity

pytestmark = [pytest.mark.slow, pytest.mark.django_db]

F, M1, M2, M3, X, N = (Identity(bytes([i]) * 32) for i in range(1, 7))


@pytest.fixture
def nodes(tmp_path: Path) -> Iterator[dict[str, Node]]:
    trio = {name: Node(tmp_path / name) for name in "ABC"}
    try:
        for node in trio.values():
            node.start()
        yield trio
    finally:
        for node in trio.values():
            node.stop()


def _votes(node: Node) -> dict[str, str]:
    rows = node.query("SELECT key, choice FROM committees_vote")
    return {key: json.loads(choice) for key, choice in rows}


def _held(node: Node) -> tuple[int, int, int]:
    [(total, distinct)] = node.query("SELECT count(*), count(DISTINCT id) FROM store_storedevent")
    [(forks,)] = node.query("SELECT count(*) FROM store_equivocationrecord")
    return int(total), int(distinct), int(forks)


def test_three_partitioned_nodes_converge_by_http_and_bundles(
    nodes: dict[str, Node], tmp_path: Path
) -> None:
    log = Log()
    space = log.committee(F, "Grodno Azot strike committee")
    for who, name in ((M1, "Vasilek"), (M2, "Zubr"), (M3, "Rusalka"), (X, "Lis")):
        log.admit(F, space, who, name)
    log.post(F, space, "Assembly at the gate at 14:00")
    motion = log.propose(F, space, "We strike from Monday until the demands are met").id
    base = list(log.events)

    side_a, side_b, side_c = log.fork(), log.fork(), log.fork()
    for i in range(3):
        side_a.post(M1, space, f"A: shift report {i}")
    side_a.admit(F, space, N, "Vozhyk")  # a membership change on one side only
    side_a.post(N, space, "A: the new member's first word")
    side_a.vote(M1, space, motion, "yes")
    side_b.vote(M2, space, motion, "no")
    side_b.vote(M2, space, motion, "yes")  # a later vote replaces the earlier one
    side_c.vote(M3, space, motion, "yes")
    side_b.post(M2, space, "B: the workshop stopped")
    fork_b = side_b.post(X, space, "X to B: the strike is off")  # equivocation ...
    side_b.post(M2, space, "B: second report")
    side_c.post(M3, space, "C: the night shift joins")
    fork_c = side_c.post(X, space, "X to C: the strike goes on")  # ... same seq, other text
    assert (fork_b.seq, fork_b.author) == (fork_c.seq, fork_c.author) and fork_b.id != fork_c.id

    keys = {
        who: key_file(tmp_path, ident, who) for who, ident in (("m1", M1), ("m2", M2), ("m3", M3))
    }
    for name, side in (("A", side_a), ("B", side_b), ("C", side_c)):
        node = nodes[name]
        write_events(tmp_path / f"{name}.jsonl", base + side.events)
        # A node takes a committee it does not hold yet only if the operator names it.
        node.veche("log", "import", str(tmp_path / f"{name}.jsonl"), f"--space={space}")
    digests = {name: node.digest() for name, node in nodes.items()}
    assert len(set(digests.values())) == 3  # partitioned: three different states

    a, b, c = nodes["A"], nodes["B"], nodes["C"]
    # A <-> B over HTTP, as member M1 of the committee.
    first = a.json("sync", b.url, "--as", str(keys["m1"]))
    assert first["spaces"] == [space]
    # B <-> C with bundle files (no network between them).
    c.veche("bundle", "export", "-o", str(tmp_path / "c.bundle"))
    imported = b.json("bundle", "import", str(tmp_path / "c.bundle"), "--as", str(keys["m2"]))
    assert imported["outcomes"].get("applied", 0) + imported["outcomes"].get("held", 0) > 0
    b.veche("bundle", "export", "-o", str(tmp_path / "b.bundle"))
    c.json("bundle", "import", str(tmp_path / "b.bundle"), "--as", str(keys["m3"]))
    # A catches up with C's side through B; the fork is only visible by fingerprints.
    second = a.json("sync", b.url)  # the certificate made by --as above is reused
    assert second["forks_repaired"] >= 1
    # Replaying a bundle changes nothing.
    replay = c.json("bundle", "import", str(tmp_path / "b.bundle"), "--as", str(keys["m3"]))
    assert replay["already_held"] is True

    expected = len(base) + len(side_a.events) + len(side_b.events) + len(side_c.events)
    for node in nodes.values():
        assert _held(node) == (expected, expected, 1)  # every event once; one equivocation
        assert _votes(node) == {M1.public: "yes", M2.public: "yes", M3.public: "yes"}
    final = {name: node.digest() for name, node in nodes.items()}
    assert len(set(final.values())) == 1, final
