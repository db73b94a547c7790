"""``veche plan budget`` from the command line: propose, vote, close, payouts, show --json;
a refused vote is one clear line."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from tests.factories import PASS

from veche.cli import main
from veche.events.identity import save_identity

pytestmark = pytest.mark.django_db


def run(capsys: Any, *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def test_a_budget_from_the_command_line(
    plan: Any, tmp_path: Path, capsys: Any, monkeypatch: Any
) -> None:
    monkeypatch.setenv("VECHE_PASSPHRASE", PASS)
    keys = {}
    for name in ("Sokol", "Zubr"):
        keys[name] = str(tmp_path / f"{name}.key")
        save_identity(Path(keys[name]), plan.who(name), PASS, profile="test")
    common = ("--space", plan.space)
    code, out, _ = run(
        capsys,
        "plan",
        "budget",
        "propose",
        plan.budget,
        *common,
        "--key",
        keys["Zubr"],
        "--name",
        "Lawyers",
        "--cost",
        "400",
        "--json",
    )
    assert code == 0
    project = json.loads(out)["event"]
    code, _, err = run(
        capsys,
        "plan",
        "budget",
        "propose",
        plan.budget,
        *common,
        "--key",
        keys["Zubr"],
        "--name",
        "Bus",
        "--cost",
        "1000.01",
    )
    assert code != 0 and "more than the whole budget" in err
    plan.to_voting()
    for name in ("Sokol", "Zubr"):
        assert (
            run(
                capsys,
                "plan",
                "budget",
                "vote",
                plan.budget,
                *common,
                "--key",
                keys[name],
                "--approve",
                project,
            )[0]
            == 0
        )
    plan.to_close()
    code, out, _ = run(
        capsys, "plan", "budget", "close", plan.budget, *common, "--key", keys["Zubr"], "--json"
    )
    assert code == 0 and json.loads(out)["body"]["winners"] == [project]
    code, out, _ = run(
        capsys,
        "plan",
        "budget",
        "payouts",
        plan.budget,
        *common,
        "--key",
        keys["Sokol"],
        "--json",
    )
    assert code == 0 and len(json.loads(out)["payouts"]) == 1
    code, out, _ = run(capsys, "plan", "budget", "show", plan.budget, "--json")
    shown = json.loads(out)
    assert shown["status"] == "decided" and shown["projects"][0]["outcome"]["won"] is True


def test_a_survey_opened_from_the_command_line(
    tmp_path: Path, capsys: Any, monkeypatch: Any
) -> None:
    """``veche plan survey open --item TEXT:UNIT:MAX``: a totals-only survey election."""
    from tests.apps.elections.helpers import call_election
    from tests.factories import World

    from veche.apps.elections.models import Election
    from veche.election.offline import TrusteeKeys

    monkeypatch.setenv("VECHE_PASSPHRASE", PASS)
    w = World()
    mtz = w.committee("Sokol", ("Zubr",), name="MTZ")
    motion = call_election(w, mtz, ["Sokol", "Zubr"], closer="Sokol")
    key = tmp_path / "Sokol.key"
    save_identity(key, w.person("Sokol"), PASS, profile="test")
    trustee = TrusteeKeys.generate()
    common = ("--committee", mtz, "--motion", motion, "--key", str(key), "--title", "Needs")
    common += ("--trustee", f"{trustee.identity.public}:{trustee.box_public}", "--threshold", "1")
    code, _, err = run(capsys, "plan", "survey", "open", *common, "--item", "Food:parcels:x")
    assert code != 0 and "TEXT:UNIT:MAX" in err
    code, out, _ = run(
        capsys,
        "plan",
        "survey",
        "open",
        *common,
        "--item",
        "Food parcels per week:parcels:10",
        "--item",
        "Money:units of 10 BYN:50",
        "--json",
    )
    assert code == 0
    election = json.loads(out)["election"]
    body = Election.objects.get(space=election).body
    assert body["totals"] is True and body["method"] == "plurality"
    assert [q["text"] for q in body["questions"]] == [
        "Food parcels per week (parcels)",
        "Money (units of 10 BYN)",
    ]
    assert [len(q["options"]) for q in body["questions"]] == [10, 50]
