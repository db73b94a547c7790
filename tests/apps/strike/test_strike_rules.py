"""Workplaces and strike status through the one write path."""

from __future__ import annotations

from typing import Any

import pytest
from tests.factories import World

from veche.apps.store.log import ingest, rebuild, state_digest
from veche.apps.store.models import StoredEvent
from veche.apps.strike import access, actions
from veche.apps.strike.models import StatusChange, Workplace
from veche.events import RuleViolation

pytestmark = pytest.mark.django_db


def _mtz(world: World) -> tuple[str, str]:
    space = world.committee("Sokol", ("Zubr",), name="MTZ strike committee")
    event = actions.register_workplace(
        world.person("Sokol"),
        space,
        name="MTZ",
        city="Minsk",
        region="minsk-city",
        sector="machinery",
        workforce=17000,
    )
    return space, event.id


def refused(call: Any, rule: str, words: str) -> None:
    before = state_digest()
    with pytest.raises(RuleViolation) as caught:
        call()
    assert caught.value.rule == rule, caught.value
    assert words in str(caught.value)
    assert state_digest() == before


def test_status_timeline_and_public_view() -> None:
    world = World()
    space, mtz = _mtz(world)
    actions.record_status(
        world.person("Zubr"),
        space,
        mtz,
        day="2020-08-11",
        status="warning_strike",
        out_per_mille=100,
        published=True,
        note="Gate 3 walked out",
    )
    actions.record_status(
        world.person("Zubr"),
        space,
        mtz,
        day="2020-08-13",
        status="full_strike",
        out_per_mille=600,
        published=False,
    )
    row = Workplace.objects.get(workplace=mtz)
    assert (row.status, row.out_per_mille, row.public_status) == (
        "full_strike",
        600,
        "warning_strike",
    )
    public = access.totals(published_only=True)
    assert [d.workers_out for d in public.days] == [1700]
    inside = access.totals(published_only=False)
    assert [d.workers_out for d in inside.days] == [1700, 1700, 10200]
    assert access.access_workplace(None, mtz) is not None
    found = access.access_workplace(world.person("Zubr").public, mtz)
    assert found is not None and found[1]
    assert [c.status for c in access.timeline(row, full=False)] == ["warning_strike"]


def test_bad_strike_input_is_refused() -> None:
    world = World()
    space, mtz = _mtz(world)
    refused(
        lambda: actions.record_status(
            world.person("Zubr"),
            space,
            "A" * 43,
            day="2020-08-11",
            status="full_strike",
            out_per_mille=500,
        ),
        "workplace-known",
        "no such workplace",
    )
    refused(
        lambda: actions.record_status(
            world.person("Outsider"),
            space,
            mtz,
            day="2020-08-11",
            status="full_strike",
            out_per_mille=500,
        ),
        "member",
        "only members",
    )
    refused(
        lambda: actions.record_status(
            world.person("Zubr"),
            space,
            mtz,
            day="2020-02-30",
            status="full_strike",
            out_per_mille=500,
        ),
        "strike-status",
        "real day",
    )
    refused(
        lambda: actions.record_status(
            world.person("Zubr"),
            space,
            mtz,
            day="2020-08-11",
            status="working",
            out_per_mille=500,
        ),
        "strike-status",
        "has no one out",
    )
    refused(
        lambda: actions.record_status(
            world.person("Zubr"),
            space,
            mtz,
            day="2020-08-11",
            status="full_strike",
            out_per_mille=1500,
        ),
        "schema:maximum",
        "at most 1000",
    )
    refused(
        lambda: actions.register_workplace(
            world.person("Zubr"),
            space,
            name="Xx",
            city="Y",
            region="crimea",
            sector="s",
            workforce=1,
        ),
        "schema:enum",
        "must be one of",
    )


def test_a_status_in_another_committees_space_cannot_name_this_workplace() -> None:
    world = World()
    _, mtz = _mtz(world)
    other = world.committee("Vasilek", name="Belshina")
    refused(
        lambda: actions.record_status(
            world.person("Vasilek"),
            other,
            mtz,
            day="2020-08-11",
            status="full_strike",
            out_per_mille=500,
        ),
        "workplace-known",
        "no such workplace",
    )


def test_update_and_rebuild_and_shuffled_ingest_agree() -> None:
    world = World()
    space, mtz = _mtz(world)
    actions.update_workplace(world.person("Zubr"), space, mtz, workforce=16500)
    for day, status, share in [("2020-08-11", "go_slow", 200), ("2020-08-12", "partial", 400)]:
        actions.record_status(
            world.person("Zubr"),
            space,
            mtz,
            day=day,
            status=status,
            out_per_mille=share,
            published=True,
        )
    assert Workplace.objects.get(workplace=mtz).workforce == 16500
    digest = state_digest()
    raws = [bytes(r) for r in StoredEvent.objects.order_by("-height").values_list("raw", flat=True)]
    rebuild()
    assert state_digest() == digest
    StoredEvent.objects.all().delete()
    for model in (Workplace, StatusChange):
        model.objects.all().delete()
    rebuild()
    report = ingest(raws, source="test")  # newest first: the store must order them itself
    assert report.count("applied") == len(raws)
    assert state_digest() == digest
