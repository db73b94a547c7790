"""What trustees and voters do on their own machines, against a copy of the record.

A trustee's election keys (an Ed25519 key that signs its events and an X25519
key its shares are sealed to) live in a file sealed under a passphrase, as
member key files are (``veche.events.identity.seal``), and never on the node.
From a record file (``veche election export``) and that key file the trustee
signs a dealing, a complaint or a partial decryption as an event file that
the node ingests (``veche log import FILE`` or the trustee page's upload). A
voter with a key file can likewise encrypt and sign a ballot offline.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nacl.public import PrivateKey

from veche.crypto.ballot import BallotSecrets, encrypt_ballot
from veche.crypto.errors import ShareInvalid
from veche.crypto.group import Scalar
from veche.crypto.threshold import deal, open_share, partial_decrypt, trustee_secret
from veche.election.rules import ElectionState
from veche.events.encoding import b64e
from veche.events.envelope import Event, build_event
from veche.events.identity import Identity, SealError, seal, unseal
from veche.events.secret_file import write_secret_json

__all__ = [
    "OfflineError",
    "TrusteeKeys",
    "cast_event",
    "complaint_events",
    "dealing_event",
    "load_record_state",
    "load_trustee_keys",
    "next_event",
    "partial_decryption_event",
    "save_trustee_keys",
]

FORMAT = "veche-trustee"


class OfflineError(ValueError):
    """The record or key file does not allow the step asked for; the message says why."""


@dataclass(frozen=True, slots=True)
class TrusteeKeys:
    identity: Identity
    box: PrivateKey

    @property
    def box_public(self) -> str:
        return b64e(bytes(self.box.public_key))

    @staticmethod
    def generate() -> TrusteeKeys:
        return TrusteeKeys(Identity.generate(), PrivateKey.generate())


def save_trustee_keys(
    path: Path, keys: TrusteeKeys, passphrase: str, profile: str = "moderate"
) -> None:
    document = {
        "format": FORMAT,
        "public": keys.identity.public,
        "box": keys.box_public,
        "sealed": seal(keys.identity.seed + bytes(keys.box), passphrase, profile),
    }
    write_secret_json(path, document)


def load_trustee_keys(path: Path, passphrase: str) -> TrusteeKeys:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise SealError(f"cannot read trustee key file {path}: {error}") from error
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise SealError(f"{path} is not a Veche trustee key file")
    secret = unseal(document.get("sealed"), passphrase)
    if len(secret) != 64:
        raise SealError(f"{path}: damaged trustee key file")
    keys = TrusteeKeys(Identity(secret[:32]), PrivateKey(secret[32:]))
    if keys.identity.public != document.get("public") or keys.box_public != document.get("box"):
        raise SealError(f"{path}: the public keys do not match the sealed secret")
    return keys


def load_record_state(lines: Sequence[bytes]) -> tuple[list[Event], ElectionState]:
    """Verify a record fully and replay it: a tool signs only against a record that checks."""
    from veche.pledge.record import verified_state_of_any  # a pledge runs as an election

    state, report, ordered = verified_state_of_any(lines)
    if not report.ok:
        raise OfflineError(f"the record does not verify: {report.failure}")
    return ordered, state


def next_event(
    events: Sequence[Event],
    identity: Identity,
    kind: str,
    body: dict[str, Any],
    state: ElectionState | None = None,
) -> Event:
    """Sign the author's next event in the record's space, after everything in the record
    that it may follow: with ``state`` (the record's replay), the last event that passed
    the rules' parents check (``rules.judge_parents``), never junk signed into the space."""
    if not events:
        raise OfflineError("the record is empty")
    mine = [e for e in events if e.author == identity.public]
    last = max(mine, key=lambda e: e.seq) if mine else None
    space = events[0].space_id
    head = next(
        (
            e.id
            for e in reversed(events)
            if state is None or e.id == space or state.has_passed(e.id)
        ),
        events[-1].id,
    )
    return build_event(
        identity,
        space=events[0].space_id,
        seq=last.seq + 1 if last else 1,
        prev=last.id if last else None,
        kind=kind,
        body=body,
        deps=[head] if last is None or head != last.id else [],
    )


def _trustee_index(state: ElectionState, keys: TrusteeKeys) -> int:
    trustee = state.require_spec().trustee_by_key(keys.identity.public)
    if trustee is None:
        raise OfflineError("this key file's key is not one of the election's trustees")
    if trustee.box != bytes(keys.box.public_key):
        raise OfflineError("the election names another box key for this trustee")
    return trustee.index


def dealing_event(lines: Sequence[bytes], keys: TrusteeKeys) -> Event:
    events, state = load_record_state(lines)
    spec = state.require_spec()
    index = _trustee_index(state, keys)
    if state.stage != "created":
        raise OfflineError("the key ceremony is over: the election is " + state.stage)
    if index in state.dealings:
        raise OfflineError(f"trustee {index} has dealt already")
    dealing = deal(spec.election_id, index, spec.threshold, [t.box for t in spec.trustees])
    return next_event(events, keys.identity, "trustee.deal", {"dealing": dealing.to_json()}, state)


def _shares(
    state: ElectionState, keys: TrusteeKeys, index: int
) -> tuple[list[Scalar], list[ShareInvalid]]:
    good, bad = [], []
    for dealer in sorted(state.dealings):
        try:
            good.append(open_share(state.dealings[dealer], index, keys.box))
        except ShareInvalid as exc:
            bad.append(exc)
    return good, bad


def complaint_events(lines: Sequence[bytes], keys: TrusteeKeys) -> list[Event]:
    """Open this trustee's shares; one complaint event per dealer whose share is bad."""
    events, state = load_record_state(lines)
    index = _trustee_index(state, keys)
    _, bad = _shares(state, keys, index)
    out: list[Event] = []
    for exc in bad:
        event = next_event(
            [*events, *out],
            keys.identity,
            "trustee.complain",
            {"dealer": exc.dealer, "reason": exc.reason[:500]},
            state,
        )
        state.note_parents(event, True)  # the next complaint follows this one
        out.append(event)
    return out


def partial_decryption_event(lines: Sequence[bytes], keys: TrusteeKeys) -> Event:
    events, state = load_record_state(lines)
    index = _trustee_index(state, keys)
    if state.stage != "closed":
        raise OfflineError(f"the election is {state.stage}, not closed: nothing to decrypt yet")
    if state.counted == 0:
        raise OfflineError("no ballot was counted: there is nothing to decrypt")
    good, bad = _shares(state, keys, index)
    if bad:
        raise OfflineError(str(bad[0]))
    assert state.key is not None
    partial = partial_decrypt(state.key, index, trustee_secret(good), list(state.tally))
    return next_event(
        events, keys.identity, "trustee.decrypt", {"partial": partial.to_json()}, state
    )


def cast_event(
    lines: Sequence[bytes], identity: Identity, selections: Sequence[Sequence[int]]
) -> tuple[Event, BallotSecrets, str]:
    """Encrypt and sign a ballot offline; returns the event, the secrets and the tracker."""
    events, state = load_record_state(lines)
    if state.stage != "open":
        raise OfflineError(f"the election is {state.stage}, not open")
    if state.voter_of(identity.public) is None:
        raise OfflineError("this key is not in the election's electorate")
    try:
        ballot, secrets = encrypt_ballot(state.crypto_election(), selections)
    except ValueError as exc:
        raise OfflineError(str(exc)) from None
    event = next_event(events, identity, "ballot.cast", {"ballot": ballot.to_json()}, state)
    return event, secrets, ballot.tracker()
