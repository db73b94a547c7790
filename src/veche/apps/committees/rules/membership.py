"""Admission against infiltrators: invitations, joining, vouching and leaving.

A new key joins only with a one-time invitation; depending on the committee's rules
it is admitted at once, after N members vouch for it, or by an admission motion.
Rules read only the committee's own projected state.
"""

from __future__ import annotations

from veche.apps.committees.models import Invitation, Member, Vouch
from veche.apps.committees.rules.founding import PSEUDONYM
from veche.apps.committees.rules.invitations import (
    invitation,
    invitation_hash,
    remember_invitation,
)
from veche.apps.committees.rules.roster import (
    ACTIVE,
    committee_of,
    known_member,
    member_status,
    require_member,
    roster,
    set_member,
    set_person_status,
)
from veche.apps.store.context import Context
from veche.apps.store.kinds import projection, register
from veche.events import Event, RuleViolation
from veche.events.schema import Obj, PublicKey, Str


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
    voucher = known_member(roster(ctx, event.space_id).get(event.author)).person
    candidate = known_member(roster(ctx, event.space_id).get(event.body["key"])).person
    add_vouch(ctx, event, voucher, candidate)


def check_leave(ctx: Context, event: Event) -> None:
    require_member(ctx, event)


def apply_leave(ctx: Context, event: Event) -> None:
    person = known_member(roster(ctx, event.space_id).get(event.author)).person
    set_person_status(ctx, event.space_id, person, Member.Status.LEFT)


def register_all() -> None:
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
