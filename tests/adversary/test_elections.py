"""Issue 11, attack 3: forged committee elections.

A non-member used to create a valid election whose creation named a committee and
one of its real motions: the committee's page listed it among its elections, decided,
and its result page said "Verified". Now an election's creation cites the close of
the committee's passed ``election`` motion that called it (format election-v1 §11);
every node that holds the committee's log checks the closer, the motion and the roll
(not only the web action), a node that does not says it cannot check the call and
never lists the election as the committee's, and ``veche election verify`` says
plainly that the record alone cannot show the call.

Everything arrives by public paths: ingest of raw bytes and ``veche log import``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from tests.adversary.helpers import stranger, wipe_store, write_lines
from tests.apps.elections.helpers import OPTIONS, NodeElection, call_election, setup_election
from tests.factories import World

from veche.apps.committees import actions as committees
from veche.apps.committees.models import Motion
from veche.apps.elections import actions
from veche.apps.elections.kinds import state_of
from veche.apps.elections.models import Election
from veche.apps.store.context import Context
from veche.apps.store.log import ingest, rebuild, state_digest
from veche.apps.store.models import StoredEvent
from veche.crypto.ballot import encrypt_ballot
from veche.election.offline import TrusteeKeys
from veche.election.record import verify_record
from veche.events import Event, Identity, RuleViolation, build_event

pytestmark = pytest.mark.django_db
MEMBERS = ("Zubr", "Rusalka", "Busel", "Lyn")
FORGED_TITLE = "Chair of the strike committee (the real one)"


# -- the honest history and the forger's events ------------------------------------------------


def _committee() -> tuple[World, str]:
    world = World()
    return world, world.committee("Sokol", MEMBERS, name="MTZ strike committee")


def _close_of(motion: str) -> str:
    return Motion.objects.get(event=motion).close_event


def _body(
    committee: str, motion: str, close: str, keys: Sequence[str], trustees: Sequence[TrusteeKeys]
) -> dict[str, Any]:
    return {
        "type": "election",
        "title": FORGED_TITLE,
        "questions": [{"text": "Who chairs?", "options": OPTIONS, "min": 1, "max": 1}],
        "method": "plurality",
        "seats": 1,
        "electorate": [{"keys": [key]} for key in keys],
        "trustees": [{"key": t.identity.public, "box": t.box_public} for t in trustees],
        "threshold": 2,
        "public_board": True,
        "committee": committee,
        "motion": motion,
        "call": close,
    }


def _create(who: Identity, body: dict[str, Any]) -> Event:
    """A correctly signed creation citing the committee's close, as the rules ask."""
    return build_event(
        who, space=None, seq=1, prev=None, kind="space.create", body=body, deps=[body["call"]]
    )


def _reason(event: Event) -> str:
    return str(StoredEvent.objects.get(id=event.id).reason)


def _status(event: Event) -> str:
    return str(StoredEvent.objects.get(id=event.id).status)


def _client(identity: Identity, name: str, signed_in: Callable[[Identity, str], Client]) -> Client:
    return signed_in(identity, name)


def _listed(client: Client, committee: str) -> str:
    page = client.get(reverse("elections:committee", args=[committee]))
    assert page.status_code == 200
    return page.content.decode()


# -- a non-member's election naming a committee and its real motion ---------------------------------


