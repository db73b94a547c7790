"""A member's keys: adding a device, and revoking a lost or seized key.

From a revoked key's named seq on, its events are held (``revocation_holds``); the
store asks ``device_owners`` whose person each device key is.
"""

from __future__ import annotations

from django.db import models

from veche.apps.committees.models import Member, Revocation
from veche.apps.committees.rules.roster import (
    ACTIVE,
    known_member,
    member_status,
    require_member,
    roster,
    set_member,
)
from veche.apps.store.context import Context
from veche.apps.store.kinds import (
    HOLD_PROVIDERS,
    PERSON_PROVIDERS,
    KeyHold,
    projection,
    register,
)
from veche.apps.store.models import StoredEvent
from veche.events import Event, RuleViolation
from veche.events.schema import Int, Obj, PublicKey


def check_device(ctx: Context, event: Event) -> None:
    require_member(ctx, event)
    if member_status(ctx, event.space_id, event.body["key"]) is not None:
        raise RuleViolation("device-new", "this key is already known here", "body.key")


def apply_device(ctx: Context, event: Event) -> None:
    owner = known_member(roster(ctx, event.space_id).get(event.author))
    added: dict[str, int] = ctx.cached(("devices-added", event.space_id), dict)
    added[event.body["key"]] = len(added)  # in the order of event-v1 §9 (see key_age)
    set_member(
        ctx,
        Member(
            space=event.space_id,
            key=event.body["key"],
            person=owner.person,
            pseudonym=owner.pseudonym,
            status=ACTIVE,
            admitted_by=event.author,
            joined_event=event.id,
        ),
    )


def check_revoke(ctx: Context, event: Event) -> None:
    """A member revokes a newer key of their own from an older one (event-v1 §14.4).

    A person's first key (the one that founded or joined) is the oldest; a device key
    is as old as the member.device that added it. A key never revokes itself nor an
    older key: a seized phone cannot lock its owner out, and two keys of one person
    cannot revoke each other, so their revocations converge in any arrival order. A
    lost or seized main key is revoked by a committee ``revocation`` motion.
    """
    person = require_member(ctx, event)
    members = roster(ctx, event.space_id)
    target = members.get(event.body["key"])
    if target is None or target.person != person:
        raise RuleViolation("revoke-own", "you can revoke only your own keys", "body.key")
    if target.key == event.author:
        raise RuleViolation(
            "revoke-other-device", "revoke a key from another device of yours", "body.key"
        )
    if key_age(ctx, target) <= key_age(ctx, known_member(members.get(event.author))):
        raise RuleViolation(
            "revoke-newer",
            "a key can revoke only a newer key of yours; an older one takes a revocation motion",
            "body.key",
        )


def key_age(ctx: Context, member: Member) -> tuple[int, int, str]:
    """Where the key came in, in the order of event-v1 §9: smaller is older.

    The first key of a person comes before all of their devices. A device key added
    by an event this context applied (this batch, or the whole space in a rebuild or
    a replay of a causal past, which replay it from its start) has its place in that
    sequence; one added in an earlier batch comes before all of those (the batch
    judges a space's events after everything stored there), by the (height, id) of
    its member.device.
    """
    if member.key == member.person:
        return (0, 0, "")
    added: dict[str, int] = ctx.cached(("devices-added", member.space), dict)
    if member.key in added:
        return (2, added[member.key], "")
    row = StoredEvent.objects.filter(id=member.joined_event).values_list("height", "id").first()
    if row is None or row[0] is None:
        raise RuntimeError("a device key whose member.device is not placed")
    return (1, int(row[0]), str(row[1]))


def apply_revoke(ctx: Context, event: Event) -> None:
    revoke_key(ctx, event, event.body["key"], event.body["after_seq"])


def revoke_key(ctx: Context, event: Event, key: str, after_seq: int) -> None:
    """Revoke ``key`` from ``after_seq`` on (by ``key.revoke`` or a revocation motion)."""
    member = roster(ctx, event.space_id).get(key)
    if member is not None:
        member.status = Member.Status.REVOKED
        set_member(ctx, member)
    ctx.upsert(
        Revocation(space=event.space_id, key=key, after_seq=after_seq, event=event.id),
        key=("space", "key"),
        update=("after_seq", "event"),
    )
    ctx.request_rebuild(event.space_id)


def revocation_holds(scope: set[str] | None) -> dict[tuple[str, str], KeyHold]:
    """Revoked keys: their events above ``after_seq`` are suspect (event-v1 §14.3)."""
    query = Revocation.objects.all()
    if scope is not None:
        query = query.filter(space__in=sorted(scope))
    return {
        (space, key): KeyHold(
            after_seq + 1, "revoked|author|this key was revoked; events after it are held", event
        )
        for space, key, after_seq, event in query.values_list("space", "key", "after_seq", "event")
    }


def device_owners(scope: set[str] | None) -> dict[str, str]:
    """device key -> person, for every committee member's added keys (a person's
    first key is their person)."""
    query = Member.objects.exclude(key=models.F("person"))
    if scope is not None:
        query = query.filter(space__in=sorted(scope))
    return dict(query.values_list("key", "person"))


def register_all() -> None:
    register(
        "member.device",
        body=Obj(required={"key": PublicKey()}),
        rule=check_device,
        apply=apply_device,
        summary="a member adds a key for another device",
    )
    register(
        "key.revoke",
        body=Obj(required={"key": PublicKey(), "after_seq": Int(0)}),
        rule=check_revoke,
        apply=apply_revoke,
        summary="a member revokes a lost or seized key from another device",
        causal=True,
    )
    HOLD_PROVIDERS.append(revocation_holds)
    PERSON_PROVIDERS.append(device_owners)
    projection(Revocation, digest=("space", "key", "after_seq", "event"), order=("key",))
