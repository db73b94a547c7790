"""Committee page and motion page for a committee of 10,000 members, on a plain and
on an encrypted (SQLCipher) database, each in a process of its own.

Figures: server time per page as a ratio to rendering an empty page (the sign-in form
for an anonymous visitor) in the same run — ``ratio`` = empty ÷ page, so higher is
better — and the number of SQL queries, which must not grow with the committee; and
each page's time on the encrypted database as a ratio to the plain one's (plain ÷
encrypted, target ≥ 0.8: encryption costs at most a quarter more time).
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import emit, figure, parser
from log_ingest import run_stores, setup_store, store_mode
from motion_tally import make_committee


def _time(client, url: str, repeat: int) -> tuple[float, int, float]:  # type: ignore[no-untyped-def]
    """Median wall time, queries, and median CPU time of this process per request (the
    steadier figure on a shared machine: the test client runs in this thread)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    samples, cpu = [], []
    queries = 0
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as captured:
            start, cpu_start = time.perf_counter(), time.process_time()
            response = client.get(url)
            samples.append(time.perf_counter() - start)
            cpu.append(time.process_time() - cpu_start)
        assert response.status_code == 200, (url, response.status_code)
        queries = len(captured)
    return statistics.median(samples), queries, statistics.median(cpu)


def measure(members: int, repeat: int, encrypted: bool) -> dict[str, float]:
    """In a process of its own: build the committee, then time the three pages."""
    setup_store(encrypted=encrypted)
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from django.conf import settings
    from django.test import Client

    settings.ALLOWED_HOSTS = ["testserver", *settings.ALLOWED_HOSTS]
    from veche.apps.accounts.actions import create_account
    from veche.apps.store.log import ingest
    from veche.events import Identity

    setup, votes, space, motion = make_committee(members)
    for offset in range(0, len(setup), 5_000):
        ingest(setup[offset : offset + 5_000], source="bench")
    for offset in range(0, len(votes), 5_000):
        ingest(votes[offset : offset + 5_000], source="bench")
    create_account("Founder", "bench passphrase", Identity(b"\x01" * 32))
    client = Client()
    client.post("/accounts/sign-in/", {"pseudonym": "Founder", "passphrase": "bench passphrase"})
    empty, _, empty_cpu = _time(Client(), "/accounts/sign-in/", repeat)
    committee, committee_queries, committee_cpu = _time(client, f"/committees/{space}/", repeat)
    motion_page, motion_queries, motion_cpu = _time(
        client, f"/committees/{space}/motions/{motion}/", repeat
    )
    return {
        "score": 1 / (committee + motion_page),
        "empty": empty,
        "committee": committee,
        "motion": motion_page,
        "committee_cpu": committee_cpu,
        "motion_cpu": motion_cpu,
        "empty_cpu": empty_cpu,
        "committee_queries": committee_queries,
        "motion_queries": motion_queries,
    }


def main() -> None:
    if store_mode():
        members, repeat = int(sys.argv[2]), int(sys.argv[3])
        print(json.dumps(measure(members, repeat, encrypted=store_mode() == "encrypted")))
        return
    args = parser(__doc__ or "").parse_args()
    members = 500 if args.quick else 10_000
    repeat = 5 if args.quick else 15
    runs = run_stores(__file__, ["--pages", str(members), str(repeat)])
    # Each figure's best over the runs of its store (the load of a shared machine
    # drifts between runs; the least disturbed run is the fairest comparison).
    plain, encrypted = (
        {key: min(run[key] for run in runs[store]) for key in runs[store][0]}
        for store in ("plain", "encrypted")
    )
    print(
        f"{'page':<12} {'plain ms':>9} {'encrypted ms':>13} {'queries':>8}   ({members} members, {members} votes)"
    )
    for page in ("empty", "committee", "motion"):
        queries = plain.get(f"{page}_queries", "")
        print(
            f"{page:<12} {plain[page] * 1000:>9.1f} {encrypted[page] * 1000:>13.1f}"
            f" {queries if queries == '' else int(queries):>8}"
            f"   CPU ms {plain[page + '_cpu'] * 1000:.1f} / {encrypted[page + '_cpu'] * 1000:.1f}"
        )
    committee, motion_page, empty = plain["committee"], plain["motion"], plain["empty"]
    emit(
        [
            figure(
                "committee_page",
                "seconds",
                committee,
                "empty_page_seconds",
                empty,
                lower_is_better=True,
                queries=int(plain["committee_queries"]),
                members=members,
            ),
            figure(
                "motion_page",
                "seconds",
                motion_page,
                "empty_page_seconds",
                empty,
                lower_is_better=True,
                queries=int(plain["motion_queries"]),
                members=members,
            ),
            figure(
                "committee_page",
                "encrypted_seconds",
                encrypted["committee"],
                "plain_seconds",
                committee,
                lower_is_better=True,
                target=0.8,
                members=members,
            ),
            figure(
                "motion_page",
                "encrypted_seconds",
                encrypted["motion"],
                "plain_seconds",
                motion_page,
                lower_is_better=True,
                target=0.8,
                members=members,
            ),
            figure(
                "committee_page",
                "encrypted_cpu_seconds",
                encrypted["committee_cpu"],
                "plain_cpu_seconds",
                plain["committee_cpu"],
                lower_is_better=True,
                target=0.8,
                members=members,
            ),
            figure(
                "motion_page",
                "encrypted_cpu_seconds",
                encrypted["motion_cpu"],
                "plain_cpu_seconds",
                plain["motion_cpu"],
                lower_is_better=True,
                target=0.8,
                members=members,
            ),
        ]
    )


if __name__ == "__main__":
    main()
