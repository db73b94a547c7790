"""Write a committee's bundle in the background, for the member who asked for it.

A bundle of a large committee takes long to gather, seal and compress; done inside
the web request it would hold one of the server's few workers and could be cut off
by the worker timeout. The Bundles page records the member's request (a
``BundleExport`` row) and queues it instead (a task in the database:
``veche.web.background``); the page shows it as waiting or running, then offers the
file to its owner alone. The file is written to ``DATA_DIR/exports/`` under a random
name, readable by the node's user only, sealed under the database key on an encrypted
node, and appears whole or not at all (a temporary file, then a rename). An export whose process died runs again when the worker next
starts (it only reads the log); interrupted twice, it is recorded as failed. Exports
older than a day, rows and files, are deleted when a member asks for a new one.
"""

from __future__ import annotations

import contextlib
import logging
import os
import secrets
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from django.utils import translation
from django.utils.translation import gettext_noop
from django_tasks import task

from veche.apps.committees.access import may_hold_space
from veche.apps.sync.bundles import export_bundle
from veche.apps.sync.labels import bundle_reason
from veche.apps.sync.models import BundleExport, exports_folder
from veche.sync.errors import BundleError
from veche.web.background import on_interrupted
from veche.web.db import sealed

log = logging.getLogger(__name__)

# Exports (rows and files) are kept this long.
MAX_AGE = timedelta(days=1)
# The Bundles page lists at most this many of the member's exports.
SHOWN = 20
# An unfinished export of the same committee younger than this is not asked for again.
STALE_AFTER = timedelta(minutes=30)
# Stored as written; the Bundles page shows them in the reader's language.
INTERNAL_ERROR = gettext_noop("internal error; the node's log has the details")
INTERRUPTED = gettext_noop("interrupted twice by a restart of this node; ask for the bundle again")
NOT_ALLOWED = gettext_noop("you may no longer hold this committee's log")

_UNFINISHED = (BundleExport.Status.QUEUED, BundleExport.Status.RUNNING)


def pending(owner_id: int, space: str) -> BundleExport | None:
    """The member's unfinished export of the space, if one was asked for lately."""
    since = datetime.now(UTC) - STALE_AFTER
    return (
        BundleExport.objects.filter(
            owner_id=owner_id, space=space, status__in=_UNFINISHED, created_at__gte=since
        )
        .order_by("-created_at", "-id")
        .first()
    )


def start(owner_id: int, space: str) -> BundleExport:
    """Forget old exports, record a new one and queue it (written at once, with the
    immediate backend of the tests); returns its row as it stands after queueing."""
    forget_old()
    export = BundleExport.objects.create(owner_id=owner_id, space=space)
    try:
        export_space.enqueue(export.id)
    except Exception:
        _fail(export.id, INTERNAL_ERROR)
        raise
    export.refresh_from_db()
    return export


@task()
def export_space(export_id: int) -> None:
    """The queued export: write the bundle, record how it went on its row."""
    execute(export_id)


@on_interrupted("veche.apps.sync.exports.export_space")
def _interrupted(args: list[Any], _kwargs: dict[str, Any], gave_up: bool) -> None:
    if not args:
        return
    export_id = int(args[0])
    if gave_up:
        _fail(export_id, INTERRUPTED)
    else:
        BundleExport.objects.filter(id=export_id, status=BundleExport.Status.RUNNING).update(
            status=BundleExport.Status.QUEUED
        )


def execute(export_id: int) -> None:
    """Write the export's bundle and record the outcome; nothing if it was deleted or
    has finished meanwhile."""
    claimed = BundleExport.objects.filter(id=export_id, status__in=_UNFINISHED).update(
        status=BundleExport.Status.RUNNING
    )
    export = BundleExport.objects.select_related("owner").filter(id=export_id).first()
    if not claimed or export is None:
        return
    try:
        if not may_hold_space(export.owner.public_key, export.space):
            _fail(export_id, NOT_ALLOWED)
            return
        data, count = export_bundle(spaces=[export.space])
        name = write_file(data)
    except BundleError as error:
        # Stored as the English msgid of its reason: the page shows it translated.
        with translation.override("en"):
            _fail(export_id, bundle_reason(error))
        return
    except Exception:
        log.exception("bundle export %s failed", export_id)
        _fail(export_id, INTERNAL_ERROR)
        return
    done = BundleExport.objects.filter(id=export_id, status=BundleExport.Status.RUNNING).update(
        status=BundleExport.Status.DONE,
        file_name=name,
        events=count,
        error="",
        finished_at=datetime.now(UTC),
    )
    if not done:  # deleted (or given up) while it was written: the file is nobody's
        _unlink(name)


def _fail(export_id: int, error: str) -> None:
    BundleExport.objects.filter(id=export_id, status__in=_UNFINISHED).update(
        status=BundleExport.Status.FAILED, error=error, finished_at=datetime.now(UTC)
    )


def write_file(data: bytes) -> str:
    """Write the bundle to ``DATA_DIR/exports/`` under a new random name, mode 0600,
    whole or not at all (sealed under the database key on an encrypted node); returns
    the name."""
    folder = exports_folder()
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    name = f"{secrets.token_urlsafe(18)}.bundle"
    sealed.write(folder / name, data, "export")
    return name


def read_file(path: Path) -> bytes:
    """An export's bundle as written (opened if sealed)."""
    return sealed.read(path, "export")


def _unlink(name: str) -> None:
    with contextlib.suppress(OSError):
        (exports_folder() / os.path.basename(name)).unlink()


def forget_old(now: datetime | None = None) -> int:
    """Delete the exports older than ``MAX_AGE``, their files, and any file of the
    exports folder that old which no export names (its row deleted with its account,
    a process killed while writing it); how many rows were deleted."""
    cutoff = (now or datetime.now(UTC)) - MAX_AGE
    old = BundleExport.objects.filter(created_at__lt=cutoff)
    for name in old.exclude(file_name="").values_list("file_name", flat=True):
        _unlink(name)
    deleted, _ = old.delete()
    folder = exports_folder()
    if folder.is_dir():
        named = set(BundleExport.objects.exclude(file_name="").values_list("file_name", flat=True))
        for path in folder.iterdir():
            with contextlib.suppress(OSError):
                if (
                    path.name not in named
                    and path.is_file()
                    and path.stat().st_mtime < cutoff.timestamp()
                ):
                    path.unlink()
    return deleted
