"""Who may read an election: readers of its committee, its voters and trustees; the board
and the result also anyone holding the link when the committee published the board.

A space a viewer may not read is answered like one that does not exist (404).
"""

from __future__ import annotations

from veche.apps.committees.access import can_read_space
from veche.apps.elections.models import Election, Trustee, Voter


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
