"""Pledge actions (format pledge-v1): the only writers. Each appends one signed event.

A member's pledge is sealed on their own device (the browser's ballot sealing,
or ``veche pledge make`` on their machine) and only the sealed 0/1 reaches
this code; trustees' secrets never do (their events arrive signed, as for
elections: ``actions.ingest_file`` or the trustee page).
"""

from __future__ import annotations

import contextlib
from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from veche.apps.committees.models import Member
from veche.apps.elections.actions import ElectionActionError, export_record
from veche.apps.elections.models import Pledge
from veche.apps.store.context import Context
from veche.apps.store.log import record
from veche.election.rules import compute_tally, decrypted_counts, election_key
from veche.events import Event, Identity, RuleViolation
from veche.pledge.record import PledgeReport, verify_record
from veche.pledge.reveal import crossed_of
from veche.pledge.rules import RESULT_KIND, reveal_context
from veche.pledge.spec import MAX_VOTERS_PER_EVENT

__all__ = [
    "close_pledge",
    "committee_members",
    "create_pledge",
    "general_strike",
    "make_pledge",
    "open_pledge",
    "pledge_exists",
    "publish_pledge_result",
    "trigger_general",
    "trigger_strike",
    "verify_stored_pledge",
]


def committee_members(committee: str) -> list[dict[str, Any]]:
    """The committee's active members now, one pledge per person listing (up to 8 of) the
    person's keys, in person order."""
    persons: dict[str, list[str]] = defaultdict(list)
    rows = Member.objects.filter(space=committee, status=Member.Status.ACTIVE).values_list(
        "person", "key"
    )
    for person, key in rows:
        persons[person].append(key)
    return [{"keys": sorted(keys)[:8]} for _, keys in sorted(persons.items())]


def create_pledge(
    identity: Identity,
    *,
    title: str,
    workplace: str,
    strike_date: str,
    deadline: str,
    trustees: Sequence[tuple[str, str]],
    threshold: int,
    needed: int | None = None,
    percent: str | None = None,
    workforce: int | None = None,
    shop: str | None = None,
    committee: str | None = None,
    strike_call: str | None = None,
    registry: str | None = None,
    electorate: Sequence[dict[str, Any]] | None = None,
    demo: bool = False,
    reveal: str = "total",
) -> Event:
    """Open a pledge: of a committee (its active members pledge; ``strike_call`` is the
    committee's motion the target passes), or for a given electorate."""
    if electorate is None:
        if committee is None:
            raise ElectionActionError("electorate", "name the committee or the members", "body")
        electorate = committee_members(committee)
    if not electorate:
        raise ElectionActionError("electorate", "the electorate is empty", "electorate")
    body: dict[str, Any] = {
        "type": "pledge",
        "title": title,
        "workplace": workplace,
        "strike_date": strike_date,
        "deadline": deadline,
        "electorate": list(electorate[:MAX_VOTERS_PER_EVENT]),
        "trustees": [{"key": key, "box": box} for key, box in trustees],
        "threshold": threshold,
    }
    if needed is not None:
        body["needed"] = needed
    if percent is not None:
        body["percent"] = percent
    if workforce is not None:
        body["workforce"] = workforce
    if shop:
        body["shop"] = shop
    if committee is not None and strike_call is not None:
        body.update(committee=committee, strike_call=strike_call)
        if registry is not None:
            body["registry"] = registry
    if demo:
        body["demo"] = True
    if reveal != "total":
        body["reveal"] = reveal
    event = record(identity, space=None, kind="space.create", body=body)
    for start in range(MAX_VOTERS_PER_EVENT, len(electorate), MAX_VOTERS_PER_EVENT):
        record(
            identity,
            space=event.id,
            kind="election.roll",
            body={"voters": list(electorate[start : start + MAX_VOTERS_PER_EVENT])},
        )
    return event


def _state(space: str) -> Any:
    from veche.apps.elections.pledges import state_of

    state = state_of(Context(), space)
    if state.pledge is None:
        raise ElectionActionError("pledge", "no such pledge", "space")
    return state


def open_pledge(identity: Identity, space: str) -> Event:
    state = _state(space)
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


def make_pledge(
    identity: Identity, space: str, ballot: dict[str, Any], *, at: datetime | None = None
) -> Event:
    """Sign and append a pledge sealed by the member's device; RuleViolation says why not.
    ``at``: the signed time (default now; the demo and tests replay history)."""
    return record(identity, space=space, kind="ballot.cast", body={"ballot": ballot}, at=at)


def close_pledge(identity: Identity, space: str, *, at: datetime | None = None) -> Event:
    state = _state(space)
    tally, counted = compute_tally(state)
    return record(
        identity,
        space=space,
        kind="election.close",
        body={"ballots": counted, "tally": [ct.to_json() for ct in tally]},
        at=at,
    )


