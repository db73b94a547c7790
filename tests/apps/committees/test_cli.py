"""The committee, motion and log commands, against the test database."""

from __future__ import annotations

import json

import pytest
from tests.factories import PASS, World

from veche.apps.accounts.actions import create_account
from veche.apps.committees.models import Motion
from veche.apps.store.models import StoredEvent
from veche.cli import main

pytestmark = pytest.mark.django_db


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_committee_and_motion_commands(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VECHE_PASSPHRASE", PASS)
    w = World()
    for name in ("Sokol", "Zubr"):
        create_account(name, PASS, w.person(name))
    code, out, _ = _run(
        capsys,
        "committee",
        "create",
        "--account",
        "Sokol",
        "--name",
        "AZOT Grodno",
        "--pseudonym",
        "Sokol",
        "--json",
    )
    assert code == 0
    space = json.loads(out)["space"]
    code, out, _ = _run(capsys, "committee", "invite", "--account", "Sokol", space, "--json")
    invitation = json.loads(out)["code"]
    assert (
        _run(
            capsys,
            "committee",
            "join",
            "--account",
            "Zubr",
            space,
            "--code",
            invitation,
            "--pseudonym",
            "Zubr",
        )[0]
        == 0
    )
    code, out, _ = _run(
        capsys,
        "motion",
        "propose",
        "--account",
        "Zubr",
        space,
        "--kind",
        "strike_call",
        "--title",
        "Strike",
        "--text",
        "From Monday",
        "--json",
    )
    motion = json.loads(out)["motion"]
    for name in ("Sokol", "Zubr"):
        assert (
            _run(capsys, "motion", "vote", "--account", name, space, motion, "--choice", "yes")[0]
            == 0
        )
    code, _, err = _run(
        capsys, "motion", "vote", "--account", "Sokol", space, motion, "--choice", "yes", "--json"
    )
    assert code == 0  # a repeated vote replaces the earlier one
    code, _, err = _run(capsys, "motion", "close", "--account", "Sokol", space, motion)
    assert code == 2 and "only the proposer closes" in err
    code, out, _ = _run(capsys, "motion", "close", "--account", "Zubr", space, motion, "--json")
    assert json.loads(out)["result"]["passed"] is True
    code, out, _ = _run(capsys, "motion", "show", space, motion, "--json")
    assert json.loads(out)["result"]["yes"] == 2
    code, _, err = _run(
        capsys, "motion", "vote", "--account", "Zubr", space, motion, "--choice", "no"
    )
    assert code == 2 and "closed" in err
    code, out, _ = _run(capsys, "committee", "list", "--json")
    listed = json.loads(out)
    assert listed == [
        {
            "space": space,
            "name": "AZOT Grodno",
            "kind": "workplace",
            "level": "local",
            "parent": None,
            "demo": False,
            "rules": listed[0]["rules"],
            "members": 2,
        }
    ]
    assert Motion.objects.get(event=motion).status == "passed"


def test_wrong_passphrase_is_a_clear_error(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    w = World()
    create_account("Sokol", PASS, w.person("Sokol"))
    monkeypatch.setenv("VECHE_PASSPHRASE", "not the right one")
    code, _, err = _run(
        capsys, "committee", "create", "--account", "Sokol", "--name", "X plant", "--pseudonym", "S"
    )
    assert code == 2 and "wrong passphrase" in err


def test_log_verify_names_a_tampered_event(capsys: pytest.CaptureFixture[str]) -> None:
    w = World()
    w.committee("Sokol", ("Zubr",))
    code, out, _ = _run(capsys, "log", "verify", "--json")
    assert code == 0 and json.loads(out)["ok"] is True
    victim = StoredEvent.objects.filter(kind="member.join").get()
    raw = bytearray(victim.raw)
    raw[-5] ^= 0x01  # one byte, inside the signed bytes
    StoredEvent.objects.filter(id=victim.id).update(raw=bytes(raw))
    code, out, err = _run(capsys, "log", "verify")
    assert code == 1
    assert out.startswith(victim.id)
    assert "1 do not verify" in err


def test_state_digest_and_rebuild(capsys: pytest.CaptureFixture[str]) -> None:
    World().committee("Sokol", ("Zubr",))
    _, digest, _ = _run(capsys, "state", "digest")
    code, out, _ = _run(capsys, "log", "rebuild", "--json")
    assert code == 0 and json.loads(out)["digest_after"] == digest.strip()


def test_keys_export_from_an_account(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("VECHE_PASSPHRASE", PASS)
    w = World()
    create_account("Sokol", PASS, w.person("Sokol"))
    target = tmp_path / "sokol.key"
    code, out, _ = _run(capsys, "keys", "export", "--account", "Sokol", "-o", str(target))
    assert code == 0 and out.strip() == w.person("Sokol").public
    assert (target.stat().st_mode & 0o777) == 0o600
    code, out, _ = _run(capsys, "keys", "show", str(target))
    assert out.strip() == w.person("Sokol").public


def test_ids_beginning_with_a_dash_are_values() -> None:
    from veche.cli import build_parser

    dash_id = "-" + "a" * 41 + "A"
    args = build_parser().parse_args(
        ["committee", "vouch", "--account", "x", dash_id, "--member", dash_id]
    )
    assert (args.space, args.member) == (dash_id, dash_id)
