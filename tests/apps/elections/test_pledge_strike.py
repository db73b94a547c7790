"""A pledge that triggers: when its verified result reaches the target, the strike call
it names passes by itself (a ``pledge.strike`` event whose rule checks that result), the
workplace's strike status changes from the strike date and the strike map shows it. A
pledge that falls short passes nothing, and no one can pass it with a forged event."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from tests.factories import World

from veche.apps.committees import actions as committees
from veche.apps.committees.models import Motion
from veche.apps.elections import actions, pledge_actions
from veche.apps.elections.models import Pledge
from veche.apps.elections.pledges import state_of
from veche.apps.store.context import Context
from veche.apps.store.log import rebuild, record, state_digest
from veche.apps.strike import access as strike_access
from veche.apps.strike import actions as strike
from veche.apps.strike.models import Workplace
from veche.crypto.ballot import encrypt_ballot
from veche.election import offline
from veche.election.offline import TrusteeKeys
from veche.events import RuleViolation

pytestmark = pytest.mark.django_db

MEMBERS = ("Zubr", "Rusalka", "Busel", "Lyn", "Bobr")


def _lines(space):
    data = actions.export_record(space)
    return data[:-1].split(b"\n")


def _take(space, events):
    report = actions.ingest_file(space, b"".join(e.raw + b"\n" for e in events), source="test")
    assert all(o.status == "applied" for o in report.outcomes), report.outcomes


def _round(world, committee, call, workplace, pledges, needed=4):
    trustees = [TrusteeKeys.generate() for _ in range(3)]
    deadline = datetime.now(UTC) + timedelta(hours=1)
    space = pledge_actions.create_pledge(
        world.person("Sokol"),
        title="Belaruskali strikes from 26 August if 4 of us do",
        workplace="Belaruskali",
        strike_date="2020-08-26",
        deadline=deadline.strftime("%Y-%m-%dT%H:%M:%SZ"),
        trustees=[(t.identity.public, t.box_public) for t in trustees],
        threshold=2,
        needed=needed,
        committee=committee,
        strike_call=call,
        registry=workplace,
    ).id
    for keys in trustees:
        _take(space, [offline.dealing_event(_lines(space), keys)])
    pledge_actions.open_pledge(world.person("Sokol"), space)
    election = state_of(Context(), space).crypto_election()
    for name, value in pledges:
        ballot, _ = encrypt_ballot(election, [[value]])
        pledge_actions.make_pledge(world.person(name), space, ballot.to_json())
    pledge_actions.close_pledge(world.person("Sokol"), space, at=deadline)
    for keys in trustees[:2]:
        _take(space, [offline.partial_decryption_event(_lines(space), keys)])
    pledge_actions.publish_pledge_result(world.person("Sokol"), space)
    return Pledge.objects.get(space=space)


def test_a_crossed_pledge_passes_its_strike_call_and_sets_the_strike_on_the_map():
    world = World()
    committee = world.committee("Sokol", MEMBERS, name="Belaruskali strike committee")
    workplace = strike.register_workplace(
        world.person("Sokol"),
        committee,
        name="Belaruskali",
        city="Salihorsk",
        region="minsk",
        sector="mining",
        workforce=400,
    ).id
    call = committees.propose(
        world.person("Sokol"),
        committee,
        kind="strike_call",
        title="Strike from 26 August",
        text="All out.",
    ).id
    # Round 1: five pledge, one withdraws: 4 of 5 needed, not crossed; the call stays open.
    first = _round(
        world,
        committee,
        call,
        workplace,
        [("Zubr", 1), ("Rusalka", 1), ("Busel", 1), ("Lyn", 1), ("Lyn", 0), ("Bobr", 1)],
        needed=5,
    )
    assert (first.total, first.crossed) == (4, False)
    assert Motion.objects.get(event=call).status == Motion.Status.OPEN
    with pytest.raises(RuleViolation) as caught:
        record(
            world.person("Zubr"),
            space=committee,
            kind="pledge.strike",
            body={"pledge": first.space, "result": first.result_event},
            deps=[first.result_event],
        )
    assert caught.value.rule == "pledge-result" and "did not reach" in str(caught.value)
    assert Workplace.objects.get(workplace=workplace).public_status == ""

    # Round 2: one more pledges: 5 of 5, the call passes by itself.
    second = _round(
        world,
        committee,
        call,
        workplace,
        [("Zubr", 1), ("Rusalka", 1), ("Busel", 1), ("Lyn", 1), ("Bobr", 1)],
        needed=5,
    )
    assert (second.total, second.crossed) == (5, True)
    motion = Motion.objects.get(event=call)
    assert motion.status == Motion.Status.PASSED
    assert motion.result == {
        "passed": True,
        "kind": "pledge",
        "pledge": second.space,
        "total": 5,
        "needed": 5,
    }
    place = Workplace.objects.get(workplace=workplace)
    assert (place.public_status, place.public_day, place.public_out_per_mille) == (
        "full_strike",
        "2020-08-26",
        1000,
    )
    marker = next(m for m in strike_access.markers(None) if m.id == workplace)
    assert marker.status == "full_strike" and marker.workers_out == 400
    # Passing it twice is refused: the call is no longer open.
    with pytest.raises(RuleViolation) as caught:
        pledge_actions.trigger_strike(world.person("Zubr"), second.space) or record(
            world.person("Zubr"),
            space=committee,
            kind="pledge.strike",
            body={"pledge": second.space, "result": second.result_event},
            deps=[second.result_event],
        )
    assert caught.value.rule == "motion"
    before = state_digest()
    rebuild()
    assert state_digest() == before
    assert Motion.objects.get(event=call).status == Motion.Status.PASSED


def test_a_pledge_of_keys_that_are_not_the_committees_members_passes_nothing():
    """A member opens a pledge for sock-puppet keys of their own and reaches its target:
    the result stands (it is what those keys pledged) but the strike call does not pass."""
    from veche.events import Identity

    world = World()
    committee = world.committee("Sokol", MEMBERS)
    call = committees.propose(
        world.person("Sokol"), committee, kind="strike_call", title="Strike", text="All out."
    ).id
    puppets = [Identity.generate() for _ in range(3)]
    trustees = [TrusteeKeys.generate() for _ in range(2)]
    deadline = datetime.now(UTC) + timedelta(hours=1)
    space = pledge_actions.create_pledge(
        world.person("Sokol"),
        title="Strike if 3 of us do",
        workplace="MTZ",
        strike_date="2020-08-26",
        deadline=deadline.strftime("%Y-%m-%dT%H:%M:%SZ"),
        trustees=[(t.identity.public, t.box_public) for t in trustees],
        threshold=2,
        needed=3,
        committee=committee,
        strike_call=call,
        electorate=[{"keys": [p.public]} for p in puppets],
    ).id
    for keys in trustees:
        _take(space, [offline.dealing_event(_lines(space), keys)])
    pledge_actions.open_pledge(world.person("Sokol"), space)
    election = state_of(Context(), space).crypto_election()
    for puppet in puppets:
        ballot, _ = encrypt_ballot(election, [[1]])
        pledge_actions.make_pledge(puppet, space, ballot.to_json())
    pledge_actions.close_pledge(world.person("Sokol"), space, at=deadline)
    for keys in trustees:
        _take(space, [offline.partial_decryption_event(_lines(space), keys)])
    pledge_actions.publish_pledge_result(world.person("Sokol"), space)
    pledge = Pledge.objects.get(space=space)
    assert (pledge.total, pledge.crossed) == (3, True)
    assert Motion.objects.get(event=call).status == Motion.Status.OPEN
    with pytest.raises(RuleViolation) as caught:
        record(
            world.person("Sokol"),
            space=committee,
            kind="pledge.strike",
            body={"pledge": space, "result": pledge.result_event},
            deps=[pledge.result_event],
        )
    assert caught.value.rule == "pledge-electorate"
