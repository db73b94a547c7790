"""``veche audit simulate`` and ``veche audit run``: files written, must-show figures, errors."""

from __future__ import annotations

import csv
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from veche.cli import main


@pytest.mark.slow
def test_must_show_stuffed_election(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    sim = tmp_path / "sim"
    out = tmp_path / "out"
    assert (
        main(
            [
                "audit",
                "simulate",
                "--stations",
                "6000",
                "--seed",
                "1",
                "--stuffing",
                "0.2",
                "-o",
                str(sim),
            ]
        )
        == 0
    )
    for name in ("official.csv", "witness.csv", "observer.csv", "truth.json"):
        assert (sim / name).is_file()
    status = main(
        [
            "audit",
            "run",
            str(sim / "official.csv"),
            "--witness",
            str(sim / "witness.csv"),
            "-o",
            str(out),
            "--json",
        ]
    )
    assert status == 0
    printed = capsys.readouterr().out
    summary = json.loads(printed[printed.index('{\n  "anomalous_votes_estimate"') :])
    assert summary["proven_falsified_stations"] > 0
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    truth = json.loads((sim / "truth.json").read_text(encoding="utf-8"))
    for key in (
        "stations",
        "registered",
        "ballots",
        "proven_falsified_stations",
        "proven_min_falsified_votes",
        "anomalous_votes_estimate",
        "integer_anomaly",
        "second_digit",
        "klimek",
        "outlier_stations",
    ):
        assert key in report, key
    assert set(report["integer_anomaly"]) >= {"stations", "sd", "p_value"}
    assert set(report["klimek"]) >= {"f_incremental", "f_extreme", "alpha"}
    assert report["stations"] == 6000
    assert report["proven_falsified_stations"] > 0
    leader = report["leader"]
    assert leader == truth["leader"] == "Лукашенко"
    injected = truth["injected_leader_votes"]
    estimate = report["anomalous_votes_estimate"][leader]
    assert abs(estimate - injected) <= 0.25 * injected, (estimate, injected)
    for plot in ("fingerprint", "turnout", "integers", "second_digit", "regions", "witnesses"):
        assert (out / f"{plot}.png").stat().st_size > 10_000
        assert (out / f"{plot}.svg").read_text(encoding="utf-8").startswith("<?xml")
    html = (out / "report.html").read_text(encoding="utf-8")
    assert html.count("data:image/png;base64,") == 6
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", html)
    with (out / "flagged_stations.csv").open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert (
        sum("proven_falsified" in row["reasons"] for row in rows)
        == report["proven_falsified_stations"]
    )


def test_simulate_and_run_small_election_in_russian(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sim = tmp_path / "sim"
    assert (
        main(
            [
                "audit",
                "simulate",
                "--stations",
                "400",
                "--seed",
                "2",
                "--rewrite",
                "0.1",
                "-o",
                str(sim),
                "--json",
            ]
        )
        == 0
    )
    simulated = json.loads(capsys.readouterr().out)
    assert simulated["stations"] == 400 and simulated["stations_touched"]["rewrite"] > 0
    out = tmp_path / "out"
    status = main(
        [
            "audit", "run", str(sim / "official.csv"),
            "--witness", str(sim / "witness.csv"),
            "--observer", str(sim / "observer.csv"),
            "--language", "ru", "--simulated", "--resamples", "100",
            "-o", str(out), "--json",
        ]
    )  # fmt: skip
    assert status == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["stations"] == 400
    assert summary["leader"] == "Лукашенко"
    assert str(out / "report.html") in summary["files"]
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "СИМУЛЯЦИЯ" in html and "<td>Явка</td>" in html  # in the chosen language
    assert (out / "turnout.svg").read_text(encoding="utf-8").count("<path") > 10


def test_run_rejects_a_bad_file_with_line_and_column(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    official = tmp_path / "official.csv"
    official.write_text(
        "station,region,registered,ballots,invalid,Лукашенко\n1,Минск,100,50,1,49\n2,Минск,100,5O,1,4\n",
        encoding="utf-8",
    )
    assert main(["audit", "run", str(official), "-o", str(tmp_path / "out")]) == 2
    error = capsys.readouterr().err
    assert "official.csv, line 3, column 4 (ballots): '5O' is not a whole number" in error
    assert "--skip-bad-rows" in error
    assert not (tmp_path / "out").exists()


def test_skip_bad_rows_reports_what_was_skipped(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sim = tmp_path / "sim"
    assert main(["audit", "simulate", "--stations", "300", "--seed", "5", "-o", str(sim)]) == 0
    capsys.readouterr()
    lines = (sim / "official.csv").read_text(encoding="utf-8").splitlines()
    lines[10] = lines[10].replace(",", ",x", 4)
    (sim / "official.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "out"
    status = main(
        [
            "audit",
            "run",
            str(sim / "official.csv"),
            "--integer-draws",
            "exact",
            "--skip-bad-rows",
            "--no-plots",
            "--resamples",
            "50",
            "-o",
            str(out),
        ]
    )
    assert status == 0
    printed = capsys.readouterr().out
    assert "skipped: official.csv, line 11" in printed
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert report["stations"] == 299
    assert report["skipped_rows"][0]["line"] == 11
    assert not list(out.glob("*.png"))


def test_audit_cli_does_not_import_django(tmp_path: Path) -> None:
    sim = str(tmp_path)
    official = str(tmp_path / "official.csv")
    out = str(tmp_path / "out")
    code = "\n".join(
        [
            "import sys",
            "from veche.cli import main",
            f"main(['audit', 'simulate', '--stations', '200', '--seed', '1', '-o', {sim!r}])",
            f"main(['audit', 'run', {official!r}, '--no-plots', '--resamples', '20',"
            f" '-o', {out!r}])",
            "loaded = [m for m in sys.modules if m == 'django' or m.startswith('django.')]",
            "assert not loaded, loaded",
        ]
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
