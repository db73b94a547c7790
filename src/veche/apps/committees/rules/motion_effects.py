"""What a passed motion does in its own committee, one small function per motion kind.

``EFFECTS`` maps a motion kind to its effect, run by the close's projector when the
motion passed; kinds that only record a decision (general, demands, strike_call,
election) have none.
"""

from __future__ import annotations

from collections.abc import Callable

from veche.apps.committees.models import (
    AcceptedBranch,
    Endorsement,
    FederationLink,
    Mandate,
    Member,
    Motion,
    Ratification,
)
from veche.apps.committees.rules.delegates import children_of
from veche.apps.committees.rules.founding import DEFAULT_RULES
from veche.apps.committees.rules.keys import revoke_key
from veche.apps.committees.rules.roster import ACTIVE, committee_of, roster, set_person_status
from veche.apps.store.context import Context
from veche.apps.store.kinds import BRANCH_PROVIDERS, projection
from veche.events import Event

# (context, the close event, the passed motion) -> None
Effect = Callable[[Context, Event, Motion], None]


def _subject(ctx: Context, space: str, key: str) -> Member:
    member = roster(ctx, space).get(key)
    if member is None:
        raise RuntimeError("a passed motion names a member its rule found")
    return member


def change_rules(ctx: Context, close: Event, motion: Motion) -> None:
    committee = committee_of(ctx, close.space_id)
    committee.rules = {**DEFAULT_RULES, **motion.target["rules"]}
    committee.save(update_fields=["rules"])


def admit(ctx: Context, close: Event, motion: Motion) -> None:
    person = _subject(ctx, close.space_id, motion.target["key"]).person
    set_person_status(ctx, close.space_id, person, ACTIVE)


def expel(ctx: Context, close: Event, motion: Motion) -> None:
    person = _subject(ctx, close.space_id, motion.target["key"]).person
    set_person_status(ctx, close.space_id, person, Member.Status.EXPELLED)


def revoke(ctx: Context, close: Event, motion: Motion) -> None:
    revoke_key(ctx, close, motion.target["key"], motion.target["after_seq"])


def accept_branch(ctx: Context, close: Event, motion: Motion) -> None:
    target = motion.target
    ctx.insert(
        AcceptedBranch(
            space=close.space_id, key=target["key"], event=target["event"], close_event=close.id
        )
    )
    ctx.request_rebuild(close.space_id)  # the holds change: computed again for the space


def give_mandates(ctx: Context, close: Event, motion: Motion) -> None:
    """One mandate per elected delegate, to the parent body the election named."""
    for key in motion.result["elected_keys"]:
        ctx.insert(
            Mandate(
                space=close.space_id,
                event=close.id,
                key=key,
                parent=motion.result["parent"],
                represented=motion.result["represented"],
                seats=motion.seats,
                at=close.at,
            )
        )


def recall(ctx: Context, close: Event, motion: Motion) -> None:
    target = motion.target
    ctx.rows(Mandate).filter(
        space=close.space_id, event=target["mandate"], key=target["key"]
    ).update(recalled_by=close.id)


def join_parent(ctx: Context, close: Event, motion: Motion) -> None:
    committee = committee_of(ctx, close.space_id)
    committee.parent = motion.target["parent"]
    committee.parent_join = close.id
    committee.save(update_fields=["parent", "parent_join"])


def accept_child(ctx: Context, close: Event, motion: Motion) -> None:
    target = motion.target
    FederationLink.objects.update_or_create(
        space=close.space_id,
        child=target["child"],
        defaults={"child_join": target["join"], "accepted_by": close.id},
    )
    children_of(ctx, close.space_id).add(target["child"])


def ratify(ctx: Context, close: Event, motion: Motion) -> None:
    ctx.insert(
        Ratification(
            space=close.space_id, parent_close=motion.target["motion"], close_event=close.id
        )
    )


def endorse(ctx: Context, close: Event, motion: Motion) -> None:
    ctx.insert(
        Endorsement(
            space=close.space_id,
            letter_close=motion.target["motion"],
            letter_space=motion.target["space"],
            close_event=close.id,
        )
    )


EFFECTS: dict[str, Effect] = {
    "rule_change": change_rules,
    "admission": admit,
    "expulsion": expel,
    "revocation": revoke,
    "equivocation": accept_branch,
    "delegate_election": give_mandates,
    "recall": recall,
    "federation_join": join_parent,
    "federation_accept": accept_child,
    "ratification": ratify,
    "endorsement": endorse,
}


def take_effect(ctx: Context, close: Event, motion: Motion) -> None:
    """Run the effect of ``motion``'s kind, which ``close`` passed."""
    effect = EFFECTS.get(motion.kind)
    if effect is not None:
        effect(ctx, close, motion)


def accepted_branches(scope: set[str] | None) -> dict[tuple[str, str], set[str]]:
    """(space, key) -> events whose branch a passed motion accepted (for the store)."""
    query = AcceptedBranch.objects.all()
    if scope is not None:
        query = query.filter(space__in=sorted(scope))
    found: dict[tuple[str, str], set[str]] = {}
    for space, key, event in query.values_list("space", "key", "event"):
        found.setdefault((space, key), set()).add(event)
    return found


def register_all() -> None:
    """The tables the effects write, and the accepted branches for the store's holds."""
    projection(
        FederationLink, digest=("space", "child", "child_join", "accepted_by"), order=("child",)
    )
    projection(
        Ratification, digest=("space", "parent_close", "close_event"), order=("close_event",)
    )
    projection(
        Endorsement,
        digest=("space", "letter_close", "letter_space", "close_event"),
        order=("close_event",),
    )
    projection(AcceptedBranch, digest=("space", "key", "event", "close_event"), order=("event",))
    BRANCH_PROVIDERS.append(accepted_branches)
