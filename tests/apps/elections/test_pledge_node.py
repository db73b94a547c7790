"""Secret strike pledges through the node's write path: the real actions, rules and
projections, trustees signing offline, the exported record verified with no database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from tests.factories import World

from veche.apps.elections import actions, pledge_actions
from veche.apps.elections.models import Ballot, Election, Pledge
from veche.apps.elections.pledges import state_of
from veche.apps.store.context import Context
from veche.apps.store.log import rebuild, state_digest
from veche.crypto.ballot import encrypt_ballot
from veche.election import offline
from veche.election.offline import TrusteeKeys
from veche.events import Identity, RuleViolation
from veche.pledge.record import verify_record

pytestmark = pytest.mark.django_db

MEMBERS = ("Zubr", "Rusalka", "Busel", "Lyn", "Bobr")


def _lines(space):
    data = actions.export_record(space)
    return data[:-1].split(b"\n")


def _take(space, events):
    report = actions.ingest_file(space, b"".join(e.raw + b"\n" for e in events), source="test")
    assert all(o.status == "applied" for o in report.outcomes), report.outcomes


def _sealed(space, value):
    state = state_of(Context(), space)
    ballot, _ = encrypt_ballot(state.crypto_election(), [[value]])
    return ballot.to_json()


def _open(world, committee, trustees, needed=4, deadline=None):
    deadline = deadline or (datetime.now(UTC) + timedelta(hours=1))
    event = pledge_actions.create_pledge(
        world.person("Sokol"),
        title="Strike from 26 August if 4 of us do",
        workplace="Belaruskali",
        shop="Mine 2",
        strike_date="2020-08-26",
        deadline=deadline.strftime("%Y-%m-%dT%H:%M:%SZ"),
        trustees=[(t.identity.public, t.box_public) for t in trustees],
        threshold=2,
        needed=needed,
        committee=committee,
        strike_call="A" * 43,
    )
    space = event.id
    for keys in trustees:
        _take(space, [offline.dealing_event(_lines(space), keys)])
    pledge_actions.open_pledge(world.person("Sokol"), space)
    return space, deadline


def test_a_pledge_on_the_node_from_opening_to_a_verified_result():
    world = World()
    committee = world.committee("Sokol", MEMBERS, name="Belaruskali strike committee")
    trustees = [TrusteeKeys.generate() for _ in range(3)]
    space, deadline = _open(world, committee, trustees)
    assert not Election.objects.filter(space=space).exists()
    for name in ("Zubr", "Rusalka", "Busel", "Lyn", "Bobr"):
        pledge_actions.make_pledge(world.person(name), space, _sealed(space, 1))
    pledge_actions.make_pledge(world.person("Lyn"), space, _sealed(space, 0))  # withdraws

    # Bad input through the public path: each refused with its reason, none counted.
    with pytest.raises(RuleViolation, match="only the pledge's members"):
        pledge_actions.make_pledge(Identity.generate(), space, _sealed(space, 1))
    copied = Ballot.objects.filter(space=space, counted=True).first().ballot
    with pytest.raises(RuleViolation) as caught:
        pledge_actions.make_pledge(world.person("Sokol"), space, copied)
    assert caught.value.rule == "ballot-copied"
    bad = _sealed(space, 1)
    bad["answers"][0]["choices"][0]["beta"] = _sealed(space, 1)["answers"][0]["choices"][0]["beta"]
    with pytest.raises(RuleViolation) as caught:
        pledge_actions.make_pledge(world.person("Sokol"), space, bad)
    assert caught.value.rule == "ballot"
    with pytest.raises(RuleViolation) as caught:
        pledge_actions.make_pledge(
            world.person("Sokol"), space, _sealed(space, 1), at=deadline + timedelta(seconds=1)
        )
    assert caught.value.rule == "deadline"
    with pytest.raises(RuleViolation) as caught:
        pledge_actions.close_pledge(world.person("Sokol"), space)
    assert caught.value.rule == "deadline"

    pledge_actions.close_pledge(world.person("Sokol"), space, at=deadline)
    for keys in trustees[:2]:
        _take(space, [offline.partial_decryption_event(_lines(space), keys)])
    pledge_actions.publish_pledge_result(world.person("Sokol"), space)
    row = Pledge.objects.get(space=space)
    assert (row.stage, row.total, row.crossed, row.needed, row.counted) == (
        "decided",
        4,
        True,
        4,
        5,
    )
    report = verify_record(_lines(space))
    assert report.ok, report.failure
    assert (report.total, report.crossed, report.workplace) == (4, True, "Belaruskali")
    assert pledge_actions.verify_stored_pledge(space).crossed is True
    # The projections are a function of the events.
    before = state_digest()
    rebuild()
    assert state_digest() == before


def test_a_forged_crossed_result_is_refused_on_the_node():
    world = World()
    committee = world.committee("Sokol", MEMBERS)
    trustees = [TrusteeKeys.generate() for _ in range(3)]
    space, deadline = _open(world, committee, trustees, needed=3)
    for name in ("Zubr", "Rusalka"):
        pledge_actions.make_pledge(world.person(name), space, _sealed(space, 1))
    pledge_actions.close_pledge(world.person("Sokol"), space, at=deadline)
    with pytest.raises(RuleViolation) as caught:
        pledge_actions.publish_pledge_result(world.person("Sokol"), space)
    assert caught.value.rule == "threshold"
    for keys in trustees[1:]:
        _take(space, [offline.partial_decryption_event(_lines(space), keys)])
    from veche.apps.store.log import record

    with pytest.raises(RuleViolation) as caught:
        record(
            world.person("Sokol"),
            space=space,
            kind="pledge.result",
            body={"total": 2, "crossed": True},
        )
    assert caught.value.rule == "crossed"
    pledge_actions.publish_pledge_result(world.person("Sokol"), space)
    assert Pledge.objects.get(space=space).crossed is False
