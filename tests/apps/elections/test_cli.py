"""The election and trustee commands end to end on the test node: trustees offline with
key files, event files taken by ``veche log import``, votes from the CLI (online and
offline), export, show, and verify of the exported record."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from tests.apps.elections.helpers import call_election
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


def test_an_election_run_from_the_command_line(tmp_path: Path, capsys, monkeypatch):
    monkeypatch.setenv("VECHE_PASSPHRASE", PASS)
    monkeypatch.setenv("VECHE_KDF_PROFILE", "test")
    world = World()
    committee = world.committee("Sokol", ("Zubr", "Rusalka"))
    keyfile = {}
    for name in ("Sokol", "Zubr", "Rusalka"):
        keyfile[name] = tmp_path / f"{name}.key"
        save_identity(keyfile[name], world.person(name), PASS, "test")
    trustees = []
    for j in range(3):
        path = tmp_path / f"trustee{j + 1}.key"
        trustees.append((path, _json(capsys, "trustee", "keygen", "--out", str(path))["trustee"]))
    motion = call_election(world, committee, ("Sokol", "Zubr", "Rusalka"))
    args = ["election", "create", "--committee", committee, "--key", str(keyfile["Sokol"])]
    args += [f"--motion={motion}"]
    args += ["--title", "Chair", "--option", "Ales", "--option", "Maria", "--threshold", "2"]
    for _, public in trustees:
        args += [f"--trustee={public}"]  # keys may begin with "-"
    space = _json(capsys, *args)["election"]
    record = tmp_path / "record.jsonl"

    def export() -> None:
        assert _run(capsys, "election", "export", space, "-o", str(record))[0] == 0

    def take(step: str, path: Path) -> None:
        export()
        out = tmp_path / f"{step}-{path.stem}.jsonl"
        code, _, err = _run(
            capsys, "trustee", step, "--record", str(record), "--key", str(path), "--out", str(out)
        )
        assert code == 0, err
        code, _, err = _run(capsys, "log", "import", str(out))
        assert code == 0, err

    for path, _ in trustees:
        take("share", path)
    export()
    code, out, _ = _run(
        capsys,
        "trustee",
        "check",
        "--record",
        str(record),
        "--key",
        str(trustees[0][0]),
        "--out",
        str(tmp_path / "complaint.jsonl"),
    )
    assert code == 0 and "nothing to complain" in out
    assert _run(capsys, "election", "open", space, "--key", str(keyfile["Sokol"]))[0] == 0
    vote = _json(
        capsys, "election", "vote", space, "--key", str(keyfile["Zubr"]), "--choice", "Maria"
    )
    assert len(vote["tracker"]) == 43
    assert (
        _run(capsys, "election", "vote", space, "--key", str(keyfile["Zubr"]), "--choice", "7")[0]
        == 2
    )  # no such option
    # Offline: sign the ballot against the record, carry the file to the node.
    export()
    offline = _json(
        capsys,
        "election",
        "vote",
        str(record),
        "--key",
        str(keyfile["Rusalka"]),
        "--choice",
        "1",
        "--out",
        str(tmp_path / "ballot.jsonl"),
        "--secrets",
        str(tmp_path / "secrets.json"),
    )
    assert _run(capsys, "log", "import", str(tmp_path / "ballot.jsonl"))[0] == 0
    assert json.loads((tmp_path / "secrets.json").read_text())["selections"] == [[1, 0]]
    _json(capsys, "election", "vote", space, "--key", str(keyfile["Sokol"]), "--choice", "2")
    assert _run(capsys, "election", "close", space, "--key", str(keyfile["Sokol"]))[0] == 0
    take("decrypt", trustees[2][0])
    take("decrypt", trustees[0][0])
    assert _run(capsys, "election", "tally", space, "--key", str(keyfile["Sokol"]))[0] == 0
    shown = _json(capsys, "election", "show", space)
    assert shown["stage"] == "decided" and shown["counts"] == [1, 2]
    assert offline["tracker"] in shown["trackers"] and vote["tracker"] in shown["trackers"]
    export()
    verified = _json(capsys, "election", "verify", str(record))
    assert verified["ok"] is True and verified["counts"] == [1, 2]
    # Who called it: named, and plainly not checked by the record alone.
    close = shown["call"]["close"]
    assert shown["call"] == {
        "committee": committee, "motion": motion, "close": close, "checked": True
    }  # fmt: skip
    assert verified["call"] == {**shown["call"], "checked": False}
    code, out, _ = _run(capsys, "election", "verify", str(record))
    assert code == 0 and f"called by committee {committee}, motion {motion}" in out
    assert "NOT CHECKED" in out and "committee's log" in out


def test_verify_reports_a_broken_file(tmp_path: Path, capsys):
    path = tmp_path / "broken.jsonl"
    path.write_bytes(b'{"v":1}')
    code, out, _ = _run(capsys, "election", "verify", str(path), "--json")
    assert code == 1 and json.loads(out)["ok"] is False


def test_an_assembly_election_from_an_electoral_roll(tmp_path: Path, capsys, monkeypatch):
    from veche.apps.elections.models import Election, Voter
    from veche.events import Identity

    monkeypatch.setenv("VECHE_PASSPHRASE", PASS)
    creator = Identity.generate()
    keyfile = tmp_path / "creator.key"
    save_identity(keyfile, creator, PASS, "test")
    voters = [Identity.generate() for _ in range(6)]
    roll = tmp_path / "roll.json"
    roll.write_text(
        json.dumps(
            [
                {"keys": [v.public], "constituency": "Minsk" if i < 4 else "Brest"}
                for i, v in enumerate(voters)
            ]
        )
    )
    trustee = tmp_path / "t.key"
    public = _json(capsys, "trustee", "keygen", "--out", str(trustee))["trustee"]
    space = _json(
        capsys,
        "election",
        "create",
        "--roll",
        str(roll),
        "--key",
        str(keyfile),
        "--title",
        "Constituent assembly",
        "--method",
        "party_list",
        "--option",
        "Workers",
        "--option",
        "Students",
        "--divisor",
        "sainte-lague",
        "--threshold-percent",
        "5",
        "--constituency",
        "Minsk:3",
        "--constituency",
        "Brest:2",
        f"--trustee={public}",
        "--threshold",
        "1",
    )["election"]
    election = Election.objects.get(space=space)
    assert election.body["constituencies"] == [
        {"name": "Minsk", "seats": 3},
        {"name": "Brest", "seats": 2},
    ]
    assert Voter.objects.filter(space=space, constituency=1).count() == 2
    code, _, err = _run(
        capsys,
        "election",
        "create",
        "--key",
        str(keyfile),
        "--title",
        "x",
        "--option",
        "a",
        "--option",
        "b",
        f"--trustee={public}",
        "--threshold",
        "1",
    )
    assert code == 2 and "--committee or --roll" in err
