"""An encrypted node's audits: uploads and reports sealed under the database key, the
upload under a fixed name, and all of it read back through the seal (the runner, the
report's pages and downloads); a plain node's files stay as they were."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
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


def _upload(files: dict[str, Path], official_name: str = "Hrodna-protocols.csv") -> AuditRun:
    client: Client = signed_in_client(World().person("Zubr"), "Zubr")
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
    run = AuditRun.objects.get()
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
