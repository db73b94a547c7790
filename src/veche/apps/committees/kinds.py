"""Committee membership event kinds: each one's body schema, rule and projection.

Admission against infiltrators: a new key joins only with a one-time
invitation; depending on the committee's rules it is admitted at once, after
N members vouch for it, or by an admission motion. A member may add device
keys and revoke a lost or seized one; from the revoked key's named seq on,
its events are held (see ``revocation_holds``). Rules read only the
committee's own projected state and the events named in ``deps``.
"""

from __future__ import annotations

import hashlib

from django.db import models

from veche.apps.committees.models import (
    Committee,
    Invitation,
    Member,
    Post,
    Revocation,
    Vouch,
)
from veche.apps.store.context import Context
from veche.apps.store.kinds import (
    HOLD_PROVIDERS,
    PERSON_PROVIDERS,
    KeyHold,
    projection,
    register,
    register_space_type,
)
from veche.apps.store.models import StoredEvent
from veche.events import Event, RuleViolation
from veche.events.encoding import b64d, b64e
from veche.events.schema import Bool, Enum, Int, Obj, PublicKey, Str

COMMITTEE_KINDS = ("workplace", "college", "neighbourhood", "council")
LEVELS = ("local", "city", "regional", "national")
PSEUDONYM = Str(min_length=2, max_length=40)

RULES_SCHEMA = Obj(
    required={
        "quorum_percent": Int(0, 100),
        "majority": Enum(("simple", "absolute", "two_thirds")),
        "admission": Enum(("invitation", "vouching", "motion")),
        "vouches_needed": Int(1, 20),
    },
    optional={
        "ratification": Bool(),
        "weighting": Enum(("per_delegate", "by_members")),
    },
)
DEFAULT_RULES = {
    "quorum_percent": 50,
    "majority": "simple",
    "admission": "invitation",
    "vouches_needed": 2,
    "ratification": False,
    "weighting": "per_delegate",
}
ACTIVE = Member.Status.ACTIVE


def invitation_hash(space: str, code: str) -> str:
    """What an invitation event publishes: a hash of the code, bound to the space."""
    normalized = code.replace("-", "").replace(" ", "").upper()
    digest = hashlib.blake2b(
        normalized.encode("ascii", "replace"), digest_size=32, person=b"veche-invite-v1"
    )
    digest.update(b64d(space, 32))
    return b64e(digest.digest())


# -- shared look-ups (cached per batch; projectors keep the caches true) ----------------------


class Roster:
    """One committee's members as the rules of a batch need them.

    A committee may have 100,000 members and a batch touches a few thousand, so
    members are loaded by key: those who author the batch's events at once, any
    other on first use. Whole-committee facts (who is active, which pseudonyms
    are taken) are loaded only when a rule asks, as plain values. A rebuild,
    which touches everyone, loads the whole committee once.
    """

    def __init__(self, ctx: Context, space: str) -> None:
        self.ctx = ctx
        self.space = space
        self._by_key: dict[str, Member | None] = {}
        self._active: set[str] | None = None
        self._pseudonyms: set[str] | None = None
        wanted = None if ctx.batch_keys is None else ctx.batch_keys.get(space, set())
        query = ctx.rows(Member).filter(space=space)
        if wanted is None:
            self._by_key.update({m.key: m for m in query})
            self._complete = True
            return
        self._complete = False
        keys = sorted(wanted)
        for start in range(0, len(keys), 500):
            chunk = keys[start : start + 500]
            self._by_key.update(dict.fromkeys(chunk))
            self._by_key.update({m.key: m for m in query.filter(key__in=chunk)})

    def get(self, key: str) -> Member | None:
        if key not in self._by_key:
            if self._complete:
                return None
            self._by_key[key] = self.ctx.rows(Member).filter(space=self.space, key=key).first()
        return self._by_key[key]

    def set(self, member: Member) -> None:
        self._by_key[member.key] = member
        self._active = None  # recounted from the table on next use
        if self._pseudonyms is not None:
            self._pseudonyms.add(member.pseudonym.casefold())

    def of_person(self, person: str) -> list[Member]:
        if self._complete:
            return [m for m in self._by_key.values() if m is not None and m.person == person]
        keys = (
            self.ctx.rows(Member)
            .filter(space=self.space, person=person)
            .values_list("key", flat=True)
        )
        found = [self.get(key) for key in keys]
        return [m for m in found if m is not None and m.person == person]

    def active_persons(self) -> set[str]:
        if self._active is None:
            if self._complete:
                self._active = {
                    m.person for m in self._by_key.values() if m is not None and m.status == ACTIVE
                }
            else:
                self._active = set(
                    self.ctx.rows(Member)
                    .filter(space=self.space, status=ACTIVE)
                    .values_list("person", flat=True)
                )
        return self._active

    def pseudonyms(self) -> set[str]:
        """Pseudonyms ever used in the committee, case-folded: a new one must differ."""
        if self._pseudonyms is None:
            self._pseudonyms = {
                name.casefold()
                for name in self.ctx.rows(Member)
                .filter(space=self.space)
                .values_list("pseudonym", flat=True)
            }
        return self._pseudonyms


