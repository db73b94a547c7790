"""Permission-checked reads: what a member may see. Every view goes through these.

A member sees the committees they belong to and the parent bodies above them
(where their delegates sit), and nothing else: a space they may not read is
answered exactly like a space that does not exist.
"""

from __future__ import annotations

from django.db.models import QuerySet

from veche.apps.committees.federation import ancestors
from veche.apps.committees.models import Committee, Member, Seat


def spaces_of(public_key: str) -> list[str]:
    """Committees where the key is an active member or a seated delegate."""
    member = set(
        Member.objects.filter(key=public_key, status=Member.Status.ACTIVE).values_list(
            "space", flat=True
        )
    )
    seated = set(Seat.objects.filter(key=public_key).values_list("space", flat=True))
    return sorted(member | seated)


def readable_spaces(public_key: str | None) -> set[str]:
    if public_key is None:
        return set()
    own = spaces_of(public_key)
    readable = set(own)
    for space in own:
        readable.update(ancestors(space))
    return readable


def committees_of(public_key: str) -> QuerySet[Committee]:
    return Committee.objects.filter(space__in=spaces_of(public_key)).order_by("name")


def readable_committees(public_key: str | None) -> QuerySet[Committee]:
    return Committee.objects.filter(space__in=readable_spaces(public_key)).order_by("name")


def can_read_space(public_key: str | None, space: str) -> bool:
    if public_key is None:
        return False
    if Member.objects.filter(space=space, key=public_key, status=Member.Status.ACTIVE).exists():
        return True
    return space in readable_spaces(public_key)


def is_participant(public_key: str | None, space: str) -> bool:
    """May act (propose, vote) here: an active member or a seated delegate."""
    if public_key is None:
        return False
    return (
        Member.objects.filter(space=space, key=public_key, status=Member.Status.ACTIVE).exists()
        or Seat.objects.filter(space=space, key=public_key).exists()
    )


def may_hold_space(public_key: str, space: str) -> bool:
    """May a peer proving this key receive the space's log (sync, bundles)?"""
    return can_read_space(public_key, space)
