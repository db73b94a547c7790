"""Publish a federation's public events as the signed static mirror (issue 19).

A federation of committees (1,000 by default, 100 with --quick), each with members, a
workplace, a passed demands letter and a long run of published strike statuses, is
signed in a child process; this process ingests all of it into a fresh store, then runs
what `veche publish -o DIR` runs (read the applied events, select the public ones, check
every signature, derive and render every page in three languages, write the folder).

Figure: the events published per second as a ratio to the events ingested per second,
measured on the same events in the same run (target >= 0.5). At the issue's scale
(1,000 committees, 100,000 events) the ingest alone takes minutes on a shared 2-core
machine, so the default run takes longer than five; --quick takes under a minute.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import emit, figure, parser
from log_ingest import read_batches, setup_store

REGIONS = ("minsk-city", "brest", "vitebsk", "gomel", "grodno", "minsk", "mogilev")
STATUSES = ("warning_strike", "partial", "full_strike", "go_slow", "working")
LETTER = "1. Free the detained.\n2. New, fair elections."


def generate(committees: int, total: int, path: Path) -> None:
    """In a child process: the first committee through the actions (its close carries
    the result its votes give), every other one signed directly alike (same members,
    same votes, so the same result), then the strike statuses; write every event, in an
    order a fresh store applies, one per line."""
    setup_store()
    from veche.apps.committees import actions
    from veche.apps.committees.kinds import invitation_hash
    from veche.apps.store.models import StoredEvent
    from veche.apps.strike.actions import register_workplace
    from veche.events import Identity, build_event

    start = datetime(2020, 8, 11, 8, tzinfo=UTC)
    heads: dict[tuple[str, str], tuple[int, str]] = {}
    raws: list[bytes] = []

    def sign(who: Identity, space: str | None, kind: str, body: dict, at: datetime, deps=()):  # type: ignore[no-untyped-def]
        seq, prev = heads.get((space or "", who.public), (0, None))
        event = build_event(
            who,
            space=space,
            seq=seq + 1,
            prev=prev,
            kind=kind,
            body=body,
            deps=sorted(set(deps)),
            at=at,
        )
        heads[(event.space_id, who.public)] = (seq + 1, event.id)
        raws.append(event.raw)
        return event

    def person(c: int, m: int) -> Identity:
        return Identity(c.to_bytes(4, "big").ljust(31, b"\3") + bytes([m]))

    founder0 = person(0, 255)
    space0 = actions.create_committee(
        founder0,
        name="Strike committee 0",
        kind="workplace",
        level="local",
        pseudonym="Founder0",
        at=start,
    ).id
    for m in range(2):
        code, _ = actions.invite(founder0, space0, at=start)
        actions.join(person(0, m), space0, code, f"Member0x{m}", at=start)
    place0 = register_workplace(
        founder0,
        space0,
        name="Plant 0",
        city="Minsk",
        region=REGIONS[0],
        sector="machinery",
        workforce=1000,
        at=start,
    ).id
    letter = actions.propose(
        founder0, space0, kind="demands", title="Demands of plant 0", text=LETTER, at=start
    )
    for voter in (founder0, person(0, 0), person(0, 1)):
        actions.vote(voter, space0, letter.id, choice="yes", at=start)
    close = actions.close(founder0, space0, letter.id, at=start + timedelta(hours=1))
    result = close.body["result"]
    close_rules = json.loads(StoredEvent.objects.get(id=space0).raw)["body"]["rules"]
    for stored in StoredEvent.objects.order_by("height", "id"):
        raws.append(bytes(stored.raw))
        heads[(stored.space, stored.author)] = (stored.seq, stored.id)
    people: list[tuple[Identity, str, str]] = [(founder0, space0, place0)]
    for c in range(1, committees):
        founder = person(c, 255)
        space = sign(
            founder,
            None,
            "space.create",
            {
                "type": "committee",
                "name": f"Strike committee {c}",
                "kind": "workplace",
                "level": "local",
                "rules": close_rules,
                "pseudonym": f"Founder{c}",
            },
            start,
        ).id
        for m in range(2):
            code = f"CODE-{c}-{m}-ABCDEFGH"
            invite = sign(
                founder, space, "member.invite", {"code_hash": invitation_hash(space, code)}, start
            )
            sign(
                person(c, m),
                space,
                "member.join",
                {"code": code, "pseudonym": f"Member{c}x{m}"},
                start,
                [invite.id],
            )
        place = sign(
            founder,
            space,
            "workplace.register",
            {
                "name": f"Plant {c}",
                "city": "Minsk",
                "region": REGIONS[c % len(REGIONS)],
                "sector": "machinery",
                "workforce": 1000 + c,
            },
            start,
        ).id
        proposal = sign(
            founder,
            space,
            "motion.propose",
            {
                "kind": "demands",
                "title": f"Demands of plant {c}",
                "text": LETTER,
                "method": "yes_no",
            },
            start,
            [heads[(space, person(c, 1).public)][1]],
        )
        votes = [
            sign(
                voter,
                space,
                "motion.vote",
                {"motion": proposal.id, "version": 0, "choice": "yes"},
                start,
                [proposal.id],
            )
            for voter in (founder, person(c, 0), person(c, 1))
        ]
        sign(
            founder,
            space,
            "motion.close",
            {"motion": proposal.id, "result": result},
            start + timedelta(hours=1),
            [v.id for v in votes],
        )
        people.append((founder, space, place))
    i = 0
    while len(raws) < total:
        founder, space, place = people[i % committees]
        round_ = i // committees
        status = STATUSES[(i + round_) % len(STATUSES)]
        sign(
            founder,
            space,
            "strike.status",
            {
                "workplace": place,
                "day": (date(2020, 8, 11) + timedelta(days=round_)).isoformat(),
                "status": status,
                "out_per_mille": 0 if status == "working" else 100 + (i * 37) % 900,
                "published": True,
            },
            start + timedelta(days=round_, hours=2),
        )
        i += 1
    path.write_bytes(b"\n".join(raws) + b"\n")
    shutil.rmtree(os.environ["VECHE_DATA_DIR"])


def measure(path: Path) -> dict[str, float]:
    """Ingest the file into a fresh store, then publish the store's mirror."""
    setup_store()
    from veche.apps.store.log import ingest
    from veche.cli.publish import public_event_bytes
    from veche.publish.mirror import verify_mirror, write_mirror

    total = 0
    start = time.perf_counter()
    for batch in read_batches(path, 20_000):
        report = ingest(batch, source="bench")
        assert report.count("applied") == len(batch), report.summary()
        total += len(batch)
    ingest_seconds = time.perf_counter() - start
    site = Path(tempfile.mkdtemp(prefix="veche-bench-mirror-")) / "site"
    start = time.perf_counter()
    written = write_mirror(site, public_event_bytes())
    publish_seconds = time.perf_counter() - start
    start = time.perf_counter()
    problems = verify_mirror(site)
    verify_seconds = time.perf_counter() - start
    assert problems == [], problems[:3]
    shutil.rmtree(site.parent)
    shutil.rmtree(os.environ["VECHE_DATA_DIR"])
    return {
        "events": total,
        "ingest_seconds": ingest_seconds,
        "publish_seconds": publish_seconds,
        "verify_seconds": verify_seconds,
        "files": len(written.written),
    }


