"""Projections of participatory-budget events. Written only by ``kinds`` projectors."""

from __future__ import annotations

from django.db import models


class Budget(models.Model):
    """A participatory budget a committee (or council) opened: money, windows, rule."""

    class Status(models.TextChoices):
        OPEN = "open"
        DECIDED = "decided"

    space = models.CharField(max_length=43)
    event = models.CharField(max_length=43, unique=True)
    title = models.CharField(max_length=200)
    amount = models.BigIntegerField()  # in kopecks (hundredths), like the fund
    currency = models.CharField(max_length=3)
    rule = models.CharField(max_length=10)  # "mes" or "greedy"
    ballot = models.CharField(max_length=10, default="approval")  # "approval" or "points"
    points = models.IntegerField(default=0)  # each voter's points to give (points ballots)
    from_fund = models.BooleanField(default=False)
    proposals_close = models.CharField(max_length=20)
    votes_close = models.CharField(max_length=20)
    opened_by = models.CharField(max_length=43)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    winners = models.JSONField(default=list)  # project event ids, in order of funding
    spent = models.BigIntegerField(default=0)
    voters = models.IntegerField(default=0)
    outcomes = models.JSONField(default=list)  # why each project won or lost
    # The votes the result counted (its causal past: each member's counting vote there).
    counted = models.JSONField(default=list)
    result_event = models.CharField(max_length=43, blank=True, default="")

    class Meta:
        indexes = [models.Index(fields=["space"], name="budget_by_space")]


class Project(models.Model):
    """A project proposed for a budget, with its cost."""

    space = models.CharField(max_length=43)
    budget = models.CharField(max_length=43)
    event = models.CharField(max_length=43, unique=True)
    name = models.CharField(max_length=200)
    cost = models.BigIntegerField()
    description = models.TextField(blank=True, default="")
    proposer = models.CharField(max_length=43)

    class Meta:
        indexes = [models.Index(fields=["budget"], name="project_by_budget")]


class BudgetVote(models.Model):
    """A member's ballot (approvals, or points per project); a later vote of the same
    member replaces it."""

    space = models.CharField(max_length=43)
    budget = models.CharField(max_length=43)
    voter = models.CharField(max_length=43)  # the member's person key
    event = models.CharField(max_length=43)
    at = models.CharField(max_length=20)
    seq = models.BigIntegerField(default=0)  # the author's sequence number: same-second order
    approve = models.JSONField(default=list)
    points = models.JSONField(default=dict)  # {project id: points} on points budgets

    class Meta:
        constraints = [models.UniqueConstraint(fields=["budget", "voter"], name="budget_vote_once")]


class SurveySummary(models.Model):
    """A member committee's needs-survey totals, published to its council (council's space).

    The survey is the committee's own election (one question per item, options are
    quantities); only its decrypted totals travel, never a member's answer.
    """

    space = models.CharField(max_length=43)  # the council
    event = models.CharField(max_length=43, unique=True)
    committee = models.CharField(max_length=43)
    election = models.CharField(max_length=43)
    result = models.CharField(max_length=43)
    title = models.CharField(max_length=200)
    items = models.JSONField(default=list)  # [{"text": ..., "total": ...}]
    author = models.CharField(max_length=43)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["space", "election"], name="survey_summary_once")
        ]
