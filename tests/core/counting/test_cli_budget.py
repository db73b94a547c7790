"""``veche count budget``: winners with reasons, JSON shape, and clear errors for bad files."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest

from veche.cli import count
from veche.cli.base import CliError

DATA = Path(__file__).parent / "data"


def run(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="veche")
    count.register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    return int(args.handler(args) or 0)


def test_text_output_gives_winners_and_reasons(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["count", "budget", str(DATA / "equal_shares_example.pb")]) == 0
    out = capsys.readouterr().out
    assert "Method of Equal Shares" in out
    assert "  3. b1 Free legal consultations: funded by equal shares" in out
    assert "a3 Children's playground: not affordable by its supporters" in out
    assert "Spent 600 of 600, 0 left." in out
    assert run(["count", "budget", "--rule", "greedy", str(DATA / "equal_shares_example.pb")]) == 0
    out = capsys.readouterr().out
    assert "  3. a3 Children's playground: funded: 6 vote(s)" in out
    assert "b1 Free legal consultations: not funded: 4 vote(s), its cost 200 did not fit" in out


def test_json_output(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["count", "budget", str(DATA / "equal_shares_example.pb"), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["winners"] == ["a1", "a2", "b1"]
    assert data["voter_budget"] == "67" and data["increments"] == 7
    a1 = data["projects"][0]
    assert a1["reason"] == "funded_equal_shares"
    assert a1["max_share"] == "100/3"
    assert a1["payments"] == [{"amount": "100/3", "voters": 6}]
    assert data["remaining"]["1"] == "1/3" and data["remaining"]["10"] == "17"


def test_bad_file_names_the_line(tmp_path: Path) -> None:
    text = (DATA / "choose_one.pb").read_text(encoding="utf-8")
    path = tmp_path / "bad.pb"
    path.write_text(text.replace("7;z", "7;w"), encoding="utf-8")
    with pytest.raises(CliError, match=r"bad.pb: line 21: vote for unknown project 'w'"):
        run(["count", "budget", str(path)])
    with pytest.raises(CliError, match="no such budget file"):
        run(["count", "budget", str(tmp_path / "missing.pb")])


def test_cumulative_file_by_equal_shares(capsys: pytest.CaptureFixture[str]) -> None:
    path = str(DATA / "cumulative_points.pb")
    assert run(["count", "budget", path]) == 0
    out = capsys.readouterr().out
    assert "Method of Equal Shares (points utilities" in out
    assert "  1. 1 Community kitchen: funded by equal shares: its 4 supporter(s) gave 22" in out
    assert "  2. 3 Printing leaflets: funded by the completion: 9 point(s)" in out
    assert "Spent 1000 of 1000, 0 left." in out
    assert run(["count", "budget", path, "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["winners"] == ["1", "3"] and data["completion"] == ["3"]
    assert data["voter_budget"] == "237" and data["vote_type"] == "cumulative"
    kitchen = data["projects"][0]
    assert kitchen["per_point"] == "30.25" and kitchen["supporters"] == 4
    assert kitchen["point_payments"][0] == {"points": "10", "amount": "237", "voters": 1}
    assert data["projects"][2]["points_per_cost"] == "0.0225"
    assert run(["count", "budget", "--rule", "greedy", path]) == 0


def test_points_file_json_explains_every_project(capsys: pytest.CaptureFixture[str]) -> None:
    # 12 voters spread 5 points each; pabutools funds the same (test_budget.py).
    assert run(["count", "budget", str(DATA / "cumulative_equal_shares.pb"), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["method"].startswith("Method of Equal Shares (points utilities")
    assert data["winners"] == ["3", "4", "5", "6", "2"] and data["completion"] == ["2"]
    assert data["voter_budget"] == "73" and data["increments"] == 23
    assert data["spent"] == "600" and data["left"] == "0"
    by_id = {p["id"]: p for p in data["projects"]}
    # Street lights and Youth club both cost 10 per point: "4" goes first, by id.
    assert by_id["4"]["per_point"] == by_id["5"]["per_point"] == "10"
    assert by_id["4"]["order"] == 2 and by_id["5"]["order"] == 3
    trees = by_id["6"]
    assert {"points": "3", "amount": "53", "voters": 1} in trees["point_payments"]
    assert "(all they had)" in trees["explanation"]
    bikes = by_id["1"]
    assert bikes["reason"] == "unaffordable" and bikes["supporters"] == 4
    assert bikes["explanation"].startswith("not affordable by its supporters: its 4 supporter(s)")
    assert by_id["2"]["reason"] == "funded_completion" and by_id["2"]["points_per_cost"] == "0.02"
