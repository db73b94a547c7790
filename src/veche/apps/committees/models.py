"""Projections of committee events. Never written except by the projectors in
``kinds`` and ``motions``; every row carries the space it was derived in."""

from __future__ import annotations

from django.db import models

from veche.apps.committees.labels import KIND_LABELS, LEVEL_LABELS
from veche.web.labels import label


class Committee(models.Model):
    space = models.CharField(max_length=43, unique=True)
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=20)
    level = models.CharField(max_length=20)
    rules = models.JSONField(default=dict)
    founder = models.CharField(max_length=43)
    created_at = models.CharField(max_length=20)
    description = models.TextField(blank=True, default="")
    demo = models.BooleanField(default=False)
    # The parent body this committee voted to join (its side of the link).
    parent = models.CharField(max_length=43, blank=True, default="")
    parent_join = models.CharField(max_length=43, blank=True, default="")

    def __str__(self) -> str:
        return self.name

    @property
    def kind_label(self) -> str:
        return label(KIND_LABELS, self.kind)

    @property
    def level_label(self) -> str:
        return label(LEVEL_LABELS, self.level)


class Member(models.Model):
    """One key of a member; a person may have several (devices), sharing ``person``."""

    class Status(models.TextChoices):
        ACTIVE = "active"
        CANDIDATE = "candidate"
        LEFT = "left"
        EXPELLED = "expelled"
        REVOKED = "revoked"

    space = models.CharField(max_length=43)
    key = models.CharField(max_length=43)
    person = models.CharField(max_length=43)
    pseudonym = models.CharField(max_length=40)
    status = models.CharField(max_length=10, choices=Status.choices)
    admitted_by = models.CharField(max_length=43, blank=True, default="")
    joined_event = models.CharField(max_length=43)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["space", "key"], name="member_once")]
        indexes = [
            models.Index(fields=["key", "status"], name="member_by_key"),
            models.Index(fields=["space", "status", "pseudonym"], name="member_list"),
        ]


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


class Vouch(models.Model):
    """Who vouched for whom: visible to members, as the issue asks."""

    space = models.CharField(max_length=43)
    event = models.CharField(max_length=43)
    voucher = models.CharField(max_length=43)  # the voucher's person
    candidate = models.CharField(max_length=43)  # the candidate's person

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["space", "voucher", "candidate"], name="vouch_once")
        ]


class Revocation(models.Model):
    """Events by ``key`` with seq greater than ``after_seq`` are not applied."""

    space = models.CharField(max_length=43)
    key = models.CharField(max_length=43)
    after_seq = models.BigIntegerField()
    event = models.CharField(max_length=43)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["space", "key"], name="revocation_once")]


class Post(models.Model):
    """A message to the whole committee (announcements, minutes, calls)."""

    space = models.CharField(max_length=43)
    event = models.CharField(max_length=43, unique=True)
    author = models.CharField(max_length=43)
    text = models.TextField()
    at = models.CharField(max_length=20)

    class Meta:
        indexes = [models.Index(fields=["space", "at"], name="post_by_space")]


class Motion(models.Model):
    class Status(models.TextChoices):
        OPEN = "open"
        PASSED = "passed"
        FAILED = "failed"

    space = models.CharField(max_length=43)
    event = models.CharField(max_length=43, unique=True)
    proposer = models.CharField(max_length=43)  # person
    kind = models.CharField(max_length=30)
    title = models.CharField(max_length=300)
    text = models.TextField()
    method = models.CharField(max_length=10)
    options = models.JSONField(default=list)
    seats = models.IntegerField(default=1)
    deadline = models.CharField(max_length=20, blank=True, default="")
    target = models.JSONField(default=dict)
    version = models.IntegerField(default=0)
    amendments = models.JSONField(default=list)  # [{event, at, title, text}]
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    result = models.JSONField(default=dict)
    close_event = models.CharField(max_length=43, blank=True, default="")
    proposed_at = models.CharField(max_length=20)
    closed_at = models.CharField(max_length=20, blank=True, default="")

    class Meta:
        indexes = [models.Index(fields=["space", "status"], name="motion_by_status")]


class Vote(models.Model):
    """The latest vote of a person on a motion (votes can be changed until close)."""

    space = models.CharField(max_length=43)
    motion = models.CharField(max_length=43)
    person = models.CharField(max_length=43)
    key = models.CharField(max_length=43)
    event = models.CharField(max_length=43)
    version = models.IntegerField()
    choice = models.JSONField()  # "yes"/"no"/"abstain", [approved indices], or ranking
    mandate = models.CharField(max_length=43, blank=True, default="")
    weight = models.IntegerField(default=1)
    at = models.CharField(max_length=20)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["motion", "person"], name="vote_once_per_person")
        ]
        indexes = [models.Index(fields=["space", "motion"], name="vote_by_motion")]


