"""``veche pledge verify``: exit 0 with the result on an exported record, and a failure
after any byte of it is changed; no database, no Django."""

from __future__ import annotations

import json
import random

from veche.cli import main
from veche.pledge.simulate import simulate_pledge


def _run(capsys, *argv):
    status = main(list(argv))
    out = capsys.readouterr()
    return status, out.out, out.err


def test_verify_prints_the_result_and_fails_after_any_changed_byte(tmp_path, capsys):
    run = simulate_pledge(values=[1, 1, 0, None, 1], needed=3)
    record = run.writer.record()
    path = tmp_path / "pledge.rec"
    path.write_bytes(record)
    status, out, _ = _run(capsys, "pledge", "verify", str(path))
    assert status == 0
    assert "total: 3 of 3 needed: target REACHED" in out
    status, out, _ = _run(capsys, "pledge", "verify", "--json", str(path))
    report = json.loads(out)
    assert status == 0 and report["verdict"] == "ok"
    assert (report["total"], report["crossed"], report["pledges_counted"]) == (3, True, 4)

    # Every line's first and last byte, and 60 more positions, each changed to another byte.
    starts = [0] + [i + 1 for i, b in enumerate(record[:-1]) if b == 0x0A]
    positions = set(starts) | {i - 1 for i in starts[1:]} | {len(record) - 1}
    positions |= set(random.Random(18).sample(range(len(record)), 60))
    for position in sorted(positions):
        changed = bytearray(record)
        changed[position] = ord("A") if record[position] != ord("A") else ord("B")
        path.write_bytes(bytes(changed))
        status, _, err = _run(capsys, "pledge", "verify", str(path))
        assert status == 1, f"byte {position} changed and the record still verifies"
        assert "FAILED" in err


def test_verify_an_unreadable_file_and_simulate(tmp_path, capsys):
    status, out, _ = _run(capsys, "pledge", "verify", "--json", str(tmp_path / "missing"))
    assert status == 2 and json.loads(out)["verdict"] == "unreadable"
    out_path = tmp_path / "sim.rec"
    status, out, _ = _run(
        capsys,
        "pledge",
        "simulate",
        "--members",
        "4",
        "--pledged",
        "2",
        "--needed",
        "3",
        "--json",
        "-o",
        str(out_path),
    )
    assert status == 0 and json.loads(out)["crossed"] is False
    status, out, _ = _run(capsys, "pledge", "verify", str(out_path))
    assert status == 0 and "target not reached" in out
