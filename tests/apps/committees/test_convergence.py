"""Two nodes holding the same federation events agree, whatever order they arrived in."""

from __future__ import annotations

import random

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.apps.committees.test_motions import _elect, _federate
from tests.factories import World

from veche.apps.committees import actions
from veche.apps.store.log import ingest, rebuild, state_digest
from veche.apps.store.models import MissingDependency, StoredEvent
from veche.events import build_event, parse_event

pytestmark = pytest.mark.django_db


def _federation_log(*, equivocate: bool = True) -> list[bytes]:
    w = World()
    council, mtz, kozlova = _federate(w)
    mandate = _elect(
        w, mtz, ("Sokol", "Zubr", "Rusalka"), ("Zubr", "Rusalka"), 1, [[0, 1], [0, 1], [1, 0]]
    )
    actions.take_seat(w.person("Zubr"), council, mandate)
    strike = actions.propose(
        w.person("Chair"), council, kind="strike_call", title="Strike", text="Mon"
    ).id
    actions.vote(w.person("Zubr"), council, strike, choice="yes")
    actions.vote(w.person("Chair"), council, strike, choice="no")
    recall = actions.propose(
        w.person("Sokol"),
        mtz,
        kind="recall",
        title="Recall",
        text="Broke mandate",
        target={"mandate": mandate, "key": w.person("Zubr").public},
    ).id
    for person in ("Sokol", "Rusalka"):
        actions.vote(w.person(person), mtz, recall, choice="yes")
    actions.close(w.person("Sokol"), mtz, recall)
    actions.close(w.person("Chair"), council, strike)
    if not equivocate:
        return [bytes(r) for r in StoredEvent.objects.values_list("raw", flat=True)]
    # An equivocating author in Kozlova.
    lyubava = w.person("Lyubava")
    last = StoredEvent.objects.filter(space=kozlova, author=lyubava.public).order_by("-seq").first()
    original = parse_event(bytes(last.raw))
    twin = build_event(
        lyubava,
        space=kozlova,
        seq=original.seq,
        prev=original.prev,
        deps=original.deps,
        kind="space.post",
        body={"text": "the other story"},
    )
    ingest([twin.raw], source="twin")
    return [bytes(r) for r in StoredEvent.objects.values_list("raw", flat=True)]


@settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck))
@given(seed=st.integers(0, 2**32), batches=st.integers(1, 8))
def test_federation_converges_under_shuffled_arrival(seed: int, batches: int) -> None:
    with transaction.atomic():
        raws = _federation_log()
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
        transaction.set_rollback(True)


def test_a_member_node_follows_the_council_without_sibling_logs() -> None:
    """Kozlova's log is not held: the council's acceptance of Kozlova names Kozlova's
    join, which only the council's own decision relies on, so it is decided without it
    (event-v1 §14.6); no seat cites Kozlova, so the council's state is the one a full
    node has, and when Kozlova's log arrives later everything is re-judged and still
    the same."""
    with transaction.atomic():
        # (With an equivocation in Kozlova the full node would reject Kozlova's join,
        # which a node without Kozlova's log cannot know: the two would rightly differ.)
        raws = _federation_log(equivocate=False)
        full = state_digest()
        by_space = dict(StoredEvent.objects.values_list("id", "space"))
        from veche.apps.committees.models import Committee

        kozlova = Committee.objects.get(name="Kozlova").space
        council = Committee.objects.get(kind="council").space
        council_digest = state_digest(council)
        StoredEvent.objects.all().delete()
        MissingDependency.objects.all().delete()
        rebuild()
        parsed = [(raw, by_space[parse_event(raw, verify=False).id]) for raw in raws]
        mine = [raw for raw, space in parsed if space != kozlova]
        ingest(list(reversed(mine)), source="partial")
        assert not StoredEvent.objects.filter(status="pending").exists()
        assert state_digest(council) == council_digest
        assert not StoredEvent.objects.filter(status="unverified").exists()
        ingest([raw for raw, space in parsed if space == kozlova], source="late")
        assert state_digest() == full
        transaction.set_rollback(True)