def main() -> None:
    if len(sys.argv) == 5 and sys.argv[1] == "--generate":
        generate(int(sys.argv[2]), int(sys.argv[3]), Path(sys.argv[4]))
        return
    if len(sys.argv) == 3 and sys.argv[1] == "--measure":
        print(json.dumps(measure(Path(sys.argv[2]))))
        return
    args = parser(__doc__ or "").parse_args()
    committees, total = (100, 10_000) if args.quick else (1_000, 100_000)
    path = Path(tempfile.mkdtemp(prefix="veche-bench-publish-")) / "events.jsonl"
    print(f"signing {committees} committees' {total} events…", flush=True)
    subprocess.run(
        [sys.executable, __file__, "--generate", str(committees), str(total), str(path)],
        check=True,
    )
    print("ingesting them into a fresh store, then publishing its mirror…", flush=True)
    done = subprocess.run(
        [sys.executable, __file__, "--measure", str(path)],
        check=True,
        capture_output=True,
        text=True,
    )
    found = json.loads(done.stdout.strip().splitlines()[-1])
    shutil.rmtree(path.parent)
    events = found["events"]
    ingest_rate = events / found["ingest_seconds"]
    publish_rate = events / found["publish_seconds"]
    print(
        f"{'events':>8} {'ingest s':>9} {'publish s':>10} {'verify s':>9} {'files':>7}\n"
        f"{events:>8} {found['ingest_seconds']:>9.2f} {found['publish_seconds']:>10.2f}"
        f" {found['verify_seconds']:>9.2f} {found['files']:>7}"
    )
    emit(
        [
            figure(
                "publish",
                "events_published_per_s",
                publish_rate,
                "events_ingested_per_s",
                ingest_rate,
                target=0.5,
                committees=committees,
                events=events,
            )
        ]
    )


if __name__ == "__main__":
    main()
