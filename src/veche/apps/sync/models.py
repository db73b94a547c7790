"""The peers this node syncs with. Node-local bookkeeping, not events: never synced."""

from __future__ import annotations

from django.db import models
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
    added_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.url
