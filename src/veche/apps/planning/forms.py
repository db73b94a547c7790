"""Forms of the planning pages: open a budget, propose a project, vote."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from veche.apps.fund.forms import CURRENCY_CHOICES, AmountField
from veche.apps.planning.labels import RULE_LABELS


class BudgetForm(forms.Form):
    title = forms.CharField(label=_("Title"), min_length=2, max_length=200)
    amount = AmountField(label=_("Amount to share out"))
    currency = forms.ChoiceField(label=_("Currency"), choices=CURRENCY_CHOICES, initial="BYN")
    rule = forms.ChoiceField(
        label=_("How the winners are chosen"), choices=list(RULE_LABELS.items()), initial="mes"
    )
    from_fund = forms.BooleanField(
        label=_("Paid from the committee's solidarity fund"), required=False
    )
    proposal_hours = forms.IntegerField(
        label=_("Hours to propose projects"), min_value=1, max_value=24 * 90, initial=72
    )
    voting_hours = forms.IntegerField(
        label=_("Then hours to vote"), min_value=1, max_value=24 * 90, initial=72
    )


class ProjectForm(forms.Form):
    name = forms.CharField(label=_("Project"), min_length=2, max_length=200)
    cost = AmountField(label=_("Cost"))
    description = forms.CharField(
        label=_("What it does"), required=False, max_length=2000, widget=forms.Textarea
    )


class VoteForm(forms.Form):
    approve = forms.MultipleChoiceField(
        label=_("The projects you approve"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, projects: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["approve"].choices = projects  # type: ignore[attr-defined]
