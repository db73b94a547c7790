"""Files sealed under subkeys of the database key (veche.web.db.sealed): each purpose
has its own key, any changed byte is refused, a plain file is read only where allowed."""

from __future__ import annotations

import secrets
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from veche.web.db import encryption, sealed
from veche.web.db.encryption import DatabaseKey


def _key() -> DatabaseKey:
    return DatabaseKey(secrets.token_bytes(32))


def test_a_sealed_file_opens_with_its_key_and_purpose_only(tmp_path: Path) -> None:
    key, path = _key(), tmp_path / "report.html"
    sealed.write(path, b"Grodno Azot strike committee", "audit", key)
    body = path.read_bytes()
    assert body.startswith(sealed.MAGIC) and b"Azot" not in body
    assert path.stat().st_mode & 0o777 == 0o600
    assert sealed.read(path, "audit", key) == b"Grodno Azot strike committee"
    with pytest.raises(sealed.SealedFileError, match="does not open"):
        sealed.read(path, "export", key)
    with pytest.raises(sealed.SealedFileError, match="does not open"):
        sealed.read(path, "audit", _key())
    assert not list(tmp_path.glob(".*.tmp"))


def test_without_a_key_files_stay_plain_and_sealed_ones_refuse(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(encryption, "_HELD", [])  # a plain node (the sqlcipher pass holds one)
    path = tmp_path / "plain"
    sealed.write(path, b"public", "export")  # no key held: a plain node
    assert path.read_bytes() == b"public"
    assert sealed.read(path, "export") == b"public"
    with pytest.raises(sealed.SealedFileError, match="should be sealed"):
        sealed.read(path, "export", _key(), allow_plain=False)
    sealed.write(path, b"secret", "export", _key())
    with pytest.raises(sealed.SealedFileError, match="not unlocked"):
        sealed.read(path, "export")


@given(data=st.binary(max_size=200), position=st.integers(min_value=0), flip=st.integers(1, 255))
def test_any_changed_byte_is_refused(data: bytes, position: int, flip: int) -> None:
    key = DatabaseKey(bytes(range(32)))
    body = bytearray(sealed.seal(data, "node-key", key))
    assert sealed.open_bytes(bytes(body), "node-key", key) == data
    body[position % len(body)] ^= flip
    with pytest.raises(sealed.SealedFileError):
        sealed.open_bytes(bytes(body), "node-key", key)


def test_create_makes_a_file_once_even_without_hard_links(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    key, path = _key(), tmp_path / "20261206.key"
    assert sealed.create(path, b"first", "sync-ticket", key)
    assert not sealed.create(path, b"second", "sync-ticket", key)
    assert sealed.read(path, "sync-ticket", key) == b"first"

    def no_links(*_args: object) -> None:
        raise PermissionError("this file system has no hard links")

    monkeypatch.setattr(sealed.os, "link", no_links)
    other = tmp_path / "20261207.key"
    assert sealed.create(other, b"third", "sync-ticket", key)
    assert not sealed.create(other, b"fourth", "sync-ticket", key)
    assert sealed.read(other, "sync-ticket", key) == b"third"
    assert not list(tmp_path.glob(".*.tmp"))
