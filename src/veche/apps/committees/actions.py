"""The only writers of committee state: each action appends one signed event."""

from __future__ import annotations

import secrets
from typing import Any

from veche.apps.committees.kinds import DEFAULT_RULES, invitation_hash
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


def post(identity: Identity, space: str, text: str, at: Any = None) -> Event:
    return record(identity, space=space, kind="space.post", body={"text": text}, at=at)
