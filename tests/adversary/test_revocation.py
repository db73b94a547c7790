"""Issue 11, attack 4: a revoked key keeps signing.

Lis's phone is seized at the gate. The police sign with her key on a node nobody
syncs with; the committee revokes the key by a motion naming ``after_seq``, her last
good event. Per event-v1 §14.3, §14.4 and §14.7:

- the key's events with a seq above ``after_seq`` are held, unless an *applied*
  event of another person that does not have the revocation in its causal past
  built on them: an outsider's event, the key's own later events, another device
  of the same person, or anyone who had seen the revocation cannot make them count;
- an event of the key that another member built on before the revocation stays
  applied (finality), whatever arrives later;
- a fork at or below ``after_seq`` is an equivocation, held;
- the same holds for a device key revoked with ``key.revoke`` by its owner's older key;
- ``rebuild()`` gives the state that incremental ingest gave, in every arrival order
  and batch split.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest
from django.db import transaction
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from tests.adversary.helpers import (
    after,
    all_raws,
    at_seq,
    chain,
    decisions,
    deliver,
    equivocate,
    fork_first,
    honest_federation,
    is_flagged,
    last,
    outsider_post,
    reason_of,
    rebuild_agrees,
    says_equivocation,
    says_revoked,
    status_of,
    statuses,
    stranger,
    wipe_store,
)
from tests.factories import World

from veche.apps.committees import actions
from veche.apps.committees.models import Member, Post
from veche.apps.store.log import ingest, state_digest
from veche.events import Event, Identity, build_event

pytestmark = pytest.mark.django_db


@dataclass
class Seized:
    """MTZ (Sokol, Zubr, Rusalka, Lis, Busel); Lis posted twice before her phone was
    taken: ``after_seq`` is her last good event."""

    world: World
    space: str
    after_seq: int
    revocation: str = ""
    extra: list[Event] = field(default_factory=list)

    @property
    def lis(self) -> Identity:
        return self.world.person("Lis")

    def person(self, name: str) -> Identity:
        return self.world.person(name)


def _seized(world: World) -> Seized:
    space = world.committee("Sokol", ("Zubr", "Rusalka", "Lis", "Busel"), name="MTZ")
    actions.post(world.person("Lis"), space, "Assembly at 14:00 at gate 3.")
    actions.post(world.person("Lis"), space, "They are at the gate.")
    return Seized(world, space, last(space, world.person("Lis")).seq)


def _police(s: Seized, text: str, previous: Event | None = None) -> Event:
    """Signed with the seized key on a node that saw nothing after ``previous``."""
    previous = previous or at_seq(s.space, s.lis, s.after_seq)
    return after(s.lis, previous, body={"text": text})


def _revoke(s: Seized) -> str:
    """The committee's revocation motion, passed and closed: the revoking event."""
    motion = actions.propose(
        s.person("Sokol"),
        s.space,
        kind="revocation",
        title="Revoke Lis's seized key",
        text="Her phone was taken at the gate.",
        target={"key": s.lis.public, "after_seq": s.after_seq},
    ).id
    for name in ("Sokol", "Zubr", "Rusalka", "Busel"):
        actions.vote(s.person(name), s.space, motion, choice="yes")
    s.revocation = actions.close(s.person("Sokol"), s.space, motion).id
    return s.revocation


def _good(s: Seized) -> list[Event]:
    """Lis's events up to ``after_seq``: before the seizure."""
    return [e for e in chain(s.space, s.lis) if e.seq <= s.after_seq]


def _texts(space: str) -> set[str]:
    return set(Post.objects.filter(space=space).values_list("text", flat=True))


def _held_as_revoked(event: Event) -> None:
    assert status_of(event.id) == "held", reason_of(event.id)
    assert says_revoked(reason_of(event.id)), reason_of(event.id)


def test_a_seized_keys_events_above_after_seq_are_held(world: World) -> None:
    s = _seized(world)
    police = _police(s, "The strike is off. Everybody go home.")
    more = _police(s, "Bring weapons tomorrow.", previous=police)
    _revoke(s)
    before = decisions()
    report = ingest([police.raw, more.raw], source="the seized phone")
    assert [str(o.status) for o in report.outcomes] == ["held", "held"]
    _held_as_revoked(police)
    _held_as_revoked(more)
    assert decisions() == before
    assert Member.objects.get(space=s.space, key=s.lis.public).status == "revoked"
    assert all(status_of(e.id) == "applied" for e in _good(s))
    assert not _texts(s.space) & {
        "The strike is off. Everybody go home.",
        "Bring weapons tomorrow.",
    }
    assert "They are at the gate." in _texts(s.space)
    now, rebuilt = rebuild_agrees()
    assert now == rebuilt


