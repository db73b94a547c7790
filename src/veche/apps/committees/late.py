"""Which committee events can be judged in place when they arrive late.

A vote or a post that sorts before events the node has already judged need not
make the node re-project the committee: a vote's rule reads the voter's
membership and the motion's state, which only other kinds change (a close, an
amendment, a join, a leave...), and its projector writes the person's vote on
that motion, which no rule of a late-safe kind reads. The store checks that no
event of another kind comes after it (``store.ingest``); what is left to check
here is a later vote of the same person on the same motion, which must win.
"""

from __future__ import annotations

from veche.apps.committees.models import Member, Vote
from veche.apps.store.kinds import late_safe
from veche.apps.store.models import StoredEvent
from veche.events import Event


def vote_conflicts(event: Event, key: tuple[int, str]) -> bool:
    """Does a vote judged after ``key`` already hold this person's vote on the motion?"""
    motion = event.body.get("motion")
    if not isinstance(motion, str):
        return False  # the schema refuses it, wherever it sorts
    person = (
        Member.objects.filter(space=event.space_id, key=event.author)
        .values_list("person", flat=True)
        .first()
    ) or event.author
    current = (
        Vote.objects.filter(motion=motion, person=person).values_list("event", flat=True).first()
    )
    if current is None:
        return False
    row = StoredEvent.objects.filter(id=current).values_list("height", "id").first()
    return row is None or (row[0], row[1]) > key


def post_conflicts(event: Event, key: tuple[int, str]) -> bool:
    """A post writes only its own row: it never conflicts."""
    return False


def register_all() -> None:
    late_safe("motion.vote", vote_conflicts)
    late_safe("space.post", post_conflicts)
