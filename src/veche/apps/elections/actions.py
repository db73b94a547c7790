"""Election actions: the only writers. Each builds a body and appends one signed event.

Voters' ballots are encrypted on their own device (browser or CLI); the node
signs the ``ballot.cast`` event with the member's session-unlocked key, so the
signing key is on the node while the ballot's secret (choice and randomness)
never is. Trustees' secrets never come here either: their dealings and partial
decryptions arrive as event files signed on their own machines (``ingest_file``).
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.utils.translation import gettext

from veche.apps.accounts.models import Account
from veche.apps.committees.models import Member, Motion
from veche.apps.elections.calls import CALLING_KIND, members_at_call
from veche.apps.elections.models import Election, TrusteeKey
from veche.apps.store.context import Context
from veche.apps.store.log import IngestReport, record
from veche.apps.store.models import StoredEvent
from veche.apps.store.reasons import message_text
from veche.election.outcome import compute_outcome
from veche.election.record import VerificationReport, verify_record
from veche.election.rules import compute_tally, decrypted_counts, election_key
from veche.election.spec import MAX_VOTERS_PER_EVENT
from veche.events import Event, Identity, RuleViolation, parse_event
from veche.events.envelope import EventError
from veche.web.labels import EVENT_KIND_LABELS, label

__all__ = [
    "ConstituencyError",
    "ElectionActionError",
    "TrusteeKeyTaken",
    "cast_ballot",
    "close_election",
    "committee_call",
    "committee_electorate",
    "create_election",
    "electorate_in_constituencies",
    "export_record",
    "ingest_file",
    "open_election",
    "publish_result",
    "register_trustee_key",
    "verify_stored_election",
]

# A trustee's events, signed offline and taken from a file (a crossed-only pledge's rounds too).
TRUSTEE_KINDS = (
    "trustee.deal",
    "trustee.complain",
    "trustee.decrypt",
    "pledge.blind",
    "pledge.decrypt",
)


class ElectionActionError(RuleViolation):
    """An election step that cannot be taken now; the message says why."""


class TrusteeKeyTaken(ValueError):
    """Another account of this node registered this trustee key."""


def register_trustee_key(account: Account, key: str, box: str) -> TrusteeKey:
    """Make ``key``/``box`` the account's active trustee key (a local row, no event).

    The previous key stays registered but inactive: elections that named it still show
    the member their step; new elections are offered the new one. Registering a key the
    account had before makes it active again."""
    with transaction.atomic():
        found = TrusteeKey.objects.select_for_update().filter(key=key).first()
        if found is not None and found.account_id != account.pk:
            raise TrusteeKeyTaken(key)
        if found is not None and found.box != box:
            raise TrusteeKeyTaken(key)
        TrusteeKey.objects.filter(account=account, active=True).exclude(key=key).update(
            active=False
        )
        if found is None:
            return TrusteeKey.objects.create(account=account, key=key, box=box, active=True)
        if not found.active:
            found.active = True
            found.save(update_fields=["active"])
        return found


def committee_electorate(committee: str, call: str) -> list[dict[str, Any]]:
    """The committee's members at its call (the close of the motion that called the
    election), one vote per person with (up to 8 of) their device keys."""
    return members_at_call(committee, call)


class ConstituencyError(ValueError):
    """Pseudonyms in the constituencies that are not in the electorate (``unknown``), or
    members of the electorate in no constituency or in two (``missing``, ``twice``)."""

    def __init__(self, unknown: list[str], missing: list[str], twice: list[str]) -> None:
        super().__init__(unknown, missing, twice)
        self.unknown, self.missing, self.twice = unknown, missing, twice


def electorate_in_constituencies(
    committee: str, motion: str, constituencies: Sequence[tuple[str, Sequence[str]]]
) -> list[dict[str, Any]] | None:
    """The committee's electorate at the motion's call, each voter in the constituency
    that lists their pseudonym: ``constituencies`` is (name, pseudonyms) per constituency.
    None when the motion did not call an election (``create_election`` says why)."""
    called = Motion.objects.filter(space=committee, event=motion).first()
    if called is None or not called.close_event:
        return None
    electorate = members_at_call(committee, called.close_event)
    names = dict(
        Member.objects.filter(
            space=committee, key__in=[k for voter in electorate for k in voter["keys"]]
        ).values_list("key", "pseudonym")
    )
    by_pseudonym: dict[str, int] = {}
    for i, voter in enumerate(electorate):
        for key in voter["keys"]:
            if key in names:
                by_pseudonym[names[key].casefold()] = i
    placed: dict[int, str] = {}
    unknown, twice = [], []
    for name, pseudonyms in constituencies:
        for pseudonym in pseudonyms:
            index = by_pseudonym.get(pseudonym.casefold())
            if index is None:
                unknown.append(pseudonym)
            elif index in placed:
                twice.append(pseudonym)
            else:
                placed[index] = name
    missing = [
        next((names[k] for k in voter["keys"] if k in names), voter["keys"][0])
        for i, voter in enumerate(electorate)
        if i not in placed
    ]
    if unknown or missing or twice:
        raise ConstituencyError(unknown, missing, twice)
    return [dict(voter, constituency=placed[i]) for i, voter in enumerate(electorate)]


def committee_call(identity: Identity, committee: str, motion: str | None) -> str:
    """The close of the committee's motion that calls this election, if ``identity`` may
    create it (the rules check the same on every node: ``calls.check_call``)."""
    if motion is None:
        raise ElectionActionError(
            "election-call", "name the committee's passed motion that called the election", "motion"
        )
    called = Motion.objects.filter(space=committee, event=motion).first()
    if called is None or called.status != Motion.Status.PASSED or called.kind != CALLING_KIND:
        raise ElectionActionError(
            "election-call", "name a passed election motion of this committee", "motion"
        )
    closer = (
        StoredEvent.objects.filter(id=called.close_event).values_list("author", flat=True).first()
    )
    if closer != identity.public:
        raise ElectionActionError(
            "election-creator",
            "only the member who closed the motion that called the election may create it",
            "author",
        )
    return called.close_event


def create_election(
    identity: Identity,
    *,
    committee: str | None,
    title: str,
    questions: Sequence[dict[str, Any]],
    method: str,
    seats: int,
    trustees: Sequence[tuple[str, str]],
    threshold: int,
    electorate: Sequence[dict[str, Any]] | None = None,
    divisor: str | None = None,
    threshold_percent: str | None = None,
    constituencies: Sequence[tuple[str, int]] | None = None,
    public_board: bool = False,
    motion: str | None = None,
    demo: bool = False,
    totals: bool = False,
) -> Event:
    """Create an election. A committee's election is called by a passed ``election``
    motion of the committee (``motion``, its propose event), and only the member who
    closed that motion creates it; its electorate is the committee's members at that
    close (unless a roll is given: the rules then check every key against them)."""
    call = None
    if committee is not None:
        call = committee_call(identity, committee, motion)
        if electorate is None:
            electorate = committee_electorate(committee, call)
    elif motion is not None:
        raise ElectionActionError(
            "election-call", "a motion calls an election of its own committee", "motion"
        )
    if not electorate:
        raise ElectionActionError("electorate", "the electorate is empty", "electorate")
    body: dict[str, Any] = {
        "type": "election",
        "title": title,
        "questions": list(questions),
        "method": method,
        "seats": seats,
        "electorate": list(electorate[:MAX_VOTERS_PER_EVENT]),
        "trustees": [{"key": key, "box": box} for key, box in trustees],
        "threshold": threshold,
    }
    if committee is not None and call is not None:
        body.update(committee=committee, motion=motion, call=call)
    if divisor is not None:
        body["divisor"] = divisor
    if threshold_percent is not None:
        body["threshold_percent"] = threshold_percent
    if constituencies:
        body["constituencies"] = [{"name": n, "seats": s} for n, s in constituencies]
    if public_board:
        body["public_board"] = True
    if demo:
        body["demo"] = True
    if totals:
        body["totals"] = True
    event = record(
        identity, space=None, kind="space.create", body=body, deps=[call] if call else []
    )
    for start in range(MAX_VOTERS_PER_EVENT, len(electorate), MAX_VOTERS_PER_EVENT):
        record(
            identity,
            space=event.id,
            kind="election.roll",
            body={"voters": list(electorate[start : start + MAX_VOTERS_PER_EVENT])},
        )
    return event


def _state(space: str) -> Any:
    from veche.apps.elections.kinds import state_of

    return state_of(Context(), space)


def open_election(identity: Identity, space: str) -> Event:
    state = _state(space)
    if state.spec is None:
        raise ElectionActionError("election", "no such election", "space")
    if len(state.dealings) < len(state.spec.trustees):
        raise ElectionActionError(
            "ceremony",
            f"{len(state.dealings)} of {len(state.spec.trustees)} trustees have dealt",
            "space",
        )
    key = election_key(state)
    return record(
        identity, space=space, kind="election.open", body={"public_key": key.public_key.encode()}
    )


def cast_ballot(identity: Identity, space: str, ballot: dict[str, Any]) -> Event:
    """Sign and append a ballot encrypted by the voter's device; RuleViolation says why not."""
    return record(identity, space=space, kind="ballot.cast", body={"ballot": ballot})


