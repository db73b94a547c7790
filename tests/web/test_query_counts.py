"""Every page's query count is pinned, on the Belarus 2020 demo (a node's real data).

A page whose count changes fails here with its SQL listed: a new query per row (the
"N+1" that makes a committee of thousands slow) shows at once. When a change is
deliberate, update ``PINNED`` in the same commit and say why.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from tests.demo_snapshot import load_demo_cached
from tests.queries import listing
from tests.web.pages import demo_pages

from veche.demo.load import DEMO_PASSPHRASE

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


# Pinned on the demo, signed in as Sokol (a member of most committees, the operator).
PINNED: dict[str, int] = {
    "home": 21,  # + the demo's open strike call of the Kozlova pledge, awaiting votes (2)
    "sign-in": 2,
    "passphrase": 2,
    "account": 2,
    "welcome": 5,
    "key-file": 2,
    "paper-backup": 2,
    "restore": 2,
    "event": 5,
    "committees": 10,
    "committee-new": 2,
    "federation": 31,
    # + its posts: their authors, their comment counts; + the open strike call of its pledge
    "committee": 20,
    # The kinds list asks whether there is anything to recall, accept or admit (3).
    "motion-new": 7,
    "motion-new-expulsion": 8,
    "motion-new-endorsement": 9,
    "motion": 15,  # + the discussion: who may comment, its comments
    "motion-new-appeal": 7,
    "motion-appeal": 14,  # an appeal: no discussion yet, the audience is in its target
    "motion-appeal-leaflet": 5,  # the committee's reader, the motion, its committee's name
    "appeals": 4,  # the session around one read of the passed appeals and their committees
    "appeal": 4,
    "appeal-leaflet": 2,  # public: the appeal and its committee's name, no session
    "appeal-qr": 2,
    "appeals-feed": 4,  # the passed appeals and demands letters, their committees' names
    "committee-feed": 5,  # + the committee
    "thread": 7,
    "audits": 4,
    "audit-new": 2,
    "audit": 4,  # + the committees that may publish it by a motion
    "audit-progress": 3,
    "audit-report": 3,
    "strike": 13,  # + the general strikes passed by plants' pledges (pledge-v1 §8)
    "workplace": 12,
    "strike-ballot-new": 8,  # + the calls he closed, the trustee candidates (as election-new)
    "strike-committee": 5,
    "demands": 5,
    "demands-letter": 11,  # + the discussion (shown to its members)
    "fund-reports": 4,
    "fund-report": 6,  # the site's layout (session, account) around the report
    "fund-report-json": 4,
    "fund": 11,
    "fund-receipt": 6,
    "planning-budgets": 5,  # the session, the committee, membership, the budgets
    # + its projects, the members' names, the reader's vote, the fund, its payouts
    "planning-budget": 11,
    "planning-needs": 11,  # + the council's summaries, the surveys, the council's seats, may open
    "peers": 3,
    "node-panic": 2,  # the session and the operator: nothing of the node's data
    "bundles": 11,
    "bundle-receive": 2,  # the session and the account: the frames so far live in the session
    "elections": 6,
    "election-new": 10,
    "planning-survey-open": 10,  # as election-new
    "election": 15,  # + the discussion in the calling committee
    "election-json": 3,
    "election-vote": 4,
    "election-board": 4,
    "election-result": 6,
    "election-record": 4,
    "trustee-key": 3,
    "pledges": 6,
    "pledge-new": 9,  # + the open motions, the registry's workplaces, the trustee candidates
    "pledge": 12,  # + the trustees, who decrypted, their names, the strike call, the answer
    "pledge-make": 4,
    "pledge-record": 4,
}


def _count(client: Client, url: str) -> tuple[int, int, Any]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
        if hasattr(response, "streaming_content"):
            b"".join(response.streaming_content)
    return response.status_code, len(queries), queries


def test_every_page_makes_the_pinned_number_of_queries() -> None:
    load_demo_cached()
    client = Client()
    signed_in = client.post(
        "/accounts/sign-in/", {"pseudonym": "Sokol", "passphrase": DEMO_PASSPHRASE}
    )
    assert signed_in.status_code == 302
    client.get("/")  # the session's first page settles its own rows
    counts: dict[str, int] = {}
    problems: list[str] = []
    for name, url_of in demo_pages().items():
        url = url_of()
        status, count, queries = _count(client, url)
        counts[name] = count
        if status != 200:
            problems.append(f"{name} {url}: status {status}")
        elif PINNED.get(name) != count:
            problems.append(
                f"{name} {url}: {count} queries, {PINNED.get(name)} pinned\n{listing(queries)}"
            )
    assert not problems, "\n\n".join(problems) + f"\n\nall counts: {counts}"


def test_pages_for_a_visitor_who_is_not_signed_in(assert_queries: Any) -> None:
    client = Client()
    for url, expected in (("/", 0), ("/accounts/sign-in/", 0), ("/audit/", 1), ("/strike/", 5)):
        with assert_queries(expected, url):
            assert client.get(url).status_code == 200
