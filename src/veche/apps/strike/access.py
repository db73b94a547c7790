"""Permission-checked reads of the strike: what the public and members may see.

The public sees a workplace only through its published status changes; a
member of the workplace's committee sees every change, published or not.
``access_*_by_*`` returns what may be seen or raises Http404 (hidden and unknown alike).
"""

from __future__ import annotations

from datetime import date
from typing import NamedTuple

from django.db.models import QuerySet
from django.http import Http404

from veche.apps.committees.access import can_read_space, spaces_of
from veche.apps.committees.models import Committee, Endorsement, Motion
from veche.apps.store.models import StoredEvent
from veche.apps.strike.models import StatusChange, Workplace
from veche.solidarity.drawing import MapMarker
from veche.solidarity.strike import (
    OUT_STATUSES,
    FederationTotals,
    WorkplaceInfo,
    federation_totals,
    workers_out,
)
from veche.solidarity.strike import (
    StatusChange as Change,
)


def visible_workplaces(viewer: str | None) -> list[Workplace]:
    """Workplaces with a published status, plus every workplace of the viewer's committees."""
    own = set(spaces_of(viewer)) if viewer else set()
    rows = Workplace.objects.order_by("name", "workplace")
    return [w for w in rows if w.public_status or w.space in own]


def can_see_all(viewer: str | None, workplace: Workplace) -> bool:
    return can_read_space(viewer, workplace.space)


class SeenWorkplace(NamedTuple):
    """A workplace as the viewer may see it."""

    workplace: Workplace
    full: bool  # a member of its committee: sees unpublished changes, records status


def access_workplace_by_id(
    viewer: str | None, workplace_id: str, *, full: bool = False
) -> SeenWorkplace:
    """The workplace and whether the viewer sees everything of it; 404 if it is hidden
    from them (no published status, not their committee's) or, with ``full``, if they
    are not a member of its committee. Unknown and hidden look alike."""
    workplace = Workplace.objects.filter(workplace=workplace_id).first()
    if workplace is None:
        raise Http404
    everything = can_see_all(viewer, workplace)
    if not everything and (full or not workplace.public_status):
        raise Http404
    return SeenWorkplace(workplace, everything)


def access_workplace(viewer: str | None, workplace_id: str) -> SeenWorkplace | None:
    """``access_workplace_by_id``, None where it raises (kept for tests/apps/strike)."""
    try:
        return access_workplace_by_id(viewer, workplace_id)
    except Http404:
        return None


def workplaces_of(committee: Committee) -> QuerySet[Workplace]:
    return Workplace.objects.filter(space=committee.space).order_by("name")


def timeline(workplace: Workplace, full: bool) -> list[StatusChange]:
    rows = StatusChange.objects.filter(workplace=workplace.workplace)
    if not full:
        rows = rows.filter(published=True)
    return list(rows.order_by("day", "order"))


def markers(viewer: str | None, href: str = "/strike/workplaces/{}/") -> list[MapMarker]:
    own = set(spaces_of(viewer)) if viewer else set()
    result = []
    for w in visible_workplaces(viewer):
        mine = w.space in own
        status = w.status if mine else w.public_status
        share = w.out_per_mille if mine else w.public_out_per_mille
        if not status:
            status, share = "working", 0
        out = workers_out(w.workforce, share) if status in OUT_STATUSES else 0
        result.append(
            MapMarker(w.workplace, w.name, w.city, w.region, status, out, href.format(w.workplace))
        )
    return result


def totals(
    *,
    published_only: bool = True,
    spaces: list[str] | None = None,
    until: date | None = None,
    stale_days: int = 7,
) -> FederationTotals:
    """Federation totals from the changes this node holds (only published ones for the public)."""
    places = Workplace.objects.all()
    changes = StatusChange.objects.all()
    if spaces is not None:
        places = places.filter(space__in=spaces)
        changes = changes.filter(space__in=spaces)
    if published_only:
        changes = changes.filter(published=True)
    infos = [
        WorkplaceInfo(*row)
        for row in places.values_list(
            "workplace", "space", "name", "city", "region", "sector", "workforce"
        ).iterator(chunk_size=5000)
    ]
    day_cache: dict[str, date] = {}

    def day_of(text: str) -> date:
        value = day_cache.get(text)
        if value is None:
            value = day_cache[text] = date.fromisoformat(text)
        return value

    stream = (
        Change(workplace, day_of(day), status, share, order)
        for workplace, day, status, share, order in changes.values_list(
            "workplace", "day", "status", "out_per_mille", "order"
        ).iterator(chunk_size=20000)
    )
    committees = Committee.objects.filter(kind="workplace")
    if spaces is not None:
        committees = committees.filter(space__in=spaces)
    if published_only:
        # The public is not told which committees exist without published workplaces.
        committee_spaces: list[str] = []
    else:
        committee_spaces = list(committees.values_list("space", flat=True))
    return federation_totals(
        infos, stream, until=until, stale_days=stale_days, committees=committee_spaces
    )


