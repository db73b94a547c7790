"""Federation-wide strike totals over 10,000 workplaces and 1,000,000 events.

The log holds committees with their workplaces, strike status changes and
solidarity-fund entries (donations, costs) as signed events. The figure is the
rate at which the node computes the federation's totals (plants and workers out
by day, region and sector, plus every fund's balances) over all those events,
as a ratio to the rate at which the same node ingested them (verify, store,
project) in the same run: computing totals must not be slower than ingesting
(target >= 1). Events are generated and ingested in chunks so memory stays
flat; generation time is not counted.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import emit, figure, parser, peak_rss_mb

REGIONS = ("minsk-city", "brest", "vitebsk", "gomel", "grodno", "minsk", "mogilev")
SECTORS = ("machinery", "chemicals", "metallurgy", "food", "transport", "mining", "energy")
# Generating and ingesting 1,000,000 events took 10 minutes on the 2-core reference
# machine (signing ~170 us, ingesting ~420 us per event; --full: ratio 88, totals in
# 4.8 s): over the 5-minute budget, so the default run is a fifth of the size
# (the same 10,000 workplaces and 100 committees) and prints its scale.
DEFAULT_EVENTS = 200_000
STATUS_CYCLE = (
    ("warning_strike", 150),
    ("partial", 400),
    ("full_strike", 700),
    ("go_slow", 200),
    ("lockout", 900),
    ("ended", 0),
    ("working", 0),
)


def setup_store() -> None:
    os.environ["VECHE_DATA_DIR"] = tempfile.mkdtemp(prefix="veche-bench-")
    os.environ.setdefault("VECHE_KDF_PROFILE", "test")
    os.environ["DJANGO_SETTINGS_MODULE"] = "veche.web.settings"
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


class Log:
    """Builds events as ``veche.apps.store.log.record`` would: chained, naming the head.

    Signing goes straight to libsodium with one signing key per author (what
    ``build_event`` does, minus re-deriving the key and re-parsing every event),
    so that generating a million events does not dominate the run; the first
    events are checked against ``parse_event`` so the shortcut cannot drift.
    """

    def __init__(self) -> None:
        self.heads: dict[tuple[str, str], tuple[int, str]] = {}
        self.latest: dict[str, str] = {}
        self.keys: dict[str, Any] = {}
        self.checked = 0

    def add(self, identity: Any, space: str | None, kind: str, body: dict[str, Any]) -> Event:
        import nacl.signing

        from veche.events import canonical, parse_event
        from veche.events.encoding import b64e
        from veche.events.envelope import event_id

        seq, prev = self.heads.get((space or "", identity.public), (0, None))
        head = self.latest.get(space or "")
        document: dict[str, Any] = {
            "v": 1,
            "space": space,
            "author": identity.public,
            "seq": seq + 1,
            "prev": prev,
            "deps": [head] if head and head != prev else [],
            "kind": kind,
            "at": "2020-08-11T12:00:00Z",
            "body": body,
        }
        key = self.keys.get(identity.public)
        if key is None:
            key = self.keys[identity.public] = nacl.signing.SigningKey(identity.seed)
        document["sig"] = b64e(key.sign(canonical.encode(document)).signature)
        raw = canonical.encode(document)
        event = Event(event_id(raw), raw)
        if self.checked < 50:
            assert parse_event(raw).id == event.id
            self.checked += 1
        space_id = space if space is not None else event.id
        self.heads[(space_id, identity.public)] = (seq + 1, event.id)
        self.latest[space_id] = event.id
        return event


class Event:
    __slots__ = ("id", "raw")

    def __init__(self, event_id: str, raw: bytes) -> None:
        self.id = event_id
        self.raw = raw


def generate(total: int, workplaces: int, committees: int) -> Iterator[list[bytes]]:
    """Yield chunks of raw events: committees and funds, workplaces, then the stream."""
    from veche.apps.committees.kinds import DEFAULT_RULES
    from veche.events import Identity

    log = Log()
    people = [Identity(i.to_bytes(4, "big").ljust(32, b"\2")) for i in range(committees)]
    chunk: list[bytes] = []
    spaces = []
    for c, person in enumerate(people):
        create = log.add(
            person,
            None,
            "space.create",
            {
                "type": "committee",
                "name": f"Strike committee {c}",
                "kind": "workplace",
                "level": "local",
                "rules": DEFAULT_RULES,
                "pseudonym": f"Founder{c}",
            },
        )
        space = create.id
        spaces.append(space)
        chunk.append(create.raw)
        fund = log.add(
            person,
            space,
            "fund.create",
            {"name": f"Fund {c}", "treasurers": [person.public], "k": 1},
        )
        chunk.append(fund.raw)
    places: list[tuple[int, str]] = []
    for w in range(workplaces):
        c = w % committees
        event = log.add(
            people[c],
            spaces[c],
            "workplace.register",
            {
                "name": f"Plant {w}",
                "city": f"Town {w % 500}",
                "region": REGIONS[w % len(REGIONS)],
                "sector": SECTORS[(w // 7) % len(SECTORS)],
                "workforce": 200 + (w * 37) % 15000,
            },
        )
        places.append((c, event.id))
        chunk.append(event.raw)
    made = len(chunk)
    index = 0
    while made < total:
        c, place = places[index % workplaces]
        round_ = index // workplaces
        if index % 5 == 4:  # one event in five is a fund entry
            amount = 100 + (index * 13) % 50000
            currency = ("BYN", "EUR", "USD")[index % 3]
            if index % 10 == 4:
                postings = [("bank", "debit"), ("donations", "credit")]
                category = "donation"
            else:
                postings = [("costs", "debit"), ("bank", "credit")]
                category = "cost"
                amount = amount // 10 + 1
            body = {
                "day": _day(round_),
                "category": category,
                "postings": [
                    {"account": a, "side": s, "amount": amount, "currency": currency}
                    for a, s in postings
                ],
            }
            event = log.add(people[c], spaces[c], "fund.entry", body)
        else:
            status, share = STATUS_CYCLE[(round_ + index) % len(STATUS_CYCLE)]
            body = {
                "workplace": place,
                "day": _day(round_),
                "status": status,
                "out_per_mille": share,
                "published": index % 3 != 0,
            }
            event = log.add(people[c], spaces[c], "strike.status", body)
        chunk.append(event.raw)
        made += 1
        index += 1
        if len(chunk) >= 5000:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _day(round_: int) -> str:
    from datetime import date, timedelta

    return (date(2020, 8, 11) + timedelta(days=round_ % 120)).isoformat()


def compute_totals() -> dict[str, Any]:
    """What a federation hub shows: strike totals by day, region, sector; every fund's money."""
    from django.db.models import Sum

    from veche.apps.fund.models import Balance
    from veche.apps.strike.access import pending_spaces, totals

    strike = totals(published_only=False)
    money = {
        (row["account"], row["currency"]): row["total"]
        for row in Balance.objects.values("account", "currency").annotate(total=Sum("amount"))
    }
    return {"strike": strike, "money": money, "pending": pending_spaces()}


