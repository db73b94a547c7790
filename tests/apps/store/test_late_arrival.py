"""Late votes and posts are judged in place, with the state a rebuild gives."""

from __future__ import annotations

import random

import pytest
from django.db import transaction
from tests.factories import World

from veche.apps.committees import actions
from veche.apps.store import replay
from veche.apps.store.log import ingest, rebuild, state_digest
from veche.apps.store.models import StoredEvent
from veche.events import build_event

pytestmark = pytest.mark.django_db


def _log(*, close: bool) -> list[bytes]:
    """A committee's log, and a vote signed on a device that was offline: it names
    only the motion, so it sorts before most of the log."""
    w = World()
    names = ("Zubr", "Rusalka", "Lasitsa", "Bobr", "Vozhyk")
    space = w.committee("Sokol", (*names, "Kot"))
    motion = actions.propose(
        w.person("Sokol"), space, kind="general", title="Strike", text="Mon"
    ).id
    kot = w.person("Kot")
    joined = StoredEvent.objects.get(space=space, author=kot.public)
    offline = build_event(
        kot,
        space=space,
        seq=2,
        prev=joined.id,
        deps=[motion],
        kind="motion.vote",
        body={"motion": motion, "version": 0, "choice": "yes"},
    )
    for index, name in enumerate(("Sokol", *names)):
        actions.vote(w.person(name), space, motion, choice="yes" if index % 2 else "no")
        actions.post(w.person(name), space, f"voted, {name}")
    actions.vote(w.person("Zubr"), space, motion, choice="abstain")  # a change of mind
    if close:
        actions.close(w.person("Sokol"), space, motion)
    raws = [
        bytes(r) for r in StoredEvent.objects.order_by("height", "id").values_list("raw", flat=True)
    ]
    assert ingest([offline.raw], source="offline device").outcomes[0].status == "applied"
    return [*raws, offline.raw]


def _deliver(raws: list[bytes], seed: int) -> tuple[str, dict[str, str]]:
    rng = random.Random(seed)
    order = list(raws)
    # Most in order, a few held back and sent late.
    late = [raw for raw in order[8:-1] if rng.random() < 0.3] + order[-1:]
    early = [raw for raw in order if raw not in late]
    for start in range(0, len(early), 3):
        ingest(early[start : start + 3], source="in order")
    ingest(late, source="late")
    return state_digest(), dict(StoredEvent.objects.values_list("id", "status"))


@pytest.mark.parametrize("close", [False, True])
@pytest.mark.parametrize("seed", range(6))
def test_late_votes_and_posts_reach_the_rebuilt_state(close: bool, seed: int) -> None:
    with transaction.atomic():
        raws = _log(close=close)
        expected = state_digest()
        statuses = dict(StoredEvent.objects.values_list("id", "status"))
        transaction.set_rollback(True)
    with transaction.atomic():
        digest, got = _deliver(raws, seed)
        assert got == statuses
        assert digest == expected
        rebuild()
        assert state_digest() == expected
        transaction.set_rollback(True)


def test_a_late_vote_does_not_replay_its_committee(monkeypatch: pytest.MonkeyPatch) -> None:
    with transaction.atomic():
        raws = _log(close=False)
        transaction.set_rollback(True)
    late = raws[-1]  # the offline device's vote
    calls: list[object] = []
    real = replay._replay
    monkeypatch.setattr(replay, "_replay", lambda *a: calls.append(a) or real(*a))
    ingest([r for r in raws if r != late], source="first")
    calls.clear()
    assert ingest([late], source="late").outcomes[0].status == "applied"
    assert calls == []
