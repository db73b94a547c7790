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
    assert (tmp_path / "secrets.json").stat().st_mode & 0o777 == 0o600  # it reveals the vote
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


def _assembly(tmp_path: Path, capsys, monkeypatch, *, in_minsk: int, voters: int = 4):
    """An assembly election (Minsk 2 seats, Brest 1) with one trustee, open, on the test node."""
    from veche.events import Identity

    monkeypatch.setenv("VECHE_PASSPHRASE", PASS)
    monkeypatch.setenv("VECHE_KDF_PROFILE", "test")
    creator = Identity.generate()
    keyfile = tmp_path / "creator.key"
    save_identity(keyfile, creator, PASS, "test")
    people = [Identity.generate() for _ in range(voters)]
    voter_keys = []
    for i, person in enumerate(people):
        voter_keys.append(tmp_path / f"voter{i}.key")
        save_identity(voter_keys[-1], person, PASS, "test")
    roll = tmp_path / "roll.json"
    roll.write_text(
        json.dumps(
            [
                {"keys": [v.public], "constituency": "Minsk" if i < in_minsk else "Brest"}
                for i, v in enumerate(people)
            ]
        )
    )
    trustee = tmp_path / "t.key"
    public = _json(capsys, "trustee", "keygen", "--out", str(trustee))["trustee"]
    assert (trustee.stat().st_mode & 0o777) == 0o600
    args = ["election", "create", "--roll", str(roll), "--key", str(keyfile), "--title", "Rada"]
    args += ["--method", "party_list", "--option", "Workers", "--option", "Students"]
    args += ["--constituency", "Minsk:2", "--constituency", "Brest:1"]
    args += [f"--trustee={public}", "--threshold", "1"]
    space = _json(capsys, *args)["election"]
    record = tmp_path / "record.jsonl"

    def take(step: str) -> None:
        assert _run(capsys, "election", "export", space, "-o", str(record))[0] == 0
        out = tmp_path / f"{step}.jsonl"
        argv = ["trustee", step, "--record", str(record), "--key", str(trustee), "--out", str(out)]
        code, _, err = _run(capsys, *argv)
        assert code == 0, err
        assert _run(capsys, "log", "import", str(out))[0] == 0

    take("share")
    assert _run(capsys, "election", "open", space, "--key", str(keyfile))[0] == 0
    return space, keyfile, voter_keys, record, take


def test_an_assembly_where_one_constituency_gets_no_ballot(tmp_path: Path, capsys, monkeypatch):
    """Was an InvalidPoint traceback at close and verify, and a SeatError at tally."""
    space, keyfile, voter_keys, record, take = _assembly(tmp_path, capsys, monkeypatch, in_minsk=3)
    for key, choice in zip(voter_keys[:3], ("Workers", "Workers", "Students"), strict=True):
        _json(capsys, "election", "vote", space, "--key", str(key), "--choice", choice)
    # Nobody in Brest votes.
    closed = _json(capsys, "election", "close", space, "--key", str(keyfile))
    assert closed["kind"] == "election.close" and closed["body"]["ballots"] == 3
    take("decrypt")
    result = _json(capsys, "election", "tally", space, "--key", str(keyfile))
    # Minsk by D'Hondt: Workers 2, then Workers 1 ties Students 1 and has more votes;
    # Brest's seat stays vacant (no lot among parties nobody there voted for).
    assert result["body"] == {"counts": [2, 1, 0, 0], "seats": [2, 0]}
    assert _run(capsys, "election", "export", space, "-o", str(record))[0] == 0
    verified = _json(capsys, "election", "verify", str(record))
    assert verified["verdict"] == "ok" and verified["stage"] == "decided"
    assert verified["counts_by_constituency"] == [[2, 1], [0, 0]]
    assert verified["seats"] == [2, 0] and verified["vacant"] == 1
    code, out, _ = _run(capsys, "election", "verify", str(record))
    assert code == 0 and "vacant seats: 1" in out


