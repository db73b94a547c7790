"""What a proposal names as its target, by motion kind, and the check of each.

``TARGET_CHECKS`` maps a motion kind to the check of its target; kinds with no
target (demands, election) have none; a general motion may name an audit
bundle's digest to publish it; a council's strike_call may name
the number of plants whose crossed pledges pass it. Four kinds only name
another space's event as the target of this committee's own decision
(federation_join, federation_accept, ratification, endorsement): their effects count
nowhere outside it (a parent link needs the council's acceptance, an acceptance needs
the child's join, a ratification or endorsement is counted only on the page of a
decision this node holds). So they are checked against that event when this node
holds it and could verify it, and otherwise decided on their own (event-v1 §14.6).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from veche.appeals import MIRROR_MAX_CHARS
from veche.apps.committees.models import Member
from veche.apps.committees.rules.appeals import check_appeal
from veche.apps.committees.rules.citations import held_close
from veche.apps.committees.rules.delegates import check_recall_target
from veche.apps.committees.rules.founding import RULES_SCHEMA
from veche.apps.committees.rules.roster import ACTIVE, committee_of, roster
from veche.apps.store.context import Context
from veche.apps.store.models import EquivocationRecord, StoredEvent
from veche.events import Event, RuleViolation
from veche.events.schema import EventId, Int, Obj, PublicKey, Str

TARGET_SCHEMA = Obj(
    optional={
        "key": PublicKey(),
        "after_seq": Int(0),
        "rules": RULES_SCHEMA,
        "parent": EventId(),
        "child": EventId(),
        "space": EventId(),
        "join": EventId(),
        "mandate": EventId(),
        "motion": EventId(),
        "event": EventId(),
        # An appeal: to whom it speaks, and the mirror its QR code points to.
        "audience": Str(max_length=40),
        "mirror": Str(max_length=MIRROR_MAX_CHARS),
        # A council's strike_call: the member committees' crossed pledges that pass it
        # (pledge-v1 §8), at most 64: one event cites them all in its deps.
        "plants": Int(1, 64),
        # A general motion that publishes an audit: the audit bundle's digest
        # (audit-bundle-v1 §3), which `veche publish` carries once the motion passes.
        "audit": Str(min_length=43, max_length=43, pattern=r"[A-Za-z0-9_-]{43}"),
    }
)

# (context, the proposal, its target) -> None, or a RuleViolation / Unverified.
TargetCheck = Callable[[Context, Event, dict[str, Any]], None]


def check_admission(ctx: Context, proposal: Event, target: dict[str, Any]) -> None:
    candidate = roster(ctx, proposal.space_id).get(target["key"])
    if candidate is None or candidate.status != Member.Status.CANDIDATE:
        raise RuleViolation("candidate", "only a candidate can be admitted", "body.target.key")


def check_active_subject(ctx: Context, proposal: Event, target: dict[str, Any]) -> None:
    """An expulsion or a revocation names an active member's key."""
    subject = roster(ctx, proposal.space_id).get(target["key"])
    if subject is None or subject.status != ACTIVE:
        raise RuleViolation("member", "this key is not an active member's", "body.target.key")


def check_branch(ctx: Context, proposal: Event, target: dict[str, Any]) -> None:
    """An ``equivocation`` motion names a member who equivocated here and one of
    their events in this space: the branch to accept (event-v1 §14.5). Both are
    facts of the set of events (the evidence is kept), not of projected state."""
    space, key = proposal.space_id, target["key"]
    if not EquivocationRecord.objects.filter(space=space, author=key).exists():
        raise RuleViolation(
            "equivocation", "this key has not equivocated in this committee", "body.target.key"
        )
    if not StoredEvent.objects.filter(id=target["event"], space=space, author=key).exists():
        raise RuleViolation(
            "equivocation",
            "name an event of that member in this committee",
            "body.target.event",
        )


def check_federation_join(ctx: Context, proposal: Event, target: dict[str, Any]) -> None:
    parent = ctx.cited_if_held(proposal, target["parent"], "body.target.parent")
    if parent is not None and (
        parent.event.kind != "space.create" or parent.event.body.get("kind") != "council"
    ):
        raise RuleViolation("parent", "a committee joins a council", "body.target.parent")


def check_federation_accept(ctx: Context, proposal: Event, target: dict[str, Any]) -> None:
    join = held_close(ctx, proposal, target["join"], "body.target.join")
    if join is not None and (
        join.space_id != target["child"] or join.body["result"].get("parent") != proposal.space_id
    ):
        raise RuleViolation(
            "join", "the child's motion to join this body is not the one named", "body.target"
        )


def check_ratification(ctx: Context, proposal: Event, target: dict[str, Any]) -> None:
    decision = held_close(ctx, proposal, target["motion"], "body.target.motion")
    if target["space"] != committee_of(ctx, proposal.space_id).parent or (
        decision is not None and decision.space_id != target["space"]
    ):
        raise RuleViolation(
            "ratify", "only the parent body's decisions are ratified here", "body.target"
        )


def check_endorsement(ctx: Context, proposal: Event, target: dict[str, Any]) -> None:
    letter = held_close(ctx, proposal, target["motion"], "body.target.motion")
    if target["space"] == proposal.space_id:
        raise RuleViolation("endorse", "endorse another committee's decision", "body.target")
    if letter is not None and letter.space_id != target["space"]:
        raise RuleViolation("endorse", "the decision is not of that committee", "body.target")


def check_strike_call(ctx: Context, proposal: Event, target: dict[str, Any]) -> None:
    """A strike call may name the number of member committees' crossed pledges that pass
    it (pledge-v1 §8): only a council has member committees."""
    if "plants" in target and committee_of(ctx, proposal.space_id).kind != "council":
        raise RuleViolation(
            "plants", "only a council's strike call counts plants", "body.target.plants"
        )


def check_audit_publication(ctx: Context, proposal: Event, target: dict[str, Any]) -> None:
    """A general motion naming an audit (``target.audit``) publishes it when it passes:
    it is decided yes or no, so that "passed" means a majority said yes."""
    del ctx
    if "audit" in target and proposal.body["method"] != "yes_no":
        raise RuleViolation(
            "audit", "a motion to publish an audit is decided yes or no", "body.method"
        )


TARGET_CHECKS: dict[str, TargetCheck] = {
    "general": check_audit_publication,
    "appeal": check_appeal,
    "admission": check_admission,
    "equivocation": check_branch,
    "expulsion": check_active_subject,
    "revocation": check_active_subject,
    "recall": check_recall_target,
    "federation_join": check_federation_join,
    "federation_accept": check_federation_accept,
    "ratification": check_ratification,
    "endorsement": check_endorsement,
    "strike_call": check_strike_call,
}


def foreign_of_proposal(proposal: Event) -> dict[str, str]:
    """The other spaces' events a proposal names as its target: {event: space}."""
    target = proposal.body.get("target", {})
    motion_kind = proposal.body["kind"]
    if motion_kind == "federation_join":
        return {target["parent"]: target["parent"]}
    if motion_kind == "federation_accept":
        return {target["join"]: target["child"]}
    if motion_kind in ("ratification", "endorsement"):
        return {target["motion"]: target["space"]}
    return {}
