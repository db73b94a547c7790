"""``veche count stv``: winners in order, JSON shape, and clear errors for bad files."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest

from veche.cli import count
from veche.cli.base import CliError

LOOK_BACK = """4 1
8 1 0
4 2 3 0
5 3 2 0
1 4 2 0
0
"Ales"
"Bazhena"
"Ciaran"
"Dzmitry"
"Look-back tie"
"""


def run(argv: list[str]) -> int:
    # The command group on its own parser, so this test does not depend on the
    # other command groups being importable.
    parser = argparse.ArgumentParser(prog="veche")
    count.register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    return int(args.handler(args) or 0)


def test_text_output_names_winners_and_tie_rule(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "e.blt"
    path.write_text(LOOK_BACK, encoding="utf-8")
    assert run(["count", "stv", str(path)]) == 0
    out = capsys.readouterr().out
    assert "1. Ciaran" in out
    assert "rule 51(2)(a)" in out


def test_json_output(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "e.blt"
    path.write_text(LOOK_BACK, encoding="utf-8")
    assert run(["count", "stv", str(path), "--json", "--seed", "x"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["winners"] == ["Ciaran"]
    assert data["quota"] == 10
    assert [s["action"] for s in data["stages"]] == ["first", "exclusion", "exclusion", "exclusion"]
    assert data["stages"][0]["votes"] == ["8.00000", "4.00000", "5.00000", "1.00000"]
    (tie,) = data["tie_breaks"]
    assert tie["chosen"] == "Bazhena" and tie["rule"].endswith("51(2)(a)")
    assert data["seed"] == "x"


def test_bad_file_is_a_user_error_with_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.blt"
    path.write_text("2 1\n1 1 3 0\n0\nA\nB\n", encoding="utf-8")
    with pytest.raises(CliError, match="line 2"):
        run(["count", "stv", str(path)])
    with pytest.raises(CliError, match="no such ballot file"):
        run(["count", "stv", str(tmp_path / "missing.blt")])


def test_registered_in_the_veche_command(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from veche.cli import COMMAND_MODULES, main

    assert "veche.cli.count" in COMMAND_MODULES
    path = tmp_path / "e.blt"
    path.write_text(LOOK_BACK, encoding="utf-8")
    assert main(["count", "stv", str(path), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["winners"] == ["Ciaran"]
    bad = tmp_path / "bad.blt"
    bad.write_text("2 1\n1 1 1 0\n0\nA\nB\n", encoding="utf-8")
    assert main(["count", "stv", str(bad)]) == 2
    assert "line 2" in capsys.readouterr().err
