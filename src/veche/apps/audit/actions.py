"""The only writers of audit runs: start one, record its progress and outcome, publish it."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

from django.core.files import File
from django.db import transaction
from django.utils import timezone

from veche.apps.audit.models import SEALED_INPUT, AuditRun
from veche.web.db import encryption, sealed


class AuditRunError(ValueError):
    """A request the member can fix (e.g. publishing a run that failed)."""


_UNSAFE = re.compile(r"[^\w.\- ]+", re.UNICODE)


def safe_name(name: str, default: str) -> str:
    """The uploaded file's own name (shown in error messages), without any path."""
    base = Path(name.replace("\\", "/")).name
    cleaned = _UNSAFE.sub("_", base).strip(" .")[:120]
    return cleaned or default


def _store(upload: File[bytes], folder: Path, default: str) -> str:
    """Keep an uploaded file in the run's folder; its name as the member gave it.

    On an encrypted node it is sealed under the database key, under a fixed name (an
    upload is held in memory there: settings.FILE_UPLOAD_HANDLERS); on a plain node it
    is written as it came, under its own name."""
    name = safe_name(upload.name or default, default)
    key = encryption.held()
    if key is not None:
        sealed.write(folder / SEALED_INPUT, b"".join(upload.chunks()), "audit", key)
        return name
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / name).open("wb") as handle:
        for chunk in upload.chunks():
            handle.write(chunk)
    return name


def start_audit_run(
    owner_id: int,
    *,
    title: str,
    official: File[bytes],
    witness: File[bytes] | None = None,
    observer: File[bytes] | None = None,
    language: str = "en",
    simulated: bool = False,
    skip_bad_rows: bool = False,
) -> AuditRun:
    """Store the uploaded files in the run's folder and create the queued run."""
    run = AuditRun(
        owner_id=owner_id,
        title=title,
        language=language,
        simulated=simulated,
        skip_bad_rows=skip_bad_rows,
    )
    inputs = run.folder / "input"
    run.official_name = _store(official, inputs / "official", "official.csv")
    if witness is not None:
        run.witness_name = _store(witness, inputs / "witness", "witness.csv")
    if observer is not None:
        run.observer_name = _store(observer, inputs / "observer", "observer.csv")
    try:
        run.save()
    except Exception:
        shutil.rmtree(run.folder, ignore_errors=True)
        raise
    return run


def record_progress(run_id: int, stage: str, percent: int) -> None:
    AuditRun.objects.filter(pk=run_id).update(
        status=AuditRun.Status.RUNNING,
        stage=stage[:40],
        progress=max(0, min(percent, 100)),
        updated_at=timezone.now(),
    )


def record_restart(run_id: int) -> None:
    """The run's process died; it is queued to run again from its files."""
    AuditRun.objects.filter(pk=run_id).update(
        status=AuditRun.Status.QUEUED, stage="restarted", progress=0, updated_at=timezone.now()
    )


def record_success(run_id: int, summary: dict[str, Any]) -> None:
    AuditRun.objects.filter(pk=run_id).update(
        status=AuditRun.Status.DONE,
        stage="done",
        progress=100,
        summary=summary,
        finished_at=timezone.now(),
    )


def record_failure(run_id: int, message: str) -> None:
    AuditRun.objects.filter(pk=run_id).update(
        status=AuditRun.Status.FAILED, error=message, finished_at=timezone.now()
    )


@transaction.atomic
def retry_audit_run(run: AuditRun, viewer_id: int, retryable: tuple[str, ...]) -> AuditRun:
    """Queue a failed run again with its own files; only its owner may, and only after
    a failure that new files would not cure (``retryable`` errors)."""
    run = AuditRun.objects.select_for_update().get(pk=run.pk)
    if run.owner_id != viewer_id:
        raise AuditRunError("only the member who started an audit can run it again")
    if run.status != AuditRun.Status.FAILED or run.error not in retryable:
        raise AuditRunError("only an audit that failed through no fault of its files is retried")
    run.status = AuditRun.Status.QUEUED
    run.stage = ""
    run.progress = 0
    run.error = ""
    run.finished_at = None
    run.updated_at = timezone.now()
    run.save(update_fields=["status", "stage", "progress", "error", "finished_at", "updated_at"])
    return run


@transaction.atomic
def publish_audit_run(run: AuditRun, viewer_id: int) -> AuditRun:
    """Make a finished run's report readable by anyone; only its owner may."""
    run = AuditRun.objects.select_for_update().get(pk=run.pk)
    if run.owner_id != viewer_id:
        raise AuditRunError("only the member who started an audit can publish it")
    if run.status != AuditRun.Status.DONE:
        raise AuditRunError("only a finished audit can be published")
    if run.published_at is None:
        run.published_at = timezone.now()
        run.save(update_fields=["published_at"])
    return run