def close_election(identity: Identity, space: str) -> Event:
    state = _state(space)
    tally, counted = compute_tally(state)
    return record(
        identity,
        space=space,
        kind="election.close",
        body={"ballots": counted, "tally": [ct.to_json() for ct in tally]},
    )


def publish_result(identity: Identity, space: str) -> Event:
    state = _state(space)
    counts = decrypted_counts(state)
    body: dict[str, Any] = {"counts": counts}
    outcome = compute_outcome(state.require_spec(), counts)
    if outcome.seats is not None:
        body["seats"] = list(outcome.seats)
    result = record(identity, space=space, kind="election.result", body=body)
    # A strike ballot's "yes" sets its workplace's strike status (format pledge-v1 §10); the
    # result stands either way, and a signer who is not the committee's member leaves it
    # to a member (``veche strike ballot result``, the workplace page).
    from veche.apps.strike.ballots import apply_ballot_result

    with contextlib.suppress(RuleViolation):
        apply_ballot_result(identity, space)
    return result


def ingest_file(space: str, data: bytes, *, source: str) -> IngestReport:
    """Take a trustee's (or offline voter's) signed event file for this election."""
    lines = [line for line in data.split(b"\n") if line.strip()]
    # Told to the member who uploaded the file, in their language (not stored).
    if not lines:
        raise ElectionActionError("file", gettext("the file holds no event"), "file")
    for number, line in enumerate(lines, start=1):
        try:
            event = parse_event(line)
        except EventError as error:
            problem = f"{error.field}: {message_text(error.message)}"
            raise ElectionActionError(
                "file",
                gettext("line %(line)d: %(problem)s") % {"line": number, "problem": problem},
                "file",
            ) from None
        if event.space_id != space:
            raise ElectionActionError(
                "file",
                gettext("line %(line)d: an event of another election") % {"line": number},
                "file",
            )
        if event.kind not in (*TRUSTEE_KINDS, "ballot.cast"):
            raise ElectionActionError(
                "file",
                gettext("line %(line)d: “%(kind)s” events are not taken here")
                % {"line": number, "kind": label(EVENT_KIND_LABELS, event.kind)},
                "file",
            )
    # Through the one gate every path uses (docs/sync.md), for this election only:
    # the page already checked that the uploader belongs to it.
    from veche.apps.sync.gate import OPERATOR, Source, admit

    return admit(lines, Source(source, OPERATOR, (), frozenset({space}))).report


def export_record(space: str) -> bytes:
    """The election record: every placed event of the space (applied, and refused or held
    ones kept as evidence, which verifiers refuse alike) in the nodes' order, one a line.
    Refused events belong in it: later events may cite them, and leaving them out would
    let anyone who signs junk into the space make the record unverifiable."""
    rows = (
        StoredEvent.objects.filter(space=space, height__isnull=False)
        .order_by("height", "id")
        .values_list("raw", flat=True)
    )
    return b"".join(bytes(raw) + b"\n" for raw in rows.iterator(chunk_size=2000))


def verify_stored_election(space: str) -> VerificationReport:
    """Verify the record as the page offers it for download; cached by the record's hash,
    since a large election takes seconds to verify and its record changes only by events."""
    import hashlib

    from django.core.cache import cache

    data = export_record(space)
    key = "election-verify:" + hashlib.blake2b(data, digest_size=32).hexdigest()
    report: VerificationReport | None = cache.get(key)
    if report is None:
        lines = data[:-1].split(b"\n") if data else []
        report = verify_record(lines)
        cache.set(key, report, timeout=None)
    return report


def election_exists(space: str) -> bool:
    return Election.objects.filter(space=space).exists()
