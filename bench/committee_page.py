"""Committee page and motion page for a committee of 10,000 members.

Figures: server time per page as a ratio to rendering an empty page (the sign-in form
for an anonymous visitor) in the same run — ``ratio`` = empty ÷ page, so higher is
better — and the number of SQL queries, which must not grow with the committee.
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
from motion_tally import make_committee


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
    args = parser(__doc__ or "").parse_args()
    members = 500 if args.quick else 10_000
    setup_store()
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
    repeat = 5 if args.quick else 15
    empty, _ = _time(Client(), "/accounts/sign-in/", repeat)
    committee, committee_queries = _time(client, f"/committees/{space}/", repeat)
    motion_page, motion_queries = _time(client, f"/committees/{space}/motions/{motion}/", repeat)
    print(f"{'page':<12} {'ms':>8} {'queries':>8}   ({members} members, {members} votes)")
    print(f"{'empty':<12} {empty * 1000:>8.1f} {'':>8}")
    print(f"{'committee':<12} {committee * 1000:>8.1f} {committee_queries:>8}")
    print(f"{'motion':<12} {motion_page * 1000:>8.1f} {motion_queries:>8}")
    emit(
        [
            figure(
                "committee_page",
                "seconds",
                committee,
                "empty_page_seconds",
                empty,
                lower_is_better=True,
                queries=committee_queries,
                members=members,
            ),
            figure(
                "motion_page",
                "seconds",
                motion_page,
                "empty_page_seconds",
                empty,
                lower_is_better=True,
                queries=motion_queries,
                members=members,
            ),
        ]
    )


if __name__ == "__main__":
    main()
