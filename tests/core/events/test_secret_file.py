"""The one writer of secret files (member and trustee key files): owner-only, atomic."""

from __future__ import annotations

import stat
from pathlib import Path

from veche.election.offline import TrusteeKeys, load_trustee_keys, save_trustee_keys
from veche.events.secret_file import write_secret_file, write_secret_json


def test_a_secret_file_is_owner_only_over_a_stale_wide_temporary_file(tmp_path: Path) -> None:
    path = tmp_path / "folder" / "secret"
    stale = tmp_path / "folder" / "secret.tmp"
    stale.parent.mkdir()
    stale.write_text("left over from a crash")
    stale.chmod(0o644)
    write_secret_file(path, "one")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert path.read_text(encoding="utf-8") == "one"
    assert not stale.exists()


def test_a_secret_json_file_is_indented_sorted_and_ends_with_a_newline(tmp_path: Path) -> None:
    path = tmp_path / "secret.json"
    write_secret_json(path, {"b": 1, "a": "я"})
    assert path.read_text(encoding="utf-8") == '{\n  "a": "\\u044f",\n  "b": 1\n}\n'


def test_trustee_key_file_round_trip_with_owner_only_permissions(tmp_path: Path) -> None:
    keys = TrusteeKeys.generate()
    path = tmp_path / "trustee.key"
    save_trustee_keys(path, keys, "passphrase", profile="test")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    loaded = load_trustee_keys(path, "passphrase")
    assert loaded.identity == keys.identity
    assert loaded.box_public == keys.box_public
