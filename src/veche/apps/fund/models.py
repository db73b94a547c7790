"""Projections of fund events. Never written except by ``kinds`` projectors."""

from __future__ import annotations

from django.db import models

from veche.apps.fund.labels import account_label, category_label, payout_status_label, period_label


class Fund(models.Model):
    """A committee's fund and its rules: who the treasurers are and how many must approve."""

    space = models.CharField(max_length=43, unique=True)
    event = models.CharField(max_length=43, unique=True)
    name = models.CharField(max_length=200)
    treasurers = models.JSONField(default=list)
    k = models.IntegerField()
    created_by = models.CharField(max_length=43)

    def __str__(self) -> str:
        return self.name


class Entry(models.Model):
    """One balanced entry; an approved payout becomes an entry with category 'payout'."""

    space = models.CharField(max_length=43)
    event = models.CharField(max_length=43, unique=True)
    day = models.CharField(max_length=10)
    category = models.CharField(max_length=20)
    currency = models.CharField(max_length=3)
    amount = models.BigIntegerField()  # total of the debits (= of the credits)
    memo = models.TextField(blank=True, default="")
    donor = models.CharField(max_length=100, blank=True, default="")
    author = models.CharField(max_length=43)

    class Meta:
        indexes = [models.Index(fields=["space", "day"], name="entry_by_space")]

    @property
    def category_label(self) -> str:
        return category_label(self.category)


class Posting(models.Model):
    space = models.CharField(max_length=43)
    event = models.CharField(max_length=43)
    index = models.IntegerField()
    account = models.CharField(max_length=20)
    currency = models.CharField(max_length=3)
    amount = models.BigIntegerField()  # debit positive, credit negative

    class Meta:
        constraints = [models.UniqueConstraint(fields=["event", "index"], name="posting_once")]
        indexes = [models.Index(fields=["space", "event"], name="posting_by_space")]


class Balance(models.Model):
    space = models.CharField(max_length=43)
    account = models.CharField(max_length=20)
    currency = models.CharField(max_length=3)
    amount = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["space", "account", "currency"], name="balance_once")
        ]

    @property
    def account_label(self) -> str:
        return account_label(self.account)


class Payout(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending"
        EFFECTIVE = "effective"

    space = models.CharField(max_length=43)
    event = models.CharField(max_length=43, unique=True)
    ref = models.CharField(max_length=43)
    recipient = models.CharField(max_length=200)  # pseudonymous, known to the vetting committee
    commitment = models.CharField(max_length=43)
    amount = models.BigIntegerField()
    currency = models.CharField(max_length=3)
    source = models.CharField(max_length=20)
    day = models.CharField(max_length=10)
    note = models.TextField(blank=True, default="")
    proposed_by = models.CharField(max_length=43)
    approvals = models.IntegerField(default=0)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["space", "ref"], name="payout_ref_once")]
        indexes = [models.Index(fields=["space", "status"], name="payout_by_space")]

    @property
    def status_label(self) -> str:
        return payout_status_label(self.status)

    @property
    def source_label(self) -> str:
        return account_label(self.source)


class Approval(models.Model):
    space = models.CharField(max_length=43)
    event = models.CharField(max_length=43, unique=True)
    payout = models.CharField(max_length=43)
    treasurer = models.CharField(max_length=43)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["payout", "treasurer"], name="approval_once")
        ]
        indexes = [models.Index(fields=["space"], name="approval_by_space")]


class Report(models.Model):
    """A published transparency report: its content is re-derived when projected."""

    space = models.CharField(max_length=43)
    event = models.CharField(max_length=43, unique=True)
    period = models.CharField(max_length=7)
    digest = models.CharField(max_length=43)
    content = models.JSONField()
    author = models.CharField(max_length=43)
    at = models.CharField(max_length=20)

    class Meta:
        indexes = [models.Index(fields=["space", "period"], name="report_by_space")]

    @property
    def period_label(self) -> str:
        return period_label(self.period)


class Receipt(models.Model):
    """The salt of a payout this node proposed, kept so the treasurers can give the
    recipient their receipt again (printed, or as a QR code).

    Not a projection and never in an event: the salt is this node's secret, shown only
    to the fund's treasurers (see ``access.access_receipt_by_payout``). It adds nothing a
    reader of this node's database did not have (the payout events name the recipient);
    what it protects is the public report, whose commitments cannot be tied to a
    recipient without it. A rebuild of the projections keeps it.
    """

    space = models.CharField(max_length=43)
    payout = models.CharField(max_length=43, unique=True)
    salt = models.CharField(max_length=100)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["space"], name="receipt_by_space")]
