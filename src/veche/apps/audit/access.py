"""Permission-checked reads of audit runs: the owner sees theirs, everyone sees published ones."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from veche.apps.audit.models import AuditRun


def is_owner(viewer: str | None, run: AuditRun) -> bool:
    """Is the viewer (a member's public key) the run's owner? (``owner`` is fetched with
    the run by ``access_run_by_public_id``.)"""
    return viewer is not None and run.owner.public_key == viewer


def access_run_by_public_id(viewer: str | None, public_id: str) -> AuditRun:
    """The run, if the viewer may read it; otherwise 404 (unknown and forbidden look alike)."""
    run = AuditRun.objects.filter(public_id=public_id).select_related("owner").first()
    if run is None or not (run.published or is_owner(viewer, run)):
        raise Http404
    return run


def published_runs() -> QuerySet[AuditRun]:
    return AuditRun.objects.filter(published_at__isnull=False).order_by("-published_at")


def runs_of(viewer: str) -> QuerySet[AuditRun]:
    """The viewer's own runs, published or not."""
    return AuditRun.objects.filter(owner__public_key=viewer)
