"""Bundles against the event store: import is atomic, idempotent, and leaves the store
intact whatever the file holds."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.factories import World

from veche.apps.committees import actions
from veche.apps.store.log import rebuild, state_digest
from veche.apps.store.models import StoredEvent
from veche.apps.sync import bundles
from veche.apps.sync.bundles import export_bundle, import_bundle
from veche.apps.sync.gate import Source
from veche.apps.sync.service import local_vector
from veche.sync import bundle as bundle_format
from veche.sync.errors import BundleError

pytestmark = pytest.mark.django_db


def _world() -> tuple[World, str, str]:
    world = World()
    space = world.committee("Sokol", ("Zubr", "Rusalka"), name="MTZ strike committee")
    for i in range(5):
        actions.post(world.person("Zubr"), space, f"Report {i} from the assembly shop")
    other = world.committee("Lis", name="A committee Zubr is not in")
    return world, space, other


def _wipe() -> None:
    StoredEvent.objects.all().delete()
    rebuild()


def test_export_then_import_into_an_empty_store_gives_the_same_state() -> None:
    world, space, _ = _world()
    before = state_digest(space)
    data, count = export_bundle(spaces=[space])
    assert count == StoredEvent.objects.filter(space=space).count()
    _wipe()
    assert state_digest(space) != before
    result = import_bundle(data, [world.person("Rusalka")])
    assert result.report.count("applied") == count
    assert state_digest(space) == before
    again = import_bundle(data, [world.person("Rusalka")])
    assert again.already_held
    assert "already held" in again.text()
    assert state_digest(space) == before


def test_a_bundle_is_sealed_to_the_members_of_its_space_only() -> None:
    world, space, _other = _world()
    data, _ = export_bundle(spaces=[space])
    with pytest.raises(BundleError) as caught:
        import_bundle(data, [world.person("Lis")])  # member of the other committee only
    assert caught.value.reason == "foreign"
    assert import_bundle(data, [world.person("Zubr")]).already_held


def test_since_vector_exports_only_what_the_receiver_lacks() -> None:
    world, space, _ = _world()
    vector = local_vector([space])
    vector[space][world.person("Zubr").public] -= 2
    _, count = export_bundle(spaces=[space], since=vector)
    assert count == 2


def test_public_bundles_need_no_key() -> None:
    _, space, _ = _world()
    data, count = export_bundle(spaces=[space], public=True)
    digest = state_digest(space)
    _wipe()
    # Anyone can open it, but the node takes a committee it does not hold only
    # from a source that may hold it: here the operator naming it (--space).
    assert import_bundle(data).refused == count
    assert not StoredEvent.objects.exists()
    operator = Source.operator("test", spaces=[space])
    assert import_bundle(data, source=operator).report.count("applied") == count
    assert state_digest(space) == digest


@pytest.fixture
def exported() -> tuple[bytes, object, str]:
    world, space, _ = _world()
    data, _ = export_bundle(spaces=[space])
    # The store holds only part of the log, so an import would change it.
    StoredEvent.objects.filter(space=space, kind="space.post").delete()
    rebuild()
    return data, world.person("Zubr"), state_digest()


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.data())
def test_flipped_or_cut_bundles_are_rejected_and_the_store_is_unchanged(
    exported: tuple[bytes, object, str], data: st.DataObject
) -> None:
    original, member, digest = exported
    if data.draw(st.booleans()):
        index = data.draw(st.integers(0, len(original) - 1))
        damaged = bytearray(original)
        damaged[index] ^= 1 << data.draw(st.integers(0, 7))
        bad = bytes(damaged)
    else:
        bad = original[: data.draw(st.integers(0, len(original) - 1))]
    with pytest.raises(BundleError) as caught:
        import_bundle(bad, [member])  # type: ignore[list-item]
    assert caught.value.message
    assert state_digest() == digest


def test_an_oversized_bundle_is_rejected(
    exported: tuple[bytes, object, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    original, member, digest = exported
    monkeypatch.setattr(bundle_format, "MAX_BUNDLE_BYTES", len(original) - 1)
    with pytest.raises(BundleError) as caught:
        import_bundle(original, [member])  # type: ignore[list-item]
    assert caught.value.reason == "oversized"
    assert state_digest() == digest


def test_recipients_are_the_active_members() -> None:
    world, space, _ = _world()
    assert set(bundles.recipients_of([space])) == {
        world.person(name).public for name in ("Sokol", "Zubr", "Rusalka")
    }
