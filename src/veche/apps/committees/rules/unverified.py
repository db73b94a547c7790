"""What this node could not verify in a space (event-v1 §14.6), as its rules need it.

What rests on an unverified fact is unverified too, not refused: an author whose only
claim is an unverified seat, an event naming an unverified proposal. The rules
remember here what they found unverified, and read what the store found before.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

from veche.apps.store.context import Context
from veche.apps.store.models import Status, StoredEvent
from veche.events import Event, Unverified, parse_event


class UnverifiedHere:
    """A space's unverified seats and proposals, as the rules of one context need them.

    Within an ingest the stored outcomes of earlier events are current, so they are
    read from the store, and the events this context finds unverified are added as
    it judges them. A replay from scratch (``ctx.batch_keys`` is None: a rebuild)
    judges every event of the space again in order, so it reads nothing stored:
    stored outcomes are the ones being replaced.
    """

    def __init__(self, ctx: Context, space: str) -> None:
        self.space = space
        self.replay = ctx.batch_keys is None
        # author -> (their first unverified seat event, the mandate it cites)
        self.seats: dict[str, tuple[str, str]] = {}
        self._motions: dict[str, bool] = {}
        if not self.replay:
            rows = (
                StoredEvent.objects.filter(
                    space=space, kind="delegate.seat", status=Status.UNVERIFIED
                )
                .order_by("height", "id")
                .values_list("raw", flat=True)
            )
            for raw in rows:
                seat = parse_event(bytes(raw), verify=False)
                self.seats.setdefault(seat.author, (seat.id, _mandate_of(seat)))

    def motion(self, motion_id: str) -> bool:
        """Is ``motion_id`` a proposal of this space that this node could not verify?"""
        if motion_id not in self._motions:
            self._motions[motion_id] = (
                not self.replay
                and StoredEvent.objects.filter(
                    id=motion_id,
                    space=self.space,
                    kind="motion.propose",
                    status=Status.UNVERIFIED,
                ).exists()
            )
        return self._motions[motion_id]

    def note(self, event: Event) -> None:
        """``event`` of this space was just found unverified."""
        if event.kind == "delegate.seat":
            self.seats.setdefault(event.author, (event.id, _mandate_of(event)))
        elif event.kind == "motion.propose":
            self._motions[event.id] = True


def _mandate_of(seat: Event) -> str:
    mandate = seat.body.get("mandate") if isinstance(seat.body, dict) else None
    return mandate if isinstance(mandate, str) else ""


def unverified_of(ctx: Context, space: str) -> UnverifiedHere:
    return ctx.cached(("unverified", space), lambda: UnverifiedHere(ctx, space))


def noting_unverified(rule: Callable[[Context, Event], None]) -> Callable[[Context, Event], None]:
    """Wrap an event kind's rule so that an event it finds unverified is remembered:
    the author's later events, and events naming it, are unverified too, not refused."""

    def check(ctx: Context, event: Event) -> None:
        try:
            rule(ctx, event)
        except Unverified:
            unverified_of(ctx, event.space_id).note(event)
            raise

    return functools.wraps(rule)(check)
