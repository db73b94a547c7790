"""The Belarus 2020 demo: what `make demo` shows must hold together."""

from __future__ import annotations

import json

import pytest

from veche.apps.committees.models import Committee, Mandate, Motion
from veche.apps.store.log import verify_stored
from veche.apps.store.models import RejectedInput, StoredEvent
from veche.cli import main
from veche.demo.load import DemoAlreadyLoaded, load_demo

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


def test_demo_loads_a_verifiable_federation(capsys: pytest.CaptureFixture[str]) -> None:
    summary = load_demo()
    assert "DEMONSTRATION DATA" in summary and "veche-demo-2020" in summary
    assert Committee.objects.count() >= 12
    assert Committee.objects.values("level").distinct().count() >= 3
    assert all(Committee.objects.values_list("demo", flat=True))
    letter = Motion.objects.get(kind="demands", title="Demands of the Kozlova plant workers")
    assert letter.status == "passed" and "Turn on the Internet" in letter.text
    assert Mandate.objects.exclude(recalled_by="").count() == 1
    assert RejectedInput.objects.filter(rule="signature").exists()
    assert not StoredEvent.objects.exclude(status="applied").exists()
    count, problems = verify_stored()
    assert count > 400 and problems == []
    assert main(["committee", "list", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert {c["level"] for c in listed} >= {"local", "regional", "national"}
    assert sum(1 for c in listed if c["parent"]) >= 12
    # The demo's main account runs the node, so the demo shows the Peers page; no one else.
    from veche.apps.accounts.models import Account

    assert list(Account.objects.filter(is_operator=True).values_list("pseudonym", flat=True)) == [
        "Sokol"
    ]
    with pytest.raises(DemoAlreadyLoaded):
        load_demo()
