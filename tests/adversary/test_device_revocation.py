"""Issue 11, attack 4 (first half): a seized device key cannot hijack its owner.

``key.revoke`` may revoke only a NEWER key of the same person: one whose
member.device comes later in the order than the revoker's key; the person's first
key is the oldest (event-v1 §14.4). A seized phone therefore cannot revoke its
owner's main key, the owner's revocation of the phone stands, and the two
revocations, signed concurrently, converge to one state in every arrival order. A
lost or seized main key is revoked by a committee ``revocation`` motion.
"""

from __future__ import annotations

import itertools

import pytest
from django.apps import apps as django_apps
from django.db import transaction
from tests.factories import World

from veche.apps.committees import actions
from veche.apps.committees.models import Member
from veche.apps.store.log import ingest, rebuild, state_digest
from veche.apps.store.models import StoredEvent
from veche.events import Event, Identity, RuleViolation, build_event, parse_event

pytestmark = pytest.mark.django_db


def _status(key: str) -> str:
    return str(Member.objects.get(key=key).status)


def _last(space: str, identity: Identity) -> Event | None:
    raw = (
        StoredEvent.objects.filter(space=space, author=identity.public)
        .order_by("-seq")
        .values_list("raw", flat=True)
        .first()
    )
    return None if raw is None else parse_event(bytes(raw), verify=False)


def _seq(space: str, identity: Identity) -> int:
    """The author's last seq in the space (0 if none)."""
    found = _last(space, identity)
    return 0 if found is None else found.seq


def _head(space: str) -> str:
    head = (
        StoredEvent.objects.filter(space=space, height__isnull=False)
        .order_by("-height", "-id")
        .values_list("id", flat=True)
        .first()
    )
    assert head is not None
    return str(head)


def _next(identity: Identity, space: str, kind: str, body: dict, deps: list[str]) -> Event:  # type: ignore[type-arg]
    """The author's next event in ``space``, naming only ``deps`` beside its ``prev``:
    signed without seeing anything newer (a seized phone, a partitioned node)."""
    previous = _last(space, identity)
    return build_event(
        identity,
        space=space,
        seq=previous.seq + 1 if previous else 1,
        prev=previous.id if previous else None,
        kind=kind,
        body=body,
        deps=sorted(d for d in set(deps) if previous is None or d != previous.id),
    )


def _raws() -> list[bytes]:
    placed = StoredEvent.objects.filter(height__isnull=False).order_by("height", "id")
    return [bytes(r) for r in placed.values_list("raw", flat=True)]


def _wipe() -> None:
    """Forget every event, as a fresh node: every store table emptied, projections too."""
    for model in django_apps.get_app_config("store").get_models():
        model.objects.all().delete()
    rebuild()


def _statuses() -> dict[str, str]:
    return {i: str(s) for i, s in StoredEvent.objects.values_list("id", "status")}


@pytest.fixture
def zubr() -> dict[str, object]:
    """MTZ: Sokol and Zubr; Zubr's main key added a phone; both wrote."""
    w = World()
    space = w.committee("Sokol", ("Zubr",), name="MTZ")
    main, phone = w.person("Zubr"), w.person("Zubr-phone")
    actions.add_device(main, space, phone.public)
    actions.post(phone, space, "Written on my phone.")
    actions.post(main, space, "Written on my laptop.")
    return {"w": w, "space": space, "main": main, "phone": phone}


def test_a_device_key_cannot_revoke_the_main_key(zubr: dict) -> None:  # type: ignore[type-arg]
    space, main, phone = zubr["space"], zubr["main"], zubr["phone"]
    before = state_digest()
    with pytest.raises(RuleViolation) as refused:
        actions.revoke_own_key(phone, space, main.public, 0)
    assert refused.value.rule == "revoke-newer"
    assert refused.value.field == "body.key"
    assert "revocation motion" in refused.value.message
    assert state_digest() == before
    assert not StoredEvent.objects.filter(kind="key.revoke").exists()
    assert _status(main.public) == "active"
    # Nor can a key revoke itself.
    with pytest.raises(RuleViolation) as refused:
        actions.revoke_own_key(phone, space, phone.public, 0)
    assert refused.value.rule == "revoke-other-device"


