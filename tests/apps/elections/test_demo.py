"""The demo's elections load, verify, and the assembly's result page shows the seat arithmetic."""

from __future__ import annotations

import pytest
from django.test import Client
from tests.factories import World

from veche.apps.elections import actions
from veche.apps.elections.models import Election
from veche.demo.elections import load_elections
from veche.demo.text import ASSEMBLY, DemoText

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


class Demo(World):
    pass


def test_demo_elections(tmp_path, monkeypatch):
    monkeypatch.setenv("VECHE_DATA_DIR", str(tmp_path))
    demo = Demo()
    demo.committee("Sokol", ("Zubr", "Rusalka"), name="Kozlova strike committee", demo=True)
    lines = load_elections(demo)
    assert len(lines) == 3
    stages = sorted(Election.objects.values_list("stage", flat=True))
    assert stages == ["decided", "decided", "open"]
    assembly = Election.objects.get(body__method="party_list")
    assert actions.verify_stored_election(assembly.space).ok
    assert sum(assembly.seats) == 11
    page = Client().get(f"/elections/{assembly.space}/result/").content.decode()
    hrodna = DemoText().words(ASSEMBLY, "election.constituencies")[1]  # as the council wrote it
    assert 'data-verified="yes"' in page and "÷3" in page and f"Seats in {hrodna}" in page
    assert (tmp_path / "demo-trustees" / "trustee-1.key").exists()
