"""A committee's votes arriving out of order: ingest rate as a ratio to in-order arrival.

A committee of 100,000 members (5,000 with --quick) has one open motion; every
member votes once, each vote signed on the member's own device (it names the
motion and the member's previous event). The votes reach the node in batches of
1,000. In the baseline they come in the order every node sorts them in; in the
measured run 10% of them come five batches late, so each sorts before votes the
node has already judged. Target: the late run ingests at ≥ 0.5 of the in-order
rate (a late vote costs in proportion to what depends on it, not to the size of
its committee). Both runs start from the same stored committee, inside a
transaction that is rolled back.
"""

from __future__ import annotations

import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import emit, figure, parser
from log_ingest import setup_store

BATCH = 1_000
LATE_SHARE = 0.10
LATE_BY = 5  # batches


def make_committee(members: int) -> tuple[list[bytes], list[bytes]]:
    """The committee (create, invitations, joins, a motion) and one vote per member."""
    from veche.apps.committees.kinds import DEFAULT_RULES, invitation_hash
    from veche.events import Identity, build_event

    people = [Identity(i.to_bytes(4, "big").ljust(32, b"\2")) for i in range(members)]
    at = "2020-08-14T12:00:00Z"
    founder = people[0]
    create = build_event(
        founder,
        space=None,
        seq=1,
        prev=None,
        kind="space.create",
        body={
            "type": "committee",
            "name": "MTZ strike committee",
            "kind": "workplace",
            "level": "local",
            "rules": DEFAULT_RULES,
            "pseudonym": "Founder",
        },
        at=at,
    )
    space = create.id
    setup = [create.raw]
    last = {founder.public: create.id}
    seq = {founder.public: 1}
    head = create.id
    for m in range(1, members):
        code = f"CODE-{m}-ABCDEFGHJK"
        seq[founder.public] += 1
        invite = build_event(
            founder,
            space=space,
            seq=seq[founder.public],
            prev=last[founder.public],
            kind="member.invite",
            body={"code_hash": invitation_hash(space, code)},
            at=at,
        )
        last[founder.public] = invite.id
        member = people[m]
        join = build_event(
            member,
            space=space,
            seq=1,
            prev=None,
            kind="member.join",
            body={"code": code, "pseudonym": f"Member {m}"},
            deps=sorted({invite.id, head}),
            at=at,
        )
        last[member.public], seq[member.public] = join.id, 1
        head = join.id
        setup += [invite.raw, join.raw]
    seq[founder.public] += 1
    motion = build_event(
        founder,
        space=space,
        seq=seq[founder.public],
        prev=last[founder.public],
        kind="motion.propose",
        body={
            "kind": "strike_call",
            "title": "General strike",
            "text": "From Monday",
            "method": "yes_no",
        },
        deps=sorted({head}),
        at=at,
    )
    last[founder.public] = motion.id
    setup.append(motion.raw)
    votes = []
    for index, person in enumerate(people):
        seq[person.public] += 1
        vote = build_event(
            person,
            space=space,
            seq=seq[person.public],
            prev=last[person.public],
            kind="motion.vote",
            body={"motion": motion.id, "version": 0, "choice": "yes" if index % 3 else "no"},
            deps=[] if last[person.public] == motion.id else [motion.id],
            at=at,
        )
        votes.append(vote)
    votes.sort(key=lambda e: e.id)  # all at one height: the order every node uses
    return setup, [v.raw for v in votes]


def delayed(votes: list[bytes], seed: int = 7) -> list[list[bytes]]:
    """The votes in batches, 10% of them moved LATE_BY batches later."""
    rng = random.Random(seed)
    batches: list[list[bytes]] = [votes[i : i + BATCH] for i in range(0, len(votes), BATCH)]
    late: dict[int, list[bytes]] = {}
    kept: list[list[bytes]] = []
    for number, batch in enumerate(batches):
        stay = []
        for raw in batch:
            if rng.random() < LATE_SHARE:
                late.setdefault(min(number + LATE_BY, len(batches) - 1), []).append(raw)
            else:
                stay.append(raw)
        kept.append(stay)
    return [kept[n] + late.get(n, []) for n in range(len(batches))]


def timed(batches: list[list[bytes]]) -> float:
    from django.db import transaction

    from veche.apps.store.log import ingest
    from veche.apps.store.models import StoredEvent

    with transaction.atomic():
        start = time.perf_counter()
        for batch in batches:
            report = ingest(batch, source="bench")
            assert report.count("applied") == len(batch), report.summary()
        elapsed = time.perf_counter() - start
        assert StoredEvent.objects.filter(kind="motion.vote", status="applied").count() == sum(
            len(b) for b in batches
        )
        transaction.set_rollback(True)
    return elapsed


def main() -> None:
    args = parser(__doc__ or "").parse_args()
    members = 5_000 if args.quick else 100_000
    setup_store()
    from veche.apps.store.log import ingest

    print(f"signing a committee of {members} members and their votes…", flush=True)
    setup, votes = make_committee(members)
    for start in range(0, len(setup), 20_000):
        report = ingest(setup[start : start + 20_000], source="bench setup")
        assert report.count("applied") == len(setup[start : start + 20_000]), report.summary()
    in_order = [votes[i : i + BATCH] for i in range(0, len(votes), BATCH)]
    out_of_order = delayed(votes)
    ordered_time = timed(in_order)
    late_time = timed(out_of_order)
    ordered_rate = len(votes) / ordered_time
    late_rate = len(votes) / late_time
    print(f"{'votes':>10} {'in order/s':>12} {'10% late/s':>12}")
    print(f"{len(votes):>10} {ordered_rate:>12.0f} {late_rate:>12.0f}")
    emit(
        [
            figure(
                "late_arrival",
                "votes_per_s_10pct_late",
                late_rate,
                "votes_per_s_in_order",
                ordered_rate,
                target=0.5,
            )
        ]
    )


if __name__ == "__main__":
    main()