def roster(ctx: Context, space: str) -> Roster:
    found: Roster | None = ctx.memo.get(("roster", space))
    if found is None:
        found = ctx.memo[("roster", space)] = Roster(ctx, space)
    return found


def member_status(ctx: Context, space: str, key: str) -> str | None:
    member = roster(ctx, space).get(key)
    return member.status if member else None


def person_of(ctx: Context, space: str, key: str) -> str | None:
    member = roster(ctx, space).get(key)
    return member.person if member and member.status == ACTIVE else None


def active_persons(ctx: Context, space: str) -> set[str]:
    return roster(ctx, space).active_persons()


def _known(member: Member | None) -> Member:
    """A member the rule already found (projectors run only after their rule passed)."""
    if member is None:
        raise RuntimeError("projector ran for a member its rule did not find")
    return member


def require_member(ctx: Context, event: Event) -> str:
    """The author's person if the author is an active member; else a RuleViolation."""
    person = person_of(ctx, event.space_id, event.author)
    if person is None:
        raise RuleViolation("member", "only members of the committee may do this", "author")
    return person


def committee_of(ctx: Context, space: str) -> Committee:
    committee = ctx.cached(
        ("committee", space), lambda: Committee.objects.filter(space=space).first()
    )
    if committee is None:
        raise RuleViolation("committee", "this space is not a committee", "space")
    return committee


def set_member(ctx: Context, member: Member) -> None:
    ctx.upsert(
        member,
        key=("space", "key"),
        update=("person", "pseudonym", "status", "admitted_by", "joined_event"),
    )
    roster(ctx, member.space).set(member)


def set_person_status(ctx: Context, space: str, person: str, status: str) -> None:
    """Every key of a person (all their devices) takes the same status."""
    for member in roster(ctx, space).of_person(person):
        if member.status in (ACTIVE, Member.Status.CANDIDATE):
            member.status = status
            set_member(ctx, member)


class _Invitations(dict[str, "Invitation | None"]):
    """code hash -> invitation of one committee, each looked up on first use."""

    def __init__(self, ctx: Context, space: str) -> None:
        super().__init__()
        self.ctx = ctx
        self.space = space
        if ctx.batch_keys is None:  # a rebuild touches every invitation: load them once
            self.update({i.code_hash: i for i in ctx.rows(Invitation).filter(space=space)})
            self.complete = True
            return
        self.complete = False
        # The codes this batch issues or redeems, looked up together.
        wanted = set()
        for event in ctx.batch_events:
            if event.space_id != space:
                continue
            if event.kind == "member.invite" and isinstance(event.body.get("code_hash"), str):
                wanted.add(event.body["code_hash"])
            elif event.kind == "member.join" and isinstance(event.body.get("code"), str):
                wanted.add(invitation_hash(space, event.body["code"]))
        hashes = sorted(wanted)
        for start in range(0, len(hashes), 500):
            chunk = hashes[start : start + 500]
            self.update(dict.fromkeys(chunk))
            self.update(
                {
                    i.code_hash: i
                    for i in ctx.rows(Invitation).filter(space=space, code_hash__in=chunk)
                }
            )

    def __missing__(self, code_hash: str) -> Invitation | None:
        if self.complete:
            return None
        found = self.ctx.rows(Invitation).filter(space=self.space, code_hash=code_hash).first()
        self[code_hash] = found
        return found


def invitation(ctx: Context, space: str, code_hash: str) -> Invitation | None:
    found: Invitation | None = ctx.cached(("invitations", space), lambda: _Invitations(ctx, space))[
        code_hash
    ]
    return found


def remember_invitation(ctx: Context, found: Invitation) -> None:
    ctx.cached(("invitations", found.space), lambda: _Invitations(ctx, found.space))[
        found.code_hash
    ] = found


def vouches_for(ctx: Context, space: str) -> dict[str, set[str]]:
    """candidate person -> voucher persons."""

    def load() -> dict[str, set[str]]:
        result: dict[str, set[str]] = {}
        for voucher, candidate in (
            ctx.rows(Vouch).filter(space=space).values_list("voucher", "candidate")
        ):
            result.setdefault(candidate, set()).add(voucher)
        return result

    return ctx.cached(("vouches", space), load)