def test_the_main_key_revokes_the_device(zubr: dict) -> None:  # type: ignore[type-arg]
    space, main, phone = zubr["space"], zubr["main"], zubr["phone"]
    good = _seq(space, phone)
    actions.revoke_own_key(main, space, phone.public, good)
    assert _status(phone.public) == "revoked"
    assert _status(main.public) == "active"
    # The revoked phone is no member any more: its events are refused or held.
    with pytest.raises(RuleViolation):
        actions.post(phone, space, "The strike is over, go home.")
    actions.post(main, space, "Still here.")


def test_devices_revoke_only_newer_devices() -> None:
    """Main A adds B; B adds C; A adds D (after C). B may revoke C and D, C may revoke D;
    C may not revoke B or A; D may not revoke C. The same holds when the whole log
    arrives at a fresh node in one batch, and after a rebuild."""
    w = World()
    space = w.committee("Sokol", ("Ales",), name="MTZ")
    a, b, c, d = (w.person(n) for n in ("Ales", "Ales-b", "Ales-c", "Ales-d"))
    actions.add_device(a, space, b.public)
    actions.add_device(b, space, c.public)
    actions.add_device(a, space, d.public)
    for revoker, target in ((c, b), (c, a), (d, c), (d, b), (b, a)):
        with pytest.raises(RuleViolation) as refused:
            actions.revoke_own_key(revoker, space, target.public, 0)
        assert refused.value.rule == "revoke-newer"
    # The same refusals of events signed anyway and received (judged on arrival).
    head = _head(space)
    attempts = [
        _next(d, space, "key.revoke", {"key": c.public, "after_seq": 0}, [head]),
        _next(c, space, "key.revoke", {"key": b.public, "after_seq": 0}, [head]),
    ]
    report = ingest([e.raw for e in attempts], source="attempts")
    assert [o.status for o in report.outcomes] == ["rejected", "rejected"]
    assert all(o.reason.startswith("revoke-newer|body.key|") for o in report.outcomes)
    # The allowed ones, each from the revoked key's last event on.
    actions.revoke_own_key(c, space, d.public, _seq(space, d))
    actions.revoke_own_key(b, space, c.public, _seq(space, c))
    statuses = {k.public: _status(k.public) for k in (a, b, c, d)}
    assert statuses == {a.public: "active", b.public: "active", c.public: "revoked",
                        d.public: "revoked"}  # fmt: skip
    expected, kept = state_digest(), _statuses()
    # A fresh node receiving everything in one batch, then a rebuild, agree.
    raws = _raws()
    with transaction.atomic():
        _wipe()
        ingest(raws, source="one batch")
        assert _statuses() == kept
        assert state_digest() == expected
        rebuild()
        assert state_digest() == expected
        transaction.set_rollback(True)
    # And one event at a time, in the order.
    with transaction.atomic():
        _wipe()
        for raw in raws:
            ingest([raw], source="one by one")
        assert _statuses() == kept
        assert state_digest() == expected
        transaction.set_rollback(True)


def _concurrent_revocations(zubr: dict) -> tuple[list[bytes], list[Event]]:  # type: ignore[type-arg]
    """The phone is seized. Signed concurrently, neither seeing the other: the thief's
    key.revoke of the main key and a post after it, and the owner's key.revoke of the
    phone from its last good event on."""
    space, main, phone = zubr["space"], zubr["main"], zubr["phone"]
    good = _seq(space, phone)
    head = _head(space)
    base = _raws()
    theft = _next(phone, space, "key.revoke", {"key": main.public, "after_seq": 0}, [head])
    lie = build_event(
        phone,
        space=space,
        seq=theft.seq + 1,
        prev=theft.id,
        kind="space.post",
        body={"text": "The strike is over, go home."},
        deps=[],
    )
    answer = _next(main, space, "key.revoke", {"key": phone.public, "after_seq": good}, [head])
    return base, [theft, lie, answer]


