"""Permission-checked reads: what a member may see. Every view goes through these."""

from __future__ import annotations

from django.db.models import QuerySet

from veche.apps.committees.models import Committee, Member


def spaces_of(public_key: str) -> list[str]:
    return list(
        Member.objects.filter(key=public_key, status=Member.Status.ACTIVE).values_list(
            "space", flat=True
        )
    )


def committees_of(public_key: str) -> QuerySet[Committee]:
    return Committee.objects.filter(space__in=spaces_of(public_key)).order_by("name")


def can_read_space(public_key: str | None, space: str) -> bool:
    if public_key is None:
        return False
    return Member.objects.filter(space=space, key=public_key, status=Member.Status.ACTIVE).exists()
