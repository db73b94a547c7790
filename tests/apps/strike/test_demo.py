"""The demo's strike and fund: the must-show commands of issue 7 run on it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from tests.demo_snapshot import load_demo_cached

from veche.apps.store.log import rebuild, state_digest
from veche.cli import main
from veche.demo.load import Demo
from veche.demo.strike import PLANTS, load_strike
from veche.demo.text import DemoText

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


def test_demo_strike_and_fund_on_their_own(tmp_path: Path, capsys: Any) -> None:
    lines = load_strike(Demo())
    check_must_show(tmp_path, capsys, lines)


def test_the_belarus_demo_includes_the_strike_and_the_fund(tmp_path: Path, capsys: Any) -> None:
    from veche.apps.committees.models import Committee

    lines = load_demo_cached().splitlines()
    # The plants' committees of the main demo are used, not duplicated.
    assert Committee.objects.filter(name=DemoText().name("belshina")).count() == 1
    assert any("endorsed by" in line for line in lines)
    check_general_strike_and_ballot(lines)
    check_must_show(tmp_path, capsys, lines)


def check_general_strike_and_ballot(lines: list[str]) -> None:
    """The Minsk region council's call counts plants (Belaruskali is 1 of 2, so it stays
    open and its page shows the progress); Azot's secret strike ballot said yes."""
    from django.test import Client

    from veche.apps.committees.models import Motion
    from veche.apps.strike.models import StrikeBallot, Workplace
    from veche.demo.load import DEMO_PASSPHRASE
    from veche.demo.pledges import GENERAL_PLANTS

    assert any("1 of 2 plants have reached their pledge targets" in line for line in lines)
    call = Motion.objects.get(kind="strike_call", target__plants=GENERAL_PLANTS)
    assert call.status == "open"
    page = f"/committees/{call.space}/motions/{call.event}/"
    assert Client().get(page).status_code == 302  # a council's page is for its readers only
    council = Client()
    council.post("/accounts/sign-in/", {"pseudonym": "Bereza", "passphrase": DEMO_PASSPHRASE})
    council.cookies["django_language"] = "en"
    html = council.get(page).content.decode()
    assert "1 of 2 plants have reached their pledge targets." in html
    assert DemoText().name("belaruskali") in html and 'id="general-pass"' not in html
    ballot = StrikeBallot.objects.get()
    assert ballot.result_event and ballot.day == "2020-09-14"
    place = Workplace.objects.get(workplace=ballot.workplace)
    assert (place.name, place.public_status) == (DemoText().plant("azot")["name"], "full_strike")


def check_must_show(tmp_path: Path, capsys: Any, lines: list[str]) -> None:
    capsys.readouterr()
    assert main(["strike", "status", "--json"]) == 0
    listing = json.loads(capsys.readouterr().out)
    assert len(listing) == len(PLANTS)
    by_name = {item["name"]: item for item in listing}
    belaruskali = DemoText().plant("belaruskali")["name"]  # as its committee registered it
    assert by_name[belaruskali]["status"] == "partial"
    assert by_name[belaruskali]["since"] == "2020-09-12"
    assert all(item["status"] for item in listing)
    out = tmp_path / "report"
    assert main(["fund", "report", "--period", "2020-08", "-o", str(out)]) == 0
    assert main(["fund", "verify-report", str(out)]) == 0
    check = next(line for line in lines if "check-payout" in line).split("check-payout ")[1]
    argv = check.replace("report", str(out), 1).split()
    assert main(["fund", "check-payout", *argv]) == 0
    report = json.loads((out / "report.json").read_text())["report"]
    assert report["payouts"] == 6 and report["recipients"] == 5
    assert report["out"]["payouts"] == {"BYN": 2050_00, "EUR": 200_00}
    capsys.readouterr()
    assert main(["strike", "totals", "--public", "--json", "--until", "2020-08-17"]) == 0
    totals = json.loads(capsys.readouterr().out)
    assert totals["days"][0]["day"] == "2020-08-11"
    assert totals["days"][-1]["plants_out"] >= 9
    digest = state_digest()
    rebuild()
    assert state_digest() == digest


def test_common_demands_show_their_ratification() -> None:
    from django.test import Client

    from veche.apps.committees.models import Motion

    load_demo_cached()
    common = Motion.objects.get(
        kind="demands", title=DemoText().say("national", "motion.common_demands.title")
    )
    page = Client().get(f"/strike/demands/{common.event}/").content.decode()
    assert "Ratification by the member committees" in page
    assert "Ratified by" in page