def test_an_event_of_the_key_others_built_on_before_the_revocation_stays_applied(
    world: World,
) -> None:
    s = _seized(world)
    police = _police(s, "The assembly moves to the square.")
    assert str(ingest([police.raw], source="sync").outcomes[0].status) == "applied"
    seen = actions.post(s.person("Rusalka"), s.space, "Moving to the square.")
    assert police.id in seen.deps  # Rusalka's node named it: she built on it
    unseen = _police(s, "Bring weapons tomorrow.", previous=police)
    _revoke(s)
    ingest([unseen.raw], source="the seized phone")
    # Final: the revocation came after Rusalka had built on it.
    assert status_of(police.id) == "applied", reason_of(police.id)
    assert "The assembly moves to the square." in _texts(s.space)
    _held_as_revoked(unseen)
    now, rebuilt = rebuild_agrees()
    assert now == rebuilt


def test_an_event_built_on_only_after_the_revocation_stays_held(world: World) -> None:
    s = _seized(world)
    police = _police(s, "The strike is off.")
    revocation = _revoke(s)
    ingest([police.raw], source="the seized phone")
    _held_as_revoked(police)
    # Zubr's node has both the revocation and the police's post, and builds on both.
    zubr = s.person("Zubr")
    built = after(
        zubr, last(s.space, zubr), body={"text": "Is this real?"}, deps=[police.id, revocation]
    )
    assert str(ingest([built.raw], source="Zubr").outcomes[0].status) == "applied"
    _held_as_revoked(police)
    now, rebuilt = rebuild_agrees()
    assert now == rebuilt


def test_outsiders_and_the_key_itself_cannot_make_its_events_count(world: World) -> None:
    """An outsider's event (rejected) and the key's own later event name the police's
    post: neither is an applied event of another person."""
    s = _seized(world)
    police = _police(s, "The strike is off.")
    own = _police(s, "Really, it is off.", previous=police)
    outsider = build_event(
        stranger("police"),
        space=s.space,
        seq=1,
        prev=None,
        kind="space.post",
        body={"text": "Confirmed."},
        deps=[police.id],
    )
    _revoke(s)
    ingest([outsider.raw, own.raw, police.raw], source="the police")
    assert status_of(outsider.id) == "rejected"
    _held_as_revoked(police)
    _held_as_revoked(own)
    now, rebuilt = rebuild_agrees()
    assert now == rebuilt


def test_a_fork_at_or_below_after_seq_is_held_as_an_equivocation(world: World) -> None:
    s = _seized(world)
    _revoke(s)
    before, good = decisions(), _good(s)
    original = at_seq(s.space, s.lis, s.after_seq)
    at_after_seq = equivocate(s.lis, original, body={"text": "The strike is off."})
    at_one = fork_first(s.lis, s.space, deps=[s.space])
    ingest([at_after_seq.raw, at_one.raw], source="the seized phone")
    for fork in (at_after_seq, at_one):
        assert status_of(fork.id) == "held", reason_of(fork.id)
        assert says_equivocation(reason_of(fork.id)), reason_of(fork.id)
    assert is_flagged(s.space, s.lis, 1) and is_flagged(s.space, s.lis, s.after_seq)
    # Her good events were built on by everyone: they stay.
    assert [status_of(e.id) for e in good] == ["applied"] * len(good)
    assert decisions() == before
    now, rebuilt = rebuild_agrees()
    assert now == rebuilt


def _phone_committee(world: World) -> tuple[str, Identity, Identity]:
    space = world.committee("Sokol", ("Zubr", "Rusalka", "Busel"), name="MTZ")
    rusalka, phone = world.person("Rusalka"), world.person("Rusalka-phone")
    actions.add_device(rusalka, space, phone.public)
    return space, rusalka, phone


def test_a_device_key_revoked_by_its_owner_keeps_what_others_built_on(world: World) -> None:
    space, rusalka, phone = _phone_committee(world)
    seen = actions.post(phone, space, "From my phone: gate 3 at 14:00.")
    actions.post(world.person("Zubr"), space, "Gate 3, noted.")  # built on it
    unseen = after(phone, seen, body={"text": "Gate 3 is cancelled."})  # signed after the theft
    revoke = actions.revoke_own_key(rusalka, space, phone.public, 0)
    ingest([unseen.raw], source="the stolen phone")
    assert Member.objects.get(space=space, key=phone.public).status == "revoked"
    assert status_of(seen.id) == "applied", reason_of(seen.id)
    assert status_of(unseen.id) == "held", reason_of(unseen.id)
    assert says_revoked(reason_of(unseen.id))
    assert status_of(revoke.id) == "applied"
    now, rebuilt = rebuild_agrees()
    assert now == rebuilt


def test_only_another_person_can_make_a_revoked_keys_event_count(world: World) -> None:
    """The owner's main key built on the phone's post, then revoked the phone from seq 0:
    the owner is the same person, so the post is held; so is a post built on by
    someone who had seen the revocation."""
    space, rusalka, phone = _phone_committee(world)
    seen_by_owner = actions.post(phone, space, "Written on the phone.")
    mine = actions.post(rusalka, space, "And on my laptop.")
    assert seen_by_owner.id in mine.deps
    revoke = actions.revoke_own_key(rusalka, space, phone.public, 0)
    zubr = world.person("Zubr")
    late = after(zubr, last(space, zubr), body={"text": "?"}, deps=[seen_by_owner.id, revoke.id])
    ingest([late.raw], source="Zubr")
    assert status_of(late.id) == "applied"
    assert status_of(seen_by_owner.id) == "held", reason_of(seen_by_owner.id)
    assert status_of(mine.id) == "applied"
    now, rebuilt = rebuild_agrees()
    assert now == rebuilt


