"""``veche pledge`` end to end on the test node: open, the trustees' shares by ``veche
trustee share`` and ``veche log import``, start, pledges sealed on this machine (one
withdrawn), close after the deadline, decrypt, result, show, export and verify."""

from __future__ import annotations

import json
from datetime import UTC, timedelta
from pathlib import Path

import pytest
from tests.clock import EventClock
from tests.factories import PASS, World

from veche.cli import main
from veche.events.identity import save_identity

pytestmark = pytest.mark.django_db


def _run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _json(capsys, *argv: str) -> dict:
    code, out, err = _run(capsys, *argv, "--json")
    assert code == 0, err
    return json.loads(out)


def test_a_pledge_run_from_the_command_line(tmp_path: Path, capsys, monkeypatch):
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
    # The events' clock is the test's: the deadline passes when the test says, not
    # after a sleep that a slow machine may overrun before the pledges are made.
    clock = EventClock.install(monkeypatch)
    deadline = clock.now(UTC).replace(microsecond=0) + timedelta(hours=1)
    args = ["pledge", "open", "--committee", committee, "--key", str(keyfile["Sokol"])]
    args += ["--title", "Strike if 3 of us do", "--workplace", "MTZ", "--needed", "3"]
    args += ["--strike-date", "2020-08-26", "--deadline", deadline.strftime("%Y-%m-%dT%H:%M:%SZ")]
    args += ["--threshold", "2"] + [f"--trustee={public}" for _, public in trustees]
    space = _json(capsys, *args)["pledge"]
    record = tmp_path / "record.jsonl"
    for path, _ in trustees:
        assert _run(capsys, "pledge", "export", space, "-o", str(record))[0] == 0
        out = tmp_path / f"share-{path.stem}.jsonl"
        code, _, err = _run(
            capsys,
            "trustee",
            "share",
            "--record",
            str(record),
            "--key",
            str(path),
            "--out",
            str(out),
        )
        assert code == 0, err
        assert _run(capsys, "log", "import", str(out))[0] == 0
    _json(capsys, "pledge", "start", space, "--key", str(keyfile["Sokol"]))
    for name in names:
        _json(capsys, "pledge", "make", space, "--key", str(keyfile[name]), "--strike")
    _json(capsys, "pledge", "make", space, "--key", str(keyfile["Busel"]), "--withdraw")
    code, _, err = _run(capsys, "pledge", "close", space, "--key", str(keyfile["Sokol"]))
    assert code == 2 and "deadline" in err
    clock.pass_(deadline)
    _json(capsys, "pledge", "close", space, "--key", str(keyfile["Sokol"]))
    for path, _ in trustees:
        _json(capsys, "pledge", "decrypt", space, "--trustee-key", str(path))
    result = _json(capsys, "pledge", "result", space, "--key", str(keyfile["Sokol"]))
    assert result["body"] == {"total": 3, "crossed": True}
    shown = _json(capsys, "pledge", "show", space)
    assert (shown["stage"], shown["total"], shown["pledges_counted"]) == ("decided", 3, 4)
    assert _run(capsys, "pledge", "export", space, "-o", str(record))[0] == 0
    code, out, _ = _run(capsys, "pledge", "verify", str(record))
    assert code == 0 and "total: 3 of 3 needed: target REACHED" in out
