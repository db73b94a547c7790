"""A trustee's steps of a crossed-only pledge (pledge-v1 §7), signed offline against the
verified record: the blinding round and the partial decryption of the final list, each
as the events of its parts (``veche pledge blind`` / ``veche pledge reveal-decrypt``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from veche.crypto.threshold import trustee_secret
from veche.election.offline import (
    OfflineError,
    TrusteeKeys,
    _shares,
    _trustee_index,
    load_record_state,
    next_event,
)
from veche.events.envelope import Event
from veche.pledge.reveal import (
    BLIND_KIND,
    DECRYPT_KIND,
    blind_round,
    decrypt_bodies,
    round_bodies,
)
from veche.pledge.rules import PledgeState, reveal_context

__all__ = ["blind_events", "is_crossed_only", "reveal_decryption_events"]


def _pledge_state(
    lines: Sequence[bytes], keys: TrusteeKeys
) -> tuple[list[Event], PledgeState, int]:
    events, state = load_record_state(lines)
    if not isinstance(state, PledgeState) or state.pledge is None:
        raise OfflineError("this record is not a pledge")
    if state.pledge.reveal != "crossed":
        raise OfflineError("this pledge reveals its total: it has no blinding rounds")
    index = _trustee_index(state, keys)
    if state.stage != "closed":
        raise OfflineError(f"the pledge is {state.stage}, not closed")
    return events, state, index


def _chain(
    events: list[Event],
    state: PledgeState,
    keys: TrusteeKeys,
    kind: str,
    bodies: list[dict[str, Any]],
) -> list[Event]:
    out: list[Event] = []
    for body in bodies:
        event = next_event([*events, *out], keys.identity, kind, body, state)
        state.note_parents(event, True)  # the next part follows this one
        out.append(event)
    return out


def blind_events(lines: Sequence[bytes], keys: TrusteeKeys) -> list[Event]:
    """This trustee's blinding round on the record's current list, one event per part."""
    events, state, index = _pledge_state(lines, keys)
    reveal = state.reveal
    if reveal.partials:
        raise OfflineError("the final list is being decrypted: no more blinding rounds")
    if any(t == index for t, _ in reveal.rounds):
        raise OfflineError(f"trustee {index} has blinded already")
    ctx = reveal_context(state)
    blinding = blind_round(
        ctx.pledge_id,
        ctx.key.public_key,
        len(reveal.rounds) + 1,
        index,
        reveal.current(ctx.total, ctx.needed),
    )
    return _chain(events, state, keys, BLIND_KIND, round_bodies(blinding))


def reveal_decryption_events(lines: Sequence[bytes], keys: TrusteeKeys) -> list[Event]:
    """This trustee's partial decryption of the final blinded list, one event per part."""
    events, state, index = _pledge_state(lines, keys)
    ctx = reveal_context(state)
    if len(state.reveal.rounds) < ctx.threshold:
        raise OfflineError(
            f"{len(state.reveal.rounds)} of the {ctx.threshold} blinding rounds are done"
        )
    if index in state.reveal.partials:
        raise OfflineError(f"trustee {index} has decrypted already")
    good, bad = _shares(state, keys, index)
    if bad:
        raise OfflineError(str(bad[0]))
    bodies = decrypt_bodies(
        ctx.pledge_id, ctx.key, index, trustee_secret(good), state.reveal.rounds[-1][1]
    )
    return _chain(events, state, keys, DECRYPT_KIND, bodies)


def is_crossed_only(lines: Sequence[bytes]) -> bool:
    """Is this record a pledge that reveals only whether it crossed? (Reads the create.)"""
    import json

    for line in lines:
        if b'"space.create"' not in line:
            continue
        try:
            document = json.loads(line)
        except ValueError:
            continue
        if document.get("kind") == "space.create":
            body = document.get("body")
            return (
                isinstance(body, dict)
                and body.get("type") == "pledge"
                and body.get("reveal") == "crossed"
            )
    return False
