"""Projections of election spaces: rebuilt from the events, never written by views.

``Election`` holds the create body (the parsed spec is derived from it) and the
stage, encrypted tally and result; ``Voter`` one row per electorate key;
``Trustee`` each trustee's keys and dealing; ``Ballot`` every applied cast with
its tracker (``counted`` marks each voter's last); ``BallotCiphertext`` the
alphas of every cast ciphertext, to refuse copied ballots; ``PartialDecryption``
each trustee's decryption share of the tally.
"""

from __future__ import annotations

from django.db import models

from veche.apps.elections.labels import stage_label


class Election(models.Model):
    space = models.CharField(max_length=43, unique=True)
    title = models.CharField(max_length=200)
    creator = models.CharField(max_length=43)
    committee = models.CharField(max_length=43, blank=True, default="")
    body = models.JSONField()
    created_at = models.CharField(max_length=20)
    stage = models.CharField(max_length=10)
    public_board = models.BooleanField(default=False)
    # The committee's call (body.call) was checked against the committee's log on this
    # node. False when the election names no committee, or this node holds nothing of
    # it: then it is not listed as the committee's election.
    call_checked = models.BooleanField(default=False)
    public_key = models.CharField(max_length=43, blank=True, default="")
    casts = models.IntegerField(default=0)
    counted = models.IntegerField(default=0)
    tally = models.JSONField(default=list)
    counts = models.JSONField(null=True, default=None)
    seats = models.JSONField(null=True, default=None)
    result_event = models.CharField(max_length=43, blank=True, default="")

    class Meta:
        indexes = [models.Index(fields=["committee"], name="election_by_committee")]

    @property
    def stage_label(self) -> str:
        """The stage in the reader's language (the code stays in ``stage``)."""
        return stage_label(self.stage)


class Voter(models.Model):
    space = models.CharField(max_length=43)
    key = models.CharField(max_length=43)
    index = models.IntegerField()
    constituency = models.IntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["space", "key"], name="election_voter_key")]


class Trustee(models.Model):
    space = models.CharField(max_length=43)
    index = models.IntegerField()
    key = models.CharField(max_length=43)
    box = models.CharField(max_length=43)
    dealing = models.JSONField(null=True, default=None)
    dealing_event = models.CharField(max_length=43, blank=True, default="")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["space", "index"], name="election_trustee_once")
        ]


class Complaint(models.Model):
    space = models.CharField(max_length=43)
    event = models.CharField(max_length=43, unique=True)
    trustee = models.IntegerField()
    dealer = models.IntegerField()
    reason = models.CharField(max_length=500)


class Ballot(models.Model):
    space = models.CharField(max_length=43)
    event = models.CharField(max_length=43, unique=True)
    voter = models.IntegerField()
    author = models.CharField(max_length=43)
    tracker = models.CharField(max_length=43)
    counted = models.BooleanField(default=True)
    ballot = models.JSONField()
    at = models.CharField(max_length=20)

    class Meta:
        indexes = [
            models.Index(fields=["space", "counted", "voter"], name="ballot_counted"),
            models.Index(fields=["space", "tracker"], name="ballot_tracker"),
        ]


class BallotCiphertext(models.Model):
    space = models.CharField(max_length=43)
    alpha = models.CharField(max_length=43)
    voter = models.IntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["space", "alpha"], name="ballot_ciphertext_once")
        ]


class PartialDecryption(models.Model):
    space = models.CharField(max_length=43)
    trustee = models.IntegerField()
    event = models.CharField(max_length=43, unique=True)
    partial = models.JSONField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["space", "trustee"], name="partial_decryption_once")
        ]


class TrusteeKey(models.Model):
    """A member's public trustee keys, registered on this node from their browser (or
    pasted from ``veche trustee keygen``): a local row, never an event. The secret half
    stays in the member's sealed key file. One key is active per account (the one an
    election's creator picks); replaced keys are kept, so that the member is still
    shown their step in the elections that named them."""

    account = models.ForeignKey(
        "accounts.Account", on_delete=models.CASCADE, related_name="trustee_keys"
    )
    key = models.CharField(max_length=43, unique=True)
    box = models.CharField(max_length=43)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["account"],
                condition=models.Q(active=True),
                name="one_active_trustee_key",
            )
        ]


class Pledge(models.Model):
    """A secret strike pledge (format pledge-v1): an election of one 0/1 question whose
    voters, trustees, pledges (``Ballot`` rows) and partial decryptions share the election
    tables by space; this row holds the pledge's own facts, stage and result."""

    space = models.CharField(max_length=43, unique=True)
    title = models.CharField(max_length=200)
    creator = models.CharField(max_length=43)
    committee = models.CharField(max_length=43, blank=True, default="")
    strike_call = models.CharField(max_length=43, blank=True, default="")
    workplace = models.CharField(max_length=200)
    shop = models.CharField(max_length=200, blank=True, default="")
    strike_date = models.CharField(max_length=10)
    deadline = models.CharField(max_length=20)
    needed = models.IntegerField()
    body = models.JSONField()
    created_at = models.CharField(max_length=20)
    stage = models.CharField(max_length=10)
    public_key = models.CharField(max_length=43, blank=True, default="")
    casts = models.IntegerField(default=0)
    counted = models.IntegerField(default=0)
    tally = models.JSONField(default=list)
    total = models.IntegerField(null=True, default=None)
    crossed = models.BooleanField(null=True, default=None)
    result_event = models.CharField(max_length=43, blank=True, default="")
    # A pledge that reveals only whether its target was reached (pledge-v1 §7): the
    # completed blinding rounds' lists, the round under way and the trustees' partial
    # decryptions of the final list (veche.pledge.reveal.RevealState.to_json).
    reveal = models.JSONField(default=dict)

    class Meta:
        indexes = [models.Index(fields=["committee"], name="pledge_by_committee")]

    @property
    def stage_label(self) -> str:
        return stage_label(self.stage)
