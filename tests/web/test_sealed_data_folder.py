"""A plain node turned encrypted (veche.web.db.convert): its database copied under the
key and checked, the files beside it sealed in place; a failure on the way leaves the
plain node as it was (docs/node.md, "Encryption at rest")."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from tests.web.served import VECHE, node_env
from tests.web.test_encrypted_db import SECRETS, WRITE

from veche.web.db import convert, encryption, sealed
from veche.web.db.encryption import DatabaseKey

pytestmark = pytest.mark.skipif(
    os.environ.get("VECHE_TEST_DATABASE") == "postgres",
    reason="encryption at rest is for the embedded database; hubs use disk encryption",
)


def _run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, env=env, capture_output=True, text=True, timeout=180, check=False)


def _env(folder: Path, **extra: str) -> dict[str, str]:
    env = node_env(folder, DJANGO_SETTINGS_MODULE="veche.web.settings", **extra)
    env.pop("VECHE_NODE_PASSPHRASE", None)
    env.pop("VECHE_NODE_KEY_FILE", None)
    return {**env, **extra}


def _plain_node(tmp_path: Path) -> Path:
    """A plain node with a committee, members and a motion, stopped cleanly."""
    folder = tmp_path / "node"
    done = _run([VECHE, "init", "--plain"], _env(folder))
    assert done.returncode == 0, done.stderr
    written = _run([sys.executable, "-c", WRITE], _env(folder))
    assert written.returncode == 0, written.stderr[-3000:]
    # A clean start and stop: the write-ahead log folded into the database.
    done = _run([VECHE, "node", "operator", "list"], _env(folder))
    assert done.returncode == 0, done.stderr
    assert not (folder / "veche.sqlite3-wal").exists()
    return folder


def _digest(folder: Path, **extra: str) -> str:
    done = _run([VECHE, "state", "digest", "--json"], _env(folder, **extra))
    assert done.returncode == 0, done.stderr[-3000:]
    return str(json.loads(done.stdout))


@pytest.mark.slow
def test_a_plain_node_converts_and_keeps_its_digest(tmp_path: Path) -> None:
    folder = _plain_node(tmp_path)
    before = _digest(folder)
    plain = folder / "veche.sqlite3"
    assert all(s.encode() in plain.read_bytes() for s in SECRETS)

    stick = tmp_path / "veche.key"  # a new key file: it wraps the database key
    key = DatabaseKey(secrets.token_bytes(32))
    staged = folder / "veche.sqlite3.encrypting"
    counts = convert.encrypt_database(plain, staged, key)
    assert counts["store_storedevent"] > 0 and counts["committees_member"] >= 2, counts
    assert not staged.read_bytes().startswith(b"SQLite format 3")
    assert not any(s.encode() in staged.read_bytes() for s in SECRETS)

    # What `veche node encrypt` does next: swap the files, write the header, seal the rest.
    os.replace(staged, plain)
    held = encryption.held(), encryption.held_wrapping()
    try:
        encryption.create_with_key_file(folder, stick, data_key=key)
    finally:  # this process's own key (the sqlcipher pass's test database) stays held
        encryption.forget()
        if held[0] is not None:
            encryption.hold(held[0], held[1])
    convert.seal_plain_files(folder, key)
    everything = b"".join(p.read_bytes() for p in folder.rglob("*") if p.is_file())
    assert not any(s.encode() in everything for s in SECRETS)
    assert sealed.is_sealed((folder / "django-secret-key").read_bytes())
    assert _digest(folder, VECHE_NODE_KEY_FILE=str(stick)) == before


@pytest.mark.slow
@pytest.mark.parametrize("where", ["export", "check"])
def test_a_failure_midway_leaves_the_plain_node_intact(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, where: str
) -> None:
    folder = _plain_node(tmp_path)
    before = _digest(folder)
    plain = folder / "veche.sqlite3"
    original = plain.read_bytes()
    staged = folder / "veche.sqlite3.encrypting"

    def broken(*_args: object) -> None:
        raise convert.ConversionError("the disk filled up")

    if where == "export":
        real = convert._export

        def half(plain_path: Path, encrypted_path: Path, key: DatabaseKey) -> dict[str, int]:
            real(plain_path, encrypted_path, key)  # the copy is on disk, then the process fails
            raise convert.ConversionError("the disk filled up")

        monkeypatch.setattr(convert, "_export", half)
    else:
        # The copy is written but does not check out (a row lost): refused, removed.
        real_counts = convert._row_counts
        calls = []

        def counts(connection: object) -> dict[str, int]:
            found = real_counts(connection)
            calls.append(1)
            if len(calls) == 2:
                found["store_storedevent"] -= 1
            return found

        monkeypatch.setattr(convert, "_row_counts", counts)
    with pytest.raises(convert.ConversionError):
        convert.encrypt_database(plain, staged, DatabaseKey(secrets.token_bytes(32)))
    assert not staged.exists() and not list(folder.glob("veche.sqlite3.encrypting*"))
    assert plain.read_bytes() == original
    assert _digest(folder) == before


def test_a_copy_is_refused_where_a_file_is_in_the_way(tmp_path: Path) -> None:
    key = DatabaseKey(secrets.token_bytes(32))
    not_sqlite = tmp_path / "veche.sqlite3"
    not_sqlite.write_bytes(b"VECHE-SEALED-1\n...")
    with pytest.raises(convert.ConversionError, match="not a plain SQLite database"):
        convert.encrypt_database(not_sqlite, tmp_path / "out", key)
    import sqlite3

    sqlite3.connect(tmp_path / "plain.sqlite3").execute("CREATE TABLE t (x)").connection.close()
    (tmp_path / "out").write_bytes(b"mine")
    with pytest.raises(convert.ConversionError, match="exists"):
        convert.encrypt_database(tmp_path / "plain.sqlite3", tmp_path / "out", key)
    assert (tmp_path / "out").read_bytes() == b"mine"


def _plain_folder(root: Path) -> dict[str, bytes]:
    """The files a plain node keeps beside its database, as it writes them."""
    files = {
        "django-secret-key": b"a-plain-secret-key-of-this-node",
        "node-key.json": b'{"format": "veche-node-key", "public": "P", "seed": "S"}\n',
        "sync-certificates.json": b'[{"member": "Zubr"}]\n',
        "audits/abc/input/official/Minsk-protocols.csv": b"station,region\n1,Minsk\n",
        "audits/abc/input/witness/witnesses.csv": b"station,candidate\n1,Tsikhanouskaya\n",
        "audits/abc/report/report.html": "<h1>Выборы Президента</h1>".encode(),
        "audits/abc/report/fingerprint.png": b"\x89PNG plot",
        "exports/xyz.bundle": b"VECHE-BUNDLE-v1\nencrypted to members",
        "exports/.xyz.bundle.abcd.tmp": b"VECHE-BUNDLE-v1\na write cut short",
        "sync-tickets/20261206.key": b"k" * 32,
        "demo/national.bundle": b"public by design",
    }
    for name, data in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(data)
    return files


def test_seal_plain_files_seals_every_kind_in_place_and_runs_again_safely(tmp_path: Path) -> None:
    files = _plain_folder(tmp_path)
    key = DatabaseKey(secrets.token_bytes(32))
    done = convert.seal_plain_files(tmp_path, key)
    assert len(done) == 9
    assert not (tmp_path / "exports/.xyz.bundle.abcd.tmp").exists()
    # Unchanged: the demo's public files.
    assert (tmp_path / "demo/national.bundle").read_bytes() == b"public by design"
    # Uploads keep no name of their own on disk; their bytes open with the audit key.
    inputs = tmp_path / "audits/abc/input"
    assert [p.name for p in inputs.rglob("*") if p.is_file()] == ["upload.sealed"] * 2
    assert (
        sealed.read(inputs / "official/upload.sealed", "audit", key)
        == files["audits/abc/input/official/Minsk-protocols.csv"]
    )
    for name, purpose in (
        ("django-secret-key", "secret-key"),
        ("node-key.json", "node-key"),
        ("sync-certificates.json", "node-key"),
        ("audits/abc/report/report.html", "audit"),
        ("audits/abc/report/fingerprint.png", "audit"),
        ("exports/xyz.bundle", "export"),
        ("sync-tickets/20261206.key", "sync-ticket"),
    ):
        assert sealed.read(tmp_path / name, purpose, key, allow_plain=False) == files[name]
        assert (tmp_path / name).stat().st_mode & 0o777 == 0o600
    everything = b"".join(p.read_bytes() for p in tmp_path.rglob("*") if p.is_file())
    for secret in (b"Minsk", "Выборы".encode(), b"Tsikhanouskaya", b"plain-secret", b"Zubr"):
        assert secret not in everything
    snapshot = {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}
    assert convert.seal_plain_files(tmp_path, key) == []
    assert {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()} == snapshot


def test_an_upload_sealed_before_a_cut_is_not_sealed_twice(tmp_path: Path) -> None:
    key = DatabaseKey(secrets.token_bytes(32))
    folder = tmp_path / "audits/abc/input/official"
    folder.mkdir(parents=True)
    (folder / "protocols.csv").write_bytes(b"station\n1\n")
    sealed.write(folder / "upload.sealed", b"station\n1\n", "audit", key)
    assert convert.seal_plain_files(tmp_path, key) == []
    assert [p.name for p in folder.iterdir()] == ["upload.sealed"]


def test_the_conversion_copies_what_a_node_would_need(tmp_path: Path) -> None:
    """Tables, indexes, triggers and views all come across (sqlcipher_export)."""
    import sqlite3

    plain = tmp_path / "plain.sqlite3"
    db = sqlite3.connect(plain)
    db.executescript(
        "PRAGMA journal_mode=WAL; CREATE TABLE t (x TEXT UNIQUE); CREATE INDEX i ON t (x);"
        " CREATE VIEW v AS SELECT x FROM t; CREATE TABLE log (y);"
        " CREATE TRIGGER g AFTER INSERT ON t BEGIN INSERT INTO log VALUES (new.x); END;"
        " INSERT INTO t VALUES ('Зубр'), ('Sokol'); PRAGMA user_version = 7;"
    )
    db.close()
    key = DatabaseKey(secrets.token_bytes(32))
    out = tmp_path / "encrypted.sqlite3"
    assert convert.encrypt_database(plain, out, key) == {"log": 2, "t": 2}
    from sqlcipher3 import dbapi2 as sqlcipher  # type: ignore[import-untyped]

    copy = sqlcipher.connect(str(out))
    copy.execute(key.pragma())
    names = sorted(copy.execute("SELECT type, name FROM sqlite_master").fetchall())
    assert ("index", "i") in names and ("trigger", "g") in names and ("view", "v") in names
    assert copy.execute("PRAGMA user_version").fetchone()[0] == 7
    copy.close()
    wrong = sqlcipher.connect(str(out))
    wrong.execute(DatabaseKey(secrets.token_bytes(32)).pragma())
    with pytest.raises(sqlcipher.DatabaseError):
        wrong.execute("SELECT count(*) FROM sqlite_master").fetchone()
    wrong.close()


# In the unlocked demo node: a member's bundle export, an audit of files the member
# named after their committee, a certificate for the node's sync key, Django's
# secret key used; then the names the captor must not find, read from the database.
DEMO_WORK = """
import json, django
django.setup()
from veche.cli.base import unlock_database
unlock_database()
from django.core.files.base import ContentFile
from django.utils.crypto import salted_hmac
from veche.apps.accounts.models import Account
from veche.apps.audit import actions, runner
from veche.apps.audit.models import AuditRun
from veche.apps.committees.models import Committee, Member, Motion
from veche.apps.sync import exports, node
from veche.apps.sync.models import BundleExport
from veche.audit import simulate, write_simulation
from veche.events import Identity
import pathlib, tempfile

