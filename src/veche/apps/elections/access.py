"""Who may read an election: readers of its committee, its voters and trustees; the board
and the result also anyone holding the link when the committee published the board.

A space a viewer may not read is answered like one that does not exist (404):
``access_election_by_space`` and ``access_board_by_space`` return the election or raise
Http404; the reads below them take the election they returned.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from veche.apps.accounts.models import Account
from veche.apps.committees.access import can_read_space
from veche.apps.committees.models import Committee, Member, Motion
from veche.apps.elections.models import (
    Ballot,
    Complaint,
    Election,
    PartialDecryption,
    Trustee,
    TrusteeKey,
    Voter,
)


def can_read_election(key: str | None, election: Election) -> bool:
    if key is None:
        return False
    if key == election.creator:
        return True
    if election.committee and can_read_space(key, election.committee):
        return True
    return (
        Voter.objects.filter(space=election.space, key=key).exists()
        or Trustee.objects.filter(space=election.space, key=key).exists()
    )


def can_read_board(key: str | None, election: Election) -> bool:
    return election.public_board or can_read_election(key, election)


def access_election_by_space(viewer: str | None, space: str) -> Election:
    """The election, if the viewer may read it; otherwise 404 (unknown and forbidden alike)."""
    election = Election.objects.filter(space=space).first()
    if election is None or not can_read_election(viewer, election):
        raise Http404
    return election


def access_board_by_space(viewer: str | None, space: str) -> Election:
    """The election, if the viewer may read its board and result (anyone, if public); or 404."""
    election = Election.objects.filter(space=space).first()
    if election is None or not can_read_board(viewer, election):
        raise Http404
    return election


def is_voter(key: str | None, election: Election) -> bool:
    return key is not None and Voter.objects.filter(space=election.space, key=key).exists()


def trustee_index(key: str | None, election: Election) -> int | None:
    if key is None:
        return None
    return (
        Trustee.objects.filter(space=election.space, key=key)
        .values_list("index", flat=True)
        .first()
    )


# -- reads of a committee or an election the viewer was let in ---------------------------


def elections_of(committee: Committee) -> QuerySet[Election]:
    """The committee's elections: only those whose call by it checks out on this node (an
    election that merely names the committee is not its election)."""
    return Election.objects.filter(committee=committee.space, call_checked=True).order_by(
        "-created_at"
    )


def trustees_of(election: Election) -> list[tuple[Trustee, bool]]:
    """The trustees in order, each with whether their partial decryption is in."""
    trustees = list(Trustee.objects.filter(space=election.space).order_by("index"))
    decrypted = set(
        PartialDecryption.objects.filter(space=election.space).values_list("trustee", flat=True)
    )
    return [(t, t.index in decrypted) for t in trustees]


def complaints_of(election: Election) -> QuerySet[Complaint]:
    return Complaint.objects.filter(space=election.space).order_by("event")


def latest_ballot(viewer: str | None, election: Election) -> Ballot | None:
    """The viewer's last ballot in the election."""
    return Ballot.objects.filter(space=election.space, author=viewer).order_by("-id").first()


def ballots_of(election: Election) -> QuerySet[Ballot]:
    return Ballot.objects.filter(space=election.space).order_by("tracker")


def tracker_of(election: Election, event: str) -> str | None:
    """The tracker of a ballot just cast (its event id)."""
    return (
        Ballot.objects.filter(space=election.space, event=event)
        .values_list("tracker", flat=True)
        .first()
    )


def is_decided(election: Election) -> bool:
    """Decided now (the projection, not the object read before an action)."""
    return Election.objects.filter(space=election.space, stage="decided").exists()


def caller_of(election: Election) -> tuple[Committee | None, Motion | None]:
    """The committee and motion the election's call names, where this node holds them."""
    committee = election.body["committee"]
    return (
        Committee.objects.filter(space=committee).first(),
        Motion.objects.filter(space=committee, event=election.body["motion"]).first(),
    )


# -- trustee keys registered on this node ------------------------------------------------


def active_trustee_key(account: Account) -> TrusteeKey | None:
    """The account's own active trustee key (only its owner reads it)."""
    return TrusteeKey.objects.filter(account=account, active=True).first()


def trustee_candidates(committee: str) -> list[tuple[str, TrusteeKey]]:
    """(pseudonym, active trustee key) of the committee's active members whose account on
    this node registered one, by pseudonym: whom an election's creator may pick."""
    members = dict(
        Member.objects.filter(space=committee, status=Member.Status.ACTIVE).values_list(
            "key", "pseudonym"
        )
    )
    keys = TrusteeKey.objects.filter(
        account__public_key__in=list(members), active=True
    ).select_related("account")
    return sorted(
        ((members[k.account.public_key], k) for k in keys), key=lambda pair: pair[0].casefold()
    )


def my_trustee(account: Account, election: Election) -> Trustee | None:
    """The election's trustee whose key this account registered (active or replaced)."""
    mine = TrusteeKey.objects.filter(account=account).values("key")
    return Trustee.objects.filter(space=election.space, key__in=mine).first()


def trustee_names(election: Election, keys: list[str]) -> dict[str, str]:
    """Pseudonyms of the trustees (by trustee key) whose key an account of this node
    registered: their pseudonym in the election's committee, else their account's."""
    registered = list(
        TrusteeKey.objects.filter(key__in=keys).values_list(
            "key", "account__public_key", "account__pseudonym"
        )
    )
    in_committee = (
        dict(
            Member.objects.filter(
                space=election.committee, key__in=[a for _k, a, _p in registered]
            ).values_list("key", "pseudonym")
        )
        if election.committee and registered
        else {}
    )
    return {key: in_committee.get(public, pseudonym) for key, public, pseudonym in registered}
