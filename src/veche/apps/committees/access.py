"""Permission-checked reads: what a member may see. Every view goes through these.

A member sees the committees they belong to and the parent bodies above them
(where their delegates sit), and nothing else: a space they may not read is
answered exactly like a space that does not exist. ``access_*_by_*(viewer, …)``
returns the object or raises Http404; the reads below it take the object it
returned, so a page reads only what its check let in.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import Count, QuerySet
from django.http import Http404

from veche.apps.committees.federation import ancestors
from veche.apps.committees.models import (
    Committee,
    Endorsement,
    Mandate,
    Member,
    Motion,
    Post,
    Seat,
    Vote,
    Vouch,
)
from veche.apps.store.models import EquivocationRecord, MissingDependency, StoredEvent


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


# -- one committee, one motion: the object, or 404 ---------------------------------------


def access_committee_by_space(viewer: str | None, space: str) -> Committee:
    """The committee, if the viewer may read it; otherwise 404 (unknown and forbidden alike)."""
    committee = Committee.objects.filter(space=space).first()
    if committee is None or not can_read_space(viewer, space):
        raise Http404
    return committee


def access_committee_to_join(space: str) -> Committee:
    """The committee an invitation link names: anyone holding the link sees its name."""
    committee = Committee.objects.filter(space=space).first()
    if committee is None:
        raise Http404
    return committee


def access_motion_by_event(viewer: str | None, space: str, event: str) -> tuple[Committee, Motion]:
    """The committee and its motion, if the viewer may read the committee; otherwise 404."""
    committee = access_committee_by_space(viewer, space)
    motion = Motion.objects.filter(space=space, event=event).first()
    if motion is None:
        raise Http404
    return committee, motion


# -- reads of a committee the viewer was let in (take what access_* returned) ------------


def is_member(viewer: str | None, space: str) -> bool:
    return Member.objects.filter(space=space, key=viewer, status=Member.Status.ACTIVE).exists()


def active_members(committee: Committee) -> QuerySet[Member]:
    return Member.objects.filter(space=committee.space, status=Member.Status.ACTIVE).order_by(
        "pseudonym", "key"
    )


def candidates(committee: Committee, limit: int = 200) -> list[Member]:
    return list(
        Member.objects.filter(space=committee.space, status=Member.Status.CANDIDATE).order_by(
            "pseudonym"
        )[:limit]
    )


def pseudonyms_of_persons(committee: Committee, persons: Iterable[str]) -> dict[str, str]:
    """Person → pseudonym here, for the given persons (one query)."""
    return dict(
        Member.objects.filter(space=committee.space, person__in=persons).values_list(
            "person", "pseudonym"
        )
    )


def all_pseudonyms(committee: Committee) -> dict[str, str]:
    """Person → pseudonym of everyone the committee ever knew."""
    return dict(Member.objects.filter(space=committee.space).values_list("person", "pseudonym"))


def person_of(viewer: str | None, committee: Committee) -> str | None:
    """The viewer's person in the committee (their first key's), or their key if none."""
    found = (
        Member.objects.filter(space=committee.space, key=viewer)
        .values_list("person", flat=True)
        .first()
    )
    return found or viewer


def vouches(committee: Committee, limit: int = 2000) -> dict[str, list[str]]:
    """Candidate person → the persons who vouched for them."""
    found: dict[str, list[str]] = {}
    for voucher, candidate in Vouch.objects.filter(space=committee.space).values_list(
        "voucher", "candidate"
    )[:limit]:
        found.setdefault(candidate, []).append(voucher)
    return found


def member_choices(committee: Committee, limit: int = 500) -> list[tuple[str, str]]:
    """(key, pseudonym) of the active members and candidates, for a motion's form."""
    return list(
        Member.objects.filter(
            space=committee.space, status__in=[Member.Status.ACTIVE, Member.Status.CANDIDATE]
        )
        .order_by("pseudonym")
        .values_list("key", "pseudonym")[:limit]
    )


def open_motions(committee: Committee, limit: int = 50) -> QuerySet[Motion]:
    return Motion.objects.filter(space=committee.space, status=Motion.Status.OPEN).order_by(
        "-proposed_at"
    )[:limit]


def closed_motions(committee: Committee, limit: int = 50) -> QuerySet[Motion]:
    return (
        Motion.objects.exclude(status=Motion.Status.OPEN)
        .filter(space=committee.space)
        .order_by("-closed_at")[:limit]
    )


