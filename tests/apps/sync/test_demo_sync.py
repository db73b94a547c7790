"""The sync demo writes a public bundle of the national council's log and its QR codes."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from tests.factories import World

from veche.demo.sync import load_sync
from veche.sync.bundle import read_bundle

pytestmark = pytest.mark.django_db


def test_demo_bundle_and_codes_carry_the_national_log() -> None:
    assert load_sync() == []  # no national council yet: nothing to show
    world = World()
    space = world.committee("Veche", ("Zubr",), name="National council", level="national")
    lines = load_sync()
    assert "National council" in lines[0]
    folder = Path(settings.DATA_DIR) / "demo"
    bundle = read_bundle((folder / "national.bundle").read_bytes())
    assert bundle.public and bundle.spaces == (space,)
    assert (folder / "qr" / "index.html").exists()
    svgs = sorted((folder / "qr").glob("qr-*.svg"))
    assert svgs and len(svgs) == int(lines[1].split()[2])