def pending_spaces(spaces: list[str] | None = None) -> dict[str, int]:
    """Spaces with events waiting for ancestors this node does not hold: not fully synced."""
    rows = StoredEvent.objects.filter(status="pending")
    if spaces is not None:
        rows = rows.filter(space__in=spaces)
    counts: dict[str, int] = {}
    for space in rows.values_list("space", flat=True):
        counts[space] = counts.get(space, 0) + 1
    return counts


# -- demands letters and their endorsements --------------------------------------------------


def demands_letters() -> list[tuple[Motion, str, int]]:
    """Public: every passed demands letter this node holds, with its endorsement count."""
    letters = list(
        Motion.objects.filter(kind="demands", status=Motion.Status.PASSED).order_by(
            "closed_at", "event"
        )
    )
    names = dict(
        Committee.objects.filter(space__in=[m.space for m in letters]).values_list("space", "name")
    )
    counts: dict[str, int] = {}
    for close in Endorsement.objects.filter(
        letter_close__in=[m.close_event for m in letters]
    ).values_list("letter_close", flat=True):
        counts[close] = counts.get(close, 0) + 1
    return [(m, names.get(m.space, ""), counts.get(m.close_event, 0)) for m in letters]


class DemandsLetter(NamedTuple):
    motion: Motion
    committee: Committee
    endorsers: list[tuple[Committee, str]]  # each with the time its endorsement closed


def access_demands_letter_by_event(event: str) -> DemandsLetter:
    """Public: a passed demands letter and the committees across the federation that
    endorsed it; 404 if the event is no passed demands letter held here."""
    motion = Motion.objects.filter(event=event, kind="demands", status=Motion.Status.PASSED).first()
    if motion is None:
        raise Http404
    committee = Committee.objects.get(space=motion.space)
    endorsements = list(Endorsement.objects.filter(letter_close=motion.close_event))
    by_space = {
        c.space: c for c in Committee.objects.filter(space__in=[e.space for e in endorsements])
    }
    closed_at = dict(
        Motion.objects.filter(close_event__in=[e.close_event for e in endorsements]).values_list(
            "close_event", "closed_at"
        )
    )
    endorsers = sorted(
        (
            (by_space[e.space], closed_at.get(e.close_event, ""))
            for e in endorsements
            if e.space in by_space
        ),
        key=lambda item: (item[1], item[0].name),
    )
    return DemandsLetter(motion, committee, endorsers)


class GeneralStrike(NamedTuple):
    """A council's strike call passed by its member committees' pledges (pledge-v1 §8).
    The public sees that it passed and the count; a reader of the council also sees
    which council and the motion (``council`` and ``motion`` are empty otherwise)."""

    plants: int
    needed: int
    at: str
    council: str
    council_name: str
    motion: str
    title: str


def general_strikes(viewer: str | None, limit: int = 5) -> list[GeneralStrike]:
    """The latest general strike calls passed by plants' pledges, newest first."""
    rows = list(
        Motion.objects.filter(kind="strike_call", status=Motion.Status.PASSED)
        .filter(result__kind="pledge-general")
        .order_by("-closed_at", "event")[:limit]
    )
    if not rows:
        return []
    names = dict(
        Committee.objects.filter(space__in={m.space for m in rows}).values_list("space", "name")
    )
    found = []
    for motion in rows:
        readable = can_read_space(viewer, motion.space)
        found.append(
            GeneralStrike(
                plants=int(motion.result.get("plants", 0)),
                needed=int(motion.result.get("needed", 0)),
                at=motion.closed_at,
                council=motion.space if readable else "",
                council_name=names.get(motion.space, "") if readable else "",
                motion=motion.event if readable else "",
                title=motion.title if readable else "",
            )
        )
    return found