# -- every order ---------------------------------------------------------------------------------


_LOG: dict[str, Any] = {}  # the log, and the state it gives


def _everything() -> list[bytes]:
    """One log with every case above: built once, its bytes kept (the store is rolled
    back). It includes events that stay held, rejected or pending."""
    if "raws" not in _LOG:
        with transaction.atomic():
            world = World()
            s = _seized(world)
            acknowledged = _police(s, "The assembly moves to the square.")
            ingest([acknowledged.raw], source="sync")
            actions.post(s.person("Rusalka"), s.space, "Moving to the square.")
            space = s.space
            rusalka, phone = world.person("Rusalka"), world.person("Rusalka-phone")
            actions.add_device(rusalka, space, phone.public)
            seen = actions.post(phone, space, "From my phone.")
            actions.post(world.person("Zubr"), space, "Noted.")
            revocation = _revoke(s)
            device_revocation = actions.revoke_own_key(rusalka, space, phone.public, 0).id
            unseen = _police(s, "Bring weapons.", previous=acknowledged)
            zubr = world.person("Zubr")
            extra = [
                unseen,
                _police(s, "Really.", previous=unseen),
                after(phone, seen, body={"text": "Cancelled."}),
                after(zubr, last(space, zubr), body={"text": "?"}, deps=[unseen.id, revocation]),
                outsider_post(space, "Confirmed."),
                equivocate(s.lis, at_seq(space, s.lis, s.after_seq), body={"text": "Off."}),
                fork_first(s.lis, space, deps=[space]),
            ]
            ingest([e.raw for e in extra], source="late")
            actions.post(world.person("Busel"), space, "Minutes.")
            assert device_revocation
            _LOG["raws"] = all_raws()
            transaction.set_rollback(True)
    return _LOG["raws"]


def _expected(raws: list[bytes]) -> tuple[str, dict[str, str]]:
    """The state of a node that took the log in its order, in one batch (computed once);
    a rebuild of it gives the same."""
    if "expected" not in _LOG:
        wipe_store()
        ingest(raws, source="in order")
        now, rebuilt = rebuild_agrees()
        assert now == rebuilt
        _LOG["expected"] = (now, statuses())
    expected: tuple[str, dict[str, str]] = _LOG["expected"]
    return expected


@settings(
    max_examples=10,
    deadline=None,
    # No shrinking: each example delivers the log several times, and shrinking a
    # failure took minutes. Add Phase.shrink here to minimise one while debugging.
    phases=(Phase.explicit, Phase.reuse, Phase.generate),
    report_multiple_bugs=False,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(seed=st.integers(0, 2**32 - 1), batches=st.integers(1, 8))
def test_rebuild_equals_incremental_ingest_in_every_order(seed: int, batches: int) -> None:
    raws = _everything()
    with transaction.atomic():
        expected = _expected(raws)
        wipe_store()
        deliver(raws, seed=seed, batches=batches)
        assert (state_digest(), statuses()) == expected
        now, rebuilt = rebuild_agrees()
        assert now == rebuilt == expected[0]
        transaction.set_rollback(True)


@pytest.mark.parametrize("forker", ["phone", "owner"])
@pytest.mark.parametrize(("seed", "batches"), [(0, 1), (3, 3), (5, 2)])
def test_a_revoked_devices_post_others_built_on_stays_applied_in_every_order(
    forker: str, seed: int, batches: int
) -> None:
    """Rusalka's phone, revoked with ``key.revoke`` from its post on (``after_seq`` 1),
    posted once, and Busel, another person, built on it. Then the phone forks that
    post, or Rusalka's main key forks its last vote. The phone's post is at most suspect
    as an equivocation (it is not above ``after_seq``; the main key's fork is another
    author's), it is acknowledged, and it stays applied whatever the arrival order
    (found by test_properties.py: split deliveries held it)."""
    f = honest_federation(early_revocation=True)
    post = at_seq(f.mtz, f.phone, f.device_after)
    if forker == "phone":
        fork = equivocate(f.phone, post, body={"text": "Gate 3 is cancelled."})
    else:
        rusalka = f.person("Rusalka")
        vote = [e for e in chain(f.mtz, rusalka) if e.kind == "motion.vote"][-1]
        fork = equivocate(rusalka, vote, body={"text": "I never voted."})
    ingest([fork.raw], source="the stolen phone")
    assert status_of(post.id) == "applied", reason_of(post.id)
    assert status_of(fork.id) == "held" and says_equivocation(reason_of(fork.id))
    expected = (state_digest(), statuses())
    assert rebuild_agrees()[1] == expected[0]
    wipe_store()
    deliver([*f.raws, fork.raw], seed=seed, batches=batches)
    assert status_of(post.id) == "applied", reason_of(post.id)
    assert (state_digest(), statuses()) == expected
