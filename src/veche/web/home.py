"""The signed-in member's home page: what waits for them, then what is new.

Each app says what waits for a member there (``apps/<app>/needs.py``); this module puts
it together and keeps the member's last visit, so that what this node received since
then is marked unread. Every part is a fixed number of queries, so the page costs the
same for a member of one committee as for a member of fifty.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from veche.apps.accounts.models import Account, HomeVisit
from veche.apps.committees import needs as committee_needs
from veche.apps.committees.models import Committee
from veche.apps.elections import needs as election_needs
from veche.apps.elections.models import Election
from veche.apps.fund import needs as fund_needs
from veche.apps.store.models import StoredEvent
from veche.events.envelope import format_time

# Motions listed on the page; a phone shows twenty cards well, the rest are a tap away.
MOTIONS_SHOWN = 20


@dataclass(frozen=True)
class NewsItem:
    news: committee_needs.News
    unread: bool


@dataclass
class Home:
    """Everything the home page shows a member, each list already in display order."""

    committees: list[Committee]
    motions: list[committee_needs.OpenMotion] = field(default_factory=list)
    ballots: list[Election] = field(default_factory=list)
    trustee_steps: list[election_needs.TrusteeStep] = field(default_factory=list)
    payouts: list[fund_needs.PendingPayout] = field(default_factory=list)
    ratifications: list[committee_needs.OwedRatification] = field(default_factory=list)
    candidates: list[committee_needs.Candidate] = field(default_factory=list)
    news: list[NewsItem] = field(default_factory=list)
    last_visit: datetime | None = None
    more_motions: bool = False

    @property
    def waiting(self) -> int:
        """How many things wait for the member (a past-deadline motion they voted on
        waits for anyone to close it, so it counts too)."""
        return (
            len(self.motions)
            + len(self.ballots)
            + len(self.trustee_steps)
            + len(self.payouts)
            + len(self.ratifications)
            + len(self.candidates)
        )

    @property
    def unread(self) -> int:
        return sum(1 for item in self.news if item.unread)


def home_of(account: Account, now: datetime | None = None) -> Home:
    """What waits for ``account`` across its committees and elections, and what is new
    since its last visit (by when this node received it, so that what a sync brought in
    late counts as new too). Records this visit."""
    now = now or datetime.now(UTC)
    key = account.public_key
    mine = committee_needs.memberships(key)
    last_visit = HomeVisit.objects.filter(account=account).values_list("seen_at", flat=True).first()
    recent = committee_needs.recent(mine)
    received = dict(
        StoredEvent.objects.filter(id__in=[n.event for n in recent]).values_list(
            "id", "received_at"
        )
    )
    motions = committee_needs.open_motions(mine, format_time(now), limit=MOTIONS_SHOWN + 1)
    home = Home(
        committees=sorted(mine.committees.values(), key=lambda c: (c.name.casefold(), c.space)),
        motions=motions[:MOTIONS_SHOWN],
        more_motions=len(motions) > MOTIONS_SHOWN,
        ballots=election_needs.ballots_due(key),
        trustee_steps=election_needs.trustee_steps(account),
        payouts=fund_needs.payouts_to_approve(key, mine.member_of),
        ratifications=committee_needs.ratifications_owed(mine),
        candidates=committee_needs.candidates_to_vouch(mine),
        news=[
            NewsItem(n, unread=last_visit is None or received.get(n.event, now) > last_visit)
            for n in recent
        ],
        last_visit=last_visit,
    )
    # One query either way; two tabs opening home at once both land on one row.
    if last_visit is None:
        HomeVisit.objects.bulk_create(
            [HomeVisit(account=account, seen_at=now)], ignore_conflicts=True
        )
    else:
        HomeVisit.objects.filter(account=account).update(seen_at=now)
    return home