def publish_pledge_result(identity: Identity, space: str) -> Event:
    """The total the trustees' partial decryptions give and whether it reaches the target
    (the rules recompute both: a forged "crossed" is refused)."""
    state = _state(space)
    body: dict[str, Any]
    if state.pledge.reveal == "crossed":
        # Only the bit (pledge-v1 §7): from the decryptions of the blinded list.
        body = {"crossed": crossed_of(reveal_context(state), state.reveal)}
    else:
        total = decrypted_counts(state)[0]
        body = {"total": total, "crossed": total >= state.pledge.needed}
    result = record(identity, space=space, kind=RESULT_KIND, body=body)
    if result.body["crossed"]:
        # The result stands either way; the call passes only if the rule lets it (a
        # pledge whose members are not the committee's passes nothing).
        with contextlib.suppress(RuleViolation):
            if trigger_strike(identity, space) is not None:
                trigger_general(identity, space)
    return result


def general_strike(identity: Identity, council: str, motion: str) -> Event:
    """Pass a council's strike call that counts plants (pledge-v1 §8): a
    ``pledge.general`` citing every member committee's strike call passed by a crossed
    pledge (``pledge.strike``) this node holds. Any member or seated delegate of the council may sign it; the rule recounts
    (RuleViolation says why not, e.g. too few plants yet)."""
    from veche.apps.elections.pledge_general import GENERAL_KIND, MAX_PLANTS, counted_plants

    strikes = [plant.strike for plant in counted_plants(council)][:MAX_PLANTS]
    if not strikes:
        raise RuleViolation(
            "plants", "no member committee's pledge has reached its target yet", "body.strikes"
        )
    return record(
        identity,
        space=council,
        kind=GENERAL_KIND,
        body={"motion": motion, "strikes": strikes},
        deps=strikes,
    )


def trigger_general(identity: Identity, space: str) -> list[Event]:
    """The councils' strike calls that count plants pass by themselves once the pledge
    ``space`` is the one that makes enough: signed with ``identity`` where it is a member
    or seated delegate of the council (elsewhere any of them presses the button on the
    call's page, or runs ``veche pledge general``)."""
    from veche.apps.committees.models import FederationLink, Motion, Seat
    from veche.apps.elections.pledge_general import counted_plants, plants_needed

    pledge = Pledge.objects.filter(space=space).first()
    if pledge is None or not pledge.crossed or not pledge.committee:
        return []
    councils = sorted(
        set(FederationLink.objects.filter(child=pledge.committee).values_list("space", flat=True))
    )
    signed = []
    for council in councils:
        seated = (
            Member.objects.filter(
                space=council, key=identity.public, status=Member.Status.ACTIVE
            ).exists()
            or Seat.objects.filter(space=council, key=identity.public).exists()
        )
        if not seated:
            continue
        calls = Motion.objects.filter(
            space=council, kind="strike_call", status=Motion.Status.OPEN
        ).order_by("proposed_at", "event")
        plants = None
        for call in calls:
            needed = plants_needed(call.target)
            if needed is None:
                continue
            if plants is None:
                plants = counted_plants(council)
            if len(plants) >= needed and any(p.pledge == space for p in plants):
                with contextlib.suppress(RuleViolation):
                    signed.append(general_strike(identity, council, call.event))
    return signed


def trigger_strike(identity: Identity, space: str) -> Event | None:
    """The committee's strike call passes by itself: a ``pledge.strike`` event in the
    committee's space citing the verified result, whose rule checks that result. None
    when the pledge names no call, this node does not hold the committee, or the signer
    is not its member (another member's node signs it then: anyone may, nobody decides)."""
    from veche.apps.committees.models import Member, Motion

    pledge = Pledge.objects.filter(space=space).first()
    if pledge is None or not pledge.crossed or not pledge.strike_call or not pledge.committee:
        return None
    open_call = Motion.objects.filter(
        space=pledge.committee, event=pledge.strike_call, status=Motion.Status.OPEN
    ).exists()
    member = Member.objects.filter(
        space=pledge.committee, key=identity.public, status=Member.Status.ACTIVE
    ).exists()
    if not open_call or not member:
        return None
    return record(
        identity,
        space=pledge.committee,
        kind="pledge.strike",
        body={"pledge": space, "result": pledge.result_event},
        deps=[pledge.result_event],
    )


def verify_stored_pledge(space: str) -> PledgeReport:
    """Verify the record as offered for download, cached by the record's hash."""
    import hashlib

    from django.core.cache import cache

    data = export_record(space)
    key = "pledge-verify:" + hashlib.blake2b(data, digest_size=32).hexdigest()
    report: PledgeReport | None = cache.get(key)
    if report is None:
        lines = data[:-1].split(b"\n") if data else []
        report = verify_record(lines)
        cache.set(key, report, timeout=None)
    return report


def pledge_exists(space: str) -> bool:
    return Pledge.objects.filter(space=space).exists()