def posts(committee: Committee, limit: int = 20) -> QuerySet[Post]:
    return Post.objects.filter(space=committee.space).order_by("-at", "event")[:limit]


def mandates(committee: Committee, limit: int = 50) -> list[Mandate]:
    """Mandates the committee gave its delegates, newest first."""
    return list(Mandate.objects.filter(space=committee.space).order_by("-at")[:limit])


def unseated_mandates(viewer: str | None, council: Committee) -> list[Mandate]:
    """The viewer's mandates to this council whose seat they have not taken yet."""
    if viewer is None or Seat.objects.filter(space=council.space, key=viewer).exists():
        return []
    return list(Mandate.objects.filter(parent=council.space, key=viewer, recalled_by=""))


def parent_of(committee: Committee) -> Committee | None:
    if not committee.parent:
        return None
    return Committee.objects.filter(space=committee.parent).first()


def equivocations(committee: Committee, limit: int = 20) -> list[EquivocationRecord]:
    """Members caught signing two histories, with their pseudonym here (none if empty)."""
    records = list(EquivocationRecord.objects.filter(space=committee.space)[:limit])
    if records:
        names = dict(
            Member.objects.filter(
                space=committee.space, key__in={r.author for r in records}
            ).values_list("key", "pseudonym")
        )
        for record in records:
            record.pseudonym = names.get(record.author, "")  # type: ignore[attr-defined]
    return records


def motion_votes(motion: Motion, limit: int = 1000) -> list[tuple[str, Any, int, str, int]]:
    """(person, choice, version, mandate, weight) of every vote on the motion."""
    return list(
        Vote.objects.filter(motion=motion.event)
        .order_by("person")
        .values_list("person", "choice", "version", "mandate", "weight")[:limit]
    )


def endorsement_count(motion: Motion) -> int:
    if not motion.close_event:
        return 0
    return Endorsement.objects.filter(letter_close=motion.close_event).count()


def endorsers(motion: Motion) -> QuerySet[Committee] | list[Committee]:
    """Committees that endorsed the motion's decision (their names are public)."""
    if not motion.close_event:
        return []
    return Committee.objects.filter(
        space__in=Endorsement.objects.filter(letter_close=motion.close_event).values("space")
    ).order_by("name")


def committees_in(spaces: Iterable[str]) -> QuerySet[Committee]:
    """Committees by space, by name (for lists of names other pages already show)."""
    return Committee.objects.filter(space__in=spaces).order_by("name")


def committee_names(spaces: Iterable[str]) -> dict[str, str]:
    return dict(Committee.objects.filter(space__in=spaces).values_list("space", "name"))


def active_member_counts(spaces: Iterable[str]) -> dict[str, int]:
    """Space → how many persons are active members there."""
    return dict(
        Member.objects.filter(space__in=spaces, status=Member.Status.ACTIVE)
        .values("space")
        .annotate(n=Count("person", distinct=True))
        .values_list("space", "n")
    )


def active_member_names(space: str) -> dict[str, str]:
    """Key → pseudonym of the committee's active members."""
    return dict(
        Member.objects.filter(space=space, status=Member.Status.ACTIVE).values_list(
            "key", "pseudonym"
        )
    )


# -- one stored event: the row, or 404 ---------------------------------------------------


def access_event_by_id(viewer: str | None, event_id: str) -> StoredEvent:
    """The stored event, if the viewer may read its space; otherwise 404 (unknown and
    forbidden alike, so the page does not reveal what this node holds)."""
    row = StoredEvent.objects.filter(id=event_id).first()
    if row is None or not can_read_space(viewer, row.space):
        raise Http404
    return row


def readable_deps(viewer: str | None, row: StoredEvent, deps: Iterable[str]) -> set[str]:
    """Which of the event's deps this node holds and the viewer may read (whether this
    node holds another committee's events is not for every reader to learn)."""
    wanted = sorted(set(deps))
    if not wanted:
        return set()
    return {
        dep
        for dep, space in StoredEvent.objects.filter(id__in=wanted).values_list("id", "space")
        if space == row.space or can_read_space(viewer, space)
    }


def missing_of(row: StoredEvent) -> list[str]:
    """What a pending event (one the viewer was let in to) waits for."""
    return sorted(MissingDependency.objects.filter(event=row.id).values_list("missing", flat=True))
