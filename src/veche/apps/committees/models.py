"""Projections of committee events. Never written except by ``kinds`` projectors."""

from __future__ import annotations

from django.db import models


class Committee(models.Model):
    space = models.CharField(max_length=43, unique=True)
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=20)
    level = models.CharField(max_length=20)
    rules = models.JSONField(default=dict)
    founder = models.CharField(max_length=43)
    created_at = models.CharField(max_length=20)
    demo = models.BooleanField(default=False)

    def __str__(self) -> str:
        return self.name


class Member(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active"
        CANDIDATE = "candidate"
        LEFT = "left"
        EXPELLED = "expelled"
        REVOKED = "revoked"

    space = models.CharField(max_length=43)
    key = models.CharField(max_length=43)
    pseudonym = models.CharField(max_length=40)
    status = models.CharField(max_length=10, choices=Status.choices)
    admitted_by = models.CharField(max_length=43, blank=True, default="")
    joined_event = models.CharField(max_length=43)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["space", "key"], name="member_once")]
        indexes = [models.Index(fields=["key", "status"], name="member_by_key")]


class Invitation(models.Model):
    space = models.CharField(max_length=43)
    event = models.CharField(max_length=43, unique=True)
    code_hash = models.CharField(max_length=43)
    invited_by = models.CharField(max_length=43)
    used_by = models.CharField(max_length=43, blank=True, default="")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["space", "code_hash"], name="invitation_code_once")
        ]


class Post(models.Model):
    """A message to the whole committee (announcements, minutes, calls)."""

    space = models.CharField(max_length=43)
    event = models.CharField(max_length=43, unique=True)
    author = models.CharField(max_length=43)
    text = models.TextField()
    at = models.CharField(max_length=20)

    class Meta:
        indexes = [models.Index(fields=["space", "at"], name="post_by_space")]
