"""A member's bundle file is written in the background and offered to them alone."""

from __future__ import annotations

import os
import re
import stat
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.test import Client
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult
from tests.factories import World

from veche.apps.accounts.actions import create_account
from veche.apps.accounts.models import Account
from veche.apps.committees import actions
from veche.apps.committees.models import Member
from veche.apps.store.models import StoredEvent
from veche.apps.sync import exports
from veche.apps.sync.models import BundleExport, exports_folder
from veche.sync.errors import BundleError
from veche.web import background
from veche.web.db import encryption, sealed

pytestmark = pytest.mark.django_db

PASS = "correct horse battery"
LINK = re.compile(r'href="(/sync/bundles/files/[^"/]+/)"')


def _committee() -> tuple[World, str]:
    world = World()
    space = world.committee("Sokol", ("Zubr",), name="Grodno Azot strike committee")
    actions.post(world.person("Sokol"), space, "The night shift stops at 22:00")
    return world, space


def _member(world: World, pseudonym: str) -> tuple[Client, Account]:
    account, _ = create_account(pseudonym, PASS, world.person(pseudonym))
    client = Client()
    client.force_login(account)
    return client, account


def _ask(client: Client, space: str) -> str:
    """Press "Download bundle"; the page it lands on."""
    response = client.post("/sync/bundles/download/", {"space": space}, follow=True)
    assert response.status_code == 200
    return response.content.decode()


def _link(page: str) -> str:
    found = LINK.search(page)
    assert found is not None, page
    return found[1]


def test_the_owner_downloads_the_file_written_for_them() -> None:
    world, space = _committee()
    zubr, account = _member(world, "Zubr")
    page = _ask(zubr, space)
    assert "The bundle is ready" in page
    assert 'http-equiv="refresh"' not in page  # nothing left to wait for
    assert "Grodno Azot strike committee" in page

    export = BundleExport.objects.get()
    assert export.owner == account and export.space == space
    assert export.status == BundleExport.Status.DONE and export.finished_at is not None
    assert export.events == StoredEvent.objects.filter(space=space).count() > 0
    assert export.path is not None and export.path.parent == exports_folder()
    assert stat.S_IMODE(os.stat(export.path).st_mode) == 0o600
    assert not [p for p in exports_folder().iterdir() if p.name.endswith(".tmp")]

    download = zubr.get(_link(page))
    assert download.status_code == 200
    assert download["Content-Type"] == "application/octet-stream"
    stamp = export.finished_at.astimezone(UTC).strftime("%Y%m%d-%H%M")
    assert download["Content-Disposition"] == (
        f'attachment; filename="veche-{space[:8]}-{stamp}.bundle"'
    )
    data = b"".join(download.streaming_content)
    assert data.startswith(b"VECHE-BUNDLE-v1\n")
    # Sealed under the database key on an encrypted node (the sqlcipher pass), else as is.
    stored = export.path.read_bytes()
    assert sealed.is_sealed(stored) == (encryption.held() is not None)
    assert data == sealed.read(export.path, "export")


def test_nobody_else_gets_the_file() -> None:
    world, space = _committee()
    zubr, _ = _member(world, "Zubr")
    link = _link(_ask(zubr, space))
    # Sokol is a member of the same committee, and still may not have Zubr's file.
    sokol, _ = _member(world, "Sokol")
    assert sokol.get(link).status_code == 404
    assert link not in sokol.get("/sync/bundles/").content.decode()
    assert zubr.get("/sync/bundles/files/" + "A" * 16 + "/").status_code == 404
    anonymous = Client().get(link)
    assert anonymous.status_code == 302 and "/accounts/sign-in/" in anonymous["Location"]
    # Nor the owner, once they may no longer hold the committee.
    assert zubr.get(link).status_code == 200
    # (The membership projection as an expulsion leaves it.)
    expelled = Member.objects.filter(space=space, key=world.person("Zubr").public).update(
        status=Member.Status.EXPELLED
    )
    assert expelled == 1
    assert zubr.get(link).status_code == 404
    assert link not in zubr.get("/sync/bundles/").content.decode()