class Mandate(models.Model):
    """A delegate a committee elected to its parent body; derived in the child's space."""

    space = models.CharField(max_length=43)  # the electing (child) committee
    event = models.CharField(max_length=43)  # the close event that elected them
    key = models.CharField(max_length=43)
    parent = models.CharField(max_length=43)
    represented = models.IntegerField()
    seats = models.IntegerField()
    recalled_by = models.CharField(max_length=43, blank=True, default="")
    at = models.CharField(max_length=20)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["event", "key"], name="mandate_once")]
        indexes = [models.Index(fields=["parent"], name="mandate_by_parent")]


class FederationLink(models.Model):
    """A parent body accepted a child committee (the parent's side of the link)."""

    space = models.CharField(max_length=43)  # the parent
    child = models.CharField(max_length=43)
    child_join = models.CharField(max_length=43)  # the child's close event asking to join
    accepted_by = models.CharField(max_length=43)  # the parent's close event

    class Meta:
        constraints = [models.UniqueConstraint(fields=["space", "child"], name="link_once")]


class Ratification(models.Model):
    """A child committee ratified a parent body's decision by its own motion."""

    space = models.CharField(max_length=43)  # the child
    parent_close = models.CharField(max_length=43)
    close_event = models.CharField(max_length=43)

    class Meta:
        indexes = [models.Index(fields=["parent_close"], name="ratification_by_decision")]


class Endorsement(models.Model):
    """A committee endorsed another committee's decision (e.g. a demands letter)."""

    space = models.CharField(max_length=43)  # the endorsing committee
    letter_close = models.CharField(max_length=43)  # the close event of the endorsed motion
    letter_space = models.CharField(max_length=43)
    close_event = models.CharField(max_length=43)

    class Meta:
        indexes = [models.Index(fields=["letter_close"], name="endorsement_by_letter")]


class Seat(models.Model):
    """A delegate took their seat in a parent body, showing their mandate (parent's space)."""

    space = models.CharField(max_length=43)  # the parent body
    key = models.CharField(max_length=43)
    mandate = models.CharField(max_length=43)  # the child's close event that elected them
    child = models.CharField(max_length=43)
    weight = models.IntegerField(default=1)
    event = models.CharField(max_length=43)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["space", "key"], name="seat_once")]


class AcceptedBranch(models.Model):
    """A committee accepted one branch of an equivocating member's chain by motion
    (event-v1 §14.5): ``event`` and the author's earlier events count as acknowledged."""

    space = models.CharField(max_length=43)
    key = models.CharField(max_length=43)
    event = models.CharField(max_length=43)
    close_event = models.CharField(max_length=43)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["space", "event"], name="accepted_branch_once")
        ]


class Comment(models.Model):
    """A member's comment in a thread on a motion, a post or the committee's election
    (``comment.write``); ``text`` is the latest (``comment.amend``), the log keeps
    every earlier one."""

    space = models.CharField(max_length=43)
    event = models.CharField(max_length=43, unique=True)
    subject = models.CharField(max_length=43)  # the motion, post or election discussed
    subject_kind = models.CharField(max_length=10)  # "motion", "post" or "election"
    reply_to = models.CharField(max_length=43, blank=True, default="")
    quote = models.TextField(blank=True, default="")
    author = models.CharField(max_length=43)  # the key that wrote it
    person = models.CharField(max_length=43)  # who may amend or withdraw it
    text = models.TextField()
    at = models.CharField(max_length=20)
    version = models.IntegerField(default=0)  # amendments applied
    amended_at = models.CharField(max_length=20, blank=True, default="")
    withdrawn = models.BooleanField(default=False)

    class Meta:
        indexes = [models.Index(fields=["space", "subject"], name="comment_by_subject")]


class CommentMark(models.Model):
    """A member's agree/disagree on a comment (``comment.mark``): one per person, the
    latest counts; ``none`` takes it back."""

    space = models.CharField(max_length=43)
    comment = models.CharField(max_length=43)
    person = models.CharField(max_length=43)
    mark = models.CharField(max_length=10)
    event = models.CharField(max_length=43)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["comment", "person"], name="comment_mark_once")
        ]
        indexes = [models.Index(fields=["space", "comment"], name="comment_mark_by_comment")]