@pytest.mark.parametrize("cited", ["election", "strike_call"])
def test_a_non_members_election_citing_a_real_motion_is_refused_where_the_log_is_held(
    cited: str, signed_in: Callable[[Identity, str], Client]
) -> None:
    world, committee = _committee()
    if cited == "election":
        motion = call_election(world, committee, ("Sokol", *MEMBERS))
    else:
        motion = committees.propose(
            world.person("Sokol"), committee, kind="strike_call", title="Strike", text="Monday."
        ).id
        for name in ("Sokol", *MEMBERS):
            committees.vote(world.person(name), committee, motion, choice="yes")
        committees.close(world.person("Sokol"), committee, motion)
    forger = stranger("election forger")
    # The forger names the real committee, its real passed motion and that motion's
    # close, and even copies the real members into the electorate.
    real = [world.person(n).public for n in ("Sokol", *MEMBERS)]
    forged = _create(forger, _body(committee, motion, _close_of(motion), real, _trustees()))
    outcome = ingest([forged.raw], source="provocateur").outcomes[0]
    assert outcome.status == "rejected"
    expected = "election-creator|author|" if cited == "election" else "election-call|body.motion|"
    assert _reason(forged).startswith(expected), _reason(forged)
    assert not Election.objects.filter(space=forged.id).exists()
    member = _client(world.person("Zubr"), "Zubr", signed_in)
    assert FORGED_TITLE not in _listed(member, committee)
    result = member.get(reverse("elections:result", args=[forged.id]))
    assert result.status_code == 404  # no such election on this node, let alone "Verified"


def test_a_forged_election_by_log_import_is_refused(
    cli: Any, tmp_path: Path, signed_in: Callable[[Identity, str], Client]
) -> None:
    world, committee = _committee()
    motion = call_election(world, committee, ("Sokol", *MEMBERS))
    forger = stranger("election forger")
    body = _body(committee, motion, _close_of(motion), [forger.public], _trustees())
    forged = _create(forger, body)
    path = write_lines(tmp_path / "forged.jsonl", [forged])
    # The operator takes the file and even names the forged space: the rules refuse it.
    code, out, err = cli("log", "import", path, f"--space={forged.id}")
    assert code == 0 and "1 rejected" in out, (out, err)
    assert "closed the motion that called the election" in err
    assert _status(forged) == "rejected"
    assert not Election.objects.filter(space=forged.id).exists()
    assert FORGED_TITLE not in _listed(_client(world.person("Zubr"), "Zubr", signed_in), committee)


def test_a_member_who_did_not_close_the_call_is_refused_too() -> None:
    world, committee = _committee()
    motion = call_election(world, committee, ("Sokol", *MEMBERS))  # Sokol closed it
    keys = [world.person(n).public for n in ("Sokol", *MEMBERS)]
    forged = _create(
        world.person("Zubr"), _body(committee, motion, _close_of(motion), keys, _trustees())
    )
    assert ingest([forged.raw], source="member").outcomes[0].status == "rejected"
    assert _reason(forged).startswith("election-creator|")


def test_a_close_of_another_committee_or_motion_is_refused() -> None:
    world, committee = _committee()
    motion = call_election(world, committee, ("Sokol", *MEMBERS))
    other = call_election(world, committee, ("Sokol", *MEMBERS))
    keys = [world.person(n).public for n in ("Sokol", *MEMBERS)]
    # The close of one call with the motion of another.
    mixed = _create(
        world.person("Sokol"), _body(committee, motion, _close_of(other), keys, _trustees())
    )
    assert ingest([mixed.raw], source="member").outcomes[0].status == "rejected"
    assert _reason(mixed).startswith("election-call|body.call|")
    # A creation naming a committee without citing any close.
    body = _body(committee, motion, _close_of(motion), keys, _trustees())
    bare = build_event(
        world.person("Sokol"), space=None, seq=1, prev=None, kind="space.create", body=body, deps=[]
    )
    assert ingest([bare.raw], source="member").outcomes[0].status == "rejected"
    assert _reason(bare).startswith("election-call|deps|")


# -- the roll --------------------------------------------------------------------------------------------


