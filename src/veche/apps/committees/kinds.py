"""The committee event kinds: each one's body schema, rule and projection.

Rules read only the committee's own projected state and the events named in
``deps`` (see ``veche.events.registry``).
"""

from __future__ import annotations

import hashlib

from veche.apps.committees.models import Committee, Invitation, Member, Post
from veche.apps.store.context import Context
from veche.apps.store.kinds import projection, register
from veche.events import Event, RuleViolation
from veche.events.encoding import b64d, b64e
from veche.events.schema import Bool, Enum, Int, Obj, Str

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


def invitation_hash(space: str, code: str) -> str:
    """What an invitation event publishes: a hash of the code, bound to the space."""
    normalized = code.replace("-", "").replace(" ", "").upper()
    digest = hashlib.blake2b(
        normalized.encode("ascii", "replace"), digest_size=32, person=b"veche-invite-v1"
    )
    digest.update(b64d(space, 32))
    return b64e(digest.digest())


# -- shared look-ups --------------------------------------------------------------------


def members_of(ctx: Context, space: str) -> dict[str, str]:
    """key -> status for one committee, loaded once per batch (committees can be large)."""
    return ctx.cached(
        ("members", space),
        lambda: dict(ctx.rows(Member).filter(space=space).values_list("key", "status")),
    )


def member_status(ctx: Context, space: str, key: str) -> str | None:
    return members_of(ctx, space).get(key)


def require_member(ctx: Context, event: Event) -> None:
    if member_status(ctx, event.space_id, event.author) != Member.Status.ACTIVE:
        raise RuleViolation("member", "only members of the committee may do this", "author")


def _set_member(ctx: Context, member: Member) -> None:
    members_of(ctx, member.space)[member.key] = member.status
    ctx.upsert(member, key=("space", "key"), update=("pseudonym", "status", "admitted_by"))


def invitations_of(ctx: Context, space: str) -> dict[str, Invitation]:
    """code hash -> invitation, for one committee, loaded once per batch."""
    return ctx.cached(
        ("invitations", space),
        lambda: {i.code_hash: i for i in ctx.rows(Invitation).filter(space=space)},
    )


# -- space.create ---------------------------------------------------------------------------


def check_create(ctx: Context, event: Event) -> None:
    if event.body.get("type") != "committee":
        raise RuleViolation("space-type", "this rule book covers committee spaces", "body.type")


def apply_create(ctx: Context, event: Event) -> None:
    body = event.body
    rules = dict(DEFAULT_RULES)
    rules.update(body["rules"])
    Committee.objects.create(
        space=event.id,
        name=body["name"],
        kind=body["kind"],
        level=body["level"],
        rules=rules,
        founder=event.author,
        created_at=event.at,
        demo=bool(body.get("demo", False)),
    )
    _set_member(
        ctx,
        Member(
            space=event.id,
            key=event.author,
            pseudonym=body["pseudonym"],
            status=Member.Status.ACTIVE,
            joined_event=event.id,
        ),
    )


# -- invitations ---------------------------------------------------------------------------------


def check_invite(ctx: Context, event: Event) -> None:
    require_member(ctx, event)
    if event.body["code_hash"] in invitations_of(ctx, event.space_id):
        raise RuleViolation("invitation-unique", "this invitation code exists", "body.code_hash")


def apply_invite(ctx: Context, event: Event) -> None:
    invitation = Invitation(
        space=event.space_id,
        event=event.id,
        code_hash=event.body["code_hash"],
        invited_by=event.author,
    )
    invitations_of(ctx, event.space_id)[invitation.code_hash] = invitation
    ctx.upsert(invitation, key=("space", "code_hash"), update=("used_by",))


def check_join(ctx: Context, event: Event) -> None:
    if member_status(ctx, event.space_id, event.author) is not None:
        raise RuleViolation("join-once", "this key already belongs to the committee", "author")
    code_hash = invitation_hash(event.space_id, event.body["code"])
    invitation = invitations_of(ctx, event.space_id).get(code_hash)
    if invitation is None:
        raise RuleViolation("invitation", "no such invitation in this committee", "body.code")
    if invitation.used_by:
        raise RuleViolation("invitation-used", "this invitation was already used", "body.code")


def apply_join(ctx: Context, event: Event) -> None:
    code_hash = invitation_hash(event.space_id, event.body["code"])
    invitation = invitations_of(ctx, event.space_id)[code_hash]
    invitation.used_by = event.author
    ctx.upsert(invitation, key=("space", "code_hash"), update=("used_by",))
    _set_member(
        ctx,
        Member(
            space=event.space_id,
            key=event.author,
            pseudonym=event.body["pseudonym"],
            status=Member.Status.ACTIVE,
            admitted_by=invitation.invited_by,
            joined_event=event.id,
        ),
    )


# -- posts ---------------------------------------------------------------------------


def check_post(ctx: Context, event: Event) -> None:
    require_member(ctx, event)


def apply_post(ctx: Context, event: Event) -> None:
    ctx.insert(
        Post(
            space=event.space_id,
            event=event.id,
            author=event.author,
            text=event.body["text"],
            at=event.at,
        )
    )


def register_all() -> None:
    register(
        "space.create",
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
        summary="found a committee; its founder is its first member",
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
        body=Obj(
            required={"code": Str(min_length=8, max_length=64), "pseudonym": PSEUDONYM},
        ),
        rule=check_join,
        apply=apply_join,
        summary="a new key joins with an invitation code",
    )
    register(
        "space.post",
        body=Obj(required={"text": Str(min_length=1, max_length=10000)}),
        rule=check_post,
        apply=apply_post,
        summary="a member posts a message to the committee",
    )
    projection(
        Committee,
        digest=("space", "name", "kind", "level", "rules", "founder", "created_at", "demo"),
    )
    projection(
        Member,
        digest=("space", "key", "pseudonym", "status", "admitted_by", "joined_event"),
        order=("key",),
    )
    projection(
        Invitation,
        digest=("space", "event", "code_hash", "invited_by", "used_by"),
        order=("event",),
    )
    projection(Post, digest=("space", "event", "author", "text", "at"), order=("event",))
