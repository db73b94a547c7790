"""Tally a motion with 100,000 open votes from the log (not from the projection).

Figure: votes tallied per second as a ratio to the ingest rate of the same vote events
in the same run (target ≥ 0.5).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import emit, figure, parser
from log_ingest import setup_store


def make_committee(members: int) -> tuple[list[bytes], list[bytes], str, str]:
    """A committee with ``members`` members and one open motion; then one vote each."""
    from veche.apps.committees.kinds import DEFAULT_RULES, invitation_hash
    from veche.events import Identity, build_event
    from veche.events.envelope import event_id

    founder = Identity(b"\x01" * 32)
    people = [Identity(i.to_bytes(4, "big").ljust(32, b"\x02")) for i in range(members)]
    when = "2020-08-12T12:00:00Z"
    setup: list[bytes] = []
    create = build_event(
        founder,
        space=None,
        seq=1,
        prev=None,
        kind="space.create",
        at=when,
        body={
            "type": "committee",
            "name": "Big plant",
            "kind": "workplace",
            "level": "local",
            "rules": DEFAULT_RULES,
            "pseudonym": "Founder",
        },
    )
    space = create.id
    setup.append(create.raw)
    head, prev, seq = create.id, create.id, 1
    for i, person in enumerate(people):
        code = f"CODE-{i:08d}"
        seq += 1
        invite = build_event(
            founder,
            space=space,
            seq=seq,
            prev=prev,
            kind="member.invite",
            at=when,
            body={"code_hash": invitation_hash(space, code)},
        )
        join = build_event(
            person,
            space=space,
            seq=1,
            prev=None,
            deps=[invite.id],
            kind="member.join",
            at=when,
            body={"code": code, "pseudonym": f"M{i}"},
        )
        setup += [invite.raw, join.raw]
        prev, head = invite.id, join.id
    seq += 1
    motion = build_event(
        founder,
        space=space,
        seq=seq,
        prev=prev,
        deps=[head],
        kind="motion.propose",
        at=when,
        body={
            "kind": "strike_call",
            "title": "General strike",
            "text": "All out.",
            "method": "yes_no",
        },
    )
    setup.append(motion.raw)
    # In the order a peer sends them (its stored (height, id) order): all votes
    # stand at the same height, one above the motion, so by id.
    votes = [
        build_event(
            person,
            space=space,
            seq=2,
            prev=_join_id(setup, i),
            deps=[motion.id],
            kind="motion.vote",
            at=when,
            body={"motion": motion.id, "version": 0, "choice": ("yes", "no", "abstain")[i % 3]},
        ).raw
        for i, person in enumerate(people)
    ]
    votes.sort(key=event_id)
    return setup, votes, space, motion.id


def _join_id(setup: list[bytes], index: int) -> str:
    from veche.events import parse_event

    return parse_event(setup[2 + 2 * index], verify=False).id


def main() -> None:
    args = parser(__doc__ or "").parse_args()
    members = 2_000 if args.quick else 100_000
    setup_store()
    from veche.apps.committees.models import Motion
    from veche.apps.committees.tally import result_for_close, tally_from_log
    from veche.apps.store.log import ingest

    print(f"signing {2 * members + 2} membership events and {members} votes…", flush=True)
    setup, votes, space, motion = make_committee(members)
    for offset in range(0, len(setup), 5_000):
        ingest(setup[offset : offset + 5_000], source="bench")
    start = time.perf_counter()
    for offset in range(0, len(votes), 5_000):
        report = ingest(votes[offset : offset + 5_000], source="bench")
        assert report.count("applied") == len(votes[offset : offset + 5_000]), report.summary()
    ingest_rate = members / (time.perf_counter() - start)
    start = time.perf_counter()
    result = tally_from_log(space, motion)
    tally_rate = members / (time.perf_counter() - start)
    projected, _ = result_for_close(space, motion)
    assert result == projected, (result, projected)
    assert result["cast"] == members and Motion.objects.get(event=motion).status == "open"
    print(f"{'votes':>8} {'ingest/s':>10} {'tally/s':>10}  result")
    print(
        f"{members:>8} {ingest_rate:>10.0f} {tally_rate:>10.0f}  yes {result['yes']} no {result['no']} abstain {result['abstain']}"
    )
    emit(
        [
            figure(
                "motion_tally",
                "votes_per_s",
                tally_rate,
                "ingest_votes_per_s",
                ingest_rate,
                target=0.5,
            )
        ]
    )


if __name__ == "__main__":
    main()
