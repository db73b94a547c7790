"""Equivocations and late events never undo decisions others built on (event-v1 §14)."""

from __future__ import annotations

import pytest
from tests.factories import World

from veche.apps.committees import actions
from veche.apps.committees.models import Member, Motion
from veche.apps.store.log import ingest, rebuild, state_digest
from veche.apps.store.models import EquivocationRecord, StoredEvent
from veche.events import build_event

pytestmark = pytest.mark.django_db


def _world():
    w = World()
    space = w.committee("Sokol", ("Zubr", "Rusalka"))
    m = actions.propose(w.person("Zubr"), space, kind="general", title="Strike now", text="Mon").id
    for p in ("Sokol", "Zubr", "Rusalka"):
        actions.vote(w.person(p), space, m, choice="yes")
    actions.close(w.person("Zubr"), space, m)
    return w, space, m


def test_founder_fork_seq1_keeps_everything():
    w, space, m = _world()
    before = state_digest()
    fork = build_event(
        w.person("Sokol"), space=space, seq=1, prev=None, deps=[], kind="member.leave", body={}
    )
    report = ingest([fork.raw], source="attack")
    assert report.outcomes[0].status == "held", report.outcomes
    assert Motion.objects.get(event=m).status == "passed"
    assert Member.objects.filter(space=space, status="active").count() == 3
    assert EquivocationRecord.objects.filter(space=space).exists()
    after = state_digest()
    rebuild()
    assert state_digest() == after
    assert before != after


def test_member_fork_at_seq2():
    w, space, m = _world()
    zubr = w.person("Zubr")
    first = StoredEvent.objects.get(space=space, author=zubr.public, seq=1)
    fork = build_event(
        zubr, space=space, seq=2, prev=first.id, deps=[space], kind="member.leave", body={}
    )
    report = ingest([fork.raw], source="attack")
    assert report.outcomes[0].status == "held", report.outcomes
    assert Motion.objects.get(event=m).status == "passed"
    assert Member.objects.filter(space=space, status="active").count() == 3
    d = state_digest()
    rebuild()
    assert state_digest() == d


def test_backdated_leave_does_not_flip_close():
    w, space, m = _world()
    rusalka = w.person("Rusalka")
    last = StoredEvent.objects.filter(space=space, author=rusalka.public).order_by("-seq").first()
    late = build_event(
        rusalka,
        space=space,
        seq=last.seq + 1,
        prev=last.id,
        deps=[space],
        kind="member.leave",
        body={},
    )
    ingest([late.raw], source="late")
    assert Motion.objects.get(event=m).status == "passed"
    close = StoredEvent.objects.get(space=space, kind="motion.close")
    assert close.status == "applied"
    d = state_digest()
    rebuild()
    assert state_digest() == d


def test_a_motion_accepts_one_branch_of_a_fork():
    """Nobody built on either side of a fork: both are held until the committee
    accepts one by motion; then that side counts and the other stays held."""
    w, space, _ = _world()
    rusalka = w.person("Rusalka")
    last = StoredEvent.objects.filter(space=space, author=rusalka.public).order_by("-seq").first()
    one = build_event(
        rusalka, space=space, seq=last.seq + 1, prev=last.id, deps=[space],
        kind="space.post", body={"text": "we strike on Monday"},
    )  # fmt: skip
    two = build_event(
        rusalka, space=space, seq=last.seq + 1, prev=last.id, deps=[space],
        kind="space.post", body={"text": "we strike on Tuesday"},
    )  # fmt: skip
    ingest([one.raw, two.raw], source="fork")
    assert {StoredEvent.objects.get(id=e.id).status for e in (one, two)} == {"held"}
    motion = actions.propose(
        w.person("Sokol"),
        space,
        kind="equivocation",
        title="Rusalka's Monday post stands",
        text="She confirmed it in person",
        target={"key": rusalka.public, "event": one.id},
    ).id
    for name in ("Sokol", "Zubr"):
        actions.vote(w.person(name), space, motion, choice="yes")
    actions.close(w.person("Sokol"), space, motion)
    assert StoredEvent.objects.get(id=one.id).status == "applied"
    assert StoredEvent.objects.get(id=two.id).status == "held"
    digest = state_digest()
    rebuild()
    assert state_digest() == digest
