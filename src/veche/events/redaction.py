"""The redacted form of an event (event-v1 §16): its envelope and essential body
fields, without the content a retention rule removes.

An event id is BLAKE2b of the signed bytes and the signature covers the body, so
a redacted event cannot be verified by itself. The redacted form keeps the id it
had (``redacted.id``), which later events name in ``prev`` and ``deps``; the
fields it removed (``redacted.removed``) and the close of the rule that removed
them (``redacted.rule``). Nothing of a removed value is kept, not even a hash: a
hash of a short text is a confirmation oracle for whoever seizes the node ("did
you write *strike on Monday*?"), and the holder of the whole event proves it by
its id alone.
"""

from __future__ import annotations

from collections.abc import Iterable

from veche.events import canonical
from veche.events.envelope import REDACTED_FIELD, Event

__all__ = ["redact", "same_redaction"]


def redact(event: Event, content: Iterable[str], rule: str) -> bytes | None:
    """The redacted form of ``event`` without its ``content`` fields, or None if it has
    none of them. ``event`` may itself be redacted (then under its own rule)."""
    if event.redacted:
        return event.raw
    removed = sorted(name for name in set(content) if name in event.body)
    if not removed:
        return None
    document = event.as_dict()
    document["body"] = {k: v for k, v in event.body.items() if k not in removed}
    document[REDACTED_FIELD] = {"id": event.id, "removed": removed, "rule": rule}
    return canonical.encode(document)


def same_redaction(received: Event, held: Event) -> bool:
    """Whether ``received`` (a redacted form) is ``held`` (whole or redacted) with the
    same fields removed and everything else unchanged; the rule cited may differ."""
    if received.id != held.id or not received.redacted:
        return False
    removed = set(received.redacted)
    if held.redacted:
        if set(held.redacted) != removed:
            return False
    elif not removed <= held.body.keys():
        return False
    kept = {k: v for k, v in held.body.items() if k not in removed}
    return (
        received.space,
        received.author,
        received.seq,
        received.prev,
        received.deps,
        received.kind,
        received.at,
        received.sig,
        {k: v for k, v in received.body.items() if k not in removed},
    ) == (
        held.space,
        held.author,
        held.seq,
        held.prev,
        held.deps,
        held.kind,
        held.at,
        held.sig,
        kept,
    )
