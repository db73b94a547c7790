"""A committee's retention rule (``rules.retention_days``, event-v1 §16): after that
many days the content of its posts, comments and motions is removed on every node.

Set and changed by a ``rule_change`` motion like every other rule; absent or 0 keeps
everything. The store asks two things: the rule in force in a space (the committee's
current rules, and the close of the motion that set them), and the days a given
stored close sets (to take a redacted event from another node, event-v1 §16.4).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from veche.apps.committees.models import Committee, Motion
from veche.apps.store.kinds import (
    KEPT_WHOLE,
    RETENTION_IN_FORCE,
    RETENTION_OF_CLOSE,
    RetentionRule,
    redactable,
)
from veche.apps.store.models import Status, StoredEvent
from veche.events import Event, EventError, parse_event

RETENTION_DAYS_MAX = 3650

# The content of each kind (event-v1 §16.2): what members wrote, which no rule reads
# beyond its own schema. Everything else (what a comment is on, a motion's kind,
# method, options and target, ids, keys) is essential and stays.
CONTENT = {
    "space.post": ("text",),
    "comment.write": ("quote", "text"),
    "comment.amend": ("text",),
    "motion.propose": ("text", "title"),
    "motion.amend": ("text", "title"),
}


def retention_days(rules: dict[str, Any] | None) -> int:
    days = (rules or {}).get("retention_days", 0)
    return days if isinstance(days, int) and not isinstance(days, bool) and days > 0 else 0


def in_force(space: str) -> RetentionRule | None:
    rules = Committee.objects.filter(space=space).values_list("rules", flat=True).first()
    days = retention_days(rules)
    if not days:
        return None
    closes = [
        close
        for close, target in Motion.objects.filter(
            space=space, kind="rule_change", status=Motion.Status.PASSED
        )
        .exclude(close_event="")
        .values_list("close_event", "target")
        if retention_days((target or {}).get("rules")) == days
    ]
    if not closes:
        return None
    heights = dict(StoredEvent.objects.filter(id__in=closes).values_list("id", "height"))
    close = max(closes, key=lambda c: (heights.get(c) or 0, c))
    return RetentionRule(days, close)


def of_close(space: str, close: str, offered: Mapping[str, Event]) -> int | None:
    """The days ``close`` sets, if it is a stored, not refused close in ``space`` of a
    passed ``rule_change`` with a retention rule. It may still wait (pending) for
    the events it covers. Its motion must be held whole (``kept_whole``): a
    redacted form's target is signed by nobody, and the days it names bound what
    every redaction under the rule may remove (event-v1 §16.4 b); so ``offered``
    (the redacted forms received with it) is not read."""
    found = (
        StoredEvent.objects.filter(id=close, space=space, kind="motion.close")
        .exclude(status__in=[Status.REJECTED, Status.HELD])
        .values_list("raw", flat=True)
        .first()
    )
    if found is None:
        return None
    try:
        closing = parse_event(bytes(found), verify=False)
        result = closing.body.get("result", {})
        if not isinstance(result, dict) or result.get("passed") is not True:
            return None
        motion = (
            StoredEvent.objects.filter(
                id=closing.body.get("motion"),
                space=space,
                kind="motion.propose",
                redacted=False,
            )
            .values_list("raw", flat=True)
            .first()
        )
        if motion is None:
            return None
        body = parse_event(bytes(motion), verify=False).body
    except EventError:
        return None
    if body.get("kind") != "rule_change":
        return None
    target = body.get("target")
    return retention_days(target.get("rules") if isinstance(target, dict) else None) or None


def kept_whole(event: Event) -> bool:
    """A rule change's motion is never redacted (event-v1 §16.2): its signed target
    sets the rules, the retention rule among them, that redactions cite."""
    return event.kind == "motion.propose" and event.body.get("kind") == "rule_change"


def register_all() -> None:
    for kind, content in CONTENT.items():
        redactable(kind, content)
    if in_force not in RETENTION_IN_FORCE:
        RETENTION_IN_FORCE.append(in_force)
        RETENTION_OF_CLOSE.append(of_close)
        KEPT_WHOLE.append(kept_whole)
