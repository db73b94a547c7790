"""The peers this node syncs with, and the bundle files members asked for. Node-local
bookkeeping, not events: never synced."""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import ClassVar
from urllib.parse import urlsplit, urlunsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


class Peer(models.Model):
    class Status(models.TextChoices):
        NEW = "new", _("New")
        OK = "ok", _("Ok")
        FAILED = "failed", _("Failed")

    url = models.URLField(max_length=500, unique=True)
    # Pinned on the first successful handshake: a different key later is refused.
    node_key = models.CharField(max_length=43, blank=True, default="")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.NEW)
    last_sync = models.DateTimeField(null=True, blank=True)
    last_result = models.TextField(blank=True, default="")
    # Set while "Sync now" runs in the background (see runner).
    running_since = models.DateTimeField(null=True, blank=True)
    added_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.url


def check_peer_url(url: str) -> str:
    """A peer's address as stored (ending in ``/``), or ValidationError.

    Only http and https, a host, an optional port and path: the node dials this
    address and appends ``sync/v1/…`` to it. No user name or password in it (it
    is shown on the Peers page and would sit in the database), no query or
    fragment. LAN and loopback addresses are allowed on purpose: syncing over a
    LAN is what peers are for, and only the node's operators add them.
    """
    url = url.strip()
    address = ValidationError(
        gettext(
            "Give the node's address: http:// or https://, the host, and an optional port and path."
        ),
        code="address",
    )
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError on a port that is not a number
    except ValueError:
        raise address from None
    if parts.username is not None or parts.password is not None or "@" in parts.netloc:
        raise ValidationError(
            gettext("Leave any user name and password out of the address."),
            code="credentials",
        )
    if (
        parts.scheme.lower() not in ("http", "https")
        or not parts.hostname
        or "?" in url
        or "#" in url
        or any(c.isspace() or not c.isprintable() for c in url)
    ):
        raise address
    # Scheme and host are case-insensitive: one spelling, so one row per peer.
    url = urlunsplit((parts.scheme.lower(), parts.netloc.lower(), parts.path, "", ""))
    return url.rstrip("/") + "/"


def _public_id() -> str:
    return secrets.token_urlsafe(12)


class NodeCertificate(models.Model):
    """A member's certificate for this node's sync key (``veche.sync.session``): lets
    background syncs run in that member's name without their passphrase, until it
    expires or the member is revoked. One per member; kept in the database, so an
    encrypted node keeps it encrypted (older nodes kept them in
    ``DATA_DIR/sync-certificates.json``: migration 0004 moved them here)."""

    member = models.CharField(max_length=43, unique=True)
    document = models.JSONField()

    def __str__(self) -> str:
        return self.member[:8]


class BundleExport(models.Model):
    """A committee's bundle a member asked for on the Bundles page, written in the
    background (``veche.apps.sync.exports``) to ``DATA_DIR/exports/``; only its owner
    may download it, and only while they may hold the committee. Kept a day."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting")
        RUNNING = "running", _("Running")
        DONE = "done", _("Ready")
        FAILED = "failed", _("Failed")

    public_id = models.CharField(max_length=24, unique=True, default=_public_id, editable=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="bundle_exports"
    )
    space = models.CharField(max_length=43)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    error = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # The file's name in DATA_DIR/exports/ (random), once written.
    file_name = models.CharField(max_length=64, blank=True, default="")
    events = models.PositiveIntegerField(default=0)

    class Meta:
        ordering: ClassVar[list[str]] = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.space[:8]} ({self.status})"

    @property
    def path(self) -> Path | None:
        """Where the bundle is, once written."""
        return exports_folder() / self.file_name if self.file_name else None

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)


def exports_folder() -> Path:
    return Path(settings.DATA_DIR) / "exports"
