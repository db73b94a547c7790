"""``veche fund`` and ``veche workplace`` / ``veche strike`` from the command line."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from tests.factories import PASS

from veche.cli import main
from veche.events.identity import save_identity

pytestmark = pytest.mark.django_db


def key_file(tmp_path: Path, fund: Any, name: str, monkeypatch: Any) -> str:
    path = tmp_path / f"{name}.key"
    save_identity(path, fund.who(name), PASS, profile="test")
    monkeypatch.setenv("VECHE_PASSPHRASE", PASS)
    return str(path)


def run(capsys: Any, *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def test_fund_round_trip(tmp_path: Path, fund: Any, capsys: Any, monkeypatch: Any) -> None:
    zubr = key_file(tmp_path, fund, "Zubr", monkeypatch)
    sokol = key_file(tmp_path, fund, "Sokol", monkeypatch)
    rusalka = key_file(tmp_path, fund, "Rusalka", monkeypatch)
    space = ("--space", fund.space)
    assert (
        run(
            capsys,
            "fund",
            "donate",
            *space,
            "--key",
            zubr,
            "--amount",
            "1000",
            "--currency",
            "BYN",
            "--day",
            "2020-08-14",
            "--donor",
            "D-1",
        )[0]
        == 0
    )
    status, _, err = run(
        capsys,
        "fund",
        "donate",
        *space,
        "--key",
        rusalka,
        "--amount",
        "5",
        "--currency",
        "BYN",
        "--day",
        "2020-08-14",
    )
    assert status == 2 and "only the treasurers" in err
    status, _, err = run(
        capsys, "fund", "donate", *space, "--key", zubr, "--amount", "-5", "--currency", "BYN"
    )
    assert status == 2 and "--amount" in err
    status, out, _ = run(
        capsys,
        "fund",
        "payout",
        *space,
        "--key",
        zubr,
        "--recipient",
        "R-3",
        "--amount",
        "300.00",
        "--currency",
        "BYN",
        "--day",
        "2020-08-21",
        "--json",
    )
    proposed = json.loads(out)
    for key in (zubr, sokol):
        assert run(capsys, "fund", "approve", proposed["event"], *space, "--key", key)[0] == 0
    status, _, err = run(capsys, "fund", "approve", proposed["event"], *space, "--key", sokol)
    assert status == 2 and "already" in err
    ledger = json.loads(run(capsys, "fund", "ledger", *space, "--json")[1])
    assert {"account": "bank", "currency": "BYN", "amount": 700_00} in ledger["balances"]
    out_dir = tmp_path / "report"
    status, _, err = run(capsys, "fund", "report", "--period", "2020-08", "-o", str(out_dir))
    assert status == 2 and "no report for 2020-08 is published" in err
    assert (
        run(capsys, "fund", "report", "--period", "2020-08", "-o", str(out_dir), "--key", zubr)[0]
        == 0
    )
    status, out, _ = run(capsys, "fund", "verify-report", str(out_dir))
    assert status == 0 and out.startswith("OK")
    assert (
        run(
            capsys,
            "fund",
            "check-payout",
            str(out_dir),
            f"--salt={proposed['salt']}",
            "--recipient",
            "R-3",
            "--amount",
            "300",
        )[0]
        == 0
    )
    assert (
        run(
            capsys,
            "fund",
            "check-payout",
            str(out_dir),
            f"--salt={proposed['salt']}",
            "--recipient",
            "R-4",
            "--amount",
            "300",
        )[0]
        == 1
    )
    status, _, err = run(capsys, "fund", "publish", *space, "--key", zubr, "--period", "all")
    assert status == 2 and "overlaps the published report for 2020-08" in err
    page = out_dir / "report.html"
    page.write_text(page.read_text().replace("300.00", "30.00"))
    status, out, _ = run(capsys, "fund", "verify-report", str(out_dir))
    assert status == 1 and "report.html was changed" in out


def test_strike_cli(tmp_path: Path, fund: Any, capsys: Any, monkeypatch: Any) -> None:
    zubr = key_file(tmp_path, fund, "Zubr", monkeypatch)
    status, out, _ = run(
        capsys,
        "workplace",
        "add",
        "--space",
        fund.space,
        "--key",
        zubr,
        "--name",
        "Belshina",
        "--city",
        "Bobruisk",
        "--region",
        "mogilev",
        "--sector",
        "tyres",
        "--workforce",
        "8000",
        "--json",
    )
    workplace = json.loads(out)["workplace"]
    assert (
        run(
            capsys,
            "strike",
            "status",
            "set",
            workplace,
            "--key",
            zubr,
            "--status",
            "go_slow",
            "--day",
            "2020-08-17",
            "--percent",
            "30",
            "--publish",
        )[0]
        == 0
    )
    status, _, err = run(
        capsys,
        "strike",
        "status",
        "set",
        "A" * 43,
        "--key",
        zubr,
        "--status",
        "go_slow",
        "--day",
        "2020-08-17",
    )
    assert status == 2 and "no workplace" in err
    listing = json.loads(run(capsys, "strike", "status", "--json")[1])
    assert [(i["name"], i["status"], i["out_per_mille"]) for i in listing] == [
        ("Belshina", "go_slow", 300)
    ]
    totals = json.loads(run(capsys, "strike", "totals", "--public", "--json")[1])
    assert totals["days"][0]["workers_out"] == 2400
    map_path = tmp_path / "map.svg"
    assert run(capsys, "strike", "map", "-o", str(map_path))[0] == 0
    assert 'data-status="go_slow"' in map_path.read_text()
