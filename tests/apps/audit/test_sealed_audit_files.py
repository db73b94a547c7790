"""An encrypted node's audits: uploads and reports sealed under the database key, the
upload under a fixed name, and all of it read back through the seal (the runner, the
report's pages and downloads); a plain node's files stay as they were."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import global_settings
from django.core.files import uploadhandler
from django.core.files.uploadedfile import SimpleUploadedFile, TemporaryUploadedFile
from django.test import Client
from tests.factories import World, signed_in_client

from veche.apps.audit.models import SEALED_INPUT, AuditRun
from veche.audit import simulate, write_simulation
from veche.web.db import encryption, sealed

pytestmark = pytest.mark.django_db


@pytest.fixture
def database_key() -> Iterator[encryption.DatabaseKey]:
    """The key this process holds, as an unlocked encrypted node does (on the sqlcipher
    pass the test database's own; otherwise a random one, for this test alone)."""
    key = encryption.held()
    if key is not None:
        yield key
        return
    key = encryption.DatabaseKey(secrets.token_bytes(32))
    encryption.hold(key)
    try:
        yield key
    finally:
        encryption.forget()


@pytest.fixture(scope="module")
def election_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    election = simulate(300, seed=5, stuffing=0.25)
    return write_simulation(election, tmp_path_factory.mktemp("sim"))


def _upload(
    files: dict[str, Path],
    official_name: str = "Hrodna-protocols.csv",
    client: Client | None = None,
) -> AuditRun:
    client = client or signed_in_client(World().person("Zubr"), "Zubr")
    response = client.post(
        "/audit/new/",
        {
            "title": "Выборы Президента, Гродно",
            "official": SimpleUploadedFile(official_name, files["official"].read_bytes()),
            "witness": SimpleUploadedFile("witnesses-of-Zubr.csv", files["witness"].read_bytes()),
            "language": "ru",
            "simulated": "on",
        },
    )
    assert response.status_code == 302
    run = AuditRun.objects.latest("pk")
    run.client = client  # type: ignore[attr-defined]
    return run


@pytest.mark.slow
def test_an_encrypted_nodes_audit_files_are_sealed_and_read_through_the_seal(
    election_files: dict[str, Path], database_key: encryption.DatabaseKey
) -> None:
    run = _upload(election_files)
    assert run.status == AuditRun.Status.DONE, run.error
    assert run.official_name == "Hrodna-protocols.csv"  # kept in the database
    files = [p for p in run.folder.rglob("*") if p.is_file()]
    names = {str(p.relative_to(run.folder)) for p in files}
    assert f"input/official/{SEALED_INPUT}" in names and f"input/witness/{SEALED_INPUT}" in names
    assert not any("Hrodna" in n or "Zubr" in n for n in names)
    assert "report/report.html" in names and "report/fingerprint.png" in names
    official = election_files["official"].read_bytes()
    station = official.splitlines()[1].split(b",")[0]
    for path in files:
        body = path.read_bytes()
        assert sealed.is_sealed(body), path
        for text in (station, "Тихановская".encode(), "Выборы".encode()):
            assert text not in body, (path, text)
        assert path.stat().st_mode & 0o777 == 0o600
    assert sealed.read(run.folder / f"input/official/{SEALED_INPUT}", "audit") == official

    client = run.client  # type: ignore[attr-defined]
    page = client.get(f"/audit/{run.public_id}/")
    assert f"/audit/{run.public_id}/files/fingerprint.png" in page.content.decode()
    plot = client.get(f"/audit/{run.public_id}/files/fingerprint.png")
    assert b"".join(plot.streaming_content).startswith(b"\x89PNG")
    report = client.get(f"/audit/{run.public_id}/files/report.html")
    assert "Тихановская".encode() in b"".join(report.streaming_content)
    table = client.get(f"/audit/{run.public_id}/files/flagged_stations.csv")
    assert b"".join(table.streaming_content).startswith(b"station")
    # A report file sealed under another node's key is not served (nor shown as noise).
    other = encryption.DatabaseKey(secrets.token_bytes(32))
    sealed.write(run.report_folder / "report.json", b"{}", "audit", other)
    assert client.get(f"/audit/{run.public_id}/files/report.json").status_code == 404


@pytest.mark.slow
def test_a_bad_sealed_upload_is_refused_under_the_name_the_member_gave(
    database_key: encryption.DatabaseKey, tmp_path: Path
) -> None:
    bad = tmp_path / "official.csv"
    bad.write_bytes(b"station,region,registered,ballots,invalid,Lukashenka\n1,Minsk,many,1,0,1\n")
    run = _upload({"official": bad, "witness": bad}, official_name="Minsk-district.csv")
    assert run.status == AuditRun.Status.FAILED
    assert "Minsk-district.csv" in run.error
    assert sealed.is_sealed((run.folder / f"input/official/{SEALED_INPUT}").read_bytes())


@pytest.mark.slow
def test_a_plain_nodes_audit_files_are_as_before(election_files: dict[str, Path]) -> None:
    if encryption.held() is not None:
        pytest.skip("the sqlcipher pass holds a key: this is the plain node's test")
    run = _upload(election_files)
    assert run.status == AuditRun.Status.DONE, run.error
    upload = run.folder / "input/official/Hrodna-protocols.csv"
    assert upload.read_bytes() == election_files["official"].read_bytes()
    assert not (run.folder / f"input/official/{SEALED_INPUT}").exists()
    assert (run.report_folder / "fingerprint.png").read_bytes().startswith(b"\x89PNG")


def _encrypted_node_upload_settings(tmp_path: Path) -> dict[str, object]:
    """FILE_UPLOAD_* as the settings module makes them for an encrypted node's folder,
    read in a process of its own (settings are read once per process)."""
    folder = tmp_path / "node"
    folder.mkdir()
    encryption.create_with_key_file(folder, tmp_path / "node.key")
    code = (
        "import json, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'veche.web.settings'\n"
        "from django.conf import settings\n"
        "print(json.dumps({'FILE_UPLOAD_HANDLERS': settings.FILE_UPLOAD_HANDLERS,"
        " 'FILE_UPLOAD_MAX_MEMORY_SIZE': settings.FILE_UPLOAD_MAX_MEMORY_SIZE}))"
    )
    environment = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    environment["VECHE_DATA_DIR"] = str(folder)
    done = subprocess.run(
        [sys.executable, "-c", code], env=environment, capture_output=True, text=True, check=True
    )
    return dict(json.loads(done.stdout))


def test_an_encrypted_nodes_uploads_never_touch_a_temporary_file(
    database_key: encryption.DatabaseKey,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    settings: Any,
) -> None:
    # 3 MB of protocol rows: more than Django keeps in memory by default (2.5 MB), so
    # a default node writes it to a temporary file in /tmp while the request runs.
    bad = tmp_path / "official.csv"
    row = b"1,Minsk,many,1,0,1\n"
    bad.write_bytes(b"station,region,registered,ballots,invalid,Lukashenka\n" + row * 170_000)
    made: list[str] = []

    class Spied(TemporaryUploadedFile):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            made.append(self.temporary_file_path())

    monkeypatch.setattr(uploadhandler, "TemporaryUploadedFile", Spied)
    # The contrast: Django's defaults (a plain node's) spill the upload into temporary files.
    settings.FILE_UPLOAD_HANDLERS = global_settings.FILE_UPLOAD_HANDLERS
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = global_settings.FILE_UPLOAD_MAX_MEMORY_SIZE
    run = _upload({"official": bad, "witness": bad}, official_name="Minsk-district.csv")
    assert run.status == AuditRun.Status.FAILED and made
    client = run.client  # type: ignore[attr-defined]
    made.clear()
    # An encrypted node's settings keep it in memory: no plain copy in /tmp, ever.
    for name, value in _encrypted_node_upload_settings(tmp_path).items():
        setattr(settings, name, value)
    run = _upload({"official": bad, "witness": bad}, "Minsk-district.csv", client)
    assert run.status == AuditRun.Status.FAILED and "Minsk-district.csv" in run.error
    assert made == []
    assert sealed.is_sealed((run.folder / f"input/official/{SEALED_INPUT}").read_bytes())