def test_a_roll_with_a_non_member_key_is_refused_on_every_path() -> None:
    world, committee = _committee()
    motion = call_election(world, committee, ("Sokol", *MEMBERS))
    close = _close_of(motion)
    sokol = world.person("Sokol")
    members = [world.person(n).public for n in ("Sokol", *MEMBERS)]
    sock = stranger("sock puppet").public
    # In the creation, signed by the member who closed the call, received as bytes.
    stuffed = _create(sokol, _body(committee, motion, close, [*members, sock], _trustees()))
    assert ingest([stuffed.raw], source="usb").outcomes[0].status == "rejected"
    assert _reason(stuffed).startswith("election-roll|body.electorate[5]|"), _reason(stuffed)
    # In the web action: refused before anything is stored.
    before = StoredEvent.objects.count()
    with pytest.raises(RuleViolation, match="no member's of the committee"):
        actions.create_election(
            sokol,
            committee=committee,
            motion=motion,
            title="Chair",
            questions=[{"text": "?", "options": OPTIONS, "min": 1, "max": 1}],
            method="plurality",
            seats=1,
            trustees=[(t.identity.public, t.box_public) for t in _trustees()],
            threshold=2,
            electorate=[{"keys": [k]} for k in (*members, sock)],
        )
    assert StoredEvent.objects.count() == before
    # In a later election.roll of an honest election.
    honest = _create(sokol, _body(committee, motion, close, members, _trustees()))
    assert ingest([honest.raw], source="usb").outcomes[0].status == "applied"
    roll = build_event(
        sokol,
        space=honest.id,
        seq=2,
        prev=honest.id,
        kind="election.roll",
        body={"voters": [{"keys": [sock]}]},
        deps=[],
    )
    assert ingest([roll.raw], source="usb").outcomes[0].status == "rejected"
    assert _reason(roll).startswith("election-roll|body.voters[0]|"), _reason(roll)
    assert Election.objects.get(space=honest.id).call_checked


def test_the_roll_is_the_membership_at_the_call_not_before_nor_now() -> None:
    world, committee = _committee()
    committees.leave(world.person("Lyn"), committee)  # left before the call
    motion = call_election(world, committee, ("Sokol", "Zubr", "Rusalka", "Busel"))
    committees.leave(world.person("Busel"), committee)  # left after the call
    close = _close_of(motion)
    sokol = world.person("Sokol")
    at_call = [world.person(n).public for n in ("Sokol", "Zubr", "Rusalka", "Busel")]
    assert sorted(v["keys"][0] for v in actions.committee_electorate(committee, close)) == sorted(
        at_call
    )
    with_lyn = _create(
        sokol,
        _body(committee, motion, close, [*at_call, world.person("Lyn").public], _trustees()),
    )
    assert ingest([with_lyn.raw], source="usb").outcomes[0].status == "rejected"
    assert _reason(with_lyn).startswith("election-roll|body.electorate[4]|")
    honest = actions.create_election(
        sokol,
        committee=committee,
        motion=motion,
        title="Chair",
        questions=[{"text": "?", "options": OPTIONS, "min": 1, "max": 1}],
        method="plurality",
        seats=1,
        trustees=[(t.identity.public, t.box_public) for t in _trustees()],
        threshold=2,
    )
    assert Election.objects.get(space=honest.id).call_checked
    # A replay from the events reaches the same verdicts (Busel's leaving sorts later).
    before = state_digest()
    rebuild()
    assert state_digest() == before
    assert _status(with_lyn) == "rejected" and _status(honest) == "applied"


# -- a node without the committee's log -------------------------------------------------------------


def _decided() -> tuple[NodeElection, list[bytes], list[bytes]]:
    election = setup_election(public_board=True)
    election.deal_all()
    sokol = election.world.person("Sokol")
    actions.open_election(sokol, election.space)
    for name, choice in (("Sokol", 0), ("Zubr", 1), ("Rusalka", 1)):
        election.cast(name, choice)
    actions.close_election(sokol, election.space)
    election.decrypt(1)
    election.decrypt(2)
    actions.publish_result(sokol, election.space)
    committee_log = [
        bytes(r)
        for r in StoredEvent.objects.filter(space=election.committee)
        .order_by("height", "id")
        .values_list("raw", flat=True)
    ]
    return election, committee_log, election.lines()


