"""``veche pledge`` for a pledge that reveals only whether it crossed (pledge-v1 §7):
open --reveal crossed, the trustees' rounds by ``veche pledge blind``, the decryption of
the blinded list by ``veche pledge decrypt``, a result with no total, verify on the export
and on a tampered copy; ``simulate --reveal crossed`` with no database."""

from __future__ import annotations

import json
from datetime import UTC, timedelta
from pathlib import Path

import pytest
from tests.clock import EventClock
from tests.factories import PASS, World

from veche.cli import main
from veche.events.identity import save_identity


def _run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _json(capsys, *argv: str) -> dict:
    code, out, err = _run(capsys, *argv, "--json")
    assert code == 0, err
    return json.loads(out)


def _tampered(path: Path, kind: bytes) -> Path:
    lines = path.read_bytes().split(b"\n")
    index = next(i for i, line in enumerate(lines) if kind in line)
    line = lines[index]
    at = line.index(b'"shuffled":[{"alpha":"') + len(b'"shuffled":[{"alpha":"') + 5
    lines[index] = line[:at] + (b"A" if line[at : at + 1] != b"A" else b"B") + line[at + 1 :]
    out = path.with_suffix(".tampered")
    out.write_bytes(b"\n".join(lines))
    return out


def _offline(capsys, tmp_path, space, record, key, step):
    """A trustee away from the node: veche trustee STEP on the exported record, then import."""
    assert _run(capsys, "pledge", "export", space, "-o", str(record))[0] == 0
    out = tmp_path / f"{step}.jsonl"
    argv = ["trustee", step, "--record", str(record), "--key", str(key), "--out", str(out)]
    written = _json(capsys, *argv)
    assert {e["kind"] for e in written["events"]} == {f"pledge.{step}"}
    assert _run(capsys, "log", "import", str(out))[0] == 0


def test_simulate_and_verify_a_crossed_only_pledge_with_no_database(tmp_path, capsys):
    record = tmp_path / "sim.jsonl"
    args = ["pledge", "simulate", "--members", "5", "--pledged", "2", "--needed", "3"]
    summary = _json(capsys, *args, "--reveal", "crossed", "--out", str(record))
    assert (summary["total"], summary["crossed"]) == (None, False)
    code, out, _ = _run(capsys, "pledge", "verify", str(record))
    assert code == 0 and "target not reached (this pledge reveals no total)" in out
    assert "total:" not in out
    report = _json(capsys, "pledge", "verify", str(record))
    assert (report["total"], report["crossed"]) == (None, False)
    code, _, err = _run(capsys, "pledge", "verify", str(_tampered(record, b"pledge.blind")))
    assert code == 1 and "FAILED" in err


@pytest.mark.django_db
def test_a_crossed_only_pledge_run_from_the_command_line(tmp_path: Path, capsys, monkeypatch):
    monkeypatch.setenv("VECHE_PASSPHRASE", PASS)
    monkeypatch.setenv("VECHE_KDF_PROFILE", "test")
    world = World()
    names = ("Sokol", "Zubr", "Rusalka", "Busel")
    committee = world.committee("Sokol", names[1:])
    keyfile = {}
    for name in names:
        keyfile[name] = tmp_path / f"{name}.key"
        save_identity(keyfile[name], world.person(name), PASS, "test")
    trustees = []
    for j in range(2):
        path = tmp_path / f"trustee{j + 1}.key"
        trustees.append((path, _json(capsys, "trustee", "keygen", "--out", str(path))["trustee"]))
    clock = EventClock.install(monkeypatch)
    deadline = clock.now(UTC).replace(microsecond=0) + timedelta(hours=1)
    args = ["pledge", "open", "--committee", committee, "--key", str(keyfile["Sokol"])]
    args += ["--title", "Strike if 3 of us do", "--workplace", "MTZ", "--needed", "3"]
    args += ["--strike-date", "2020-08-26", "--deadline", deadline.strftime("%Y-%m-%dT%H:%M:%SZ")]
    args += ["--threshold", "2", "--reveal", "crossed"]
    args += [f"--trustee={public}" for _, public in trustees]
    space = _json(capsys, *args)["pledge"]
    record = tmp_path / "record.jsonl"
    for path, _ in trustees:
        assert _run(capsys, "pledge", "export", space, "-o", str(record))[0] == 0
        out = tmp_path / f"share-{path.stem}.jsonl"
        argv = ["trustee", "share", "--record", str(record), "--key", str(path), "--out", str(out)]
        code, _, err = _run(capsys, *argv)
        assert code == 0, err
        assert _run(capsys, "log", "import", str(out))[0] == 0
    _json(capsys, "pledge", "start", space, "--key", str(keyfile["Sokol"]))
    for name in names:
        _json(capsys, "pledge", "make", space, "--key", str(keyfile[name]), "--strike")
    clock.pass_(deadline)
    _json(capsys, "pledge", "close", space, "--key", str(keyfile["Sokol"]))
    # Decrypting before the rounds: refused with the reason.
    code, _, err = _run(capsys, "pledge", "decrypt", space, "--trustee-key", str(trustees[0][0]))
    assert code == 2 and "blinding rounds" in err
    done = _json(capsys, "pledge", "blind", space, "--trustee-key", str(trustees[0][0]))
    assert done["kind"] == "pledge.blind" and len(done["events"]) == 1
    _offline(capsys, tmp_path, space, record, trustees[1][0], "blind")
    code, _, err = _run(capsys, "pledge", "blind", space, "--trustee-key", str(trustees[0][0]))
    assert code == 2 and "blinded already" in err
    assert _json(capsys, "pledge", "show", space)["blinding_rounds"] == 2
    done = _json(capsys, "pledge", "decrypt", space, "--trustee-key", str(trustees[0][0]))
    assert done["kind"] == "pledge.decrypt"
    _offline(capsys, tmp_path, space, record, trustees[1][0], "decrypt")
    result = _json(capsys, "pledge", "result", space, "--key", str(keyfile["Sokol"]))
    assert result["body"] == {"crossed": True}
    shown = _json(capsys, "pledge", "show", space)
    assert (shown["stage"], shown["total"], shown["crossed"], shown["reveal"]) == (
        "decided",
        None,
        True,
        "crossed",
    )
    assert _run(capsys, "pledge", "export", space, "-o", str(record))[0] == 0
    code, out, _ = _run(capsys, "pledge", "verify", str(record))
    assert code == 0 and "target REACHED (this pledge reveals no total)" in out
    code, _, err = _run(capsys, "pledge", "verify", str(_tampered(record, b"pledge.blind")))
    assert code == 1