def test_an_audit_from_vote_checked_by_check_audit(tmp_path: Path, capsys, monkeypatch):
    space, _, voter_keys, record, _ = _assembly(tmp_path, capsys, monkeypatch, in_minsk=2)
    audit = tmp_path / "audit.json"
    made = _json(
        capsys, "election", "vote", space, "--key", str(voter_keys[0]),
        "--choice", "Students", "--audit", str(audit),
    )  # fmt: skip
    assert audit.stat().st_mode & 0o777 == 0o600
    assert _json(capsys, "election", "show", space)["ballots_cast"] == 0  # audited, not cast
    assert _run(capsys, "election", "export", space, "-o", str(record))[0] == 0

    def check(path: Path, *extra: str) -> tuple[int, dict]:
        code, out, err = _run(capsys, "election", "check-audit", str(path), *extra, "--json")
        assert "Traceback" not in out + err
        return code, json.loads(out)

    code, passed = check(audit, "--record", str(record))
    assert code == 0 and passed["verdict"] == "passed" and passed["tracker"] == made["tracker"]
    assert passed["choices"] == [
        {"question": 1, "text": "Rada", "marked": [{"option": 2, "name": "Students"}]}
    ]
    code, out, _ = _run(capsys, "election", "check-audit", str(audit))
    assert code == 0 and "AUDIT PASSED" in out and "option 2" in out
    code, out, _ = _run(capsys, "election", "check-audit", str(audit), "--record", str(record))
    assert code == 0 and "2. Students" in out

    document = json.loads(audit.read_text())

    def tampered(change) -> Path:
        copy = json.loads(json.dumps(document))
        change(copy)
        path = tmp_path / "tampered.json"
        path.write_text(json.dumps(copy))
        return path

    def other_randomness(d: dict) -> None:
        d["secrets"]["randomness"][0].reverse()

    def claim_other_choice(d: dict) -> None:
        d["secrets"]["selections"] = [[1, 0]]

    def other_tracker(d: dict) -> None:
        d["tracker"] = "A" * 43

    def other_ciphertext(d: dict) -> None:
        first, second = d["ballot"]["answers"][0]["choices"]
        d["ballot"]["answers"][0]["choices"] = [second, first]

    for change, fragment in (
        (other_randomness, "does not encrypt the claimed mark"),
        (claim_other_choice, "does not encrypt the claimed mark"),
        (other_tracker, "is not this ballot's"),
        (other_ciphertext, "ballot.answers[0]"),
    ):
        code, failed = check(tampered(change))
        assert code == 1 and failed["verdict"] == "failed", change.__name__
        assert fragment in failed["failure"], (change.__name__, failed["failure"])
        assert failed["choices"] == []
    # Another election key: the audit checks out alone, but not against the record.
    from veche.crypto.ballot import Election, encrypt_ballot
    from veche.crypto.group import base_mul, random_scalar

    election = Election.from_json(document["election"])
    rogue = Election(election.election_id, base_mul(random_scalar()), election.questions)
    ballot, secrets = encrypt_ballot(rogue, [[0, 1]])
    rogue_audit = tampered(
        lambda d: d.update(
            election=rogue.to_json(),
            ballot=ballot.to_json(),
            secrets=secrets.to_json(),
            tracker=ballot.tracker(),
        )
    )
    assert check(rogue_audit)[0] == 0
    code, failed = check(rogue_audit, "--record", str(record))
    assert code == 1 and "another key than the election's" in failed["failure"]
    code, _, err = _run(
        capsys, "election", "check-audit", str(rogue_audit), "--record", str(record)
    )
    assert code == 1 and err.startswith("AUDIT FAILED: ")
    # Unreadable: missing, not JSON, not an audit file; an unreadable record too.
    (tmp_path / "junk.json").write_bytes(b"\xff not json")
    (tmp_path / "other.json").write_text(json.dumps({"format": "something else"}))
    for path, extra in (
        (tmp_path / "missing.json", ()),
        (tmp_path / "junk.json", ()),
        (tmp_path / "other.json", ()),
        (audit, ("--record", str(tmp_path / "missing.jsonl"))),
    ):
        code, unreadable = check(path, *extra)
        assert code == 2 and unreadable["verdict"] == "unreadable", path
        code, out, err = _run(capsys, "election", "check-audit", str(path), *extra)
        assert code == 2 and out == "" and err.startswith("veche: error: ")