sokol = Account.objects.get(pseudonym="Sokol")
space = Member.objects.filter(pseudonym="Sokol").values_list("space", flat=True).first()
export = BundleExport.objects.create(owner=sokol, space=space)
exports.execute(export.id)
export.refresh_from_db()
assert export.status == "done", export.error

committee = Committee.objects.get(space=space).name
files = write_simulation(simulate(200, seed=3), pathlib.Path(tempfile.mkdtemp()))
run = actions.start_audit_run(
    sokol.pk,
    title=Motion.objects.filter(space=space).values_list("title", flat=True).first(),
    official=ContentFile(files["official"].read_bytes(), name=committee + ".csv"),
    witness=ContentFile(files["witness"].read_bytes(), name="Sokol witnesses.csv"),
)
runner.execute(run.pk)
run.refresh_from_db()
assert run.status == "done", run.error
node.certify(Identity.generate())
salted_hmac("veche.test", "Sokol")  # Django's secret key, made and used
published = AuditRun.objects.exclude(published_at=None).values_list("public_id", flat=True)
print(json.dumps({
    "committees": sorted(set(Committee.objects.values_list("name", flat=True))),
    "pseudonyms": sorted(set(Member.objects.values_list("pseudonym", flat=True))),
    "motions": sorted(set(Motion.objects.values_list("title", flat=True))),
    "published_audit": published.first(),
    "export": export.file_name,
}))
"""


def _demo_texts() -> list[str]:
    """What the demo's people wrote, in each of its languages (src/veche/demo/data)."""
    import tomllib

    from veche.demo import load

    texts: list[str] = []
    for path in sorted((Path(load.__file__).parent / "data").glob("text.*.toml")):
        document = tomllib.loads(path.read_text(encoding="utf-8"))
        for section in ("committee", "motion"):
            for entry in document.get(section, {}).values():
                texts += [entry[k] for k in ("name", "acc", "title") if k in entry]
        texts += list(document.get("post", {}).values())
        texts += [v for v in document.get("comment", {}).values() if isinstance(v, str)]
        texts.append(document["fund"]["name"])
    # Whole sentences up to a template's first value ("Join {parent}" reads "Join ").
    return sorted({t.split("{", 1)[0].strip() for t in texts if len(t.split("{", 1)[0]) >= 8})


