"""Projections of strike events. Never written except by ``kinds`` projectors."""

from __future__ import annotations

from django.db import models


class Workplace(models.Model):
    """An enterprise in the registry; ``space`` is its strike committee."""

    space = models.CharField(max_length=43)
    workplace = models.CharField(max_length=43, unique=True)  # the registering event's id
    name = models.CharField(max_length=200)
    city = models.CharField(max_length=100)
    region = models.CharField(max_length=20)
    sector = models.CharField(max_length=100)
    workforce = models.IntegerField()
    registered_by = models.CharField(max_length=43)
    # The latest change, and the latest published change (what the public sees).
    status = models.CharField(max_length=20, default="")
    status_day = models.CharField(max_length=10, default="")
    out_per_mille = models.IntegerField(default=0)
    public_status = models.CharField(max_length=20, default="")
    public_day = models.CharField(max_length=10, default="")
    public_out_per_mille = models.IntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["space"], name="workplace_by_space")]

    def __str__(self) -> str:
        return self.name


class StatusChange(models.Model):
    space = models.CharField(max_length=43)
    event = models.CharField(max_length=43, unique=True)
    workplace = models.CharField(max_length=43)
    day = models.CharField(max_length=10)
    status = models.CharField(max_length=20)
    out_per_mille = models.IntegerField()
    note = models.TextField(blank=True, default="")
    published = models.BooleanField(default=False)
    author = models.CharField(max_length=43)
    order = models.IntegerField()  # application order within the space: same-day tie-break

    class Meta:
        indexes = [
            models.Index(fields=["workplace", "day"], name="status_by_workplace"),
            models.Index(fields=["space", "order"], name="status_by_space_order"),
        ]


class StrikeBallot(models.Model):
    """A secret strike ballot: a committee election bound to a workplace and a day by a
    ``strike.ballot`` event (format pledge-v1 §10). ``result_event`` is the committee's
    ``strike.ballot_result`` that applied its verified "yes"."""

    space = models.CharField(max_length=43)  # the committee
    event = models.CharField(max_length=43, unique=True)  # the strike.ballot event
    election = models.CharField(max_length=43, unique=True)
    workplace = models.CharField(max_length=43)
    day = models.CharField(max_length=10)
    quorum = models.IntegerField(default=0)
    opened_by = models.CharField(max_length=43)
    result_event = models.CharField(max_length=43, default="")

    class Meta:
        indexes = [models.Index(fields=["workplace"], name="strike_ballot_by_workplace")]
