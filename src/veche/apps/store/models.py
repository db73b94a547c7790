"""Stored events and the bookkeeping that places them in order.

``StoredEvent`` is the source of truth: the canonical bytes as received, with
their order key (height, id) and the outcome of judging them. Everything else
a node shows is a projection, rebuilt from these rows by ``veche log rebuild``.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Status(models.TextChoices):
    APPLIED = "applied", _("Applied")
    # signed and well formed, but broke a rule: kept as evidence
    REJECTED = "rejected", _("Rejected")
    # by an equivocating or revoked author: kept, not applied
    HELD = "held", _("Held")
    # waits for events it names that this node does not hold yet
    PENDING = "pending", _("Pending")
    # its rule needs events of a space this node holds nothing of: no effect
    UNVERIFIED = "unverified", _("Unverified")


class StoredEvent(models.Model):
    id = models.CharField(max_length=43, primary_key=True)
    space = models.CharField(max_length=43)
    author = models.CharField(max_length=43)
    seq = models.BigIntegerField()
    kind = models.CharField(max_length=100)
    at = models.CharField(max_length=20)
    height = models.BigIntegerField(null=True)
    status = models.CharField(max_length=10, choices=Status.choices)
    reason = models.TextField(blank=True, default="")
    raw = models.BinaryField()
    received_at = models.DateTimeField()
    # ``raw`` is the redacted form (event-v1 §16): content removed by a retention rule
    redacted = models.BooleanField(default=False)

    class Meta:
        indexes = [
            models.Index(fields=["space", "author", "seq"], name="event_chain"),
            models.Index(fields=["space", "height", "id"], name="event_order"),
            models.Index(fields=["status"], name="event_status"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.id}"


class MissingDependency(models.Model):
    """An event waiting for ``missing``; resolved when that event arrives."""

    event = models.CharField(max_length=43)
    missing = models.CharField(max_length=43, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["event", "missing"], name="missing_dependency_once")
        ]


class CrossReference(models.Model):
    """Space ``source`` holds an event that names an event of space ``target``.

    When ``target`` is re-projected, ``source`` must be too: its rules read the
    status of the events it names.
    """

    source = models.CharField(max_length=43)
    target = models.CharField(max_length=43, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["source", "target"], name="cross_reference_once")
        ]


class RejectedInput(models.Model):
    """Input that never became an event: bad bytes, bad signature. Kept with the reason.

    Bounded per source and in total by ``rejected.keep_rejected``: ``raw`` is the
    start of the input (a few KiB at most), ``size`` its length as received.
    """

    raw = models.BinaryField()
    size = models.PositiveIntegerField(default=0)
    field = models.CharField(max_length=100)
    rule = models.CharField(max_length=100)
    reason = models.TextField()
    source = models.CharField(max_length=200)
    received_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["source", "id"], name="rejected_by_source")]


class EquivocationRecord(models.Model):
    """Two events with the same (space, author, seq): the evidence, kept for the committee."""

    space = models.CharField(max_length=43, db_index=True)
    author = models.CharField(max_length=43)
    seq = models.BigIntegerField()
    first = models.CharField(max_length=43)
    second = models.CharField(max_length=43)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["space", "author", "seq", "first", "second"], name="equivocation_once"
            )
        ]


class ExternalCitation(models.Model):
    """``event`` was judged without ``cited``, of a space this node held nothing of.

    When ``cited`` arrives, ``event``'s space is projected again, this time with it.
    """

    event = models.CharField(max_length=43)
    space = models.CharField(max_length=43)  # the citing event's space
    cited = models.CharField(max_length=43, db_index=True)
    cited_space = models.CharField(max_length=43)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["event", "cited"], name="external_citation_once")
        ]


class Tip(models.Model):
    """An applied event of ``space`` that no applied event of the space names yet.

    A node's next event in the space names its tips in ``deps``, so on a node that
    is not partitioned every event has all earlier ones in its causal past
    (event-v1 §14.2). Local bookkeeping: never part of the state digest.
    """

    space = models.CharField(max_length=43)
    event = models.CharField(max_length=43)
    height = models.BigIntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["space", "event"], name="tip_once")]
        indexes = [models.Index(fields=["space", "height"], name="tip_order")]


class DroppedSpace(models.Model):
    """A space this node dropped (``veche space drop``): its events are gone, and
    received events of it are refused, so sync does not bring it back."""

    space = models.CharField(max_length=43, primary_key=True)
    dropped_at = models.DateTimeField()


class RedactedWaiting(models.Model):
    """A redacted form received before any event that names it (event-v1 §16.4): kept
    aside, not an event yet, and taken when an event naming it arrives. Bounded by
    ``retention.MAX_WAITING``."""

    id = models.CharField(max_length=43, primary_key=True)
    space = models.CharField(max_length=43, db_index=True)
    raw = models.BinaryField()
    received_at = models.DateTimeField()
