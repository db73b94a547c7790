"""Permission-checked reads of audit runs: the owner sees theirs, everyone sees published ones."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from veche.apps.audit.models import AuditRun


def access_run_by_public_id(viewer_id: int | None, public_id: str) -> AuditRun:
    """The run, if the viewer may read it; otherwise 404 (unknown and forbidden look alike)."""
    run = AuditRun.objects.filter(public_id=public_id).select_related("owner").first()
    if run is None or not (run.published or (viewer_id is not None and run.owner_id == viewer_id)):
        raise Http404
    return run


def published_runs() -> QuerySet[AuditRun]:
    return AuditRun.objects.filter(published_at__isnull=False).order_by("-published_at")


def runs_of(owner_id: int) -> QuerySet[AuditRun]:
    return AuditRun.objects.filter(owner_id=owner_id)
