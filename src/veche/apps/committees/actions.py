"""The only writers of committee state: each action appends one signed event."""

from __future__ import annotations

import secrets
from typing import Any

from django.db import transaction

from veche.apps.accounts.actions import prepare_account, save_account
from veche.apps.accounts.models import Account
from veche.apps.committees.rules.founding import DEFAULT_RULES
from veche.apps.committees.rules.invitations import invitation_hash
from veche.apps.store.log import record
from veche.events import Event, Identity

_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud and typed from paper


def new_invitation_code() -> str:
    raw = "".join(secrets.choice(_ALPHABET) for _ in range(20))  # 100 bits
    return "-".join(raw[i : i + 5] for i in range(0, 20, 5))


def create_committee(
    identity: Identity,
    *,
    name: str,
    kind: str,
    level: str,
    pseudonym: str,
    rules: dict[str, Any] | None = None,
    demo: bool = False,
    description: str = "",
    at: Any = None,
) -> Event:
    merged = dict(DEFAULT_RULES)
    merged.update(rules or {})
    body: dict[str, Any] = {
        "type": "committee",
        "name": name,
        "kind": kind,
        "level": level,
        "rules": merged,
        "pseudonym": pseudonym,
    }
    if demo:
        body["demo"] = True
    if description:
        body["description"] = description
    return record(identity, space=None, kind="space.create", body=body, at=at)


def invite(identity: Identity, space: str, at: Any = None) -> tuple[str, Event]:
    """Issue a one-time invitation; returns the code to hand over in person."""
    code = new_invitation_code()
    event = record(
        identity,
        space=space,
        kind="member.invite",
        body={"code_hash": invitation_hash(space, code)},
        at=at,
    )
    return code, event


def join(identity: Identity, space: str, code: str, pseudonym: str, at: Any = None) -> Event:
    return record(
        identity,
        space=space,
        kind="member.join",
        body={"code": code.strip().upper(), "pseudonym": pseudonym},
        at=at,
    )


def join_as_new_account(
    space: str, code: str, pseudonym: str, passphrase: str, at: Any = None
) -> tuple[Event, Account, Identity]:
    """Redeem an invitation for someone without an account: a new key, its account on
    this node and its member.join, all or nothing.

    Every check on the account (pseudonym, passphrase, the name free on this node)
    runs before anything is signed; the committee's rule runs when the join is
    recorded (a refusal stores nothing); and the join and the account are written
    in one transaction, so an account that cannot be saved (a name taken meanwhile)
    takes the join back with it. A join that fails therefore leaves the invitation
    unused and adds no member whose key nobody holds.
    Raises AccountError or RuleViolation.
    """
    identity = Identity.generate()
    account = prepare_account(pseudonym, passphrase, identity)
    with transaction.atomic():
        event = join(identity, space, code, account.pseudonym, at=at)
        save_account(account)
    return event, account, identity


def post(identity: Identity, space: str, text: str, at: Any = None) -> Event:
    return record(identity, space=space, kind="space.post", body={"text": text}, at=at)


# -- membership --------------------------------------------------------------------------------


def vouch(identity: Identity, space: str, candidate_key: str, at: Any = None) -> Event:
    return record(identity, space=space, kind="member.vouch", body={"key": candidate_key}, at=at)


def leave(identity: Identity, space: str, at: Any = None) -> Event:
    return record(identity, space=space, kind="member.leave", body={}, at=at)


def add_device(identity: Identity, space: str, new_key: str, at: Any = None) -> Event:
    return record(identity, space=space, kind="member.device", body={"key": new_key}, at=at)


def revoke_own_key(
    identity: Identity, space: str, key: str, after_seq: int, at: Any = None
) -> Event:
    """From an older key of the same person, revoke a newer one (a lost or seized device):
    events it signs after ``after_seq`` are held. A key cannot revoke an older one (the
    main key): that takes a committee ``revocation`` motion (event-v1 §14.4)."""
    return record(
        identity, space=space, kind="key.revoke", body={"key": key, "after_seq": after_seq}, at=at
    )


# -- motions ------------------------------------------------------------------------------------