def add_vouch(ctx: Context, event: Event, voucher: str, candidate: str) -> None:
    vouches_for(ctx, event.space_id).setdefault(candidate, set()).add(voucher)
    ctx.insert(Vouch(space=event.space_id, event=event.id, voucher=voucher, candidate=candidate))
    rules = committee_of(ctx, event.space_id).rules
    if rules["admission"] == "vouching" and len(vouches_for(ctx, event.space_id)[candidate]) >= int(
        rules["vouches_needed"]
    ):
        member = roster(ctx, event.space_id).get(candidate)
        if member is not None and member.status == Member.Status.CANDIDATE:
            member.status = ACTIVE
            set_member(ctx, member)


# -- space.create --------------------------------------------------------------------------


def check_create(ctx: Context, event: Event) -> None:
    """Anyone may found a committee; the founder is its first member."""


def apply_create(ctx: Context, event: Event) -> None:
    body = event.body
    rules = dict(DEFAULT_RULES)
    rules.update(body["rules"])
    committee = Committee.objects.create(
        space=event.id,
        name=body["name"],
        kind=body["kind"],
        level=body["level"],
        rules=rules,
        founder=event.author,
        created_at=event.at,
        description=body.get("description", ""),
        demo=bool(body.get("demo", False)),
    )
    ctx.memo[("committee", event.id)] = committee
    set_member(
        ctx,
        Member(
            space=event.id,
            key=event.author,
            person=event.author,
            pseudonym=body["pseudonym"],
            status=ACTIVE,
            joined_event=event.id,
        ),
    )


# -- invitations, joining, vouching ---------------------------------------------------------


def check_invite(ctx: Context, event: Event) -> None:
    require_member(ctx, event)
    if invitation(ctx, event.space_id, event.body["code_hash"]) is not None:
        raise RuleViolation("invitation-unique", "this invitation code exists", "body.code_hash")


def apply_invite(ctx: Context, event: Event) -> None:
    issued = Invitation(
        space=event.space_id,
        event=event.id,
        code_hash=event.body["code_hash"],
        invited_by=event.author,
    )
    remember_invitation(ctx, issued)
    ctx.upsert(issued, key=("space", "code_hash"), update=("used_by",))


def check_join(ctx: Context, event: Event) -> None:
    committee_of(ctx, event.space_id)
    if member_status(ctx, event.space_id, event.author) is not None:
        raise RuleViolation("join-once", "this key already belongs to the committee", "author")
    code_hash = invitation_hash(event.space_id, event.body["code"])
    found = invitation(ctx, event.space_id, code_hash)
    if found is None:
        raise RuleViolation("invitation", "no such invitation in this committee", "body.code")
    if found.used_by:
        raise RuleViolation("invitation-used", "this invitation was already used", "body.code")
    if event.body["pseudonym"].casefold() in roster(ctx, event.space_id).pseudonyms():
        raise RuleViolation(
            "pseudonym", "this pseudonym is taken in the committee", "body.pseudonym"
        )


def apply_join(ctx: Context, event: Event) -> None:
    code_hash = invitation_hash(event.space_id, event.body["code"])
    used = invitation(ctx, event.space_id, code_hash)
    if used is None:
        raise RuntimeError("projector ran for an invitation its rule did not find")
    used.used_by = event.author
    ctx.upsert(used, key=("space", "code_hash"), update=("used_by",))
    admission = committee_of(ctx, event.space_id).rules["admission"]
    set_member(
        ctx,
        Member(
            space=event.space_id,
            key=event.author,
            person=event.author,
            pseudonym=event.body["pseudonym"],
            status=ACTIVE if admission == "invitation" else Member.Status.CANDIDATE,
            admitted_by=used.invited_by,
            joined_event=event.id,
        ),
    )
    inviter = roster(ctx, event.space_id).get(used.invited_by)
    if admission == "vouching" and inviter is not None:
        add_vouch(ctx, event, inviter.person, event.author)  # the invitation is a vouch


def check_vouch(ctx: Context, event: Event) -> None:
    voucher = require_member(ctx, event)
    candidate = roster(ctx, event.space_id).get(event.body["key"])
    if candidate is None or candidate.status != Member.Status.CANDIDATE:
        raise RuleViolation("vouch-candidate", "only a candidate can be vouched for", "body.key")
    if candidate.person == voucher:
        raise RuleViolation("vouch-self", "nobody can vouch for themselves", "body.key")
    if voucher in vouches_for(ctx, event.space_id).get(candidate.person, set()):
        raise RuleViolation("vouch-once", "you already vouched for this candidate", "body.key")


def apply_vouch(ctx: Context, event: Event) -> None:
    voucher = _known(roster(ctx, event.space_id).get(event.author)).person
    candidate = _known(roster(ctx, event.space_id).get(event.body["key"])).person
    add_vouch(ctx, event, voucher, candidate)


def check_leave(ctx: Context, event: Event) -> None:
    require_member(ctx, event)


