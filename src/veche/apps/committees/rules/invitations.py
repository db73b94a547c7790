"""One-time invitations: the hash an invitation event publishes, and a committee's
invitations as the rules of one batch look them up."""

from __future__ import annotations

import hashlib

from veche.apps.committees.models import Invitation
from veche.apps.store.context import Context
from veche.events.encoding import b64d, b64e


def invitation_hash(space: str, code: str) -> str:
    """What an invitation event publishes: a hash of the code, bound to the space."""
    normalized = code.replace("-", "").replace(" ", "").upper()
    digest = hashlib.blake2b(
        normalized.encode("ascii", "replace"), digest_size=32, person=b"veche-invite-v1"
    )
    digest.update(b64d(space, 32))
    return b64e(digest.digest())


class CommitteeInvitations(dict[str, "Invitation | None"]):
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


def _invitations(ctx: Context, space: str) -> CommitteeInvitations:
    return ctx.cached(("invitations", space), lambda: CommitteeInvitations(ctx, space))


def invitation(ctx: Context, space: str, code_hash: str) -> Invitation | None:
    found: Invitation | None = _invitations(ctx, space)[code_hash]
    return found


def remember_invitation(ctx: Context, found: Invitation) -> None:
    _invitations(ctx, found.space)[found.code_hash] = found