def propose(
    identity: Identity,
    space: str,
    *,
    kind: str,
    title: str,
    text: str,
    method: str = "yes_no",
    options: list[str] | None = None,
    seats: int | None = None,
    deadline: str | None = None,
    target: dict[str, Any] | None = None,
    at: Any = None,
) -> Event:
    body: dict[str, Any] = {"kind": kind, "title": title, "text": text, "method": method}
    if options:
        body["options"] = options
    if seats is not None:
        body["seats"] = seats
    if deadline:
        body["deadline"] = deadline
    if target:
        target = dict(target)
        if kind in ("ratification", "endorsement") and "space" not in target and "motion" in target:
            from veche.apps.store.models import StoredEvent

            target["space"] = (
                StoredEvent.objects.filter(id=target["motion"])
                .values_list("space", flat=True)
                .first()
                or ""
            )
        body["target"] = target
    deps = _cited_by_target(target or {})
    return record(identity, space=space, kind="motion.propose", body=body, deps=deps, at=at)


def _cited_by_target(target: dict[str, Any]) -> list[str]:
    """Events a motion's rule reads in other spaces must be named in deps."""
    return [target[k] for k in ("parent", "join", "mandate", "motion") if k in target]


def amend(
    identity: Identity,
    space: str,
    motion: str,
    *,
    title: str | None = None,
    text: str | None = None,
    options: list[str] | None = None,
    at: Any = None,
) -> Event:
    body: dict[str, Any] = {"motion": motion}
    for name, value in (("title", title), ("text", text), ("options", options)):
        if value is not None:
            body[name] = value
    return record(identity, space=space, kind="motion.amend", body=body, deps=[motion], at=at)


def vote(
    identity: Identity,
    space: str,
    motion: str,
    *,
    choice: str | None = None,
    approve: list[int] | None = None,
    ranking: list[list[int]] | None = None,
    at: Any = None,
) -> Event:
    from veche.apps.committees.models import Motion

    current = Motion.objects.filter(event=motion, space=space).first()
    body: dict[str, Any] = {"motion": motion, "version": current.version if current else 0}
    if choice is not None:
        body["choice"] = choice
    if approve is not None:
        body["approve"] = approve
    if ranking is not None:
        body["ranking"] = ranking
    return record(identity, space=space, kind="motion.vote", body=body, deps=[motion], at=at)


def record_vote_for_version(
    identity: Identity, space: str, motion: str, version: int, choice: str = "yes"
) -> Event:
    """A yes/no vote on a stated version of the text (what a client that read it sends)."""
    body = {"motion": motion, "version": version, "choice": choice}
    return record(identity, space=space, kind="motion.vote", body=body, deps=[motion])


def close(identity: Identity, space: str, motion: str, at: Any = None) -> Event:
    """Close a motion; the result is computed here and checked by every node.

    It is computed under the space's lock (``record`` evaluates the body there), so votes
    arriving meanwhile are counted or come after: the close is not refused for a result
    that went stale between reading and signing.
    """
    from veche.apps.committees import tally

    def body() -> dict[str, Any]:
        result, recalls = tally.result_for_close(space, motion)
        draft: dict[str, Any] = {"motion": motion, "result": result}
        if recalls:
            draft["recalls"] = recalls
        return draft

    def deps(draft: dict[str, Any]) -> list[str]:
        return [motion, *(r["event"] for r in draft.get("recalls", []))]

    return record(identity, space=space, kind="motion.close", body=body, deps=deps, at=at)


def take_seat(identity: Identity, parent: str, mandate: str, at: Any = None) -> Event:
    """Take a seat in ``parent``, showing the child's decision that elected you.

    The body repeats what the decision says (which committee, how many members it
    represents, how many were elected), so that nodes that do not hold that
    committee's log can still seat the delegate; nodes that do check it.
    """
    from veche.apps.store.models import StoredEvent
    from veche.events import parse_event

    raw = StoredEvent.objects.filter(id=mandate).values_list("raw", flat=True).first()
    decision = parse_event(bytes(raw), verify=False) if raw is not None else None
    result = decision.body.get("result", {}) if decision is not None else {}
    body = {
        "mandate": mandate,
        "child": decision.space_id if decision is not None else mandate,
        "represented": int(result.get("represented", 0)),
        "elected": max(1, len(result.get("elected_keys", []))),
    }
    return record(identity, space=parent, kind="delegate.seat", body=body, deps=[mandate], at=at)
