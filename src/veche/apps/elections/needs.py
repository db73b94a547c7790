"""What waits for a member in secret-ballot elections: ballots to cast, trustee steps.

For the home page; each is a fixed number of set-based queries however many elections
there are. A voter and a trustee may read their election (``access.can_read_election``),
so nothing listed here is an election the member could not open.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Exists, OuterRef

from veche.apps.accounts.models import Account
from veche.apps.elections.models import (
    Ballot,
    Election,
    PartialDecryption,
    Trustee,
    TrusteeKey,
    Voter,
)

LIMIT = 50


def ballots_due(key: str) -> list[Election]:
    """Open elections whose electorate holds the key and in which it has cast no ballot
    yet, oldest first (1 query)."""
    electorates = Election.objects.filter(
        space__in=Voter.objects.filter(key=key).values("space"), stage="open"
    )
    cast = Ballot.objects.filter(space=OuterRef("space"), author=key)
    return list(
        electorates.annotate(cast=Exists(cast))
        .filter(cast=False)
        .order_by("created_at", "space")[:LIMIT]
    )


@dataclass(frozen=True)
class TrusteeStep:
    """The member's step as a trustee: "deal", "check" (the others' dealings) or
    "decrypt", as the election page tells it (``views._ceremony``)."""

    election: Election
    index: int
    step: str


def trustee_steps(account: Account) -> list[TrusteeStep]:
    """Elections in which a trustee key this account registered has a step due (2 queries):
    dealing or checking while the key ceremony runs, decrypting once the vote is closed."""
    rows = list(
        Trustee.objects.filter(
            key__in=TrusteeKey.objects.filter(account=account).values("key"),
            space__in=Election.objects.filter(stage__in=["created", "closed"]).values("space"),
        )
        .annotate(
            decrypted=Exists(
                PartialDecryption.objects.filter(space=OuterRef("space"), trustee=OuterRef("index"))
            )
        )
        .order_by("space", "index")[:LIMIT]
    )
    if not rows:
        return []
    elections = {e.space: e for e in Election.objects.filter(space__in={r.space for r in rows})}
    steps = []
    for row in rows:
        election = elections.get(row.space)
        if election is None:
            continue
        if election.stage == "created":
            steps.append(TrusteeStep(election, row.index, "check" if row.dealing else "deal"))
        elif election.stage == "closed" and not row.decrypted:
            steps.append(TrusteeStep(election, row.index, "decrypt"))
    return steps
