"""audit-bundle-v1: 'veche audit run' leaves a folder anyone can re-run and check
('veche audit verify'); the digest names the inputs, parameters and report.json."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from veche.audit import InputFile, simulate, write_simulation
from veche.audit.bundle import bundle_digest, check_bundle, make_bundle, params_bytes
from veche.cli import main


@pytest.fixture(scope="module")
def sim(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("sim")
    write_simulation(simulate(200, 5, stuffing=0.1), folder)
    return folder


@pytest.fixture(scope="module")
def bundle(sim: Path) -> dict[str, bytes]:
    inputs = {
        r: InputFile(f"{r}.csv", (sim / f"{r}.csv").read_bytes())
        for r in ("official", "witness", "observer")
    }
    return make_bundle(inputs, seed=3, resamples=20, simulated=True, language="be")


def test_run_writes_a_bundle_that_verifies_and_names_a_tampered_number(
    sim: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    argv = ["audit", "run", str(sim / "official.csv"), "--witness", str(sim / "witness.csv"),
            "--no-plots", "--resamples", "20", "--seed", "4", "-o", str(out), "--json"]  # fmt: skip
    assert main(argv) == 0
    digest = json.loads(capsys.readouterr().out)["digest"]
    assert sorted(p.name for p in (out / "inputs").iterdir()) == ["official.csv", "witness.csv"]
    assert main(["audit", "verify", str(out), "--json"]) == 0
    verified = json.loads(capsys.readouterr().out)
    assert verified == {"verified": True, "digest": digest, "problems": []}

    data = json.loads((out / "report.json").read_text(encoding="utf-8"))
    data["ballots"] += 1
    (out / "report.json").write_text(
        json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8"
    )
    assert main(["audit", "verify", str(out)]) == 1
    text = capsys.readouterr().out
    assert "report.json: report.json differs from the recomputed report at /ballots" in text
    assert "NOT verified" in text and digest not in text


def test_the_digest_names_every_byte_of_the_bundle_and_nothing_else(
    bundle: dict[str, bytes],
) -> None:
    digest = bundle_digest(bundle)
    assert len(digest) == 43
    assert bundle_digest({**bundle, "report.html": b"<p>illustration</p>"}) == digest
    for path, data in bundle.items():
        assert bundle_digest({**bundle, path: data + b" "}) != digest, path
    assert bundle_digest({k: v for k, v in bundle.items() if k != "inputs/observer.csv"}) != digest


def test_an_altered_input_count_makes_the_report_differ(bundle: dict[str, bytes]) -> None:
    assert check_bundle(bundle) == []
    lines = bundle["inputs/official.csv"].split(b"\n")
    cells = lines[7].split(b",")
    cells[-1] = str(int(cells[-1]) + 5).encode()
    lines[7] = b",".join(cells)
    problems = check_bundle({**bundle, "inputs/official.csv": b"\n".join(lines)})
    assert [p.file for p in problems] == ["report.json"]
    assert "differs from the recomputed report" in problems[0].message


def test_bad_parameters_and_stray_inputs_are_named(bundle: dict[str, bytes]) -> None:
    params = json.loads(bundle["params.json"])
    for key, value in (("seed", -1), ("resamples", 5), ("language", "de"), ("official", "../x")):
        bad = {**bundle, "params.json": params_bytes({**params, key: value})}
        assert [p.file for p in check_bundle(bad)] == ["params.json"], key
    loose = {**bundle, "params.json": json.dumps(params).encode()}
    assert check_bundle(loose)[0].message == "params.json is not in its one byte layout"
    stray = check_bundle({**bundle, "inputs/extra.csv": b"x"})
    assert stray[0].file == "inputs/extra.csv"
    missing = check_bundle({k: v for k, v in bundle.items() if k != "inputs/witness.csv"})
    assert missing[0].message == "the witness input is missing"
    untimed = json.loads(bundle["report.json"])
    del untimed["generated_at"]
    assert check_bundle({**bundle, "report.json": json.dumps(untimed).encode()})[0].message == (
        "report.json does not say when the audit ran"
    )