def test_concurrent_revocations_converge_in_every_arrival_order(zubr: dict) -> None:  # type: ignore[type-arg]
    space, main, phone = zubr["space"], zubr["main"], zubr["phone"]
    base, (theft, lie, answer) = _concurrent_revocations(zubr)
    results: dict[tuple[str, ...], tuple[str, dict[str, str]]] = {}
    for order in itertools.permutations((theft, lie, answer)):
        for together in (False, True):
            with transaction.atomic():
                _wipe()
                assert ingest(base, source="base").summary() == {"applied": len(base)}
                if together:
                    ingest([e.raw for e in order], source="together")
                else:
                    for event in order:
                        ingest([event.raw], source="one by one")
                digest, statuses = state_digest(), _statuses()
                rebuild()
                assert state_digest() == digest, "rebuild() changed the state"
                assert _statuses() == statuses
                # The owner keeps the main key; the phone is revoked; the thief's
                # revocation and post have no effect.
                assert _status(main.public) == "active"
                assert _status(phone.public) == "revoked"
                assert statuses[answer.id] == "applied"
                assert statuses[theft.id] != "applied"
                assert statuses[lie.id] != "applied"
                results[(*(e.id for e in order), str(together))] = (digest, statuses)
                transaction.set_rollback(True)
    assert len({digest for digest, _ in results.values()}) == 1, results
    assert len({tuple(sorted(s.items())) for _, s in results.values()}) == 1
    # Everything in one batch, also shuffled with the base.
    with transaction.atomic():
        _wipe()
        everything = [*base, theft.raw, lie.raw, answer.raw]
        ingest(list(reversed(everything)), source="reversed")
        assert state_digest() == next(iter(results.values()))[0]
        transaction.set_rollback(True)
    del space


def test_the_thief_cannot_revoke_even_before_the_owner_answers(zubr: dict) -> None:  # type: ignore[type-arg]
    """Alone (the owner has not answered yet), the thief's key.revoke is refused: the
    owner's key stays a member and keeps signing."""
    space, main, phone = zubr["space"], zubr["main"], zubr["phone"]
    _base, (theft, _lie, _answer) = _concurrent_revocations(zubr)
    report = ingest([theft.raw], source="seized phone")
    assert report.outcomes[0].status == "rejected"
    assert "revoke-newer" in report.outcomes[0].reason
    assert _status(main.public) == "active"
    actions.post(main, space, "My phone was taken; do not trust it.")
    actions.revoke_own_key(main, space, phone.public, _seq(space, phone) - 1)
    assert _status(phone.public) == "revoked"


def test_a_revocation_motion_revokes_a_main_key(zubr: dict) -> None:  # type: ignore[type-arg]
    """Zubr's laptop (the main key) is seized; his phone cannot revoke it, the committee
    can. His phone stays his key in the committee."""
    w, space, main, phone = zubr["w"], zubr["space"], zubr["main"], zubr["phone"]
    good = _seq(space, main)
    motion = actions.propose(
        phone,
        space,
        kind="revocation",
        title="Revoke Zubr's seized laptop key",
        text="Taken at the gate.",
        target={"key": main.public, "after_seq": good},
    ).id
    actions.vote(w.person("Sokol"), space, motion, choice="yes")
    actions.vote(phone, space, motion, choice="yes")
    actions.close(phone, space, motion)
    assert _status(main.public) == "revoked"
    assert _status(phone.public) == "active"
    # The seized laptop's events after its last good one are held; the phone signs on.
    forged = _next(main, space, "space.post", {"text": "Go home."}, [_head(space)])
    assert ingest([forged.raw], source="seized laptop").outcomes[0].status != "applied"
    actions.post(phone, space, "Still here, on my phone.")
    before = state_digest()
    rebuild()
    assert state_digest() == before