@pytest.mark.slow
def test_an_encrypted_demo_nodes_folder_gives_nothing_away_and_serves_it_unlocked(
    tmp_path: Path,
) -> None:
    from tests.web.served import veche_serve

    folder = tmp_path / "demo"
    unlocked = {"VECHE_NODE_PASSPHRASE": "veche demo node"}
    done = _run([VECHE, "demo", "--no-serve"], _env(folder))
    assert done.returncode == 0, done.stderr[-3000:]
    work = _run([sys.executable, "-c", DEMO_WORK], _env(folder, **unlocked))
    assert work.returncode == 0, work.stderr[-3000:]
    names = json.loads(work.stdout.splitlines()[-1])
    assert len(names["committees"]) > 20 and len(names["pseudonyms"]) > 40, names

    files = {
        str(p.relative_to(folder)): p.read_bytes()
        for p in folder.rglob("*")
        if p.is_file() and not p.name.endswith("-serve.log")
    }
    # The demo's public bundle and its QR codes (the national council's own log, made
    # to be published) are public by design; nothing else may say anything.
    public = {n for n in files if n.startswith("demo/")}
    assert "demo/national.bundle" in public
    for name in ("django-secret-key", "node-key.json", f"exports/{names['export']}"):
        assert sealed.is_sealed(files[name]), name
    tickets = [n for n in files if n.startswith("sync-tickets/")]
    assert all(sealed.is_sealed(files[n]) for n in tickets)
    audits = [n for n in files if n.startswith("audits/")]
    assert len(audits) > 20 and all(sealed.is_sealed(files[n]) for n in audits)
    assert not any(n.startswith("sync-certificates") for n in files)
    assert not files["veche.sqlite3"].startswith(b"SQLite format 3")
    everything = b"\0".join(body for name, body in files.items() if name not in public)

    texts = _demo_texts()
    assert any(ord(c) > 0x400 for t in texts for c in t)  # Cyrillic as well as Latin
    needles = texts + [f'"pseudonym":"{p}"' for p in names["pseudonyms"]]
    needles += [t for key in ("committees", "motions", "pseudonyms") for t in names[key]]
    needles = [t for t in needles if len(t.encode()) >= 5 and t != "Veche"]
    needles += ["Sokol witnesses"]
    found = sorted(
        {
            text
            for text in needles
            for encoding in ("utf-8", "utf-16-le", "utf-16-be")
            if text.encode(encoding) in everything
        }
    )
    assert found == []

    # Unlocked, the same node serves them, its sealed audit files included.
    with veche_serve(folder, **unlocked) as served:
        status, page = served.get("/strike/")  # the public strike map, from the database
        assert status == 200 and b"Grodno" in page
        status, report = served.get(f"/audit/{names['published_audit']}/files/report.html")
        assert status == 200 and b"<html" in report
        status, plot = served.get(f"/audit/{names['published_audit']}/files/fingerprint.png")
        assert status == 200 and plot.startswith(b"\x89PNG")
    assert "Traceback" not in served.output(), served.output()[-3000:]
