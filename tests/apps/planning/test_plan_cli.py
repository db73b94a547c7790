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
