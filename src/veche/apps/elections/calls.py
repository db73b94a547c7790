"""Who called an election: the committee's passed motion, checked against the committee's log.

An election of a committee names the committee, the motion that called it and
that motion's close, which its ``space.create`` cites in ``deps`` (format v1
§11). The record alone cannot show the call; a node that holds the committee's
log checks it with every rule below, on every node, whoever created the event:

- the cited event is an applied ``motion.close`` of that committee, of the
  motion named, that passed, of kind ``election``;
- the creator is the key that signed that close (the member who closed the
  motion: its proposer, or any member after the motion's deadline);
- every key of the electorate (the create's and ``election.roll`` events') is a
  key of a member of the committee at the close: a member row joined by an
  event that sorts before the close (event-v1 §9), not a candidate, and not
  removed (left, expelled, key revoked) by an event that sorts before it.

These read the committee's member rows and the places of the events that made
and unmade them: facts of the log before the close, the same whenever they are
read. A node that holds nothing of the committee cannot check the call: the
election runs, but it is not the committee's election there (``Election.
call_checked`` is false and its pages say so); when the committee's log
arrives, the store judges the election again, with the call.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from veche.apps.committees.models import Member, Motion, Revocation
from veche.apps.store.context import Context
from veche.apps.store.models import Status, StoredEvent
from veche.events import Event, RuleViolation
from veche.events.order import parents, place

__all__ = [
    "CALLING_KIND",
    "callable_motions",
    "check_call",
    "check_roll",
    "foreign_of_create",
    "members_at_call",
]

#: The motion kind by which a committee decides to hold a secret-ballot election.
CALLING_KIND = "election"
_CHUNK = 500


def foreign_of_create(event: Event) -> dict[str, str]:
    """The create's one citation of another space: the committee's close (``body.call``)."""
    body = event.body
    if body.get("type") != "election" or "call" not in body:
        return {}
    return {body["call"]: body["committee"]}


# -- where events sort ---------------------------------------------------------------------------


def _batch_heights(ctx: Context) -> dict[str, int]:
    """Heights of the events this ingest is placing (not stored yet), as the store places
    them: 1 + the highest parent it holds (event-v1 §9, §14.6)."""
    batch = {e.id: e for e in ctx.batch_events}
    outside = sorted({p for e in batch.values() for p in parents(e)} - batch.keys())
    stored: dict[str, int] = {}
    for start in range(0, len(outside), _CHUNK):
        stored.update(
            (event_id, height)
            for event_id, height in StoredEvent.objects.filter(
                id__in=outside[start : start + _CHUNK], height__isnull=False
            ).values_list("id", "height")
            if height is not None
        )
    return place(batch, stored)


def _heights(ctx: Context, ids: Iterable[str]) -> dict[str, int]:
    """Where these events sort: their heights, for events of this batch or stored ones."""
    batch = ctx.cached(("elections", "batch-heights"), lambda: _batch_heights(ctx))
    wanted = sorted(set(ids))
    found = {i: batch[i] for i in wanted if i in batch}
    rest = [i for i in wanted if i not in found]
    for start in range(0, len(rest), _CHUNK):
        found.update(
            (event_id, height)
            for event_id, height in StoredEvent.objects.filter(
                id__in=rest[start : start + _CHUNK], height__isnull=False
            ).values_list("id", "height")
            if height is not None
        )
    return found


# -- the committee's members at the close -----------------------------------------------------------


def _members(ctx: Context | None, committee: str) -> Any:
    return (ctx.rows(Member) if ctx is not None else Member.objects).filter(space=committee)


def _removals(
    ctx: Context | None, committee: str, gone: Sequence[tuple[str, str, str]]
) -> dict[str, int]:
    """For members no longer active (key, person, status): the height of the first event
    that removed each key (their person's leave or expulsion, or the key's revocation)."""
    persons = sorted({person for _, person, _ in gone})
    keys_of: dict[str, list[str]] = defaultdict(list)
    for start in range(0, len(persons), _CHUNK):
        for key, person in (
            _members(ctx, committee)
            .filter(person__in=persons[start : start + _CHUNK])
            .values_list("key", "person")
        ):
            keys_of[person].append(key)
    person_of = {key: person for person, keys in keys_of.items() for key in keys}
    events: dict[str, list[str]] = defaultdict(list)  # person or key -> removing events
    authors = sorted(person_of)
    for start in range(0, len(authors), _CHUNK):
        for event_id, author in StoredEvent.objects.filter(
            space=committee, kind="member.leave", author__in=authors[start : start + _CHUNK]
        ).values_list("id", "author"):
            events[person_of[author]].append(event_id)
    for event in ctx.batch_events if ctx is not None else ():
        if (
            event.space_id == committee
            and event.kind == "member.leave"
            and event.author in person_of
        ):
            events[person_of[event.author]].append(event.id)
    motions = ctx.rows(Motion) if ctx is not None else Motion.objects
    for target, close in motions.filter(
        space=committee, kind="expulsion", status=Motion.Status.PASSED
    ).values_list("target", "close_event"):
        person = person_of.get((target or {}).get("key", ""))
        if person is not None:
            events[person].append(close)
    revocations = ctx.rows(Revocation) if ctx is not None else Revocation.objects
    gone_keys = sorted(key for key, _, _ in gone)
    for start in range(0, len(gone_keys), _CHUNK):
        for key, event_id in revocations.filter(
            space=committee, key__in=gone_keys[start : start + _CHUNK]
        ).values_list("key", "event"):
            events[key].append(event_id)
    heights = _heights(ctx or Context(), [e for found in events.values() for e in found])
    first: dict[str, int] = {}
    for key, person, _ in gone:
        found = [heights[e] for e in (*events[person], *events[key]) if e in heights]
        if found:
            first[key] = min(found)
    return first


def _at_close(
    ctx: Context | None, committee: str, close_height: int, keys: Sequence[str] | None
) -> dict[str, str]:
    """key -> person for the keys (all when None) of members of ``committee`` at the close
    that sorts at ``close_height`` (module doc)."""
    query = _members(ctx, committee).exclude(status=Member.Status.CANDIDATE)
    rows: list[tuple[str, str, str, str]] = []
    if keys is None:
        rows = list(query.values_list("key", "person", "status", "joined_event"))
    else:
        wanted = sorted(set(keys))
        for start in range(0, len(wanted), _CHUNK):
            rows += query.filter(key__in=wanted[start : start + _CHUNK]).values_list(
                "key", "person", "status", "joined_event"
            )
    joined = _heights(ctx or Context(), [row[3] for row in rows])
    before = [row for row in rows if joined.get(row[3], close_height) < close_height]
    gone = [(k, p, s) for k, p, s, _ in before if s != Member.Status.ACTIVE]
    removed = _removals(ctx, committee, gone) if gone else {}
    return {
        key: person
        for key, person, status, _ in before
        if status == Member.Status.ACTIVE or removed.get(key, close_height) > close_height
    }


# -- the rules ------------------------------------------------------------------------------------


def check_call(ctx: Context, event: Event) -> bool:
    """Check the committee's call of an election (its create event); False when this node
    holds nothing of the committee (or only an unverified close), so cannot check it."""
    body = event.body
    if "call" not in body:
        return False
    cited = ctx.cited_if_held(event, body["call"], "body.call")
    if cited is None or cited.status == Status.UNVERIFIED:
        return False
    close = cited.event
    if close.kind != "motion.close" or cited.status != Status.APPLIED:
        raise RuleViolation("cite-close", "must name a motion's applied close event", "body.call")
    if close.space_id != body["committee"] or close.body.get("motion") != body["motion"]:
        raise RuleViolation(
            "election-call", "the close named is not of the committee and motion named", "body.call"
        )
    result = close.body.get("result", {})
    if not result.get("passed"):
        raise RuleViolation("cite-passed", "the motion named did not pass", "body.call")
    if result.get("kind") != CALLING_KIND:
        raise RuleViolation(
            "election-call", "the motion named did not call an election", "body.motion"
        )
    if event.author != close.author:
        raise RuleViolation(
            "election-creator",
            "only the member who closed the motion that called the election may create it",
            "author",
        )
    check_roll(ctx, body["committee"], body["call"], body["electorate"], "body.electorate")
    return True


def check_roll(
    ctx: Context, committee: str, call: str, voters: Sequence[dict[str, Any]], field: str
) -> None:
    """Every key of these voters is a key of a member of the committee at the call."""
    close_height = _heights(ctx, [call]).get(call)
    keys = [key for voter in voters for key in voter["keys"]]
    members = {} if close_height is None else _at_close(ctx, committee, close_height, keys)
    for index, voter in enumerate(voters):
        if any(key not in members for key in voter["keys"]):
            raise RuleViolation(
                "election-roll",
                "a key of the electorate was no member's of the committee when it called the "
                "election",
                f"{field}[{index}]",
            )


# -- for the actions and pages ----------------------------------------------------------------------


def members_at_call(committee: str, call: str) -> list[dict[str, Any]]:
    """The electorate a call gives: the committee's members at the close, one vote per
    person listing (up to 8 of) that person's keys, in person order."""
    close_height = _heights(Context(), [call]).get(call)
    if close_height is None:
        return []
    persons: dict[str, list[str]] = defaultdict(list)
    for key, person in _at_close(None, committee, close_height, None).items():
        persons[person].append(key)
    return [{"keys": sorted(keys)[:8]} for _, keys in sorted(persons.items())]


def callable_motions(committee: str, key: str) -> list[tuple[str, str]]:
    """(motion id, title) of the committee's passed election motions that ``key`` closed,
    the latest first: the calls this member may create an election for."""
    rows = list(
        Motion.objects.filter(space=committee, kind=CALLING_KIND, status=Motion.Status.PASSED)
        .order_by("-closed_at")
        .values_list("event", "title", "close_event")[:200]
    )
    closers = dict(
        StoredEvent.objects.filter(id__in=[r[2] for r in rows]).values_list("id", "author")
    )
    return [(event, title) for event, title, close in rows if closers.get(close) == key]
