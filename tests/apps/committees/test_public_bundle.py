"""The demo's public bundle of the national council's log, on a node made from it.

It carries the national council's log alone: no member committee's log is published.
So the node made from it verifies the council's own decisions (its acceptances of the
councils below it) but not its delegates' seats, whose mandates rest on logs it does
not hold: those seats, and the decisions that counted their votes, are unverified
there, counted nowhere and not shown as the council's decisions (event-v1 §14.6).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from django.apps import apps as django_apps
from django.conf import settings
from django.test import Client
from django.urls import reverse
from tests.demo_snapshot import load_demo_cached

from veche.apps.committees.models import Committee, FederationLink, Motion, Seat
from veche.apps.store.log import rebuild
from veche.apps.store.models import StoredEvent
from veche.cli import main
from veche.sync.bundle import read_bundle

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


def test_a_node_made_from_the_public_bundle_counts_no_seat_it_cannot_verify() -> None:
    lines = load_demo_cached()
    national = Committee.objects.get(level="national")
    seats = Seat.objects.filter(space=national.space).count()
    demands = Motion.objects.get(space=national.space, kind="demands")
    assert seats and demands.status == "passed"
    assert f"There its {seats} delegates' seats" in lines
    path = Path(settings.DATA_DIR) / "demo" / "national.bundle"
    bundle = read_bundle(path.read_bytes())
    assert bundle.public and bundle.spaces == (national.space,)

    # A fresh node takes the bundle, as its operator would.
    for model in django_apps.get_app_config("store").get_models():
        model.objects.all().delete()
    rebuild()
    assert main(["bundle", "import", str(path), f"--space={national.space}"]) == 0
    assert set(StoredEvent.objects.values_list("space", flat=True)) == {national.space}
    # Verified: every acceptance, decided by the council's own members.
    assert FederationLink.objects.filter(space=national.space).count() == 6
    # Not verified: the seats, their votes, and the demands that counted them.
    statuses = dict(StoredEvent.objects.filter(kind="delegate.seat").values_list("id", "status"))
    assert len(statuses) == seats and set(statuses.values()) == {"unverified"}
    assert not Seat.objects.exists()
    assert Motion.objects.get(event=demands.event).status == "open"
    page = Client().get(reverse("strike:demands")).content.decode()
    assert reverse("strike:letter", args=[demands.event]) not in page