def test_a_node_without_the_committee_log_says_it_cannot_check_the_call(
    signed_in: Callable[[Identity, str], Client],
) -> None:
    election, committee_log, record = _decided()
    space, committee = election.space, election.committee
    wipe_store()
    report = ingest(record, source="usb")
    assert report.summary() == {"applied": len(record)}, report.summary()
    row = Election.objects.get(space=space)
    assert row.stage == "decided" and row.committee == committee and not row.call_checked
    voter = _client(election.world.person("Zubr"), "Zubr", signed_in)
    result = voter.get(reverse("elections:result", args=[space])).content.decode()
    assert 'data-verified="yes"' in result  # the record itself verifies
    assert 'data-call="unchecked"' in result and "cannot check that call" in result
    detail = voter.get(reverse("elections:detail", args=[space])).content.decode()
    assert 'data-call="unchecked"' in detail
    assert not Election.objects.filter(committee=committee, call_checked=True).exists()
    # The committee's log arrives: the call is checked, and it is the committee's election.
    ingest(committee_log, source="usb")
    row = Election.objects.get(space=space)
    assert row.call_checked and row.stage == "decided" and row.counts == [1, 2, 0]
    assert row.title in _listed(voter, committee)
    result = voter.get(reverse("elections:result", args=[space])).content.decode()
    assert 'data-call="checked"' in result and 'data-verified="yes"' in result


def test_a_forged_election_runs_unlisted_without_the_log_and_is_refused_when_it_arrives(
    signed_in: Callable[[Identity, str], Client],
) -> None:
    world, committee = _committee()
    motion = call_election(world, committee, ("Sokol", *MEMBERS))
    committee_log = [
        bytes(r)
        for r in StoredEvent.objects.filter(space=committee)
        .order_by("height", "id")
        .values_list("raw", flat=True)
    ]
    forger = stranger("election forger")
    forged = _create(
        forger, _body(committee, motion, _close_of(motion), [forger.public], _trustees())
    )
    wipe_store()
    assert ingest([forged.raw], source="usb").outcomes[0].status == "applied"
    row = Election.objects.get(space=forged.id)
    assert not row.call_checked
    page = _client(forger, "Forger", signed_in).get(reverse("elections:result", args=[forged.id]))
    text = page.content.decode()
    assert 'data-call="unchecked"' in text and "cannot check that call" in text
    ingest(committee_log, source="usb")
    assert _status(forged) == "rejected"
    assert _reason(forged).startswith("election-creator|")
    assert not Election.objects.filter(space=forged.id).exists()


# -- the order of an election's events is the same with or without the committee's log ------------


def test_parentless_ballots_cannot_make_the_node_and_the_verifier_disagree() -> None:
    """The create sorts after the committee's close on a node holding that log, at 0 in
    the verifier. A voter's ballots that do not follow the create would sort before it
    on the node (refused) and after the open in the verifier (counted): the rules refuse
    them everywhere, so both count the same."""
    election = setup_election()
    election.deal_all()
    sokol, lyn = election.world.person("Sokol"), election.world.person("Lyn")
    actions.open_election(sokol, election.space)
    create_height = StoredEvent.objects.get(id=election.space).height
    assert create_height and create_height > 3  # after the committee's close
    crypto = state_of(Context(), election.space).crypto_election()
    chain: list[Event] = []
    for _ in range(create_height + 8):  # reaching above the open in the verifier's order
        ballot, _ = encrypt_ballot(crypto, [[0, 0, 1]])
        chain.append(
            build_event(
                lyn,
                space=election.space,
                seq=len(chain) + 1,
                prev=chain[-1].id if chain else None,
                kind="ballot.cast",
                body={"ballot": ballot.to_json()},
                deps=[],
            )
        )
    outcomes = ingest([e.raw for e in chain], source="usb").outcomes
    assert {o.status for o in outcomes} == {"rejected"}
    election.cast("Zubr", 1)
    actions.close_election(sokol, election.space)
    election.decrypt(1)
    election.decrypt(2)
    actions.publish_result(sokol, election.space)
    assert Election.objects.get(space=election.space).counts == [0, 1, 0]
    report = verify_record(election.lines())
    assert report.ok and report.counts == (0, 1, 0), report
    refused = {r.event: r.reason for r in report.refused}
    assert all("[parents]" in refused[e.id] for e in chain)


def _trustees(n: int = 3) -> list[TrusteeKeys]:
    return [TrusteeKeys.generate() for _ in range(n)]
