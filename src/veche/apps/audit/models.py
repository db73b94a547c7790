"""An audit run: the files a member uploaded, its progress, and the report it produced.

Runs are this node's own work (the files and the report live in the data
folder, sealed under the database key on an encrypted node: ``veche.web.db.sealed``,
purpose ``audit``); they are not events of a space. A run is seen only by the member who
started it until they publish it; then anyone can read its report.
"""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

# On an encrypted node an uploaded file is sealed under this name, not the member's
# (which the run keeps in the database: a file's name can say whose or where it is).
SEALED_INPUT = "upload.sealed"


def _public_id() -> str:
    return secrets.token_urlsafe(12)


class AuditRun(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    public_id = models.CharField(max_length=24, unique=True, default=_public_id, editable=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="audit_runs"
    )
    title = models.CharField(max_length=200)
    language = models.CharField(max_length=2, default="en")
    simulated = models.BooleanField(default=False)
    skip_bad_rows = models.BooleanField(default=False)
    official_name = models.CharField(max_length=200)
    witness_name = models.CharField(max_length=200, blank=True)
    observer_name = models.CharField(max_length=200, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    stage = models.CharField(max_length=40, blank=True)
    progress = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(blank=True)
    summary = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(null=True, blank=True)  # last progress report
    finished_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering: ClassVar[list[str]] = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title

    @property
    def folder(self) -> Path:
        return Path(settings.DATA_DIR) / "audits" / self.public_id

    @property
    def report_folder(self) -> Path:
        return self.folder / "report"

    def input_path(self, kind: str, name: str) -> Path:
        """Where the uploaded file of ``kind`` (official, witness, observer) named
        ``name`` is: sealed under a fixed name, or (a plain node's) under its own."""
        folder = self.folder / "input" / kind
        sealed = folder / SEALED_INPUT
        return sealed if sealed.exists() else folder / name

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)

    @property
    def published(self) -> bool:
        return self.published_at is not None