def test_a_failed_export_shows_why(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(**_kwargs: Any) -> tuple[bytes, int]:
        raise BundleError("empty", "this node holds no spaces to export")

    monkeypatch.setattr(exports, "export_bundle", refuse)
    world, space = _committee()
    zubr, _ = _member(world, "Zubr")
    page = _ask(zubr, space)
    assert "The bundle could not be made: this node holds no committees to put in a bundle" in page
    export = BundleExport.objects.get()
    assert export.status == BundleExport.Status.FAILED and export.file_name == ""
    assert export.error == "this node holds no committees to put in a bundle"
    page = zubr.get("/sync/bundles/").content.decode()
    assert "Failed: this node holds no committees to put in a bundle" in page
    assert not LINK.search(page)


def test_an_unexpected_failure_is_recorded_as_an_internal_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def broken(_data: bytes) -> str:
        raise OSError("disk full")

    monkeypatch.setattr(exports, "write_file", broken)
    world, space = _committee()
    zubr, _ = _member(world, "Zubr")
    assert "internal error" in _ask(zubr, space)
    assert BundleExport.objects.get().error == exports.INTERNAL_ERROR


@pytest.mark.usefixtures("queued_tasks")
def test_the_worker_writes_a_queued_export() -> None:
    world, space = _committee()
    zubr, _ = _member(world, "Zubr")
    page = _ask(zubr, space)
    assert "The bundle is being made" in page
    assert 'http-equiv="refresh"' in page and "Waiting" in page
    assert not LINK.search(page)
    task = DBTaskResult.objects.get()
    assert task.task_path == "veche.apps.sync.exports.export_space"
    assert task.queue_name == "default"
    # A second press while it waits queues nothing more.
    assert "already being made" in _ask(zubr, space)
    assert BundleExport.objects.count() == 1

    assert background.run_pending() == 1
    export = BundleExport.objects.get()
    assert export.status == BundleExport.Status.DONE
    page = zubr.get("/sync/bundles/").content.decode()
    assert 'http-equiv="refresh"' not in page
    download = zubr.get(_link(page))
    assert b"".join(download.streaming_content).startswith(b"VECHE-BUNDLE-v1\n")


@pytest.mark.usefixtures("queued_tasks")
def test_an_interrupted_export_runs_again_then_fails() -> None:
    world, space = _committee()
    zubr, _ = _member(world, "Zubr")
    _ask(zubr, space)
    export = BundleExport.objects.get()
    task = DBTaskResult.objects.get()

    def die_while_running(worker_id: str) -> None:
        task.refresh_from_db()
        task.claim(worker_id)  # a worker whose lock nobody holds: it died
        BundleExport.objects.filter(id=export.id).update(status=BundleExport.Status.RUNNING)

    die_while_running("dead-worker-1")
    assert background.recover() == 1
    task.refresh_from_db()
    export.refresh_from_db()
    assert task.status == TaskResultStatus.READY  # queued to run again
    assert export.status == BundleExport.Status.QUEUED

    die_while_running("dead-worker-2")
    assert background.recover() == 1
    task.refresh_from_db()
    export.refresh_from_db()
    assert task.status == TaskResultStatus.FAILED
    assert export.status == BundleExport.Status.FAILED and export.error == exports.INTERRUPTED
    page = zubr.get("/sync/bundles/").content.decode()
    assert "interrupted twice" in page and 'http-equiv="refresh"' not in page
    # Pressing the button again makes a new one.
    assert "The bundle is being made" in _ask(zubr, space)
    assert background.run_pending() == 1
    assert BundleExport.objects.filter(status=BundleExport.Status.DONE).count() == 1


def test_exports_older_than_a_day_are_deleted_with_their_files() -> None:
    world, space = _committee()
    zubr, account = _member(world, "Zubr")
    _ask(zubr, space)
    old = BundleExport.objects.get()
    assert old.path is not None and old.path.exists()
    day_ago = datetime.now(UTC) - exports.MAX_AGE - timedelta(minutes=1)
    BundleExport.objects.filter(id=old.id).update(created_at=day_ago)
    stray = exports_folder() / "stray.bundle"  # a file no export names
    stray.write_bytes(b"x")
    os.utime(stray, (day_ago.timestamp(), day_ago.timestamp()))
    fresh_stray = exports_folder() / "fresh.bundle"
    fresh_stray.write_bytes(b"x")

    _ask(zubr, space)
    assert not BundleExport.objects.filter(id=old.id).exists()
    assert not old.path.exists() and not stray.exists()
    assert fresh_stray.exists()  # it may be an export being written right now
    new = BundleExport.objects.get(owner=account)
    assert new.path is not None and new.path.exists()
    fresh_stray.unlink()


def test_the_page_lists_at_most_the_newest_exports() -> None:
    world, space = _committee()
    zubr, account = _member(world, "Zubr")
    for _ in range(exports.SHOWN + 3):
        BundleExport.objects.create(
            owner=account, space=space, status=BundleExport.Status.FAILED, error="x"
        )
    newest = BundleExport.objects.create(
        owner=account, space=space, status=BundleExport.Status.FAILED, error="newest one"
    )
    page = zubr.get("/sync/bundles/").content.decode()
    assert page.count("Failed: ") == exports.SHOWN
    assert page.index("newest one") < page.index("Failed: x")
    assert newest.public_id  # unguessable ids
    assert len(newest.public_id) == 16