def apply_leave(ctx: Context, event: Event) -> None:
    person = _known(roster(ctx, event.space_id).get(event.author)).person
    set_person_status(ctx, event.space_id, person, Member.Status.LEFT)


# -- devices and revocation -------------------------------------------------------------------


def check_device(ctx: Context, event: Event) -> None:
    require_member(ctx, event)
    if member_status(ctx, event.space_id, event.body["key"]) is not None:
        raise RuleViolation("device-new", "this key is already known here", "body.key")


def apply_device(ctx: Context, event: Event) -> None:
    owner = _known(roster(ctx, event.space_id).get(event.author))
    added = ctx.cached(("devices-added", event.space_id), dict)
    added[event.body["key"]] = len(added)  # in the order of event-v1 §9 (see _key_age)
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
    if _key_age(ctx, target) <= _key_age(ctx, _known(members.get(event.author))):
        raise RuleViolation(
            "revoke-newer",
            "a key can revoke only a newer key of yours; an older one takes a revocation motion",
            "body.key",
        )


def _key_age(ctx: Context, member: Member) -> tuple[int, int, str]:
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
    added = ctx.cached(("devices-added", member.space), dict)
    if member.key in added:
        return (2, added[member.key], "")
    row = StoredEvent.objects.filter(id=member.joined_event).values_list("height", "id").first()
    if row is None or row[0] is None:
        raise RuntimeError("a device key whose member.device is not placed")
    return (1, int(row[0]), str(row[1]))


def apply_revoke(ctx: Context, event: Event) -> None:
    revoke_key(ctx, event, event.body["key"], event.body["after_seq"])


def revoke_key(ctx: Context, event: Event, key: str, after_seq: int) -> None:
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


def persons(scope: set[str] | None) -> dict[str, str]:
    """key -> person for every committee member (a person's device keys share one)."""
    query = Member.objects.exclude(key=models.F("person"))
    if scope is not None:
        query = query.filter(space__in=sorted(scope))
    return dict(query.values_list("key", "person"))


# -- posts --------------------------------------------------------------------------------------


def check_post(ctx: Context, event: Event) -> None:
    require_member(ctx, event)


def apply_post(ctx: Context, event: Event) -> None:
    ctx.insert_values(
        Post,
        {
            "space": event.space_id,
            "event": event.id,
            "author": event.author,
            "text": event.body["text"],
            "at": event.at,
        },
    )


def register_all() -> None:
    register_space_type(
        "committee",
        body=Obj(
            required={
                "type": Enum(("committee",)),
                "name": Str(min_length=2, max_length=200),
                "kind": Enum(COMMITTEE_KINDS),
                "level": Enum(LEVELS),
                "rules": RULES_SCHEMA,
                "pseudonym": PSEUDONYM,
            },
            optional={"demo": Bool(), "description": Str(max_length=2000)},
        ),
        rule=check_create,
        apply=apply_create,
    )
    register(
        "member.invite",
        body=Obj(required={"code_hash": Str(min_length=43, max_length=43)}),
        rule=check_invite,
        apply=apply_invite,
        summary="a member issues a one-time invitation (only its hash is published)",
    )
    register(
        "member.join",
        body=Obj(required={"code": Str(min_length=8, max_length=64), "pseudonym": PSEUDONYM}),
        rule=check_join,
        apply=apply_join,
        summary="a new key joins with an invitation code",
    )
    register(
        "member.vouch",
        body=Obj(required={"key": PublicKey()}),
        rule=check_vouch,
        apply=apply_vouch,
        summary="a member vouches for a candidate",
    )
    register(
        "member.leave",
        body=Obj(),
        rule=check_leave,
        apply=apply_leave,
        summary="a member leaves the committee",
    )
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
    register(
        "space.post",
        body=Obj(required={"text": Str(min_length=1, max_length=10000)}),
        rule=check_post,
        apply=apply_post,
        summary="a member posts a message to the committee",
    )
    HOLD_PROVIDERS.append(revocation_holds)
    PERSON_PROVIDERS.append(persons)
    projection(
        Committee,
        digest=(
            "space",
            "name",
            "kind",
            "level",
            "rules",
            "founder",
            "created_at",
            "description",
            "demo",
            "parent",
            "parent_join",
        ),
    )
    projection(
        Member,
        digest=("space", "key", "person", "pseudonym", "status", "admitted_by", "joined_event"),
        order=("key",),
    )
    projection(
        Invitation,
        digest=("space", "event", "code_hash", "invited_by", "used_by"),
        order=("event",),
    )
    projection(
        Vouch, digest=("space", "event", "voucher", "candidate"), order=("voucher", "candidate")
    )
    projection(Revocation, digest=("space", "key", "after_seq", "event"), order=("key",))
    projection(Post, digest=("space", "event", "author", "text", "at"), order=("event",))
