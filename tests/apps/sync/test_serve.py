"""The serving side answers only for the spaces a session may hold."""

from __future__ import annotations

import pytest
from tests.factories import World

from veche.apps.committees import actions
from veche.apps.store.log import rebuild
from veche.apps.store.models import StoredEvent
from veche.apps.sync.service import _answer, authorize
from veche.sync.session import Session, decode_frame, encode_frame
from veche.sync.vector import encode_vector_lines

pytestmark = pytest.mark.django_db


def _world() -> tuple[World, str, str]:
    world = World()
    mine = world.committee("Sokol", ("Zubr",), name="Mine")
    other = world.committee("Lis", name="Not Zubr's")
    actions.post(world.person("Lis"), other, "internal matter")
    return world, mine, other


def _session(*spaces: str, members: tuple[str, ...] = ()) -> Session:
    return Session("ticket", b"s" * 32, b"r" * 32, "N" * 43, tuple(spaces), members)


def _raws(space: str) -> list[bytes]:
    return [bytes(r) for r in StoredEvent.objects.filter(space=space).values_list("raw", flat=True)]


def test_authorize_names_only_the_members_spaces() -> None:
    world, mine, other = _world()
    assert authorize([world.person("Zubr").public]) == [mine]
    assert authorize([world.person("Nobody").public]) == []
    assert set(authorize([world.person("Zubr").public, world.person("Lis").public])) == {
        mine,
        other,
    }


def test_want_answers_only_allowed_spaces_even_if_asked_for_others() -> None:
    _, mine, other = _world()
    ask = encode_frame(
        {"v": 1, "type": "want", "after": None, "limit": {"events": 1000, "bytes": 10**7}},
        encode_vector_lines({mine: {}, other: {}}, "authors"),
    )
    header, events = decode_frame(_answer(_session(mine), ask))
    assert header["more"] is False
    assert set(events) == set(_raws(mine))


def test_get_and_ids_leave_out_other_spaces() -> None:
    world, mine, other = _world()
    ids = list(StoredEvent.objects.values_list("id", flat=True))
    _, events = decode_frame(
        _answer(_session(mine), encode_frame({"v": 1, "type": "get"}, [i.encode() for i in ids]))
    )
    assert set(events) == set(_raws(mine))
    lis = world.person("Lis").public
    asked = {"v": 1, "type": "ids", "authors": [[other, lis], [mine, lis]]}
    _, lines = decode_frame(_answer(_session(mine), encode_frame(asked)))
    assert lines == []


def test_push_refuses_events_of_spaces_the_peer_may_not_hold() -> None:
    # The gate decides by the member keys the peer proved (apps/sync/gate.py).
    world, mine, other = _world()
    zubr, lis = world.person("Zubr").public, world.person("Lis").public
    theirs = _raws(other)
    StoredEvent.objects.filter(space=other).delete()
    rebuild()
    header, _ = decode_frame(
        _answer(_session(mine, members=(zubr,)), encode_frame({"v": 1, "type": "push"}, theirs))
    )
    assert header["refused"] == len(theirs)
    assert not StoredEvent.objects.filter(space=other).exists()
    # Lis founded the other committee: the pushed log itself shows Lis may hold it.
    header, _ = decode_frame(
        _answer(_session(other, members=(lis,)), encode_frame({"v": 1, "type": "push"}, theirs))
    )
    assert header["refused"] == 0 and header["summary"]["applied"] == len(theirs)
