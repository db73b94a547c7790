"""The home page of a member of 20 committees of 10,000 events each.

Each committee has 2,000 members, 4,000 posts, 20 motions with 100 votes each (5 of
them closed) and the member, who has voted on none. Figure: server time of the
member's home page (what waits for them in all 20, and what is new) as a ratio to the
plain committee page of one of those committees in the same run — ``ratio`` =
committee ÷ home, so higher is better; the target is within 3× (ratio ≥ 1/3) — and
the number of SQL queries, which must not grow with the committees.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import emit, figure, parser
from log_ingest import setup_store

WHEN = "2020-08-12T12:00:00Z"


def make_committee(
    name: str, members: int, posts: int, motions: int, votes: int
) -> tuple[str, list[bytes]]:
    """One committee's space and events in causal order: the viewer (key 0x03…) is a
    member."""
    from veche.apps.committees.kinds import DEFAULT_RULES, invitation_hash
    from veche.events import Identity, build_event

    founder = Identity(b"\x01" * 32)
    viewer = Identity(b"\x03" * 32)
    people = [viewer] + [Identity(i.to_bytes(4, "big").ljust(32, b"\x02")) for i in range(members)]
    create = build_event(
        founder,
        space=None,
        seq=1,
        prev=None,
        kind="space.create",
        at=WHEN,
        body={
            "type": "committee",
            "name": name,
            "kind": "workplace",
            "level": "local",
            "rules": DEFAULT_RULES,
            "pseudonym": "Founder",
        },
    )
    space = create.id
    events = [create.raw]
    prev, seq = create.id, 1
    joins = []
    for i, person in enumerate(people):
        code = f"CODE-{i:08d}"
        seq += 1
        invite = build_event(
            founder,
            space=space,
            seq=seq,
            prev=prev,
            kind="member.invite",
            at=WHEN,
            body={"code_hash": invitation_hash(space, code)},
        )
        join = build_event(
            person,
            space=space,
            seq=1,
            prev=None,
            deps=[invite.id],
            kind="member.join",
            at=WHEN,
            body={"code": code, "pseudonym": "Viewer" if i == 0 else f"M{i}"},
        )
        events += [invite.raw, join.raw]
        joins.append(join.id)
        prev = invite.id
    for n in range(posts):
        seq += 1
        post = build_event(
            founder,
            space=space,
            seq=seq,
            prev=prev,
            kind="space.post",
            at=f"2020-08-{13 + n % 15:02d}T{n % 24:02d}:00:00Z",
            body={"text": f"Post {n} of {name}: meeting at the gates."},
        )
        events.append(post.raw)
        prev = post.id
    motion_ids = []
    for m in range(motions):
        seq += 1
        motion = build_event(
            founder,
            space=space,
            seq=seq,
            prev=prev,
            deps=[joins[-1]],
            kind="motion.propose",
            at=WHEN,
            body={"kind": "general", "title": f"Motion {m}", "text": "Vote.", "method": "yes_no"},
        )
        events.append(motion.raw)
        motion_ids.append(motion.id)
        prev = motion.id
    # Members 1..: each votes once, on one motion (the viewer never does).
    cast = []
    for v in range(min(votes, members)):
        person = people[1 + v]
        motion = motion_ids[v % motions]
        cast.append(
            build_event(
                person,
                space=space,
                seq=2,
                prev=joins[1 + v],
                deps=[motion],
                kind="motion.vote",
                at=WHEN,
                body={"motion": motion, "version": 0, "choice": ("yes", "no", "abstain")[v % 3]},
            )
        )
    events += [vote.raw for vote in cast]
    # The founder's minutes cite the votes, as a member's node names the tips it saw:
    # a close names the votes it counted through its causal past.
    for start in range(0, len(cast), 60):
        seq += 1
        minutes = build_event(
            founder,
            space=space,
            seq=seq,
            prev=prev,
            deps=sorted(vote.id for vote in cast[start : start + 60]),
            kind="space.post",
            at="2020-08-28T20:00:00Z",
            body={"text": f"Minutes {start // 60}: votes received."},
        )
        events.append(minutes.raw)
        prev = minutes.id
    return space, events


def _time(client, url: str, repeat: int) -> tuple[float, int]:  # type: ignore[no-untyped-def]
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    samples = []
    queries = 0
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as captured:
            start = time.perf_counter()
            response = client.get(url)
            samples.append(time.perf_counter() - start)
        assert response.status_code == 200, (url, response.status_code)
        queries = len(captured)
    return statistics.median(samples), queries


def main() -> None:
    options = parser(__doc__ or "")
    options.add_argument("--committees", type=int, default=20, help="how many committees")
    options.add_argument("--profile", action="store_true", help="print a profile of the home page")
    args = options.parse_args()
    committees = args.committees
    if args.quick:
        members, posts, motions, votes = 100, 200, 10, 100
    else:
        members, posts, motions, votes = 2_000, 4_000, 20, 2_000
    setup_store()
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from django.conf import settings
    from django.test import Client

    settings.ALLOWED_HOSTS = ["testserver", *settings.ALLOWED_HOSTS]
    from veche.apps.accounts.actions import create_account
    from veche.apps.committees import actions
    from veche.apps.committees.models import Motion
    from veche.apps.store.log import ingest
    from veche.apps.store.models import StoredEvent
    from veche.events import Identity

    start = time.perf_counter()
    spaces = []
    for c in range(committees):
        space, events = make_committee(f"Plant {c:02d}", members, posts, motions, votes)
        for offset in range(0, len(events), 5_000):
            report = ingest(events[offset : offset + 5_000], source="bench")
            assert report.count("applied") == len(events[offset : offset + 5_000]), report.summary()
        spaces.append(space)
        # A quarter of the motions are decided (news on the home page).
        founder = Identity(b"\x01" * 32)
        for motion in Motion.objects.filter(space=spaces[-1]).order_by("event")[: motions // 4]:
            actions.close(founder, spaces[-1], motion.event)
    total = StoredEvent.objects.count()
    print(f"built {committees} committees, {total} events in {time.perf_counter() - start:.0f} s")
    create_account("Viewer", "bench passphrase", Identity(b"\x03" * 32))
    client = Client()
    client.post("/accounts/sign-in/", {"pseudonym": "Viewer", "passphrase": "bench passphrase"})
    repeat = 5 if args.quick else 15
    committee, committee_queries = _time(client, f"/committees/{spaces[0]}/", repeat)
    home, home_queries = _time(client, "/", repeat)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        body = client.get("/").content.decode()
    slowest = sorted(captured.captured_queries, key=lambda q: -float(q["time"]))[:3]
    for query in slowest:
        print(f"slowest home query {float(query['time']) * 1000:.1f} ms: {query['sql'][:160]}")
    assert body.count('data-need="motion"') == 20, "the home page lists 20 open motions"
    if args.profile:
        import cProfile
        import pstats

        profiler = cProfile.Profile()
        profiler.runcall(client.get, "/")
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(30)
    print(f"{'page':<12} {'ms':>8} {'queries':>8}   ({committees} committees, {total} events)")
    print(f"{'committee':<12} {committee * 1000:>8.1f} {committee_queries:>8}")
    print(f"{'home':<12} {home * 1000:>8.1f} {home_queries:>8}")
    emit(
        [
            figure(
                "home_page",
                "seconds",
                home,
                "committee_page_seconds",
                committee,
                lower_is_better=True,
                target=round(1 / 3, 4),
                queries=home_queries,
                committees=committees,
                events=total,
            )
        ]
    )


if __name__ == "__main__":
    main()
