"""A crossed-only pledge (pledge-v1 §7) on the node: trustees' rounds and decryptions
signed offline and ingested, forged steps refused through ingest with their reasons,
the result without a total, the exported record verified with no database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from tests.factories import World

from veche.apps.elections import actions, pledge_actions
from veche.apps.elections.models import Pledge
from veche.apps.elections.pledges import state_of
from veche.apps.store.context import Context
from veche.apps.store.log import rebuild, record, state_digest
from veche.crypto.ballot import encrypt_ballot
from veche.election import offline
from veche.election.offline import TrusteeKeys
from veche.events import RuleViolation
from veche.events.envelope import build_event
from veche.pledge import reveal
from veche.pledge.offline import blind_events, reveal_decryption_events
from veche.pledge.record import verify_record

pytestmark = pytest.mark.django_db

MEMBERS = ("Zubr", "Rusalka", "Busel", "Lyn")


def _lines(space):
    return actions.export_record(space)[:-1].split(b"\n")


def _ingest(space, events):
    report = actions.ingest_file(space, b"".join(e.raw + b"\n" for e in events), source="test")
    return [o.status for o in report.outcomes], report


def _sealed(space, value):
    state = state_of(Context(), space)
    ballot, _ = encrypt_ballot(state.crypto_election(), [[value]])
    return ballot.to_json()


def _closed(pledges, needed=3):
    world = World()
    committee = world.committee("Sokol", MEMBERS)
    trustees = [TrusteeKeys.generate() for _ in range(3)]
    deadline = datetime.now(UTC) + timedelta(hours=1)
    event = pledge_actions.create_pledge(
        world.person("Sokol"),
        title="Strike if 3 of us do",
        workplace="MTZ",
        strike_date="2020-08-26",
        deadline=deadline.strftime("%Y-%m-%dT%H:%M:%SZ"),
        trustees=[(t.identity.public, t.box_public) for t in trustees],
        threshold=2,
        needed=needed,
        committee=committee,
        strike_call="A" * 43,
        reveal="crossed",
    )
    space = event.id
    for keys in trustees:
        assert _ingest(space, [offline.dealing_event(_lines(space), keys)])[0] == ["applied"]
    pledge_actions.open_pledge(world.person("Sokol"), space)
    for name in MEMBERS[:pledges]:
        pledge_actions.make_pledge(world.person(name), space, _sealed(space, 1))
    pledge_actions.close_pledge(world.person("Sokol"), space, at=deadline)
    return world, space, trustees


def test_crossed_only_pledge_on_the_node_reveals_the_bit_and_no_total():
    world, space, trustees = _closed(3)
    # Decrypting the total is refused in this mode.
    with pytest.raises(offline.OfflineError):
        reveal_decryption_events(_lines(space), trustees[0])
    total = offline.partial_decryption_event(_lines(space), trustees[0])
    statuses, report = _ingest(space, [total])
    assert statuses == ["rejected"] and report.outcomes[0].reason.startswith("reveal|")
    # Decryptions before enough rounds: refused.
    assert _ingest(space, blind_events(_lines(space), trustees[2]))[0] == ["applied"]
    state = state_of(Context(), space)
    assert state.key is not None
    early = reveal.decrypt_bodies(
        space, state.key, 2, _secret(state, trustees[1], 2), state.reveal.rounds[-1][1]
    )[0]
    events, replayed = offline.load_record_state(_lines(space))
    ev = offline.next_event(events, trustees[1].identity, reveal.DECRYPT_KIND, early, replayed)
    statuses, report = _ingest(space, [ev])
    assert statuses == ["rejected"] and report.outcomes[0].reason.startswith("rounds|")
    # A repeated trustee: refused.
    again = blind_events(_lines(space), trustees[1])
    assert _ingest(space, again)[0] == ["applied"]
    with pytest.raises(offline.OfflineError):
        blind_events(_lines(space), trustees[1])
    with pytest.raises(RuleViolation) as caught:
        pledge_actions.publish_pledge_result(world.person("Sokol"), space)
    assert caught.value.rule == "threshold"
    for keys in trustees[:2]:
        assert _ingest(space, reveal_decryption_events(_lines(space), keys))[0] == ["applied"]
    # A forged "not reached" is refused.
    with pytest.raises(RuleViolation) as caught:
        record(world.person("Sokol"), space=space, kind="pledge.result", body={"crossed": False})
    assert caught.value.rule == "crossed"
    with pytest.raises(RuleViolation) as caught:
        record(
            world.person("Sokol"),
            space=space,
            kind="pledge.result",
            body={"crossed": True, "total": 3},
        )
    assert caught.value.rule == "total"
    pledge_actions.publish_pledge_result(world.person("Sokol"), space)
    row = Pledge.objects.get(space=space)
    assert (row.stage, row.total, row.crossed) == ("decided", None, True)
    verified = verify_record(_lines(space))
    assert verified.ok, verified.failure
    assert (verified.total, verified.crossed) == (None, True)
    before = state_digest()
    rebuild()
    assert state_digest() == before


def _secret(state, keys, index):
    from veche.crypto.threshold import trustee_secret

    return trustee_secret(offline._shares(state, keys, index)[0])


def test_a_tampered_round_is_refused_through_ingest_and_stores_nothing():
    _world, space, trustees = _closed(2)
    (event,) = blind_events(_lines(space), trustees[0])
    body = dict(event.body)
    body["shuffled"] = [body["shuffled"][1], body["shuffled"][0], *body["shuffled"][2:]]
    forged = build_event(
        trustees[0].identity,
        space=space,
        seq=event.seq,
        prev=event.prev,
        kind=event.kind,
        body=body,
        deps=list(event.deps),
    )
    statuses, report = _ingest(space, [forged])
    assert statuses == ["rejected"] and report.outcomes[0].reason.startswith("shuffle|")
    assert Pledge.objects.get(space=space).reveal == {}


def _resigned(space, keys, body):
    """``body`` signed by ``keys`` on top of everything the node holds now."""
    events, replayed = offline.load_record_state(_lines(space))
    return offline.next_event(events, keys.identity, reveal.BLIND_KIND, body, replayed)


def test_another_trustees_first_part_does_not_stall_a_round_through_ingest():
    # needed 150: a round travels in two parts. Trustee 2's first part, arriving between
    # trustee 1's two, used to drop trustee 1's round; a trustee could so stall them all.
    _world, space, trustees = _closed(2, needed=150)
    honest = blind_events(_lines(space), trustees[0])
    assert [e.body["part"] for e in honest] == [0, 1]
    assert _ingest(space, [honest[0]])[0] == ["applied"]
    griefer = blind_events(_lines(space), trustees[1])
    assert _ingest(space, [griefer[0]])[0] == ["applied"]
    assert _ingest(space, [_resigned(space, trustees[0], honest[1].body)])[0] == ["applied"]
    state = state_of(Context(), space)
    assert [t for t, _ in state.reveal.rounds] == [1]
    assert not state.reveal.pending
    statuses, report = _ingest(space, [_resigned(space, trustees[1], griefer[1].body)])
    assert statuses == ["rejected"] and report.outcomes[0].reason.startswith("round|")
    before = state_digest()
    rebuild()
    assert state_digest() == before