def main() -> None:
    cli = parser(__doc__ or "")
    cli.add_argument(
        "--full", action="store_true", help="the issue's 1,000,000 events (about 10 minutes here)"
    )
    args = cli.parse_args()
    if args.quick:
        total, workplaces, committees = 10_000, 500, 10
    elif args.full:
        total, workplaces, committees = 1_000_000, 10_000, 100
    else:
        total, workplaces, committees = DEFAULT_EVENTS, 10_000, 100
    setup_store()
    from veche.apps.store.log import ingest
    from veche.apps.store.models import StoredEvent

    print(f"scale: {total / 1_000_000:g} of the issue's 1,000,000 events", flush=True)
    print(
        f"{total:,} events: {committees} committees, {workplaces:,} workplaces, "
        "strike status and fund entries (generated and ingested in chunks)",
        flush=True,
    )
    ingest_seconds = 0.0
    generate_seconds = 0.0
    done = 0
    mark = time.perf_counter()
    for chunk in generate(total, workplaces, committees):
        generate_seconds += time.perf_counter() - mark
        start = time.perf_counter()
        report = ingest(chunk, source="bench")
        ingest_seconds += time.perf_counter() - start
        assert report.count("applied") == len(chunk), report.summary()
        done += len(chunk)
        if done % 100_000 < len(chunk):
            print(f"  {done:>9,} ingested, {done / ingest_seconds:,.0f}/s", flush=True)
        mark = time.perf_counter()
    held = StoredEvent.objects.count()
    assert held == total, held
    start = time.perf_counter()
    result = compute_totals()
    totals_seconds = time.perf_counter() - start
    strike = result["strike"]
    busiest = max(strike.days, key=lambda d: d.workers_out)
    ingest_rate = total / ingest_seconds
    totals_rate = total / totals_seconds
    memory = peak_rss_mb()
    print(f"{'step':<28} {'seconds':>8} {'events/s':>12}")
    print(f"{'generate + sign (not timed)':<28} {generate_seconds:>8.1f}")
    print(f"{'ingest (verify,store,project)':<28} {ingest_seconds:>8.1f} {ingest_rate:>12,.0f}")
    print(f"{'federation totals':<28} {totals_seconds:>8.2f} {totals_rate:>12,.0f}")
    print(
        f"{len(strike.days)} days, {strike.workplaces:,} workplaces; busiest day "
        f"{busiest.day}: {busiest.plants_out:,} plants, {busiest.workers_out:,} workers out; "
        f"{len(result['money'])} fund account/currency totals; peak {memory:.0f} MB"
    )
    emit(
        [
            figure(
                "strike_fund",
                "totals_events_per_s",
                totals_rate,
                "ingest_events_per_s",
                ingest_rate,
                target=1.0,
                events=total,
                workplaces=workplaces,
                scale=total / 1_000_000,
            ),
        ]
    )


if __name__ == "__main__":
    main()
