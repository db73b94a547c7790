"""Elections through the node's write path: actions, rules, projections, record, rebuild."""

from __future__ import annotations

import random

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.apps.elections.helpers import run_election, setup_election

from veche.apps.elections import actions
from veche.apps.elections.models import Ballot, Election, Voter
from veche.apps.store.log import ingest, rebuild, state_digest
from veche.apps.store.models import MissingDependency, StoredEvent
from veche.election.record import verify_record
from veche.events import Identity, RuleViolation

pytestmark = pytest.mark.django_db

CHOICES = {"Sokol": 1, "Zubr": 1, "Rusalka": 0, "Busel": 2, "Lyn": 1}


def test_a_committee_election_from_creation_to_verified_result():
    election = run_election(CHOICES)
    row = Election.objects.get(space=election.space)
    assert row.stage == "decided"
    assert row.counts == [1, 3, 1]
    assert row.committee == election.committee
    # The electorate is the committee's members at creation: five people.
    assert Voter.objects.filter(space=election.space).count() == 5
    report = actions.verify_stored_election(election.space)
    assert report.ok, report.failure
    assert report.counts == (1, 3, 1)
    assert set(report.trackers) == set(
        Ballot.objects.filter(space=election.space).values_list("tracker", flat=True)
    )


def test_only_the_member_who_closed_the_call_creates_the_committees_election():
    election = setup_election()
    kwargs = {
        "committee": election.committee,
        "title": "Coup",
        "questions": [{"text": "?", "options": ["a", "b"], "min": 1, "max": 1}],
        "method": "plurality",
        "seats": 1,
        "trustees": [(t.identity.public, t.box_public) for t in election.trustees],
        "threshold": 2,
    }
    outsider = Identity.generate()
    with pytest.raises(RuleViolation, match="passed motion that called"):
        actions.create_election(outsider, **kwargs)
    for who in (outsider, election.world.person("Zubr")):
        with pytest.raises(RuleViolation, match="closed the motion"):
            actions.create_election(who, motion=election.motion, **kwargs)
    row = Election.objects.get(space=election.space)
    assert row.call_checked and row.body["motion"] == election.motion


def test_a_bad_ballot_is_refused_at_once_with_a_reason_and_nothing_is_stored():
    election = setup_election()
    election.deal_all()
    actions.open_election(election.world.person("Sokol"), election.space)
    before = StoredEvent.objects.count()
    with pytest.raises(RuleViolation) as caught:
        actions.cast_ballot(
            election.world.person("Zubr"), election.space, {"v": 1, "election": "x", "answers": []}
        )
    assert caught.value.field.startswith("body.ballot")
    assert StoredEvent.objects.count() == before
    with pytest.raises(RuleViolation, match="electorate"):
        election.world.person("Stranger")
        election.cast("Stranger", 0)


def test_a_re_vote_replaces_the_earlier_ballot():
    election = setup_election()
    election.deal_all()
    actions.open_election(election.world.person("Sokol"), election.space)
    first = election.cast("Zubr", 0)
    second = election.cast("Zubr", 2)
    assert dict(Ballot.objects.filter(space=election.space).values_list("tracker", "counted")) == {
        first: False,
        second: True,
    }


def test_rebuild_gives_the_same_state():
    election = run_election(CHOICES)
    before = state_digest(election.space)
    rebuild()
    assert state_digest(election.space) == before
    assert Election.objects.get(space=election.space).counts == [1, 3, 1]


def test_the_record_verifies_offline_and_fails_when_a_byte_changes():
    election = run_election(CHOICES)
    lines = election.lines()
    assert verify_record(lines).ok
    tampered = list(lines)
    tampered[-1] = tampered[-1].replace(b'"counts":[1,3,1]', b'"counts":[1,2,2]')
    assert tampered[-1] != lines[-1]
    assert not verify_record(tampered).ok


@settings(max_examples=6, deadline=None, suppress_health_check=list(HealthCheck))
@given(seed=st.integers(0, 2**32), batches=st.integers(1, 6))
def test_shuffled_arrival_of_an_elections_events_gives_the_same_state(seed, batches):
    with transaction.atomic():
        election = run_election({"Sokol": 0, "Zubr": 2, "Rusalka": 2})
        raws = [bytes(r) for r in StoredEvent.objects.values_list("raw", flat=True)]
        expected = state_digest()
        statuses = dict(StoredEvent.objects.values_list("id", "status"))
        StoredEvent.objects.all().delete()
        MissingDependency.objects.all().delete()
        rebuild()
        order = raws[:]
        random.Random(seed).shuffle(order)
        cuts = sorted(random.Random(seed ^ 7).sample(range(1, len(order)), batches - 1))
        for start, end in zip([0, *cuts], [*cuts, len(order)], strict=True):
            ingest(order[start:end], source="shuffled")
        assert dict(StoredEvent.objects.values_list("id", "status")) == statuses
        assert state_digest() == expected
        assert Election.objects.get(space=election.space).counts == [1, 0, 2]
        transaction.set_rollback(True)


def test_junk_signed_into_the_election_space_does_not_spoil_the_record():
    from veche.apps.store.models import StoredEvent as Stored
    from veche.events import build_event

    election = setup_election()
    election.deal_all()
    actions.open_election(election.world.person("Sokol"), election.space)
    election.cast("Zubr", 1)
    head = Stored.objects.filter(space=election.space).order_by("-height").first()
    junk = build_event(
        Identity.generate(),
        space=election.space,
        seq=1,
        prev=None,
        kind="ballot.cast",
        body={"ballot": {"v": 1}},
        deps=[head.id],
    )
    assert ingest([junk.raw], source="provocateur").outcomes[0].status == "rejected"
    # The creator's next event names the space's applied tips, never the refused junk.
    close = actions.close_election(election.world.person("Sokol"), election.space)
    assert junk.id not in close.deps
    election.decrypt(1)
    election.decrypt(2)
    actions.publish_result(election.world.person("Sokol"), election.space)
    report = verify_record(election.lines())
    assert report.ok, report.failure
    assert report.counts == (0, 1, 0)
    assert [r.event for r in report.refused] == [junk.id]


def test_a_late_offline_ballot_refuses_the_close_and_a_second_round_verifies():
    from veche.election import offline

    election = setup_election()
    election.deal_all()
    sokol = election.world.person("Sokol")
    actions.open_election(sokol, election.space)
    late, _, _ = offline.cast_event(election.lines(), election.world.person("Lyn"), [[0, 0, 1]])
    election.cast("Zubr", 1)
    actions.close_election(sokol, election.space)
    election.decrypt(1)
    election.decrypt(2)
    actions.publish_result(sokol, election.space)
    assert Election.objects.get(space=election.space).counts == [0, 1, 0]
    # The ballot signed before the close arrives now: it sorts before the close.
    assert ingest([late.raw], source="usb").outcomes[0].status == "applied"
    row = Election.objects.get(space=election.space)
    assert row.stage == "open" and row.counts is None
    actions.close_election(sokol, election.space)
    election.decrypt(1)
    election.decrypt(2)
    actions.publish_result(sokol, election.space)
    assert Election.objects.get(space=election.space).counts == [0, 1, 1]
    report = verify_record(election.lines())
    assert report.ok and report.counts == (0, 1, 1)
    assert {r.kind for r in report.refused} == {
        "election.close",
        "trustee.decrypt",
        "election.result",
    }
